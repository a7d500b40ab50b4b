//! WAL checkpoints off the hot path: a background thread with its own connection copies the
//! write-ahead log back into the database file, and starts the next log, so a check-in
//! never pays for either.
//!
//! In WAL mode a commit appends pages to the `-wal` file; a *checkpoint* later copies them
//! into the main file and syncs both. SQLite's default runs that checkpoint inside whichever
//! commit pushes the log past 1000 pages, which made about one check-in in a hundred take
//! milliseconds. And once a log has been copied back completely, the next commit starts the
//! log over from the beginning and syncs its new header first (even with
//! `synchronous = NORMAL`), which would cost a flash sync on the first check-in after every
//! complete checkpoint.
//!
//! So the store's connection counts its commits from SQLite's commit hook and signals this
//! thread (a non-blocking send into a one-slot channel) at the first commit since the last
//! checkpoint and when [`COMMITS`] are waiting. At the latter, or [`DELAY`] after the
//! former, the thread
//! 1. runs a `PASSIVE` checkpoint, which never blocks the writer;
//! 2. once the log has been copied back completely, starts the next log itself with a
//!    one-page write (it never waits for the lock: if a commit holds it, that commit is
//!    appending and the log does not restart), so the header sync happens here.
//!
//! Batching matters as much as moving the work: a checkpoint after every commit kept the
//! disk busy syncing and slowed the check-ins that followed.
//!
//! The store keeps SQLite's own automatic checkpoint only as a safety net, at a threshold
//! this thread normally keeps the log far below.
//!
//! Durability: the store runs with `synchronous = NORMAL`, so a commit is in the log (and
//! survives the app being killed) when the call returns, and it reaches the disk with the
//! log's sync at the next background checkpoint, at most [`DELAY`] later; only a power
//! cut or OS crash inside that window can lose the newest check-ins (and the log's
//! checksums keep the database consistent even then). Android's own
//! SQLite default for WAL is the same `NORMAL`. Closing the store stops this thread
//! first, so the store's own connection is the last one and runs the final checkpoint.

use crate::Result;
use rusqlite::Connection;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A checkpoint runs at the latest this long after the first commit it covers...
pub(crate) const DELAY: Duration = Duration::from_secs(2);
/// ...or as soon as this many commits are waiting (about 600 pages of log for check-ins).
pub(crate) const COMMITS: u32 = 64;

/// The wait after a signal before the pass: the commit hook runs as a commit starts, and
/// the commit's frames are written within microseconds of it.
const SETTLE: Duration = Duration::from_millis(1);

enum Msg {
    /// A first commit since the last pass: start the clock.
    Dirty,
    /// Enough commits are waiting: checkpoint now.
    Now,
    Stop,
}

/// The background checkpointer of one store.
pub(crate) struct Checkpointer {
    signal: SyncSender<Msg>,
    commits: Arc<AtomicU32>,
    thread: Option<JoinHandle<()>>,
}

/// What the commit hook holds to ask for a checkpoint.
#[derive(Clone)]
pub(crate) struct Nudge {
    signal: SyncSender<Msg>,
    commits: Arc<AtomicU32>,
}

impl Nudge {
    /// Counts a commit and signals the thread when it starts or fills a batch, without
    /// waiting (a signal already queued covers this one).
    pub(crate) fn nudge(&self) {
        let n = self.commits.fetch_add(1, Ordering::Relaxed) + 1;
        let msg = match n {
            1 => Msg::Dirty,
            n if n >= COMMITS => Msg::Now,
            _ => return,
        };
        match self.signal.try_send(msg) {
            Ok(()) | Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {}
        }
    }
}

impl Nudge {
    /// Asks for a pass now (after opening: the log the first commit writes to is then
    /// already started).
    pub(crate) fn now(&self) {
        let _ = self.signal.try_send(Msg::Now);
    }
}

/// One pass: checkpoint, and start the next log when the checkpoint was complete.
fn pass(conn: &Connection) {
    // Best effort throughout: frames left behind (a commit under way, a reader using them)
    // are covered by the next pass, which their commit has signalled; and the store's
    // connection checkpoints when it closes.
    let Ok((log, done)) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
        Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
    }) else {
        return;
    };
    if log > done {
        return;
    }
    // Everything is in the main file: the next write starts a new log. Make that write
    // this one (rewriting the key-check row as it is); with no wait for the lock, so if a
    // commit holds it, that commit appends and nothing restarts.
    if conn
        .execute_batch(
            "BEGIN IMMEDIATE; UPDATE key_check SET sealed = sealed WHERE id = 1; COMMIT;",
        )
        .is_err()
    {
        let _ = conn.execute_batch("ROLLBACK;");
    }
}

impl Checkpointer {
    /// Opens a second connection to `path` and starts the thread.
    pub(crate) fn start(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)?;
        // Never wait for the store's connection: skip, and try again later.
        conn.busy_timeout(Duration::ZERO)?;
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;")?;
        // Only the store's own connection checkpoints automatically (as a safety net).
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let (signal, wake) = mpsc::sync_channel::<Msg>(1);
        let commits = Arc::new(AtomicU32::new(0));
        let counted = commits.clone();
        let thread = std::thread::Builder::new()
            .name("khaibao-checkpoint".into())
            .spawn(move || {
                // When the waiting commits must be checkpointed by, if any are waiting.
                let mut due: Option<Instant> = None;
                loop {
                    let msg = match due {
                        None => wake.recv().unwrap_or(Msg::Stop),
                        Some(at) => {
                            match wake.recv_timeout(at.saturating_duration_since(Instant::now())) {
                                Ok(m) => m,
                                Err(RecvTimeoutError::Timeout) => Msg::Now,
                                Err(RecvTimeoutError::Disconnected) => Msg::Stop,
                            }
                        }
                    };
                    match msg {
                        Msg::Stop => break,
                        Msg::Dirty => {
                            due.get_or_insert_with(|| Instant::now() + DELAY);
                        }
                        Msg::Now => {
                            due = None;
                            // Commits from here on start the next round.
                            counted.store(0, Ordering::Relaxed);
                            std::thread::sleep(SETTLE);
                            pass(&conn);
                        }
                    }
                }
            })
            .map_err(|_| crate::Error::InvalidState("cannot start the checkpoint thread"))?;
        Ok(Self {
            signal,
            commits,
            thread: Some(thread),
        })
    }

    /// A handle for the commit hook.
    pub(crate) fn nudger(&self) -> Nudge {
        Nudge {
            signal: self.signal.clone(),
            commits: self.commits.clone(),
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        // Wait for the thread so its connection is closed before the store's, which then
        // runs the final checkpoint as the last connection.
        let _ = self.signal.send(Msg::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
