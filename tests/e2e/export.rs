//! `khaibao export` end to end: declarations sealed by a device, ingested by the authority,
//! and exported as CSV filtered by province, venue and time, with progress.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code

use khaibao_authority::db::AuthorityDb;
use khaibao_authority::export::{ExportFilter, HEADER, export_csv, parse_time};
use khaibao_authority::keys::AuthorityKeys;
use khaibao_core::seal::DeviceKey;
use khaibao_tests::declarations::sealed;

#[test]
fn export_filters_by_province_venue_and_time_and_reports_progress() {
    let dir = tempfile::tempdir().unwrap();
    let keys = AuthorityKeys::generate().unwrap();
    let public = keys.public().sealing_public;
    let device = DeviceKey::generate().unwrap();
    let day1 = parse_time("2026-01-01").unwrap();
    let day2 = parse_time("2026-01-02").unwrap();
    let items = vec![
        sealed(
            &device,
            &public,
            "Lê Văn Tám",
            79,
            Some("venue-a"),
            day1 + 3600,
        ),
        sealed(
            &device,
            &public,
            "Trần, Thị \"Bé\"",
            79,
            Some("venue-b"),
            day1 + 7200,
        ),
        sealed(
            &device,
            &public,
            "Phạm Văn Đồng",
            79,
            Some("venue-a"),
            day2 + 60,
        ),
        sealed(
            &device,
            &public,
            "Hà Nội Người",
            1,
            Some("venue-a"),
            day1 + 60,
        ),
    ];
    let mut db = AuthorityDb::open(&dir.path().join("a.db")).unwrap();
    db.ingest(keys.sealing(), &items, day2).unwrap();

    let export = |filter: &ExportFilter, every: u64| {
        let mut out = Vec::new();
        let mut seen = Vec::new();
        let n = export_csv(&db, keys.sealing(), filter, &mut out, every, &mut |d, t| {
            seen.push((d, t));
        })
        .unwrap();
        (n, String::from_utf8(out).unwrap(), seen)
    };

    let hcm = ExportFilter {
        since: day1,
        until: None,
        province: Some(79),
        venue_id: None,
    };
    let (n, csv, progress) = export(&hcm, 1);
    assert_eq!(n, 3);
    assert_eq!(progress, vec![(1, 3), (2, 3), (3, 3), (3, 3)]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], HEADER);
    assert!(lines[1].contains(",Lê Văn Tám,1990,'+84912345678,fever;cough,0,0,"));
    assert!(lines[1].contains(",2026-01-01 01:00,"), "{}", lines[1]);
    assert!(
        lines[2].contains(",\"Trần, Thị \"\"Bé\"\"\","),
        "{}",
        lines[2]
    );
    assert!(lines[3].contains("Phạm Văn Đồng"));

    let (n, csv, _) = export(
        &ExportFilter {
            until: Some(day2),
            venue_id: Some("venue-a".into()),
            ..hcm.clone()
        },
        1000,
    );
    assert_eq!(n, 1, "{csv}");
    assert!(csv.contains("Lê Văn Tám") && !csv.contains("Hà Nội"));

    let (n, _, _) = export(
        &ExportFilter {
            since: day2 + 3600,
            ..hcm
        },
        10,
    );
    assert_eq!(n, 0);
}
