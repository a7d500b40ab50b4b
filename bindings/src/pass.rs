//! Personal pass (citizen side) and the venue staff's door log.

use crate::{Khaibao, KhaibaoError, Result, guard, now};
use khaibao_core::declaration::status::{HealthStatus, StatusRules, derive_status};
use khaibao_core::declaration::{self, Declaration, Submission};
use khaibao_core::pass::stafflog::{self, Admission, DailyReport};
use khaibao_core::pass::{self, PassInput};
use khaibao_core::venue::TrustedKey;
use std::sync::{Arc, Mutex};

#[uniffi::export(async_runtime = "tokio")]
impl Khaibao {
    /// Registers this device's key with the authority and returns the certificate, which the
    /// app keeps (it is public) and passes to [`Khaibao::make_pass`].
    pub async fn register_device(self: Arc<Self>) -> Result<Vec<u8>> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            guard("register_device", || {
                let t = this.now();
                let device = this.store().device_key(t)?;
                Ok(pass::register_device(
                    &device,
                    this.reqwest()?.as_ref(),
                    &this.config.authority_url,
                    t,
                )?)
            })
        })
        .await
        .unwrap_or_else(|_| Err(KhaibaoError::internal("register_device")))
    }

    /// The health status of a declaration under the national rules.
    pub fn health_status(&self, declaration: Declaration) -> Result<HealthStatus> {
        guard("health_status", || {
            let t = self.now();
            let d = declaration::validate(&declaration, t).map_err(KhaibaoError::validation)?;
            Ok(derive_status(&d, &StatusRules::default(), t))
        })
    }

    /// A personal pass's text, valid for five minutes: render it as a QR and re-render it
    /// before it expires. The name is included only when `show_name` is true.
    pub fn make_pass(
        &self,
        declaration: Declaration,
        certificate: Vec<u8>,
        show_name: bool,
    ) -> Result<String> {
        guard("make_pass", || {
            let t = self.now();
            let d = declaration::validate(&declaration, t).map_err(KhaibaoError::validation)?;
            let status = derive_status(&d, &StatusRules::default(), t);
            let personal = Submission {
                declaration: d.clone(),
                declared_at: t,
                venue_id: None,
            }
            .to_cbor()?;
            let device = self.store().device_key(t)?;
            Ok(pass::make_pass(&PassInput {
                device: &device,
                certificate: &certificate,
                status,
                declared_at: t,
                name: show_name.then_some(d.full_name.as_str()),
                personal_data: &personal,
                authority_sealing_key: &self.config.authority_sealing_key,
                now: t,
                valid_seconds: pass::DEFAULT_PASS_SECONDS,
            })?)
        })
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
        guard("VenueStaff.scan", || Ok(self.log().scan(&text, now())?))
    }

    /// Today's figures.
    pub fn report(&self) -> Result<DailyReport> {
        guard("VenueStaff.report", || Ok(self.log().report(now())?))
    }

    /// Today's log as CSV for the authority.
    pub fn export_csv(&self) -> Result<String> {
        guard("VenueStaff.export_csv", || {
            Ok(self.log().export_csv(now())?)
        })
    }
}
