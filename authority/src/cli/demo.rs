//! The end-to-end demo behind `khaibao demo`: a loopback authority, a citizen database in a
//! temporary folder (or the folder given with `--keep`, left in place afterwards), and the
//! whole flow from poster to stored declaration, printed step by step.

use khaibao_authority::http::RunningServer;
use khaibao_authority::issuance::{VenueSpec, new_venue};
use khaibao_authority::keys::{AuthorityKeys, OnlineKeys};
use khaibao_authority::poster;
use khaibao_core::declaration::status::{StatusRules, derive_status};
use khaibao_core::declaration::{Declaration, Submission, Symptom};
use khaibao_core::diary::checkin::{self, CheckInError};
use khaibao_core::encoding::time::format_vietnam;
use khaibao_core::net::transport::ReqwestClient;
use khaibao_core::pass::PassInput;
use khaibao_core::pass::stafflog::StaffLog;
use khaibao_core::storage::store::Store;
use khaibao_core::storage::vault::MasterKey;
use khaibao_core::upload::outbox;
use khaibao_core::venue::{self, ScannedVenue, VenueCategory};
use khaibao_core::{diary, scan};
use std::io::Write;
use std::time::Duration;

/// Anything that stops the demo, with the step it stopped at.
#[derive(Debug, thiserror::Error)]
#[error("demo step '{step}' failed: {reason}")]
pub struct DemoError {
    step: &'static str,
    reason: String,
}

fn step<T, E: std::fmt::Display>(step: &'static str, r: Result<T, E>) -> Result<T, DemoError> {
    r.map_err(|e| DemoError {
        step,
        reason: e.to_string(),
    })
}

/// Runs the demo in a temporary folder, writing what happens to `out`.
pub fn run(out: &mut dyn Write) -> Result<(), DemoError> {
    let dir = step("temporary folder", tempfile::tempdir())?;
    run_in(out, dir.path())
}

/// Runs the demo in `dir` (created if missing; keys it already holds are kept), which is
/// left with the authority's keys and database, the citizen's database and the QR images.
pub fn run_in(out: &mut dyn Write, dir: &std::path::Path) -> Result<(), DemoError> {
    let mut say = |line: String| {
        let _ = writeln!(out, "{line}");
    };
    step("demo folder", std::fs::create_dir_all(dir))?;
    let now = khaibao_authority::unix_now();

    // 1. The authority's keys: offline (root, venue) and online (exposure lists, device
    // certificates, sealing), and the root-signed keyset listing each with its usage.
    let keys_dir = dir.join("keys");
    step("keygen", khaibao_authority::trust::keygen(&keys_dir, now))?;
    let keys = step("keygen", AuthorityKeys::load(&keys_dir))?;
    let public = keys.public();
    let hex = khaibao_core::encoding::codec::hex;
    say(format!(
        "1. keygen        authority keys created: venue {}, exposure lists {}, device certificates {} (key ids), under a root-signed keyset",
        hex(&public.venue_key.kid),
        hex(&public.exposure_key.kid),
        hex(&public.device_key.kid),
    ));

    // 2. A venue code, signed and rendered as a QR PNG.
    let spec = VenueSpec {
        stay_minutes: 45,
        ..VenueSpec::new(
            "Phở Thìn Lò Đúc",
            "13 Lò Đúc, phường Phạm Đình Hổ, quận Hai Bà Trưng, Hà Nội",
            1,
            VenueCategory::Restaurant,
        )
    };
    let venue = step("venue id", new_venue(&spec, now, "khaibao-demo"))?;
    let code = step("venue issue", venue::issue(&venue, keys.venue_pkcs8()))?;
    // The offline keys go no further: the server gets the online ones from the folder.
    drop(keys);
    let png_path = dir.join("venue.png");
    step("venue issue", poster::write_qr_png(&code, 8, &png_path))?;
    let symbol = step("venue issue", poster::qr(&code))?;
    let qr_version = poster::qr_version(&symbol);
    say(format!(
        "2. venue issue   signed venue code, {} characters, QR version {qr_version} at EC level M, written to venue.png",
        code.len()
    ));

    // 3. The authority starts on a free loopback port, with its online keys only.
    let online = step("serve", OnlineKeys::load(&keys_dir))?;
    let server = step(
        "serve",
        RunningServer::start(
            ([127, 0, 0, 1], 0).into(),
            &dir.join("authority.db"),
            online,
        ),
    )?;
    say(format!(
        "3. serve         authority listening on {} (online keys only: exposure, device, sealing)",
        server.base_url()
    ));

    // 4. The citizen's phone scans the poster and verifies the venue.
    let png = step("scan", std::fs::read(&png_path))?;
    let codes = step("scan", scan::scan_image(&png))?;
    let text = codes.iter().find_map(|c| c.text.clone()).ok_or(DemoError {
        step: "scan",
        reason: "no QR code found in the poster".into(),
    })?;
    let scanned = step(
        "verify",
        venue::read(&text, std::slice::from_ref(&public.venue_key), now),
    )?;
    let ScannedVenue::Verified { venue: seen } = &scanned else {
        return Err(DemoError {
            step: "verify",
            reason: "venue code did not verify".into(),
        });
    };
    say(format!(
        "4. scan          read {} bytes from venue.png; signature verified: \"{}\" ({})",
        codes[0].bytes.len(),
        seen.name,
        seen.category.name()
    ));

    // 5. The citizen's store and device key, and the declaration form.
    let mut store = step(
        "open store",
        MasterKey::generate().and_then(|master| Store::open(&dir.join("citizen.db"), &master, now)),
    )?;
    let device = step("device key", store.device_key(now))?;
    let form = Declaration {
        full_name: "Nguyễn Thị Minh Khai".into(),
        birth_year: 1988,
        phone: "0912 345 678".into(),
        province: 1,
        symptoms: vec![Symptom::Cough],
        ..Declaration::default()
    };
    // 6. Check-in and outbox row in one transaction: core's check-in use case validates,
    // signs, seals and queues, all or nothing.
    let checked_in = checkin::check_in(
        &mut store,
        &scanned,
        Some(&form),
        &public.sealing_public,
        now,
    )
    .map_err(|e| DemoError {
        step: "declare",
        reason: match e {
            CheckInError::Invalid(errs) => errs
                .iter()
                .map(|e| e.code.clone())
                .collect::<Vec<_>>()
                .join(", "),
            CheckInError::Failed(e) => e.to_string(),
        },
    })?;
    let visit = checked_in.visit;
    let copies = step("declare", diary::declarations(&store))?;
    let payload = copies.last().map(|d| d.payload.clone()).unwrap_or_default();
    let submission = step("declare", Submission::from_cbor(&payload))?;
    say(format!(
        "5. declare       declaration validated, signed by device {} and sealed to the authority ({} bytes of CBOR); the citizen keeps a sealed copy",
        hex(&device.kid()),
        payload.len(),
    ));

    let pending = step("check in", outbox::counts(&store))?.pending;
    say(format!(
        "6. check in      checked in at {} (Asia/Ho_Chi_Minh); {pending} item queued in the outbox, same transaction",
        format_vietnam(visit.checked_in_at)
    ));

    // 7. Offline: the authority goes down; the upload fails and the item stays queued.
    let client = step(
        "upload",
        ReqwestClient::new(Duration::from_secs(2), Duration::from_secs(15)),
    )?;
    let addr = server.addr();
    let authority_db = dir.join("authority.db");
    server.stop();
    let failed = outbox::drain(&mut store, &client, &format!("http://{addr}"), 50, now);
    let counts = step("offline", outbox::counts(&store))?;
    say(format!(
        "7. offline       authority down: upload failed ({}); outbox still holds {} pending item(s), next attempt after backoff at {}",
        failed
            .err()
            .map_or_else(|| "unexpectedly succeeded".into(), |e| e.to_string()),
        counts.pending,
        step("offline", outbox::next_attempt_at(&store))?
            .map_or_else(|| "-".into(), format_vietnam)
    ));

    // 8. The authority comes back on the same address; the queued item is drained.
    let online = step("serve", OnlineKeys::load(&keys_dir))?;
    let server = step("serve", RunningServer::start(addr, &authority_db, online))?;
    let report = step(
        "upload",
        outbox::drain(&mut store, &client, &server.base_url(), 50, now),
    )?;
    say(format!(
        "8. upload        authority back on {}: sent {} item(s): {} accepted, {} duplicate, {} rejected; receipt {}",
        server.base_url(),
        report.sent,
        report.accepted,
        report.duplicates,
        report.rejected,
        report.receipts.first().map_or("-", String::as_str)
    ));

    // 9. What the authority decrypted.
    let sealing = server.state().keys().sealing();
    let stored = step(
        "authority",
        server.state().with_db(|db| db.declarations(sealing)),
    )?;
    let Some(d) = stored.first() else {
        return Err(DemoError {
            step: "authority",
            reason: "nothing stored".into(),
        });
    };
    let decl = &d.submission.declaration;
    say(format!(
        "9. authority     verified device {} and decrypted: name \"{}\", born {}, phone {}, province {:02}, symptoms [{}], venue {}",
        d.device_kid,
        decl.full_name,
        decl.birth_year,
        decl.phone,
        decl.province,
        decl.symptoms
            .iter()
            .map(|s| s.name())
            .collect::<Vec<_>>()
            .join(", "),
        d.submission.venue_id.as_deref().unwrap_or("-")
    ));
    let counts = step("outbox", outbox::counts(&store))?;
    say(format!(
        "10. diary        {} visit(s); outbox: {} pending, {} delivered (receipt kept, item deleted)",
        step("diary", diary::visits(&store))?.len(),
        counts.pending,
        counts.delivered
    ));

    // 11. The device registers its key; the authority certifies it for offline checks.
    let certificate = step(
        "register",
        khaibao_core::pass::register_device(&device, &client, &server.base_url(), now),
    )?;
    let status = derive_status(&submission.declaration, &StatusRules::default(), now);
    let pass_text = step(
        "pass",
        khaibao_core::pass::make_pass(&PassInput {
            device: &device,
            certificate: &certificate,
            status,
            declared_at: now,
            name: None,
            personal_data: &payload,
            authority_sealing_key: &public.sealing_public,
            now,
            valid_seconds: khaibao_core::pass::DEFAULT_PASS_SECONDS,
        }),
    )?;
    let pass_png = dir.join("pass.png");
    step("pass", poster::write_qr_png(&pass_text, 6, &pass_png))?;
    say(format!(
        "11. pass         device certified by the authority; personal pass QR written to pass.png ({} characters, status {}, valid 5 min, no name or ID in it)",
        pass_text.len(),
        status.name()
    ));

    // 12. Venue staff scan the pass at the door, offline, and refuse a replay; they trust
    // the device-certificate key (the venue key signs no certificate).
    let mut staff = step(
        "staff",
        StaffLog::open_in_memory(vec![public.device_key.clone()]),
    )?;
    let shown = step(
        "staff",
        std::fs::read(&pass_png)
            .map_err(|e| e.to_string())
            .and_then(|b| scan::scan_image(&b).map_err(|e| e.to_string())),
    )?;
    let shown = shown
        .first()
        .and_then(|c| c.text.clone())
        .ok_or(DemoError {
            step: "staff",
            reason: "no QR in pass.png".into(),
        })?;
    let admitted = step("staff", staff.scan(&shown, now + 30))?;
    let replay = staff
        .scan(&shown, now + 40)
        .err()
        .map_or("accepted (wrong!)", |e| e.code().as_str());
    say(format!(
        "12. staff        pass verified offline: status {}, expires {}, direction {:?}; the same pass again: {replay}",
        admitted.check.status.name(),
        format_vietnam(admitted.check.expires_at),
        admitted.direction
    ));
    server.stop();
    Ok(())
}
