//! The diary area: check in and out, read, correct and export visits, and be told when the
//! diary changes (the platform layers turn that into a Kotlin `Flow` / Swift `AsyncStream`).

use crate::clock::unix_seconds;
use crate::records::{Declaration, ExposureAlert, Visit, VisitEdit};
use crate::trust::VenueScan;
use crate::{Inner, Result, off_thread};
use khaibao_core::diary::export::{self, CsvExport, Language};
use khaibao_core::diary::{self, checkin};
use khaibao_core::exposure::{self, AlertSink};
use khaibao_core::venue::ScannedVenue;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::SystemTime;

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
    fn on_alerts(&self, alerts: &[exposure::ExposureAlert]) {
        crate::listeners::notify("ExposureListener", || {
            self.0
                .on_alerts(alerts.iter().cloned().map(ExposureAlert::from).collect());
        });
    }
}

/// Told that the diary changed (a check-in, check-out, edit or automatic check-out); read it
/// again with `Diary.visits`. Called on a library thread with the database released.
#[uniffi::export(with_foreign)]
pub trait DiaryListener: Send + Sync {
    fn on_diary_changed(&self);
}

/// The listeners of one handle.
#[derive(Default)]
pub(crate) struct Watchers {
    next: AtomicU64,
    list: Mutex<Vec<(u64, Arc<dyn DiaryListener>)>>,
}

impl Watchers {
    fn list(&self) -> std::sync::MutexGuard<'_, Vec<(u64, Arc<dyn DiaryListener>)>> {
        self.list
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Tells every listener; one that throws is skipped for this change.
    pub(crate) fn changed(&self) {
        let listeners: Vec<_> = self.list().iter().map(|(_, l)| l.clone()).collect();
        for l in listeners {
            crate::listeners::notify("DiaryListener", || l.on_diary_changed());
        }
    }
}

/// A registration made by `Diary.watch`; `stop` (or dropping it) ends it.
#[derive(uniffi::Object)]
pub struct DiaryWatch {
    inner: Weak<Inner>,
    id: u64,
}

#[uniffi::export]
impl DiaryWatch {
    /// Stops telling the listener about changes.
    pub fn stop(&self) {
        if let Some(inner) = self.inner.upgrade() {
            inner.watchers.list().retain(|(id, _)| *id != self.id);
        }
    }
}

impl Drop for DiaryWatch {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The diary of the phone's owner.
#[derive(uniffi::Object)]
pub struct Diary(pub(crate) Arc<Inner>);

#[uniffi::export]
impl Diary {
    /// Checks in to a venue read by `Trust.read_venue` or `Trust.resolve_manual_code`. With
    /// a declaration, it is validated, signed with the device key, sealed to the authority
    /// and queued in the same transaction as the check-in.
    pub async fn check_in(
        self: Arc<Self>,
        venue: VenueScan,
        declaration: Option<Declaration>,
    ) -> Result<Visit> {
        let inner = self.0.clone();
        let visit = off_thread("Diary.check_in", move || {
            let scanned = match venue {
                VenueScan::Verified { venue } => ScannedVenue::Verified {
                    venue: venue.venue().clone(),
                },
                VenueScan::Unverified { text } => ScannedVenue::Unverified { text },
            };
            let declaration: Option<khaibao_core::declaration::Declaration> =
                declaration.map(Into::into);
            let t = inner.now();
            let checked_in = checkin::check_in(
                &mut inner.store(),
                &scanned,
                declaration.as_ref(),
                &inner.config.authority_sealing_key,
                t,
            )?;
            Ok(checked_in.visit.into())
        })
        .await?;
        self.0.watchers.changed();
        Ok(visit)
    }

    /// Checks out of the active visit.
    pub async fn check_out(self: Arc<Self>) -> Result<Visit> {
        let inner = self.0.clone();
        let visit = off_thread("Diary.check_out", move || {
            let t = inner.now();
            Ok(diary::check_out(&mut inner.store(), t)?.into())
        })
        .await?;
        self.0.watchers.changed();
        Ok(visit)
    }

    /// The diary, newest first (after due automatic check-outs).
    pub async fn visits(self: Arc<Self>) -> Result<Vec<Visit>> {
        let inner = self.0.clone();
        off_thread("Diary.visits", move || {
            let mut store = inner.store();
            diary::settle(&mut store, inner.now())?;
            Ok(diary::visits(&store)?
                .into_iter()
                .map(Visit::from)
                .collect())
        })
        .await
    }

    /// The active visit, if any, after due automatic check-outs.
    pub async fn active_visit(self: Arc<Self>) -> Result<Option<Visit>> {
        let inner = self.0.clone();
        off_thread("Diary.active_visit", move || {
            Ok(diary::active(&mut inner.store(), inner.now())?.map(Visit::from))
        })
        .await
    }

    /// Corrects a visit's times (same local day; the previous times are kept).
    pub async fn edit_visit(
        self: Arc<Self>,
        visit_id: i64,
        checked_in_at: SystemTime,
        checked_out_at: SystemTime,
    ) -> Result<Visit> {
        let inner = self.0.clone();
        let visit = off_thread("Diary.edit_visit", move || {
            Ok(diary::edit_visit(
                &mut inner.store(),
                visit_id,
                unix_seconds(checked_in_at),
                unix_seconds(checked_out_at),
                inner.now(),
            )?
            .into())
        })
        .await?;
        self.0.watchers.changed();
        Ok(visit)
    }

    /// Deletes a visit at the citizen's request, with its edit history and the citizen's
    /// copy of its declaration; a declaration already queued for the authority stays queued.
    pub async fn delete_visit(self: Arc<Self>, visit_id: i64) -> Result<()> {
        let inner = self.0.clone();
        off_thread("Diary.delete_visit", move || {
            Ok(diary::delete_visit(
                &mut inner.store(),
                visit_id,
                inner.now(),
            )?)
        })
        .await?;
        self.0.watchers.changed();
        Ok(())
    }

    /// The edit history of a visit, oldest first.
    pub async fn visit_edits(self: Arc<Self>, visit_id: i64) -> Result<Vec<VisitEdit>> {
        let inner = self.0.clone();
        off_thread("Diary.visit_edits", move || {
            Ok(diary::edits(&inner.store(), visit_id)?
                .into_iter()
                .map(VisitEdit::from)
                .collect())
        })
        .await
    }

    /// The citizen's diary and declarations as JSON.
    pub async fn export_json(self: Arc<Self>, language: Language) -> Result<String> {
        let inner = self.0.clone();
        off_thread("Diary.export_json", move || {
            Ok(export::export_json(
                &mut inner.store(),
                language,
                inner.now(),
            )?)
        })
        .await
    }

    /// The citizen's diary and declarations as two CSV files.
    pub async fn export_csv(self: Arc<Self>, language: Language) -> Result<CsvExport> {
        let inner = self.0.clone();
        off_thread("Diary.export_csv", move || {
            Ok(export::export_csv(
                &mut inner.store(),
                language,
                inner.now(),
            )?)
        })
        .await
    }

    /// Tells `listener` about every change to the diary until the returned watch is stopped.
    pub fn watch(&self, listener: Arc<dyn DiaryListener>) -> Arc<DiaryWatch> {
        let id = self.0.watchers.next.fetch_add(1, Ordering::Relaxed);
        self.0.watchers.list().push((id, listener));
        Arc::new(DiaryWatch {
            inner: Arc::downgrade(&self.0),
            id,
        })
    }
}
