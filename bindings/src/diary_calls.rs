//! The diary's further calls on the [`Khaibao`] handle: active visit, edits, export and
//! exposure matching.
//!
//! Exposure lists are verified against the effective keyset (the configured `venue_keys`
//! and any root-signed keyset update, see `sync_trust`): the authority signs
//! venue codes and exposure lists with the same Ed25519 key.

use crate::{Khaibao, Result, guard};
use khaibao_core::UnixTime;
use khaibao_core::diary::export::{self, CsvExport, Language};
use khaibao_core::diary::{self, Visit, VisitEdit};
use khaibao_core::exposure::{self, AlertSink, ExposureAlert, MatchOptions};
use khaibao_core::venue::TrustedKey;
use std::sync::Arc;

/// Told about new exposure alerts, for example to post a notification. It is called on a
/// library thread with the database released, so it may call back into the library (to
/// read the diary, say).
#[uniffi::export(with_foreign)]
pub trait ExposureListener: Send + Sync {
    fn on_alerts(&self, alerts: Vec<ExposureAlert>);
}

/// Hands alerts to the host's listener. The alerts are already recorded when it is called,
/// so a listener that throws loses nothing: the call still returns them.
pub(crate) struct Listener(pub Arc<dyn ExposureListener>);

impl AlertSink for Listener {
    fn on_alerts(&self, alerts: &[ExposureAlert]) {
        let _ = crate::panic_policy::quietly("ExposureListener", || {
            self.0.on_alerts(alerts.to_vec());
        });
    }
}

/// What matching an exposure list against the diary takes, gathered once for the calls
/// that match (a downloaded list, or the lists `sync_exposures` fetches).
pub(crate) struct Matching {
    pub options: MatchOptions,
    /// The keys valid at `now` in the effective keyset.
    pub keys: Vec<TrustedKey>,
    pub now: UnixTime,
    listener: Option<Listener>,
}

impl Matching {
    /// The host's listener, as the sink core tells new alerts to.
    pub fn sink(&self) -> Option<&dyn AlertSink> {
        self.listener.as_ref().map(|l| l as &dyn AlertSink)
    }
}

impl Khaibao {
    /// The options (`min_overlap_seconds`, when given, over the default), the keys valid
    /// now and the host's listener for matching exposure lists.
    pub(crate) fn matching(
        &self,
        min_overlap_seconds: Option<i64>,
        listener: Option<Arc<dyn ExposureListener>>,
    ) -> Result<Matching> {
        let mut options = MatchOptions::default();
        if let Some(s) = min_overlap_seconds {
            options.min_overlap_seconds = s;
        }
        let now = self.now();
        Ok(Matching {
            options,
            keys: self
                .keyset(&self.store())?
                .valid_keys_for(khaibao_core::venue::keyset::USAGE_EXPOSURE, now),
            now,
            listener: listener.map(Listener),
        })
    }
}

#[uniffi::export]
impl Khaibao {
    /// The active visit, if any, after due automatic check-outs.
    pub fn active_visit(&self) -> Result<Option<Visit>> {
        guard("active_visit", || {
            Ok(diary::active(&mut self.store(), self.now())?)
        })
    }

    /// Corrects a visit's times (same local day; the previous times are kept).
    pub fn edit_visit(
        &self,
        visit_id: i64,
        checked_in_at: i64,
        checked_out_at: i64,
    ) -> Result<Visit> {
        guard("edit_visit", || {
            Ok(diary::edit_visit(
                &mut self.store(),
                visit_id,
                checked_in_at,
                checked_out_at,
                self.now(),
            )?)
        })
    }

    /// The edit history of a visit, oldest first.
    pub fn visit_edits(&self, visit_id: i64) -> Result<Vec<VisitEdit>> {
        guard("visit_edits", || Ok(diary::edits(&self.store(), visit_id)?))
    }

    /// The citizen's diary and declarations as JSON.
    pub fn export_json(&self, language: Language) -> Result<String> {
        guard("export_json", || {
            Ok(export::export_json(
                &mut self.store(),
                language,
                self.now(),
            )?)
        })
    }

    /// The citizen's diary and declarations as two CSV files.
    pub fn export_csv(&self, language: Language) -> Result<CsvExport> {
        guard("export_csv", || {
            Ok(export::export_csv(&mut self.store(), language, self.now())?)
        })
    }

    /// The newest exposure list version processed: download lists since it.
    pub fn exposure_since(&self) -> Result<u64> {
        guard("exposure_since", || {
            Ok(exposure::last_version(&self.store())?)
        })
    }

    /// Verifies a downloaded exposure list and matches it against the diary on the phone,
    /// through the same checks as `sync_exposures` (base version, version jump, age:
    /// `network.protocol` when one fails, nothing recorded). A list already processed
    /// yields nothing. The listener hears about new alerts.
    pub fn process_exposure_list(
        &self,
        list: Vec<u8>,
        min_overlap_seconds: Option<i64>,
        listener: Option<Arc<dyn ExposureListener>>,
    ) -> Result<Vec<ExposureAlert>> {
        guard("process_exposure_list", || {
            let m = self.matching(min_overlap_seconds, listener)?;
            Ok(exposure::process_list(
                &self.store,
                &list,
                &m.keys,
                m.options,
                m.now,
                m.sink(),
            )?)
        })
    }
}
