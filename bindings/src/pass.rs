//! The pass area (citizen side: device certificate and personal passes) and the venue
//! staff's door log.

use crate::records::{Admission, DailyReport, Declaration};
use crate::{HostHttpClient, Inner, KhaibaoError, Result, Uploads, guard, now, off_thread};
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

/// A venue's door log, for staff apps: scan personal passes in and out, and hand the
/// complete passages to a handle's uploads.
#[derive(uniffi::Object)]
pub struct VenueStaff {
    log: Arc<Mutex<stafflog::StaffLog>>,
}

impl VenueStaff {
    /// Runs `f` with the log on a library thread (see [`off_thread`]).
    fn with_log<T: Send + 'static>(
        &self,
        what: &'static str,
        f: impl FnOnce(&mut stafflog::StaffLog) -> Result<T> + Send + 'static,
    ) -> crate::OffThread<Result<T>> {
        let log = self.log.clone();
        off_thread(what, move || {
            f(&mut log
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner))
        })
    }
}

/// Every call of the door log works on the disk (and `scan` verifies signatures), so each is
/// async and runs on a library thread, like the handle's areas.
#[uniffi::export]
impl VenueStaff {
    /// Opens (creating) the log, trusting `authority_keys` for device certificates.
    #[uniffi::constructor]
    pub async fn open(db_path: String, authority_keys: Vec<TrustedKey>) -> Result<Arc<Self>> {
        off_thread("VenueStaff.open", move || {
            let log = stafflog::StaffLog::open(std::path::Path::new(&db_path), authority_keys)?;
            Ok(Arc::new(Self {
                log: Arc::new(Mutex::new(log)),
            }))
        })
        .await
    }

    /// Verifies a scanned pass and records an entry or an exit.
    pub async fn scan(self: Arc<Self>, text: String) -> Result<Admission> {
        self.with_log("VenueStaff.scan", move |log| {
            Ok(log.scan(&text, now())?.into())
        })
        .await
    }

    /// Today's figures.
    pub async fn report(self: Arc<Self>) -> Result<DailyReport> {
        self.with_log("VenueStaff.report", |log| Ok(log.report(now())?.into()))
            .await
    }

    /// Today's log as CSV for the authority.
    pub async fn export_csv(self: Arc<Self>) -> Result<String> {
        self.with_log("VenueStaff.export_csv", |log| Ok(log.export_csv(now())?))
            .await
    }

    /// Hands the passages that are complete (the visitor left, or their day is over) and
    /// not handed over yet to the outbox of `uploads`, for the venue `venue_id` (its 32 hex
    /// digits, as in its venue code), and returns how many were queued. `Uploads.upload`
    /// then sends them with the handle's declarations, with the same options (the host's
    /// HTTP client or the library's, progress, cancellation), backoff and `Retry-After`;
    /// each passage reaches the authority once, which alone can open its personal data.
    pub async fn queue_uploads(
        self: Arc<Self>,
        uploads: Arc<Uploads>,
        venue_id: String,
    ) -> Result<i64> {
        let inner = uploads.0.clone();
        self.with_log("VenueStaff.queue_uploads", move |log| {
            let t = inner.now();
            let queued = log.queue_uploads(&mut inner.store(), &venue_id, t)?;
            Ok(i64::try_from(queued).unwrap_or(i64::MAX))
        })
        .await
    }
}
