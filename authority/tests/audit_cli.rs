//! `khaibao audit verify` on a database file: it passes on an intact log and prints the
//! head; it fails when an entry was changed or removed behind the database's back (the
//! append-only triggers dropped first, as someone holding the file could), and when the
//! log was cut after a head recorded earlier. `khaibao operator add` prints a token once;
//! adding and disabling operators and `khaibao export` go in the log.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

use khaibao_authority::audit;
use khaibao_authority::db::AuthorityDb;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_khaibao");

fn khaibao(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn verify(db: &Path, head: Option<&str>) -> (bool, String) {
    let mut args = vec!["audit", "verify", "--db", db.to_str().unwrap()];
    if let Some(h) = head {
        args.extend(["--expect-head", h]);
    }
    let out = khaibao(&args);
    let text = String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
    (out.status.success(), text)
}

/// A copy of `db` (checkpointed into one file) with `sql` run on it.
fn tampered(dir: &Path, db: &Path, name: &str, sql: &str) -> PathBuf {
    let copy = dir.join(name);
    std::fs::copy(db, &copy).unwrap();
    let conn = rusqlite::Connection::open(&copy).unwrap();
    conn.execute_batch(sql).unwrap();
    copy
}

#[test]
fn audit_verify_fails_on_a_changed_or_removed_entry() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("authority.db");
    {
        let mut d = AuthorityDb::open(&db).unwrap();
        for i in 0..4 {
            audit::append(
                d.store_mut(),
                1_000 + i,
                "operator:a",
                "test.step",
                &format!("n={i}"),
            )
            .unwrap();
        }
    }
    // One file, no WAL beside it, so that copies hold everything.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    let (ok, text) = verify(&db, None);
    assert!(ok, "{text}");
    assert!(text.contains("4 entries"), "{text}");
    let head = text.trim().rsplit(' ').next().unwrap().to_owned();
    assert_eq!(head.len(), 64, "{text}");
    assert!(verify(&db, Some(&head)).0);

    // The triggers refuse in-place changes.
    let conn = rusqlite::Connection::open(&db).unwrap();
    assert!(
        conn.execute("UPDATE audit_log SET detail = 'x'", [])
            .is_err()
    );
    assert!(
        conn.execute("DELETE FROM audit_log WHERE seq = 2", [])
            .is_err()
    );
    drop(conn);

    let changed = tampered(
        dir.path(),
        &db,
        "changed.db",
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail = 'n=9' WHERE seq = 2;",
    );
    let (ok, text) = verify(&changed, None);
    assert!(!ok && text.contains("entry 2"), "{text}");

    let removed = tampered(
        dir.path(),
        &db,
        "removed.db",
        "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 3;",
    );
    let (ok, text) = verify(&removed, None);
    assert!(!ok && text.contains("entry 3"), "{text}");

    let first = tampered(
        dir.path(),
        &db,
        "first.db",
        "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 1;",
    );
    assert!(!verify(&first, None).0);

    // Cutting the last entry leaves a valid shorter chain; the recorded head catches it.
    let cut = tampered(
        dir.path(),
        &db,
        "cut.db",
        "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 4;",
    );
    assert!(verify(&cut, None).0);
    let (ok, text) = verify(&cut, Some(&head));
    assert!(!ok && text.contains("not in the audit log"), "{text}");
}

#[test]
fn operator_add_prints_the_token_once_and_cli_exports_are_audited() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("authority.db");
    let db_arg = db.to_str().unwrap();
    let out = khaibao(&[
        "operator",
        "add",
        "--db",
        db_arg,
        "--name",
        "so-yte-79",
        "--role",
        "province",
        "--province",
        "79",
    ]);
    assert!(out.status.success());
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("kb_") && token.len() == 67, "{token}");
    // Only its hash is stored.
    let raw = std::fs::read(&db).unwrap();
    let wal = std::fs::read(dir.path().join("authority.db-wal")).unwrap_or_default();
    for bytes in [&raw, &wal] {
        assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()));
    }
    let d = AuthorityDb::open(&db).unwrap();
    let who =
        khaibao_authority::ops::authenticate(d.store(), &token, khaibao_authority::unix_now())
            .unwrap()
            .unwrap();
    assert_eq!(who.role.to_string(), "province:79");
    drop(d);
    let list = khaibao(&["operator", "list", "--db", db_arg]);
    let list = String::from_utf8(list.stdout).unwrap();
    assert!(list.contains("so-yte-79\tprovince:79\tactive") && !list.contains(&token));
    assert!(
        !khaibao(&[
            "operator", "add", "--db", db_arg, "--name", "x1", "--role", "unit"
        ])
        .status
        .success()
    );
    assert!(
        khaibao(&["operator", "disable", "--db", db_arg, "--name", "so-yte-79"])
            .status
            .success()
    );

    let keys = dir.path().join("keys");
    khaibao_authority::keys::AuthorityKeys::generate()
        .unwrap()
        .save(&keys)
        .unwrap();
    let csv = dir.path().join("out.csv");
    let out = khaibao(&[
        "export",
        "--db",
        db_arg,
        "--keys",
        keys.to_str().unwrap(),
        "--since",
        "2026-01-01",
        "--province",
        "79",
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d = AuthorityDb::open(&db).unwrap();
    let log: Vec<(String, String)> = d
        .store()
        .audit_entries()
        .unwrap()
        .into_iter()
        .map(|e| (e.actor, e.action))
        .collect();
    let expected = ["operator.add", "operator.disable", "export.cli"]
        .map(|a| ("cli".to_owned(), a.to_owned()));
    assert_eq!(log, expected);
    let (ok, text) = verify(&db, None);
    assert!(ok && text.contains("3 entries"), "{text}");
    let out = khaibao(&["purge", "--db", db_arg, "--retention-days", "21"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("0 declarations older than 21 days")
    );
}
