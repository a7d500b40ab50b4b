//! Encode → poster PNG → scan → verify gives back the same venue, over generated venues
//! with Vietnamese text, and the SVG poster carries the same QR and texts.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)] // test code
#![allow(clippy::format_push_string, clippy::format_collect)] // test reports

use khaibao_authority::poster::{self, write_poster};
use khaibao_core::error::VenueError;
use khaibao_core::venue::keyset::{Keyset, KeysetEntry};
use khaibao_core::venue::registry::{self, Registry};
use khaibao_core::venue::{self, TIME_EPOCH, Venue, VenueCategory};
use khaibao_core::{Error, scan};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};

/// A small deterministic generator (xorshift64*), so failures are reproducible.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "Bệnh",
    "viện",
    "Trường",
    "Tiểu",
    "học",
    "Chợ",
    "Siêu",
    "thị",
    "Khách",
    "sạn",
    "Nhà",
    "hàng",
    "Quán",
    "cà",
    "phê",
    "Phường",
    "Quận",
    "Huyện",
    "Xã",
    "Đường",
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Thủ",
    "Đức",
    "Hải",
    "Phòng",
    "Đà",
    "Nẵng",
    "Cần",
    "Thơ",
    "Huế",
    "Quảng",
    "Ngãi",
    "số",
    "tầng",
    "ngõ",
    "hẻm",
    "Ấp",
    "Thôn",
    "Bản",
    "Mường",
    "Ồ",
    "Ưu",
    "Ỷ",
    "Ậu",
    "Ữa",
    // Outside the compact text alphabet: such texts stay UTF-8 in the code.
    "Ñandú",
    "東京",
    "Co.opmart",
    "(24/7)",
];

fn words(g: &mut Gen, min: u64, max: u64) -> String {
    let n = min + g.below(max - min + 1);
    (0..n).map(|_| g.pick(WORDS)).collect::<Vec<_>>().join(" ")
}

fn venue(g: &mut Gen) -> Venue {
    let category = [
        VenueCategory::Hospital,
        VenueCategory::School,
        VenueCategory::Office,
        VenueCategory::Market,
        VenueCategory::Lodging,
        VenueCategory::Restaurant,
        VenueCategory::Transport,
        VenueCategory::Event,
        VenueCategory::Other,
    ][g.below(9) as usize];
    let id: String = (0..16).map(|_| format!("{:02x}", g.below(256))).collect();
    let start_day = 2_000 + g.below(300) as i64;
    let transport = category == VenueCategory::Transport;
    let event = category == VenueCategory::Event;
    let event_start = TIME_EPOCH + start_day * 86_400 + g.below(1_440) as i64 * 60;
    Venue {
        id,
        name: words(g, 2, 9),
        address: format!("{} {}", g.below(500), words(g, 0, 10)),
        province: 1 + g.below(96) as u32,
        district: (g.below(2) == 0).then(|| g.below(1_000) as u32),
        ward: (g.below(2) == 0).then(|| g.below(33_000) as u32),
        category,
        vehicle_plate: transport.then(|| {
            format!(
                "{}B-{:03}.{:02}",
                10 + g.below(89),
                g.below(1000),
                g.below(100)
            )
        }),
        route: transport.then(|| words(g, 1, 4)),
        event_start: event.then_some(event_start),
        event_end: event.then_some(event_start + 60 * (30 + g.below(600) as i64)),
        default_stay_minutes: [15, 30, 60, 90, 240][g.below(5) as usize],
        not_before: TIME_EPOCH + start_day * 86_400,
        not_after: TIME_EPOCH + (start_day + 1 + g.below(1_000) as i64) * 86_400,
        issuer: g.pick(&["VN-MOH", "VN-79", "khaibao", ""]).into(),
    }
}

fn signer() -> (Vec<u8>, Keyset) {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    let public = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref())
        .unwrap()
        .public_key()
        .as_ref()
        .to_vec();
    let keyset = Keyset {
        serial: 1,
        issued_at: TIME_EPOCH,
        keys: vec![KeysetEntry {
            kid: venue::key_id(&public),
            public_key: public,
            valid_from: TIME_EPOCH,
            valid_until: TIME_EPOCH + 4_000 * 86_400,
            usage: khaibao_core::venue::keyset::USAGE_VENUE,
        }],
    };
    (pkcs8.as_ref().to_vec(), keyset)
}

#[test]
fn poster_png_scans_back_to_the_same_venue() {
    let (sk, keyset) = signer();
    let dir = tempfile::tempdir().unwrap();
    let mut g = Gen(0x6b68_6169_6261_6f21);
    for i in 0..12 {
        let v = venue(&mut g);
        let code = venue::issue(&v, &sk).unwrap();
        let path = dir.path().join(format!("p{i}.png"));
        write_poster(&v, &code, &path, 72).unwrap();
        let found = scan::scan_image(&std::fs::read(&path).unwrap()).unwrap();
        let text = found
            .iter()
            .find_map(|c| c.text.clone())
            .unwrap_or_else(|| panic!("venue {i}: no QR found"));
        assert_eq!(text, code, "venue {i}");
        let now = v.not_before + 3_600;
        assert_eq!(
            venue::verify_with(&text, &keyset, now).unwrap(),
            v,
            "venue {i}"
        );
    }
}

#[test]
fn encode_verify_round_trips_over_many_venues() {
    let (sk, keyset) = signer();
    let mut g = Gen(42);
    for i in 0..300 {
        let v = venue(&mut g);
        let code = venue::issue(&v, &sk).unwrap();
        assert_eq!(code, venue::issue(&v, &sk).unwrap(), "deterministic");
        let got = venue::verify_with(&code, &keyset, v.not_after).unwrap();
        assert_eq!(got, v, "venue {i}");
        assert!(
            poster::qr_version(&poster::qr(&code).unwrap()) <= 15,
            "venue {i}"
        );
    }
}

#[test]
fn svg_poster_has_qr_name_instructions_and_manual_code() {
    let (sk, _) = signer();
    let mut g = Gen(7);
    let v = venue(&mut g);
    let code = venue::issue(&v, &sk).unwrap();
    let svg = poster::svg(&v, &code).unwrap();
    assert!(svg.contains("Quét mã QR để khai báo y tế"));
    assert!(svg.contains(&registry::manual_code(&v).unwrap()));
    assert!(svg.contains("width=\"210mm\" height=\"297mm\""));
    // The QR symbol (without quiet zone) is at least 150 mm wide: find the module size
    // in the path's first square and count the modules.
    let n = poster::qr(&code).unwrap().width() as f32;
    let path = &svg[svg.find(" d=\"M").unwrap()..];
    let h = path.split('h').nth(1).unwrap();
    let module: f32 = h.split('v').next().unwrap().parse().unwrap();
    assert!(module * n >= 150.0, "{} mm", module * n);
}

#[test]
fn manual_codes_resolve_through_the_signed_registry() {
    let (sk, keyset) = signer();
    let mut g = Gen(99);
    let issued: Vec<(Venue, String)> = (0..50)
        .map(|_| {
            let v = venue(&mut g);
            let c = venue::issue(&v, &sk).unwrap();
            (v, c)
        })
        .collect();
    let bytes = Registry::build(5, TIME_EPOCH, 79, &issued)
        .unwrap()
        .sign(&sk)
        .unwrap();
    let now = TIME_EPOCH + 2_400 * 86_400;
    let reg = Registry::verify(&bytes, &keyset, now, Some(4)).unwrap();
    assert_eq!(reg.len(), 50);
    for (v, _) in &issued {
        let typed = registry::manual_code(v).unwrap();
        let at = v.not_before;
        assert_eq!(&reg.resolve_venue(&typed, &keyset, at).unwrap(), v);
    }
    // A typo is caught by the check digit; a valid code nobody has is unknown.
    let typed = registry::manual_code(&issued[0].0)
        .unwrap()
        .replace(' ', "");
    let mut wrong: Vec<u8> = typed.bytes().collect();
    wrong[3] = if wrong[3] == b'9' { b'0' } else { wrong[3] + 1 };
    assert!(matches!(
        reg.resolve(std::str::from_utf8(&wrong).unwrap()),
        Err(Error::Venue(VenueError::ManualCodeInvalid))
    ));
    let body = "000000000";
    let unknown = format!("{body}{}", registry::damm(body));
    assert!(matches!(
        reg.resolve(&unknown),
        Err(Error::Venue(VenueError::ManualCodeUnknown))
    ));
    // Replays and tampering are refused.
    assert!(matches!(
        Registry::verify(&bytes, &keyset, now, Some(5)),
        Err(Error::Venue(VenueError::StaleUpdate))
    ));
    let mut flipped = bytes.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    assert!(matches!(
        Registry::verify(&flipped, &keyset, now, None),
        Err(Error::Venue(VenueError::BadSignature))
    ));
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .unwrap_or_else(|| panic!("{} not found", String::from_utf8_lossy(needle)))
}

/// The image inside a poster PDF, found through the cross-reference table the way a reader
/// finds it: every xref offset must point at its object, and object 4 is the page image.
fn pdf_image(pdf: &[u8]) -> (Vec<u8>, u32, u32) {
    assert!(pdf.starts_with(b"%PDF-1.4\n") && pdf.ends_with(b"%%EOF\n"));
    let tail = &pdf[pdf.len() - 64..];
    let tail = &tail[find(tail, b"startxref\n") + 10..];
    let startxref: usize = std::str::from_utf8(tail)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let table = std::str::from_utf8(&pdf[startxref..]).unwrap();
    let offsets: Vec<usize> = table
        .lines()
        .skip(3) // "xref", "0 N", the free entry
        .take_while(|l| l.ends_with(" n "))
        .map(|l| l[..10].parse().unwrap())
        .collect();
    assert_eq!(offsets.len(), 6);
    for (i, &off) in offsets.iter().enumerate() {
        assert!(
            pdf[off..].starts_with(format!("{} 0 obj\n", i + 1).as_bytes()),
            "object {}",
            i + 1
        );
    }
    let obj = &pdf[offsets[3]..offsets[4]];
    let dict_end = find(obj, b"stream\n");
    let dict = std::str::from_utf8(&obj[..dict_end]).unwrap();
    let num = |key: &str| -> usize {
        let rest = &dict[dict.find(key).unwrap() + key.len()..];
        rest.split_whitespace().next().unwrap().parse().unwrap()
    };
    let (w, h, len) = (num("/Width "), num("/Height "), num("/Length "));
    let data = &obj[dict_end + 7..dict_end + 7 + len];
    assert!(obj[dict_end + 7 + len..].starts_with(b"\nendstream"));
    let luma = miniz_oxide::inflate::decompress_to_vec_zlib(data).unwrap();
    assert_eq!(luma.len(), w * h);
    (luma, w as u32, h as u32)
}

#[test]
fn pdf_poster_is_a4_and_scans_back_to_the_same_venue() {
    let (sk, keyset) = signer();
    let dir = tempfile::tempdir().unwrap();
    let mut g = Gen(0x7064_6621);
    for i in 0..3 {
        let v = venue(&mut g);
        let code = venue::issue(&v, &sk).unwrap();
        let path = dir.path().join(format!("p{i}.pdf"));
        write_poster(&v, &code, &path, 72).unwrap();
        let pdf = std::fs::read(&path).unwrap();
        assert!(
            String::from_utf8_lossy(&pdf).contains("/MediaBox [0 0 595.28 841.89]"),
            "A4 in points"
        );
        let (luma, w, h) = pdf_image(&pdf);
        assert_eq!((w, h), (595, 842), "A4 at 72 dpi");
        let frame = scan::Frame::new(&luma, w, h, w).unwrap();
        let found = scan::scan_frame(&frame, None).unwrap();
        let text = found.iter().find_map(|c| c.text.clone()).unwrap();
        assert_eq!(text, code, "venue {i}");
        assert_eq!(
            venue::verify_with(&text, &keyset, v.not_before + 60).unwrap(),
            v
        );
    }
}
