//! The `khaibao` binary's exposure publishing: `venue issue` tells the venue id, and
//! `exposure publish` stores a window (venue by code or by id) as the next list version,
//! printing that version alone on stdout; wrong input publishes nothing.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

use khaibao_authority::db::AuthorityDb;
use khaibao_authority::keys::AuthorityKeys;
use khaibao_core::exposure::{self, ExposureEntry, Recommendation};
use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_khaibao");
/// 2021-07-20 00:00 in Vietnam.
const MIDNIGHT: i64 = 1_626_714_000;

fn khaibao(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn ok(args: &[&str]) -> (String, String) {
    let out = khaibao(args);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{args:?}: {stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

fn published(db: &Path, keys: &AuthorityKeys) -> (u64, Vec<ExposureEntry>) {
    let db = AuthorityDb::open(db).unwrap();
    let bytes = db
        .exposures_since(keys.exposure_pkcs8(), 0, MIDNIGHT)
        .unwrap();
    let list = exposure::verify_list(&bytes, &[keys.public().exposure_key]).unwrap();
    (list.version, list.entries)
}

#[test]
fn publish_by_venue_code_and_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let (keys, db, poster) = (p("keys"), p("authority.db"), p("venue.svg"));
    ok(&["keygen", "--keys", &keys]);
    let (code, said) = ok(&[
        "venue",
        "issue",
        "--keys",
        &keys,
        "--name",
        "Chợ Bến Thành",
        "--province",
        "79",
        "--category",
        "market",
        "--valid-days",
        "3650",
        "--out",
        &poster,
    ]);
    let code = code.trim();
    let id = said
        .split_whitespace()
        .skip_while(|w| *w != "id")
        .nth(1)
        .unwrap()
        .trim_end_matches(',')
        .to_owned();
    assert_eq!(id.len(), 32, "{said}");
    let authority = AuthorityKeys::load(&dir.path().join("keys")).unwrap();
    let now = khaibao_authority::unix_now();
    let venue = khaibao_core::venue::verify(code, &[authority.public().venue_key], now).unwrap();
    assert_eq!(venue.id, id);

    let window = ["--from", "2030-01-02T09:00", "--until", "2030-01-02T10:30"];
    let publish = |venue: [&str; 2], rec: &str| {
        let mut args = vec!["exposure", "publish", "--db", &db, "--keys", &keys];
        args.extend(venue);
        args.extend(window);
        args.extend(["--recommendation", rec]);
        khaibao(&args)
    };

    // No database yet (the server creates it): refused, and no file appears.
    assert!(!publish(["--venue-code", code], "isolate").status.success());
    assert!(!Path::new(&db).exists());
    drop(AuthorityDb::open(Path::new(&db)).unwrap());

    let (version, _) = ok(&[
        "exposure",
        "publish",
        "--db",
        &db,
        "--keys",
        &keys,
        "--venue-code",
        code,
        "--from",
        "2030-01-02T09:00",
        "--until",
        "2030-01-02T10:30",
        "--recommendation",
        "isolate",
    ]);
    assert_eq!(version, "1\n");
    // Refused: unknown recommendation, a forged code, both venue options, no venue option.
    assert!(!publish(["--venue-id", &id], "quarantine").status.success());
    let forged = format!("{}A", &code[..code.len() - 1]);
    let forged = if forged == code {
        format!("{}B", &code[..code.len() - 1])
    } else {
        forged
    };
    assert!(
        !publish(["--venue-code", &forged], "isolate")
            .status
            .success()
    );
    let both = khaibao(&[
        "exposure",
        "publish",
        "--db",
        &db,
        "--venue-id",
        &id,
        "--venue-code",
        code,
        "--from",
        "2030-01-02",
        "--until",
        "2030-01-03",
    ]);
    assert!(!both.status.success());
    let neither = khaibao(&[
        "exposure",
        "publish",
        "--db",
        &db,
        "--from",
        "2030-01-02",
        "--until",
        "2030-01-03",
    ]);
    assert!(!neither.status.success());

    let out = publish(["--venue-id", &id], "monitor_symptoms");
    assert!(out.status.success());
    assert_eq!(out.stdout, b"2\n");

    let start = MIDNIGHT + 3088 * 86_400 + 9 * 3600;
    let entry = |recommendation| ExposureEntry {
        venue_id: id.clone(),
        start,
        end: start + 5400,
        recommendation,
    };
    assert_eq!(
        published(Path::new(&db), &authority),
        (
            2,
            vec![
                entry(Recommendation::Isolate),
                entry(Recommendation::MonitorSymptoms)
            ]
        )
    );
}
