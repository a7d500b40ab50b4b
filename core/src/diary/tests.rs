//! Tests of the diary state machine, its clock edge cases, sealing at rest and retention.

use super::*;
use crate::error::{SealError, StorageError};
use crate::storage::store::StoreOptions;
use crate::storage::vault::MasterKey;
use crate::test_support;
use crate::venue::Venue;

/// 2021-07-20 00:00 in Asia/Ho_Chi_Minh.
const MIDNIGHT: i64 = 1_626_714_000;
const H: i64 = 3600;
const M: i64 = 60;

fn key() -> MasterKey {
    test_support::master_key_from(42)
}

fn store() -> Store {
    Store::open_in_memory(&key(), MIDNIGHT).unwrap()
}

fn venue_with(id: &str, stay: u32, event_end: Option<i64>) -> ScannedVenue {
    test_support::verified(Venue {
        default_stay_minutes: stay,
        event_end,
        issuer: "t".into(),
        ..test_support::venue(id)
    })
}

fn venue(id: &str) -> ScannedVenue {
    venue_with(id, 60, None)
}

#[test]
fn first_check_in_is_active_with_auto_checkout() {
    let mut s = store();
    let v = check_in(&mut s, &venue("a"), MIDNIGHT + 10 * H, None).unwrap();
    assert_eq!(v.checked_out_at, None);
    assert_eq!(v.auto_checkout_at, MIDNIGHT + 11 * H);
    assert_eq!(v.venue_name, "Quán a");
    assert_eq!(v.address, "1 Lê Lợi");
    assert_eq!(
        active(&mut s, MIDNIGHT + 10 * H + 1).unwrap().unwrap().id,
        v.id
    );
}

#[test]
fn rescan_of_same_venue_extends_instead_of_duplicating() {
    let mut s = store();
    let a = check_in(&mut s, &venue("a"), MIDNIGHT + 10 * H, None).unwrap();
    let again = check_in(&mut s, &venue("a"), MIDNIGHT + 10 * H + 30 * M, None).unwrap();
    assert_eq!(a.id, again.id);
    assert_eq!(again.checked_in_at, a.checked_in_at);
    assert_eq!(again.auto_checkout_at, MIDNIGHT + 11 * H + 30 * M);
    assert_eq!(visits(&s).unwrap().len(), 1);
}

#[test]
fn scan_of_another_venue_checks_out_the_previous_at_scan_time() {
    let mut s = store();
    check_in(&mut s, &venue("a"), MIDNIGHT + 10 * H, None).unwrap();
    let b = check_in(&mut s, &venue("b"), MIDNIGHT + 10 * H + 20 * M, None).unwrap();
    let all = visits(&s).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].id, b.id);
    assert_eq!(all[1].checked_out_at, Some(MIDNIGHT + 10 * H + 20 * M));
    assert_eq!(all[1].checkout, Some(CheckoutKind::NextScan));
    assert_eq!(active(&mut s, b.checked_in_at).unwrap().unwrap().id, b.id);
}

#[test]
fn explicit_check_out_and_nothing_to_check_out() {
    let mut s = store();
    check_in(&mut s, &venue("a"), MIDNIGHT + 10 * H, None).unwrap();
    let out = check_out(&mut s, MIDNIGHT + 10 * H + 5 * M).unwrap();
    assert_eq!(out.checked_out_at, Some(MIDNIGHT + 10 * H + 5 * M));
    assert_eq!(out.checkout, Some(CheckoutKind::Explicit));
    assert!(matches!(
        check_out(&mut s, MIDNIGHT + 11 * H),
        Err(Error::InvalidState(_))
    ));
    assert_eq!(active(&mut s, MIDNIGHT + 11 * H).unwrap(), None);
}

#[test]
fn forgotten_check_out_ends_at_auto_time_not_next_morning() {
    let mut s = store();
    check_in(&mut s, &venue("a"), MIDNIGHT + 20 * H, None).unwrap();
    // Next morning the citizen scans elsewhere: the evening visit ended at 21:00.
    check_in(&mut s, &venue("b"), MIDNIGHT + 32 * H, None).unwrap();
    let all = visits(&s).unwrap();
    assert_eq!(all[1].checked_out_at, Some(MIDNIGHT + 21 * H));
    assert_eq!(all[1].checkout, Some(CheckoutKind::Auto));
    // A rescan of the same venue after its auto check-out is a new visit.
    check_in(&mut s, &venue("b"), MIDNIGHT + 34 * H, None).unwrap();
    assert_eq!(visits(&s).unwrap().len(), 3);
    // Checking out after the auto time has nothing to close.
    assert!(check_out(&mut s, MIDNIGHT + 40 * H).is_err());
}

#[test]
fn auto_checkout_rules() {
    let at = |stay, t| auto_checkout_at(&venue_with("x", stay, None), t);
    // Default stay, on a quarter hour already.
    assert_eq!(at(60, MIDNIGHT + 10 * H), MIDNIGHT + 11 * H);
    // Rounded up to 15 minutes.
    assert_eq!(
        at(60, MIDNIGHT + 10 * H + 7 * M),
        MIDNIGHT + 11 * H + 15 * M
    );
    // At least 15 minutes.
    assert_eq!(at(1, MIDNIGHT + 10 * H), MIDNIGHT + 10 * H + 15 * M);
    assert_eq!(at(0, MIDNIGHT + 10 * H + 1), MIDNIGHT + 10 * H + 30 * M);
    // Capped at 23:45 of that local day.
    assert_eq!(at(240, MIDNIGHT + 22 * H), MIDNIGHT + 23 * H + 45 * M);
    assert_eq!(at(u32::MAX, MIDNIGHT + 8 * H), MIDNIGHT + 23 * H + 45 * M);
    // Checked in after 23:30: the 15-minute minimum wins over the cap, across midnight.
    assert_eq!(
        at(60, MIDNIGHT + 23 * H + 50 * M),
        MIDNIGHT + 24 * H + 15 * M
    );
    // Events end at their end, even across midnight.
    let ev = venue_with("e", 60, Some(MIDNIGHT + 25 * H));
    assert_eq!(auto_checkout_at(&ev, MIDNIGHT + 19 * H), MIDNIGHT + 25 * H);
    // An event already over falls back to the stay rule.
    assert_eq!(auto_checkout_at(&ev, MIDNIGHT + 26 * H), MIDNIGHT + 27 * H);
    // Unverified codes stay an hour.
    let u = ScannedVenue::Unverified { text: "x".into() };
    assert_eq!(auto_checkout_at(&u, MIDNIGHT + 9 * H), MIDNIGHT + 10 * H);
}

#[test]
fn the_day_is_the_vietnam_day_not_the_utc_day() {
    let mut s = store();
    // 23:00 UTC on the 19th is 06:00 on the 20th in Ho Chi Minh City.
    let t = MIDNIGHT + 6 * H;
    check_in(&mut s, &venue("a"), t, None).unwrap();
    let day: i64 = s
        .conn()
        .query_row("SELECT day FROM visits", [], |r| r.get(0))
        .unwrap();
    assert_eq!(day, local_day(MIDNIGHT));
    assert_ne!(day, t.div_euclid(86_400), "UTC day differs");
    // 23:59:59 local is still the 20th, one second later is the 21st.
    assert_eq!(local_day(MIDNIGHT + 24 * H - 1), day);
    assert_eq!(local_day(MIDNIGHT + 24 * H), day + 1);
}

#[test]
fn visit_across_midnight_keeps_its_day_and_auto_checkout() {
    let mut s = store();
    let ev = venue_with("concert", 60, Some(MIDNIGHT + 25 * H));
    let v = check_in(&mut s, &ev, MIDNIGHT + 22 * H, None).unwrap();
    // After midnight the visit is still active until the event ends.
    assert_eq!(
        active(&mut s, MIDNIGHT + 24 * H + 30 * M)
            .unwrap()
            .unwrap()
            .id,
        v.id
    );
    assert_eq!(active(&mut s, MIDNIGHT + 25 * H).unwrap(), None);
    let all = visits(&s).unwrap();
    assert_eq!(all[0].checked_out_at, Some(MIDNIGHT + 25 * H));
}

#[test]
fn clock_going_backwards_never_makes_a_negative_visit() {
    let mut s = store();
    // The phone's clock is a day ahead at the first scan...
    let future = MIDNIGHT + 34 * H;
    let a = check_in(&mut s, &venue("a"), future, None).unwrap();
    // ...and has been corrected by the next one, at the same venue.
    let b = check_in(&mut s, &venue("a"), MIDNIGHT + 10 * H, None).unwrap();
    assert_ne!(a.id, b.id);
    let all = visits(&s).unwrap();
    let old = all.iter().find(|v| v.id == a.id).unwrap();
    assert_eq!(old.checked_out_at, Some(future));
    assert_eq!(old.checkout, Some(CheckoutKind::ClockCorrected));
    assert!(all.iter().all(|v| v.end_at(future) >= v.checked_in_at));
    // Checking out with a clock earlier than the check-in closes at the check-in.
    let out = check_out(&mut s, MIDNIGHT + 9 * H).unwrap();
    assert_eq!(out.checked_out_at, Some(MIDNIGHT + 10 * H));
}

#[test]
fn check_in_in_the_future_then_another_venue_with_the_right_clock() {
    let mut s = store();
    check_in(&mut s, &venue("a"), MIDNIGHT + 400 * H, None).unwrap();
    let b = check_in(&mut s, &venue("b"), MIDNIGHT + 10 * H, None).unwrap();
    assert_eq!(active(&mut s, MIDNIGHT + 10 * H).unwrap().unwrap().id, b.id);
}

#[test]
fn editing_times_is_kept_with_history() {
    let mut s = store();
    let v = check_in(&mut s, &venue("a"), MIDNIGHT + 10 * H, None).unwrap();
    // Editing an active visit closes it.
    let e1 = edit_visit(
        &mut s,
        v.id,
        MIDNIGHT + 9 * H,
        MIDNIGHT + 10 * H + 30 * M,
        MIDNIGHT + 10 * H + 40 * M,
    )
    .unwrap();
    assert_eq!(e1.checkout, Some(CheckoutKind::Edited));
    assert!(
        active(&mut s, MIDNIGHT + 10 * H + 41 * M)
            .unwrap()
            .is_none()
    );
    edit_visit(
        &mut s,
        v.id,
        MIDNIGHT + 9 * H,
        MIDNIGHT + 12 * H,
        MIDNIGHT + 13 * H,
    )
    .unwrap();
    let stored = &visits(&s).unwrap()[0];
    assert_eq!(stored.checked_in_at, MIDNIGHT + 9 * H);
    assert_eq!(stored.checked_out_at, Some(MIDNIGHT + 12 * H));
    assert!(stored.edited);
    let history = edits(&s, v.id).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].old_checked_in_at, MIDNIGHT + 10 * H);
    assert_eq!(history[0].old_checked_out_at, None);
    assert_eq!(
        history[1].old_checked_out_at,
        Some(MIDNIGHT + 10 * H + 30 * M)
    );
    assert_eq!(history[1].new_checked_out_at, MIDNIGHT + 12 * H);
    // Out before in, another day, an unknown visit: refused, nothing changes.
    let t = MIDNIGHT + 14 * H;
    let out_before_in =
        edit_visit(&mut s, v.id, MIDNIGHT + 9 * H, MIDNIGHT + 8 * H, t).expect_err("out before in");
    assert!(matches!(
        out_before_in,
        Error::Diary(DiaryError::InvalidEdit("checked_out_at"))
    ));
    assert_eq!(out_before_in.code(), crate::ErrorCode::DiaryInvalidEdit);
    assert_eq!(out_before_in.code().as_str(), "diary.invalid_edit");
    let other_day = edit_visit(&mut s, v.id, MIDNIGHT - H, MIDNIGHT, t).expect_err("other day");
    assert_eq!(other_day.code(), crate::ErrorCode::DiaryInvalidEdit);
    assert!(edit_visit(&mut s, 999, MIDNIGHT, MIDNIGHT, t).is_err());
    assert_eq!(edits(&s, v.id).unwrap().len(), 2);
}

#[test]
fn deleting_a_visit_removes_its_edits_and_declaration_copy_only() {
    let mut s = store();
    let item = NewItem {
        idempotency_key: [2; 16],
        kind: crate::upload::protocol::ItemKind::Declaration,
        body: vec![9; 40],
    };
    let kept = check_in_declared(&mut s, &venue("a"), MIDNIGHT + H, &item, b"kept").unwrap();
    edit_visit(
        &mut s,
        kept.id,
        MIDNIGHT + H,
        MIDNIGHT + 2 * H,
        MIDNIGHT + 3 * H,
    )
    .unwrap();
    let gone = check_in_declared(
        &mut s,
        &venue("b"),
        MIDNIGHT + 4 * H,
        &NewItem {
            idempotency_key: [3; 16],
            ..item
        },
        b"gone",
    )
    .unwrap();
    edit_visit(
        &mut s,
        gone.id,
        MIDNIGHT + 4 * H,
        MIDNIGHT + 5 * H,
        MIDNIGHT + 6 * H,
    )
    .unwrap();
    delete_visit(&mut s, gone.id, MIDNIGHT + 7 * H).unwrap();
    let left = visits(&s).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, kept.id);
    assert!(edits(&s, gone.id).unwrap().is_empty());
    assert_eq!(edits(&s, kept.id).unwrap().len(), 1);
    let copies = declarations(&s).unwrap();
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0].payload, b"kept");
    // What was declared to the authority stays queued.
    assert_eq!(crate::upload::outbox::counts(&s).unwrap().pending, 2);
    // The active visit can be deleted; an unknown one is refused.
    let active_visit = check_in(&mut s, &venue("c"), MIDNIGHT + 8 * H, None).unwrap();
    delete_visit(&mut s, active_visit.id, MIDNIGHT + 8 * H + M).unwrap();
    assert!(active(&mut s, MIDNIGHT + 8 * H + 2 * M).unwrap().is_none());
    let unknown = delete_visit(&mut s, 999, MIDNIGHT + 9 * H).expect_err("unknown visit");
    assert_eq!(unknown.code(), crate::ErrorCode::ApiInvalidState);
    assert_eq!(visits(&s).unwrap().len(), 1);
}

#[test]
fn a_deleted_visits_id_is_never_given_to_a_later_visit() {
    let mut s = store();
    let first = check_in(&mut s, &venue("a"), MIDNIGHT + H, None).unwrap();
    let last = check_in(&mut s, &venue("b"), MIDNIGHT + 2 * H, None).unwrap();
    delete_visit(&mut s, last.id, MIDNIGHT + 3 * H).unwrap();
    let next = check_in(&mut s, &venue("c"), MIDNIGHT + 4 * H, None).unwrap();
    assert!(next.id > last.id, "{} reused after {}", next.id, last.id);
    assert!(last.id > first.id);
}

#[test]
fn unverified_codes_are_recorded_and_rescans_compare_text() {
    let mut s = store();
    let u = |t: &str| ScannedVenue::Unverified { text: t.into() };
    let v = check_in(&mut s, &u("hello"), MIDNIGHT + 10 * H, None).unwrap();
    assert!(!v.verified);
    assert_eq!(v.venue_id, None);
    let again = check_in(&mut s, &u("hello"), MIDNIGHT + 10 * H + M, None).unwrap();
    assert_eq!(again.id, v.id);
    check_in(&mut s, &u("other"), MIDNIGHT + 10 * H + 2 * M, None).unwrap();
    assert_eq!(visits(&s).unwrap().len(), 2);
}

#[test]
fn declaration_copy_is_kept_sealed_with_the_outbox_row() {
    let mut s = store();
    let item = NewItem {
        idempotency_key: [1; 16],
        kind: crate::upload::protocol::ItemKind::Declaration,
        body: vec![9; 40],
    };
    let v = check_in_declared(&mut s, &venue("a"), MIDNIGHT + H, &item, b"payload").unwrap();
    let d = declarations(&s).unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].visit_id, Some(v.id));
    assert_eq!(d[0].payload, b"payload");
    assert_eq!(crate::upload::outbox::counts(&s).unwrap().pending, 1);
    // A failing outbox insert (duplicate key) rolls back the visit and the copy.
    let err = check_in_declared(&mut s, &venue("b"), MIDNIGHT + 2 * H, &item, b"again");
    assert!(err.is_err());
    assert_eq!(visits(&s).unwrap().len(), 1);
    assert_eq!(declarations(&s).unwrap().len(), 1);
    assert_eq!(active(&mut s, MIDNIGHT + H + M).unwrap().unwrap().id, v.id);
}

#[test]
fn sealed_rows_do_not_open_in_another_row() {
    let mut s = store();
    check_in(&mut s, &venue("a"), MIDNIGHT + H, None).unwrap();
    check_in(&mut s, &venue("b"), MIDNIGHT + 2 * H, None).unwrap();
    // Swap the sealed details of the two rows: both fail to open rather than lie.
    s.conn()
        .execute_batch(
            "UPDATE visits SET details = (SELECT details FROM visits WHERE id = 2) WHERE id = 1;",
        )
        .unwrap();
    assert!(matches!(
        visits(&s),
        Err(Error::Seal(SealError::CannotOpen))
    ));
}

#[test]
fn deleting_a_day_key_shreds_that_day_only() {
    let mut s = store();
    check_in(&mut s, &venue("a"), MIDNIGHT + H, None).unwrap();
    check_in(&mut s, &venue("b"), MIDNIGHT + 25 * H, None).unwrap();
    let day = local_day(MIDNIGHT);
    // Keep the sealed row, as a stale backup copy would, but lose the key.
    let sealed: Vec<u8> = s
        .conn()
        .query_row("SELECT details FROM visits WHERE day = ?1", [day], |r| {
            r.get(0)
        })
        .unwrap();
    s.conn()
        .execute("DELETE FROM day_keys WHERE day = ?1", [day])
        .unwrap();
    assert!(matches!(
        visits(&s),
        Err(Error::Storage(StorageError::DayKeyMissing))
    ));
    // No key left in the database opens it: not the other day's, not the master key.
    let next = crate::storage::store::day_cipher(s.conn(), s.master(), day + 1, false).unwrap();
    let aad = field_aad("visits", "details", 1, day);
    assert!(next.open(&aad, &sealed).is_err());
    assert!(s.master().open(&aad, &sealed).is_err());
    // Forgetting the day removes its rows; the next day still reads.
    s.forget_day(day).unwrap();
    let left = visits(&s).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].venue_name, "Quán b");
}

#[test]
fn purge_on_open_keeps_exactly_the_retention() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    let mut s = Store::open(&path, &key(), MIDNIGHT).unwrap();
    for d in 0..30 {
        check_in(
            &mut s,
            &venue(&format!("v{d}")),
            MIDNIGHT + d * 24 * H + H,
            None,
        )
        .unwrap();
    }
    drop(s);
    let today = MIDNIGHT + 29 * 24 * H + 12 * H;
    let opts = StoreOptions { retention_days: 21 };
    let s = Store::open_with(&path, &key(), opts, today).unwrap();
    let all = visits(&s).unwrap();
    // Today and the 21 days before it.
    assert_eq!(all.len(), 22);
    assert_eq!(all.last().unwrap().venue_name, "Quán v8");
    let keys: i64 = s
        .conn()
        .query_row("SELECT COUNT(*) FROM day_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(keys, 22);
    drop(s);
    let mut s = Store::open_with(&path, &key(), StoreOptions { retention_days: 3 }, today).unwrap();
    assert_eq!(visits(&s).unwrap().len(), 4);
    let again = s.purge(today).unwrap();
    assert_eq!(again, crate::storage::store::PurgeReport::default());
}

fn utf16(s: &str, big_endian: bool) -> Vec<u8> {
    s.encode_utf16()
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn nothing_personal_is_readable_in_the_files() {
    use unicode_normalization::UnicodeNormalization;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("diary.db");
    let mut s = Store::open(&path, &key(), MIDNIGHT).unwrap();
    let secrets = [
        "Phở Hòa Pasteur",
        "260C Pasteur, Phường 8, Quận 3",
        "Nguyễn Thị Minh Khai",
        "0912345678",
    ];
    let v = ScannedVenue::Verified {
        venue: Venue {
            name: secrets[0].into(),
            address: secrets[1].into(),
            ..match venue("x") {
                ScannedVenue::Verified { venue } => venue,
                ScannedVenue::Unverified { .. } => unreachable!(),
            }
        },
    };
    let payload = format!("{} {}", secrets[2], secrets[3]).into_bytes();
    let item = NewItem {
        idempotency_key: [3; 16],
        kind: crate::upload::protocol::ItemKind::Declaration,
        body: vec![0; 32],
    };
    check_in_declared(&mut s, &v, MIDNIGHT + 9 * H, &item, &payload).unwrap();
    check_in(
        &mut s,
        &ScannedVenue::Unverified {
            text: secrets[0].into(),
        },
        MIDNIGHT + 11 * H,
        None,
    )
    .unwrap();
    s.device_key(MIDNIGHT).unwrap();
    // Read while the WAL is live, then again after a checkpoint into the main file.
    let mut files = Vec::new();
    for name in ["diary.db", "diary.db-wal", "diary.db-journal"] {
        if let Ok(b) = std::fs::read(dir.path().join(name)) {
            files.push((name, b));
        }
    }
    assert!(
        files
            .iter()
            .any(|(n, b)| *n == "diary.db-wal" && !b.is_empty())
    );
    drop(s);
    files.push(("diary.db (closed)", std::fs::read(&path).unwrap()));
    for secret in secrets {
        let forms = [
            secret.as_bytes().to_vec(),
            secret.nfd().collect::<String>().into_bytes(),
            utf16(secret, false),
            utf16(secret, true),
        ];
        for (name, bytes) in &files {
            for form in &forms {
                // The first 6 bytes of each form are enough to spot a copy.
                assert!(
                    !contains(bytes, &form[..6]),
                    "{name} holds a personal string"
                );
            }
        }
    }
}

#[test]
fn a_rolled_back_first_check_in_of_a_day_leaves_no_key_behind() {
    // The first check-in of a day creates the day's key; when its transaction rolls back
    // (here the outbox refuses a repeated idempotency key), the key must not live on in the
    // store's key cache, or later rows would be sealed under a key that was never stored.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    let mut s = Store::open(&path, &key(), MIDNIGHT).unwrap();
    let item = |k: u8| NewItem {
        idempotency_key: [k; 16],
        kind: crate::upload::protocol::ItemKind::Declaration,
        body: vec![k; 8],
    };
    check_in_declared(&mut s, &venue("a"), MIDNIGHT + H, &item(1), b"d1").unwrap();
    let next_day = MIDNIGHT + 24 * H + H;
    assert!(check_in_declared(&mut s, &venue("b"), next_day, &item(1), b"dup").is_err());
    check_in_declared(&mut s, &venue("b"), next_day + M, &item(2), b"d2").unwrap();
    check_in(&mut s, &venue("c"), next_day + 2 * M, None).unwrap();
    drop(s);
    let s = Store::open(&path, &key(), next_day).unwrap();
    let v = visits(&s).unwrap();
    assert_eq!(v.len(), 3);
    assert_eq!(
        declarations(&s)
            .unwrap()
            .iter()
            .map(|d| d.payload.clone())
            .collect::<Vec<_>>(),
        vec![b"d1".to_vec(), b"d2".to_vec()]
    );
}

#[test]
fn a_day_forgotten_by_another_connection_is_not_sealed_to_again() {
    // Two stores on one file: the second forgets today; the first must not keep sealing
    // today's rows under the key it had cached.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.db");
    let mut a = Store::open(&path, &key(), MIDNIGHT).unwrap();
    check_in(&mut a, &venue("a"), MIDNIGHT + H, None).unwrap();
    check_in(&mut a, &venue("b"), MIDNIGHT + 2 * H, None).unwrap();
    let mut b = Store::open(&path, &key(), MIDNIGHT).unwrap();
    b.forget_day(crate::storage::vault::local_day(MIDNIGHT + H))
        .unwrap();
    drop(b);
    check_in(&mut a, &venue("c"), MIDNIGHT + 3 * H, None).unwrap();
    let v = visits(&a).unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].venue_name, "Quán c");
}

#[test]
fn purged_day_absent_from_wal_and_old_copy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    let first = key();
    let mut s = Store::open(&path, &first, MIDNIGHT).unwrap();
    s.device_key(MIDNIGHT).unwrap();
    check_in(&mut s, &venue("old"), MIDNIGHT + H, None).unwrap();
    check_in(&mut s, &venue("new"), MIDNIGHT + 10 * 24 * H, None).unwrap();
    let day = local_day(MIDNIGHT);
    let read =
        |s: &Store, sql: &str| -> Vec<u8> { s.conn().query_row(sql, [day], |r| r.get(0)).unwrap() };
    let wrapped = read(&s, "SELECT wrapped FROM day_keys WHERE day = ?1");
    let sealed = read(&s, "SELECT details FROM visits WHERE day = ?1");
    // A copy of the files taken now (a backup, an image of the phone), WAL included.
    let old = dir.path().join("old");
    std::fs::create_dir(&old).unwrap();
    for name in ["d.db", "d.db-wal"] {
        if dir.path().join(name).exists() {
            std::fs::copy(dir.path().join(name), old.join(name)).unwrap();
        }
    }
    assert!(contains(
        &std::fs::read(old.join("d.db-wal")).unwrap(),
        &wrapped
    ));

    // The scheduled rotation, a week on: every surviving day key re-wrapped.
    assert!(!s.master_key_rotation_due(MIDNIGHT + 6 * 24 * H).unwrap());
    assert!(s.master_key_rotation_due(MIDNIGHT + 7 * 24 * H).unwrap());
    let second = MasterKey::generate().unwrap();
    assert_eq!(
        s.rotate_master_key(&second, MIDNIGHT + 7 * 24 * H).unwrap(),
        2
    );
    assert!(!s.master_key_rotation_due(MIDNIGHT + 8 * 24 * H).unwrap());
    assert_eq!(visits(&s).unwrap().len(), 2);
    // The old day then leaves the retention and is purged.
    let report = s.purge(MIDNIGHT + 22 * 24 * H).unwrap();
    assert_eq!((report.days, report.visits), (1, 1));

    // Neither live file holds the purged day's wrapped key or sealed row; the log is empty.
    let wal = dir.path().join("d.db-wal");
    assert!(!wal.exists() || std::fs::read(&wal).unwrap().is_empty());
    let main = std::fs::read(&path).unwrap();
    assert!(!contains(&main, &wrapped) && !contains(&main, &sealed));
    // The copy taken before still holds them, but the master key the phone has now opens
    // nothing in it: not the database, not the purged day's key.
    assert!(matches!(
        Store::open(&old.join("d.db"), &second, MIDNIGHT),
        Err(Error::Storage(StorageError::WrongMasterKey))
    ));
    let aad = crate::storage::vault::day_key_aad(day);
    assert!(second.cipher().unwrap().open(&aad, &wrapped).is_err());
    // The database itself now opens with the new key only, device key and days intact.
    let device = s.device_key(MIDNIGHT).unwrap().public_key();
    drop(s);
    assert!(matches!(
        Store::open(&path, &first, MIDNIGHT + 22 * 24 * H),
        Err(Error::Storage(StorageError::WrongMasterKey))
    ));
    let mut s = Store::open(&path, &second, MIDNIGHT + 22 * 24 * H).unwrap();
    assert_eq!(s.device_key(MIDNIGHT).unwrap().public_key(), device);
    let left = visits(&s).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].venue_name, "Quán new");
}
