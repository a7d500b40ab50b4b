//! The pass area (citizen side: device certificate and personal passes) and the venue
//! staff's door log.

use crate::records::{Admission, DailyReport, Declaration};
use crate::{HostHttpClient, Inner, KhaibaoError, Result, guard, now, off_thread};
use khaibao_core::declaration::status::{HealthStatus, StatusRules, derive_status};
use khaibao_core::declaration::{self, Submission};
use khaibao_core::pass::stafflog;
use khaibao_core::pass::{self, PassInput};
use khaibao_core::venue::TrustedKey;
use std::sync::{Arc, Mutex};

/// The device certificate and personal passes.
#[derive(uniffi::Object)]
pub struct Passes(pub(crate) Arc<Inner>);

#[uniffi::export]
impl Passes {
    /// Registers this device's key with the authority, through `client` (the host's HTTP
    /// client) or, when it is `None`, the library's own, and returns the certificate, which
    /// the app keeps (it is public) and passes to [`Passes::make_pass`].
    pub async fn register_device(
        self: Arc<Self>,
        client: Option<Arc<dyn HostHttpClient>>,
    ) -> Result<Vec<u8>> {
        self.0
            .clone()
            .with_transport("Pass.register_device", client, |inner, transport| {
                let t = inner.now();
                let device = inner.store().device_key(t)?;
                Ok(pass::register_device(
                    &device,
                    transport,
                    &inner.config.authority_url,
                    t,
                )?)
            })
            .await
    }

    /// The health status of a declaration under the national rules.
    pub fn health_status(&self, declaration: Declaration) -> Result<HealthStatus> {
        guard("Pass.health_status", || {
            let t = self.0.now();
            let d =
                declaration::validate(&declaration.into(), t).map_err(KhaibaoError::validation)?;
            Ok(derive_status(&d, &StatusRules::default(), t))
        })
    }

    /// A personal pass's text, valid for five minutes: render it as a QR and re-render it
    /// before it expires. The name is included only when `show_name` is true.
    pub async fn make_pass(
        self: Arc<Self>,
        declaration: Declaration,
        certificate: Vec<u8>,
        show_name: bool,
    ) -> Result<String> {
        let inner = self.0.clone();
        off_thread("Pass.make_pass", move || {
            let t = inner.now();
            let d =
                declaration::validate(&declaration.into(), t).map_err(KhaibaoError::validation)?;
            let status = derive_status(&d, &StatusRules::default(), t);
            let personal = Submission {
                declaration: d.clone(),
                declared_at: t,
                venue_id: None,
            }
            .to_cbor()?;
            let device = inner.store().device_key(t)?;
            Ok(pass::make_pass(&PassInput {
                device: &device,
                certificate: &certificate,
                status,
                declared_at: t,
                name: show_name.then_some(d.full_name.as_str()),
                personal_data: &personal,
                authority_sealing_key: &inner.config.authority_sealing_key,
                now: t,
                valid_seconds: pass::DEFAULT_PASS_SECONDS,
            })?)
        })
        .await
    }
}

/// A venue's door log, for staff apps: scan personal passes in and out.
#[derive(uniffi::Object)]
pub struct VenueStaff {
    log: Mutex<stafflog::StaffLog>,
}

impl VenueStaff {
    fn log(&self) -> std::sync::MutexGuard<'_, stafflog::StaffLog> {
        self.log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The door log's calls are synchronous: a staff app scans one pass at a time, each a
/// millisecond of local work; call them off the main thread.
#[uniffi::export]
impl VenueStaff {
    /// Opens (creating) the log, trusting `authority_keys` for device certificates.
    #[uniffi::constructor]
    pub fn open(db_path: String, authority_keys: Vec<TrustedKey>) -> Result<Arc<Self>> {
        guard("VenueStaff.open", || {
            let log = stafflog::StaffLog::open(std::path::Path::new(&db_path), authority_keys)?;
            Ok(Arc::new(Self {
                log: Mutex::new(log),
            }))
        })
    }

    /// Verifies a scanned pass and records an entry or an exit.
    pub fn scan(&self, text: String) -> Result<Admission> {
        guard("VenueStaff.scan", || {
            Ok(self.log().scan(&text, now())?.into())
        })
    }

    /// Today's figures.
    pub fn report(&self) -> Result<DailyReport> {
        guard("VenueStaff.report", || Ok(self.log().report(now())?.into()))
    }

    /// Today's log as CSV for the authority.
    pub fn export_csv(&self) -> Result<String> {
        guard("VenueStaff.export_csv", || {
            Ok(self.log().export_csv(now())?)
        })
    }
}
