//! Tests of the JSON and CSV exports.

use super::*;
use crate::declaration::{self, Declaration};
use crate::diary::{check_in, check_in_declared, check_out};
use crate::storage::store::StoreOptions;
use crate::test_support;
use crate::upload::outbox::NewItem;
use crate::venue::ScannedVenue;

/// 2021-07-20 00:00 in Asia/Ho_Chi_Minh.
const MIDNIGHT: i64 = 1_626_714_000;
const H: i64 = 3600;

fn filled(lang_days_old: i64) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open_with(
        &dir.path().join("e.db"),
        &test_support::master_key_from(5),
        StoreOptions::default(),
        MIDNIGHT,
    )
    .unwrap();
    let tricky = ScannedVenue::Unverified {
        text: "=cmd|\"Quán, \"Bà Ba\"\nline".into(),
    };
    check_in(&mut s, &tricky, MIDNIGHT - lang_days_old * 24 * H, None).unwrap();
    let form = Declaration {
        full_name: "Trần Văn Ơn".into(),
        birth_year: 1990,
        phone: "0912 345 678".into(),
        province: 79,
        symptoms: vec![crate::declaration::Symptom::Fever],
        close_contact: true,
        ..Declaration::default()
    };
    let t = MIDNIGHT + 9 * H;
    let submission = declaration::Submission {
        declaration: declaration::validate(&form, t).unwrap(),
        declared_at: t,
        venue_id: None,
    };
    let item = NewItem {
        idempotency_key: [2; 16],
        kind: crate::upload::protocol::ItemKind::Declaration,
        body: vec![1],
    };
    let park = ScannedVenue::Unverified {
        text: "Công viên Tao Đàn".into(),
    };
    check_in_declared(&mut s, &park, t, &item, &submission.to_cbor().unwrap()).unwrap();
    check_out(&mut s, t + H / 2).unwrap();
    (dir, s)
}

#[test]
fn json_is_valid_and_carries_both_tables_in_both_languages() {
    let (_d, mut s) = filled(1);
    let vi = export_json(&mut s, Language::Vietnamese, MIDNIGHT + 12 * H).unwrap();
    let v: serde_json::Value = serde_json::from_str(&vi).unwrap();
    let visits = v["lượt_check_in"].as_array().unwrap();
    assert_eq!(visits.len(), 2);
    assert_eq!(visits[0]["Địa điểm"], "=cmd|\"Quán, \"Bà Ba\"\nline");
    assert_eq!(visits[1]["Giờ vào"]["local"], "2021-07-20 09:00");
    assert_eq!(visits[1]["Cách ra"], "tự ra");
    assert_eq!(visits[0]["Cách ra"], "tự động");
    let decl = &v["tờ_khai"][0];
    assert_eq!(decl["Họ và tên"], "Trần Văn Ơn");
    assert_eq!(decl["Triệu chứng"], "sốt");
    assert_eq!(decl["Số điện thoại"], "+84912345678");
    assert_eq!(decl["Mã lượt"], visits[1]["Mã lượt"]);

    let en = export_json(&mut s, Language::English, MIDNIGHT + 12 * H).unwrap();
    let v: serde_json::Value = serde_json::from_str(&en).unwrap();
    assert_eq!(v["visits"][1]["Check-out"], "explicit");
    assert_eq!(v["declarations"][0]["Symptoms"], "fever");
    assert_eq!(v["declarations"][0]["Close contact"], true);
}

#[test]
fn csv_quotes_neutralises_formulas_and_localises() {
    let (_d, mut s) = filled(1);
    let csv = export_csv(&mut s, Language::Vietnamese, MIDNIGHT + 12 * H).unwrap();
    assert!(csv.visits.starts_with("\u{feff}Mã lượt,Địa điểm,"));
    assert!(
        csv.visits
            .contains("\"'=cmd|\"\"Quán, \"\"Bà Ba\"\"\nline\""),
        "{}",
        csv.visits
    );
    assert!(
        csv.visits
            .contains(",2021-07-20 09:00,2021-07-20 09:30,tự ra,không\r\n")
    );
    assert!(
        csv.declarations
            .contains("Trần Văn Ơn,1990,\"'+84912345678\",79,sốt,có,không\r\n")
    );
    let en = export_csv(&mut s, Language::English, MIDNIGHT + 12 * H).unwrap();
    assert!(
        en.declarations
            .starts_with("\u{feff}Declaration,Visit,Declared at,Full name,")
    );
    assert!(en.declarations.contains(",fever,yes,no\r\n"));
}

#[test]
fn export_purges_first() {
    let (_d, mut s) = filled(30);
    let json = export_json(&mut s, Language::English, MIDNIGHT + 12 * H).unwrap();
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["visits"].as_array().unwrap().len(), 1);
    assert_eq!(v["visits"][0]["Venue"], "Công viên Tao Đàn");
}
