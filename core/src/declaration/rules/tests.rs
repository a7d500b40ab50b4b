//! Every validation rule, valid and invalid.

use super::*;
use crate::declaration::Symptom;
use crate::test_support;

/// 2021-09-15T05:00:00Z, noon in Vietnam.
const NOW: UnixTime = 1_631_682_000;

fn date(year: i32, month: u8, day: u8) -> CalendarDate {
    CalendarDate { year, month, day }
}

fn codes(d: &Declaration) -> Vec<(String, String)> {
    match validate(d, NOW) {
        Ok(_) => vec![],
        Err(errs) => errs.into_iter().map(|e| (e.field, e.code)).collect(),
    }
}

fn one(d: &Declaration) -> (String, String) {
    let c = codes(d);
    assert_eq!(c.len(), 1, "{c:?}");
    c[0].clone()
}

#[test]
fn valid_form_is_normalised() {
    let d = validate(&test_support::declaration(), NOW).unwrap();
    assert_eq!(d.full_name, "Nguyễn Văn An");
    assert_eq!(d.phone, "+84912345678");
    assert_eq!(d.nationality, "VN");
    assert_eq!(
        d.id_document,
        Some(IdDocument::Cccd {
            number: "001090012345".into()
        })
    );
    assert_eq!(d.email.as_deref(), Some("an.nguyen@example.vn"));
    assert_eq!(d.street, "12 Phố Huế");
    assert_eq!(d.health_insurance.as_deref(), Some("DN4797915012345"));
    assert_eq!(d.travel[0].vehicle_number.as_deref(), Some("VN 213"));
    assert_eq!(
        d.travel[0].places,
        vec!["Thành phố Hồ Chí Minh".to_string()]
    );
    assert_eq!(d.symptoms, vec![Symptom::Fever, Symptom::Cough]);
    assert_eq!(
        d.vaccination[0].date,
        date(2021, 7, 1),
        "doses sorted by date"
    );
}

#[test]
fn decomposed_name_becomes_nfc() {
    let mut s = test_support::declaration();
    s.full_name = "Nguye\u{302}\u{303}n".into();
    assert_eq!(validate(&s, NOW).unwrap().full_name, "Nguy\u{1ec5}n");
}

#[test]
fn all_errors_come_back_together_without_the_values() {
    let mut s = test_support::declaration();
    s.full_name = " ".into();
    s.phone = "12345".into();
    s.birth_year = 1800;
    s.date_of_birth = None;
    s.province = 3;
    let errs = validate(&s, NOW).unwrap_err();
    let got: Vec<_> = errs.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(
        got,
        [
            "full_name.required",
            "birth_year.out_of_range",
            "phone.not_vietnamese_mobile",
            "province.unknown"
        ]
    );
    for e in &errs {
        assert!(!e.message_en.contains("12345") && !e.message_vi.contains("12345"));
        assert!(!e.message_vi.is_empty() && !e.message_en.is_empty());
    }
}

#[test]
fn name_rules() {
    let mut s = test_support::declaration();
    s.full_name = "Nguyễn Văn 2".into();
    assert_eq!(one(&s).1, "full_name.invalid");
    s.full_name = "A".repeat(101);
    assert_eq!(one(&s).1, "full_name.invalid");
    s.full_name = "Đặng Thị Ánh-Tuyết O'Neil".into();
    assert!(codes(&s).is_empty());
}

#[test]
fn birth_rules() {
    let mut s = test_support::declaration();
    s.birth_year = 2022;
    s.date_of_birth = None;
    assert_eq!(one(&s).1, "birth_year.out_of_range");
    s.birth_year = 1990;
    s.date_of_birth = Some(date(1991, 1, 1));
    assert_eq!(one(&s).1, "date_of_birth.year_mismatch");
    s.date_of_birth = Some(date(1990, 2, 30));
    assert_eq!(one(&s).1, "date.invalid");
    s.birth_year = 2021;
    s.date_of_birth = Some(date(2021, 12, 1));
    assert_eq!(one(&s).1, "date.in_future");
}

#[test]
fn nationality_rules() {
    let mut s = test_support::declaration();
    s.nationality = "kr".into();
    assert_eq!(validate(&s, NOW).unwrap().nationality, "KR");
    s.nationality = "XX".into();
    assert_eq!(one(&s).1, "nationality.unknown");
    s.nationality = "VNM".into();
    assert_eq!(one(&s).1, "nationality.unknown");
    assert_eq!(COUNTRIES.split(' ').count(), 249);
}

#[test]
fn identity_document_rules() {
    let mut s = test_support::declaration();
    for (doc, code) in [
        (
            IdDocument::Cccd {
                number: "00109001234".into(),
            },
            "id_document.cccd_format",
        ),
        (
            IdDocument::Cccd {
                number: "00109001234x".into(),
            },
            "id_document.cccd_format",
        ),
        (
            IdDocument::Cmnd {
                number: "0123456789".into(),
            },
            "id_document.cmnd_format",
        ),
        (
            IdDocument::Passport {
                number: "C12".into(),
            },
            "id_document.passport_format",
        ),
        (
            IdDocument::Passport {
                number: "C1234-567".into(),
            },
            "id_document.passport_format",
        ),
    ] {
        s.id_document = Some(doc);
        assert_eq!(one(&s).1, code);
    }
    s.id_document = Some(IdDocument::Cmnd {
        number: "012345678".into(),
    });
    assert!(codes(&s).is_empty());
    s.id_document = Some(IdDocument::Passport {
        number: "c1234567".into(),
    });
    assert_eq!(
        validate(&s, NOW).unwrap().id_document,
        Some(IdDocument::Passport {
            number: "C1234567".into()
        })
    );
    s.id_document = None;
    assert!(codes(&s).is_empty());
}

#[test]
fn phone_forms() {
    assert_eq!(
        normalise_phone("+84 912-345-678").as_deref(),
        Some("+84912345678")
    );
    assert_eq!(
        normalise_phone("84912345678").as_deref(),
        Some("+84912345678")
    );
    assert_eq!(
        normalise_phone("(0312) 345.678").as_deref(),
        Some("+84312345678")
    );
    assert_eq!(normalise_phone("0212345678"), None, "landline prefix");
    assert_eq!(normalise_phone("091234567"), None, "too short");
    assert_eq!(normalise_phone("+1 912 345 678"), None);
    assert_eq!(normalise_phone("09123456７8"), None, "full-width digit");
}

#[test]
fn email_rules() {
    let mut s = test_support::declaration();
    for bad in [
        "an",
        "an@",
        "@example.vn",
        "an@example",
        "an@.vn",
        "a n@example.vn",
        "an@@example.vn",
    ] {
        s.email = Some(bad.into());
        assert_eq!(one(&s).1, "email.invalid", "{bad}");
    }
    s.email = Some("   ".into());
    assert_eq!(
        validate(&s, NOW).unwrap().email,
        None,
        "blank means not given"
    );
}

#[test]
fn address_rules() {
    let mut s = test_support::declaration();
    s.province = 79;
    assert!(codes(&s).is_empty());
    s.province = 97;
    assert_eq!(one(&s).1, "province.unknown");
    s.province = 1;
    s.district = Some(0);
    assert_eq!(one(&s).1, "district.unknown");
    s.district = None;
    s.ward = Some(100_000);
    assert_eq!(one(&s).1, "ward.unknown");
    s.ward = None;
    s.street = "x".repeat(201);
    assert_eq!(one(&s).1, "street.too_long");
}

#[test]
fn health_insurance_rules() {
    let mut s = test_support::declaration();
    s.health_insurance = Some("0123456789".into());
    assert!(codes(&s).is_empty());
    for bad in ["DN47979150123", "1N4797915012345", "DN479791501234X"] {
        s.health_insurance = Some(bad.into());
        assert_eq!(one(&s).1, "health_insurance.format", "{bad}");
    }
}

#[test]
fn travel_rules() {
    let base = test_support::declaration();
    let mut s = base.clone();
    s.travel[0].arrival = date(2021, 9, 9);
    assert_eq!(
        one(&s),
        (
            "travel[0].arrival".into(),
            "travel.arrival_before_departure".into()
        )
    );
    s = base.clone();
    s.travel[0].departure = date(2021, 8, 20);
    s.travel[0].arrival = date(2021, 8, 21);
    assert_eq!(
        one(&s),
        ("travel[0].arrival".into(), "travel.outside_window".into())
    );
    s = base.clone();
    s.travel[0].arrival = date(2021, 9, 20);
    assert_eq!(
        one(&s),
        ("travel[0].arrival".into(), "date.in_future".into())
    );
    s = base.clone();
    s.travel[0].seat = Some("12345678901".into());
    assert_eq!(one(&s).1, "travel.vehicle_too_long");
    s = base.clone();
    s.travel[0].places = vec!["x".repeat(101)];
    assert_eq!(
        one(&s),
        ("travel[0].places".into(), "travel.places_invalid".into())
    );
    s = base;
    s.travel = vec![s.travel[0].clone(); 21];
    assert_eq!(one(&s).1, "travel.too_many");
}

#[test]
fn vaccination_and_test_dates() {
    let mut s = test_support::declaration();
    s.vaccination[1].date = date(2021, 9, 31);
    assert_eq!(
        one(&s),
        ("vaccination[1].date".into(), "date.invalid".into())
    );
    s = test_support::declaration();
    s.recovered_on = Some(date(2022, 1, 1));
    assert_eq!(one(&s), ("recovered_on".into(), "date.in_future".into()));
    s = test_support::declaration();
    s.negative_test_on = Some(date(2021, 9, 15));
    assert!(codes(&s).is_empty(), "today is not the future");
}
