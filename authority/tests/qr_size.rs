//! Measures the QR size of realistic Vietnamese venue codes under the candidate fragment
//! encodings (decimal digits, base45, base64url) (the figures in docs/venue-code.md come from this test's output:
//! `cargo test -p khaibao-authority --test qr_size -- --nocapture`).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code
#![allow(clippy::format_push_string, clippy::format_collect)] // test reports

use ciborium::Value;
use khaibao_authority::poster::{qr, qr_version};
use khaibao_core::codec::{base64url_encode, to_cbor};
use khaibao_core::venue::{self, TIME_EPOCH, URL_PREFIX, Venue, VenueCategory};
use khaibao_core::{base45, decimal};
use ring::rand::SystemRandom;
use ring::signature::Ed25519KeyPair;
use std::io::Write;

fn venues() -> Vec<Venue> {
    let base = |name: &str, address: &str, province, district, ward, category| Venue {
        id: "5f2c8e1a9b3d47c6a0e4f81b2d6c9a37".into(),
        name: name.into(),
        address: address.into(),
        province,
        district: Some(district),
        ward: Some(ward),
        category,
        vehicle_plate: None,
        route: None,
        event_start: None,
        event_end: None,
        default_stay_minutes: 60,
        not_before: TIME_EPOCH + 2_156 * 86_400,
        not_after: TIME_EPOCH + 2_521 * 86_400,
        issuer: "VN-79".into(),
    };
    let mut bus = base(
        "Xe buýt số 19 Bến Thành – Khu Chế xuất Linh Trung – Đại học Quốc gia",
        "Tuyến 19, Công ty Cổ phần Xe khách Sài Gòn",
        79,
        760,
        26_740,
        VenueCategory::Transport,
    );
    bus.vehicle_plate = Some("51B-123.45".into());
    bus.route = Some("19".into());
    vec![
        base(
            "Bệnh viện Đa khoa Trung ương Thái Nguyên",
            "479 Đường Lương Ngọc Quyến, Phường Phan Đình Phùng, Thành phố Thái Nguyên",
            19,
            164,
            5_461,
            VenueCategory::Hospital,
        ),
        base(
            "Siêu thị Co.opmart Nguyễn Đình Chiểu",
            "168 Nguyễn Đình Chiểu, Phường Võ Thị Sáu, Quận 3, Thành phố Hồ Chí Minh",
            79,
            770,
            27_139,
            VenueCategory::Market,
        ),
        bus,
    ]
}

fn describe(text: &str) -> (i16, usize) {
    let code = qr(text).unwrap();
    (qr_version(&code), code.width())
}

/// Bytes of each payload entry (key and value), by key.
fn entry_sizes(payload: &[u8]) -> String {
    let Value::Map(pairs) = ciborium::from_reader::<Value, _>(payload).unwrap() else {
        panic!("payload is a map")
    };
    pairs
        .iter()
        .map(|(k, v)| {
            let size = to_cbor(k).unwrap().len() + to_cbor(v).unwrap().len();
            let kind = if matches!(v, Value::Bytes(_)) && k != &Value::Integer(2.into()) {
                "c"
            } else {
                ""
            };
            format!("{}:{size}{kind}", i128::from(k.as_integer().unwrap()))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

struct Measure {
    cose: usize,
    chars: usize,
    version: i16,
    modules: usize,
}

fn measure(v: &Venue, pkcs8: &[u8], report: &mut String) -> Measure {
    let text = venue::issue(v, pkcs8).unwrap();
    let cose = decimal::decode(&text[URL_PREFIX.len()..]).unwrap();
    let payload = venue::encode_payload(v).unwrap();
    let b45 = format!("{URL_PREFIX}{}", base45::encode(&cose));
    let b64 = format!("https://qr.khaibao.vn/v#{}", base64url_encode(&cose));
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&payload).unwrap();
    let zlib = z.finish().unwrap();
    let (vd, md) = describe(&text);
    let (v45, m45) = describe(&b45);
    let (v64, m64) = describe(&b64);
    report.push_str(&format!(
        "  name {} B, address {} B UTF-8 | payload {} B (zlib {} B) [{}] | COSE {} B = {} framing+kid + {} payload + 64 signature\n  \
         decimal {} chars -> v{vd} ({md}x{md}) | base45 {} chars -> v{v45} ({m45}x{m45}) | base64url {} chars -> v{v64} ({m64}x{m64})\n",
        v.name.len(),
        v.address.len(),
        payload.len(),
        zlib.len(),
        entry_sizes(&payload),
        cose.len(),
        cose.len() - payload.len() - 64,
        payload.len(),
        text.len(),
        b45.len(),
        b64.len(),
    ));
    assert!(vd <= v45 && v45 < v64, "decimal <= base45 < base64url");
    assert!(
        zlib.len() + 2 >= payload.len() * 9 / 10,
        "zlib saves under 10%"
    );
    Measure {
        cose: cose.len(),
        chars: text.len(),
        version: vd,
        modules: md,
    }
}

#[test]
fn realistic_venues_fit_version_10_at_level_m() {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    let mut report = String::new();
    let mut table = String::from("| venue | address | COSE | chars | QR |\n");
    for v in venues() {
        report.push_str(&format!("{}\n full address:\n", v.name));
        let full = measure(&v, pkcs8.as_ref(), &mut report);
        // The street part only: ward, district and province names follow from the codes.
        let mut short = v.clone();
        short.address = v.address.split(',').next().unwrap_or_default().to_owned();
        report.push_str(&format!(" street only ({}):\n", short.address));
        let street = measure(&short, pkcs8.as_ref(), &mut report);
        for (what, m) in [("full", &full), ("street", &street)] {
            table.push_str(&format!(
                "| {} | {what} | {} B | {} | v{} {}x{} |\n",
                v.name, m.cose, m.chars, m.version, m.modules, m.modules
            ));
        }
        assert!(
            street.version <= 10,
            "{}: v{} with the street address",
            v.name,
            street.version
        );
    }
    println!("{report}\n{table}");
}
