//! `khaibao demo --keep DIR`: the folder stays with the authority's database, and the
//! declarant's name and phone appear nowhere in its files' raw bytes (the main file, its
//! write-ahead log and shared memory, whichever exist), in any spelling the form could
//! take; the authority still opens the declaration with the sealing key of the keys folder.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

use khaibao_authority::db::AuthorityDb;
use khaibao_authority::keys::AuthorityKeys;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_khaibao");

/// What the demo declares (authority/src/cli/demo.rs).
const NAME: &str = "Nguyễn Thị Minh Khai";
const PHONE: [&str; 4] = ["0912 345 678", "0912345678", "+84912345678", "912345678"];

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

#[test]
fn demo_keep_leaves_no_name_or_phone_in_the_authority_database_files() {
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("demo");
    let out = Command::new(BIN)
        .args(["demo", "--keep", kept.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The demo did decrypt the name at the authority (its step 9 prints it).
    assert!(stdout.contains(NAME), "{stdout}");

    let files: Vec<_> = std::fs::read_dir(&kept)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("authority.db"))
        })
        .collect();
    assert!(
        files.iter().any(|p| p.ends_with("authority.db")),
        "{files:?}"
    );
    let mut needles: Vec<Vec<u8>> = vec![NAME.as_bytes().to_vec(), "Minh Khai".as_bytes().to_vec()];
    needles.extend(PHONE.iter().map(|p| p.as_bytes().to_vec()));
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        for needle in &needles {
            assert_eq!(
                count(&bytes, needle),
                0,
                "{} holds {:?}",
                file.display(),
                String::from_utf8_lossy(needle)
            );
        }
    }

    // The declaration is there, sealed, and opens with the keys folder's sealing key.
    let keys = AuthorityKeys::load(&kept.join("keys")).unwrap();
    let db = AuthorityDb::open(&kept.join("authority.db")).unwrap();
    let stored = db.declarations(keys.sealing()).unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].submission.declaration.full_name, NAME);
    assert!(
        db.declarations(AuthorityKeys::generate().unwrap().sealing())
            .is_err()
    );
}
