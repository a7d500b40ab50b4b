//! Retention: declarations are kept for the configured period (by default
//! [`crate::db::DEFAULT_RETENTION_DAYS`]) and then deleted, by the running server on its own
//! ([`Purger`], once at start and then every interval) and by `khaibao purge`. On SQLite the
//! rows are deleted with `secure_delete` on, so their pages are overwritten; on PostgreSQL
//! whole day partitions are dropped ([`crate::store::postgres`]).
//!
//! Imports: [`crate::http::state`] (the server's shared database).

use crate::http::AppState;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

/// How often `khaibao serve` purges.
pub const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// A background thread that purges the server's database every interval; stops when
/// dropped.
pub struct Purger {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Purger {
    /// Starts purging `state`'s database now and then every `every`. `report` hears how many
    /// declarations each pass deleted (or that it failed; the next pass tries again).
    pub fn start(
        state: Arc<AppState>,
        every: Duration,
        report: impl Fn(Result<u64, String>) + Send + 'static,
    ) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("khaibao-purge".into())
            .spawn(move || {
                loop {
                    let now = crate::unix_now();
                    report(state.with_db(|db| db.purge(now)).map_err(|e| e.to_string()));
                    match rx.recv_timeout(every) {
                        Err(RecvTimeoutError::Timeout) => {}
                        Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
            })?;
        Ok(Self {
            stop: Some(tx),
            thread: Some(thread),
        })
    }
}

impl Drop for Purger {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::AuthorityDb;
    use crate::ingest::open_items;
    use crate::keys::AuthorityKeys;
    use khaibao_core::declaration::Declaration;
    use khaibao_core::diary::checkin;
    use khaibao_core::seal::DeviceKey;
    use khaibao_core::upload::protocol::IngestItem;

    fn item(keys: &AuthorityKeys, device: &DeviceKey, at: i64) -> IngestItem {
        let form = Declaration {
            full_name: "Lê Văn Tám".into(),
            birth_year: 1990,
            phone: "0912345678".into(),
            province: 79,
            ..Declaration::default()
        };
        let sealed =
            checkin::seal_declaration(device, &keys.public().sealing_public, &form, None, at)
                .unwrap();
        IngestItem {
            idempotency_key: sealed.item.idempotency_key.to_vec(),
            kind: sealed.item.kind,
            body: sealed.item.body,
        }
    }

    #[test]
    fn the_server_purges_by_itself_and_ingest_refuses_what_retention_would_delete() {
        let dir = tempfile::tempdir().unwrap();
        let keys = AuthorityKeys::generate().unwrap();
        let device = DeviceKey::generate().unwrap();
        let now = crate::unix_now();
        let day = 86_400;
        let mut db = AuthorityDb::open(&dir.path().join("a.db")).unwrap();
        assert_eq!(db.retention_days(), 21);
        // Stored below the window check, as a database from before would hold them.
        let items: Vec<IngestItem> = [30, 22, 20, 1]
            .iter()
            .map(|d| item(&keys, &device, now - d * day))
            .collect();
        let opened = open_items(keys.sealing(), &items);
        db.store_mut().store_opened(&items, opened, now).unwrap();
        assert_eq!(db.count().unwrap(), 4);
        // Ingest refuses a declaration older than the period, or from the future.
        let late = [
            item(&keys, &device, now - 22 * day),
            item(&keys, &device, now + 3 * day),
        ];
        for r in db.ingest(keys.sealing(), &late, now).unwrap() {
            assert!(
                matches!(&r.status, khaibao_core::upload::protocol::ItemStatus::Rejected { reason } if reason == crate::db::DECLARED_AT_REFUSED),
                "{r:?}"
            );
        }

        let state = AppState::new(db, keys);
        let (tx, rx) = mpsc::channel();
        let purger = Purger::start(state.clone(), Duration::from_millis(50), move |r| {
            let _ = tx.send(r);
        })
        .unwrap();
        assert_eq!(rx.recv_timeout(Duration::from_secs(10)).unwrap(), Ok(2));
        assert_eq!(rx.recv_timeout(Duration::from_secs(10)).unwrap(), Ok(0));
        drop(purger);
        assert_eq!(state.with_db(|db| db.count()).unwrap(), 2);
        state.with_db(|db| db.set_retention_days(7));
        assert_eq!(state.with_db(|db| db.purge(now)).unwrap(), 1);
        assert_eq!(state.with_db(|db| db.count()).unwrap(), 1);
    }
}
