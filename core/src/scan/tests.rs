//! Tests of the scan pipeline on QR images made here with the `qrcode` crate: row stride,
//! region of interest, inverted, rotated, low-contrast, small-module and code-free frames,
//! and random garbage that must never panic.

#![allow(clippy::many_single_char_names)]

use super::*;
use crate::error::ScanError;

/// A luma canvas holding one QR code of `text` with `module`-pixel modules at (`x`, `y`).
pub(super) struct Canvas {
    pub(super) w: u32,
    pub(super) h: u32,
    pub(super) px: Vec<u8>,
}

impl Canvas {
    pub(super) fn blank(w: u32, h: u32, v: u8) -> Self {
        Self {
            w,
            h,
            px: vec![v; (w * h) as usize],
        }
    }

    pub(super) fn with_code(w: u32, h: u32, text: &str, module: u32, x: u32, y: u32) -> Self {
        let mut c = Self::blank(w, h, 255);
        c.draw(text, module, x, y);
        c
    }

    pub(super) fn draw(&mut self, text: &str, module: u32, x0: u32, y0: u32) {
        self.draw_code(
            &qrcode::QrCode::new(text.as_bytes()).unwrap(),
            module,
            x0,
            y0,
        );
    }

    fn draw_code(&mut self, code: &qrcode::QrCode, module: u32, x0: u32, y0: u32) {
        let n = code.width() as u32;
        let colors = code.to_colors();
        for my in 0..n {
            for mx in 0..n {
                let dark = colors[(my * n + mx) as usize] == qrcode::Color::Dark;
                for dy in 0..module {
                    for dx in 0..module {
                        let (x, y) = (x0 + mx * module + dx, y0 + my * module + dy);
                        self.px[(y * self.w + x) as usize] = if dark { 0 } else { 255 };
                    }
                }
            }
        }
    }

    pub(super) fn map(mut self, f: impl Fn(u8) -> u8) -> Self {
        for v in &mut self.px {
            *v = f(*v);
        }
        self
    }

    /// Rotated by `deg` about the centre (bilinear), corners filled with white.
    fn rotated(&self, deg: f32) -> Self {
        let (s, c) = deg.to_radians().sin_cos();
        let (cx, cy) = (self.w as f32 / 2.0, self.h as f32 / 2.0);
        let mut out = Self::blank(self.w, self.h, 255);
        for y in 0..self.h {
            for x in 0..self.w {
                let (dx, dy) = (x as f32 - cx, y as f32 - cy);
                let sx = c * dx + s * dy + cx;
                let sy = -s * dx + c * dy + cy;
                if sx < 0.0 || sy < 0.0 || sx >= (self.w - 1) as f32 || sy >= (self.h - 1) as f32 {
                    continue;
                }
                let (x0, y0) = (sx as u32, sy as u32);
                let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
                let p = |x: u32, y: u32| f32::from(self.px[(y * self.w + x) as usize]);
                let v = p(x0, y0) * (1.0 - fx) * (1.0 - fy)
                    + p(x0 + 1, y0) * fx * (1.0 - fy)
                    + p(x0, y0 + 1) * (1.0 - fx) * fy
                    + p(x0 + 1, y0 + 1) * fx * fy;
                out.px[(y * self.w + x) as usize] = v.round() as u8;
            }
        }
        out
    }

    /// Scans with every pass and no time budget, so results do not depend on machine load.
    fn scan(&self) -> Vec<ScannedCode> {
        let frame = Frame::new(&self.px, self.w, self.h, self.w).unwrap();
        scan_frame_with(&frame, None, &untimed()).unwrap().codes
    }

    fn outcome(&self, options: &ScanOptions) -> ScanOutcome {
        let frame = Frame::new(&self.px, self.w, self.h, self.w).unwrap();
        scan_frame_with(&frame, None, options).unwrap()
    }

    /// The pixels with every row padded to `stride` bytes of `fill`.
    pub(super) fn padded(&self, stride: u32, fill: u8) -> Vec<u8> {
        let mut padded = vec![fill; (stride * self.h) as usize];
        for y in 0..self.h {
            let row = (y * stride) as usize;
            padded[row..row + self.w as usize]
                .copy_from_slice(&self.px[(y * self.w) as usize..((y + 1) * self.w) as usize]);
        }
        padded
    }

    fn texts(&self) -> Vec<String> {
        self.scan().into_iter().filter_map(|c| c.text).collect()
    }
}

/// Every pass, no time budget (test machines are slow and loaded).
pub(super) fn untimed() -> ScanOptions {
    ScanOptions {
        budget: None,
        ..ScanOptions::default()
    }
}

/// Only the rqrr passes (the second-chance decoder), no time budget.
fn rqrr_only() -> ScanOptions {
    ScanOptions {
        rxing: false,
        ..untimed()
    }
}

pub(super) const URL: &str = "https://khaibao.example/v/0123456789?p=79&k=abcdef";

#[test]
fn decodes_a_plain_frame_with_corners_in_frame_coordinates() {
    let c = Canvas::with_code(640, 480, URL, 4, 200, 100);
    let got = c.scan();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].text.as_deref(), Some(URL));
    assert_eq!(got[0].bytes, URL.as_bytes());
    let side = (qrcode::QrCode::new(URL.as_bytes()).unwrap().width() as i32) * 4;
    let tl = got[0].corners[0];
    let br = got[0].corners[2];
    assert!((tl.x - 200).abs() <= 4 && (tl.y - 100).abs() <= 4, "{tl:?}");
    assert!(
        (br.x - (200 + side)).abs() <= 4 && (br.y - (100 + side)).abs() <= 4,
        "{br:?}"
    );
}

#[test]
fn decodes_a_large_frame_through_the_pyramid() {
    let c = Canvas::with_code(1280, 720, URL, 6, 500, 150);
    let out = c.outcome(&rqrr_only());
    assert_eq!(out.pass, Some("adaptive"));
    assert_eq!(out.codes[0].text.as_deref(), Some(URL));
    // Corners are scaled back from the half-size plane.
    assert!((out.codes[0].corners[0].x - 500).abs() <= 6);
}

#[test]
fn honours_row_stride() {
    let c = Canvas::with_code(300, 260, "stride test", 4, 60, 40);
    let stride = c.w + 37;
    let mut padded = c.padded(stride, 0);
    // The last row may stop right after its last pixel.
    padded.truncate(((c.h - 1) * stride + c.w) as usize);
    let frame = Frame::new(&padded, c.w, c.h, stride).unwrap();
    let got = scan_frame(&frame, None).unwrap();
    assert_eq!(got[0].text.as_deref(), Some("stride test"));
}

#[test]
fn region_of_interest_limits_the_search_and_offsets_corners() {
    let mut c = Canvas::with_code(640, 480, "left code", 4, 20, 100);
    c.draw("right code", 4, 400, 100);
    let frame = Frame::new(&c.px, c.w, c.h, c.w).unwrap();
    let right = Region {
        x: 320,
        y: 0,
        width: 320,
        height: 480,
    };
    let got = scan_frame(&frame, Some(right)).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].text.as_deref(), Some("right code"));
    assert!((got[0].corners[0].x - 400).abs() <= 4);
    let empty = Region {
        x: 0,
        y: 0,
        width: 15,
        height: 480,
    };
    assert!(scan_frame(&frame, Some(empty)).unwrap().is_empty());
    let mut all = c.texts();
    all.sort();
    assert_eq!(all, ["left code", "right code"]);
}

#[test]
fn reads_inverted_codes_only_with_the_inverted_pass() {
    let c = Canvas::with_code(400, 300, URL, 3, 80, 60).map(|v| 255 - v);
    let out = c.outcome(&untimed());
    assert_eq!(out.pass, Some("rxing-inverted"));
    assert_eq!(out.codes[0].text.as_deref(), Some(URL));
    assert_eq!(c.outcome(&rqrr_only()).pass, Some("inverted"));
    for options in [untimed(), rqrr_only()] {
        let without = ScanOptions {
            inverted: false,
            ..options
        };
        assert!(c.outcome(&without).codes.is_empty());
    }
}

#[test]
fn reads_codes_rotated_by_quarter_turns_and_small_angles() {
    let c = Canvas::with_code(400, 400, URL, 4, 100, 100);
    for deg in [90.0, 180.0, 270.0, 7.0, -13.0, 33.0] {
        assert_eq!(c.rotated(deg).texts(), [URL], "rotated by {deg}");
    }
}

#[test]
fn reads_low_contrast_codes() {
    // Ink and paper 10 luma levels apart, on a mid-grey page.
    let c = Canvas::with_code(400, 300, URL, 4, 80, 40).map(|v| if v < 128 { 118 } else { 128 });
    assert_eq!(c.texts(), [URL]);
}

#[test]
fn reads_two_pixel_modules_at_an_angle() {
    let c = Canvas::with_code(400, 300, URL, 2, 120, 80).rotated(20.0);
    assert_eq!(c.texts(), [URL]);
}

#[test]
fn frames_without_a_code_are_empty_not_errors() {
    for c in [
        Canvas::blank(640, 480, 0),
        Canvas::blank(640, 480, 255),
        Canvas::blank(3, 1, 9),
        Canvas::blank(1280, 720, 128).map(|v| v / 2),
    ] {
        assert!(c.scan().is_empty());
    }
    // Stripes and a checkerboard: edges everywhere, no finder patterns.
    let mut stripes = Canvas::blank(320, 240, 255);
    for (i, v) in stripes.px.iter_mut().enumerate() {
        let (x, y) = (i % 320, i / 320);
        *v = if (x / 5 + y / 9) % 2 == 0 { 20 } else { 230 };
    }
    assert!(stripes.scan().is_empty());
}

#[test]
fn an_exhausted_budget_stops_after_the_first_pass() {
    let c = Canvas::blank(640, 480, 200);
    let frame = Frame::new(&c.px, c.w, c.h, c.w).unwrap();
    let all = scan_frame_with(&frame, None, &untimed()).unwrap();
    assert!(all.passes > 3);
    let none_left = ScanOptions {
        budget: Some(Duration::ZERO),
        ..untimed()
    };
    assert_eq!(scan_frame_with(&frame, None, &none_left).unwrap().passes, 1);
}

#[test]
fn rejects_inconsistent_geometry() {
    let buf = vec![0u8; 100];
    assert!(Frame::new(&buf, 10, 11, 10).is_err());
    assert!(Frame::new(&buf, 10, 10, 9).is_err());
    assert!(Frame::new(&buf, 0, 10, 10).is_err());
    assert!(Frame::new(&buf, MAX_SIDE + 1, 1, MAX_SIDE + 1).is_err());
    let frame = Frame::new(&buf, 10, 10, 10).unwrap();
    let outside = Region {
        x: 5,
        y: 5,
        width: 6,
        height: 1,
    };
    assert!(scan_frame(&frame, Some(outside)).is_err());
    assert!(matches!(
        scan_image(b"not an image"),
        Err(Error::Scan(ScanError::Image))
    ));
}

#[test]
fn random_garbage_frames_never_panic() {
    // xorshift: deterministic noise, blocky noise and fake finder-like blobs.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..24 {
        let w = 1 + (next() % 300) as u32;
        let h = 1 + (next() % 300) as u32;
        let stride = w + (next() % 8) as u32;
        let block = 1 + (round % 6) as usize;
        let len = (stride * h) as usize;
        let mut px = vec![0u8; len];
        let mut v = 0u8;
        for (i, p) in px.iter_mut().enumerate() {
            if i % block == 0 {
                v = next() as u8;
            }
            *p = if round % 2 == 0 { v } else { v & 0x80 };
        }
        let frame = Frame::new(&px, w, h, stride).unwrap();
        let _ = scan_frame(&frame, None).unwrap();
    }
}

#[test]
fn encoded_images_decode_through_scan_image() {
    let c = Canvas::with_code(200, 200, "png path", 4, 40, 40);
    let img = image::GrayImage::from_raw(c.w, c.h, c.px.clone()).unwrap();
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let got = scan_image(&png).unwrap();
    assert_eq!(got[0].text.as_deref(), Some("png path"));
}

#[test]
fn rxing_reads_first_and_rqrr_is_the_second_chance() {
    let c = Canvas::with_code(640, 480, URL, 4, 200, 100);
    assert_eq!(c.outcome(&ScanOptions::default()).pass, Some("rxing"));
    let rqrr = c.outcome(&rqrr_only());
    assert_eq!(rqrr.pass, Some("adaptive"));
    assert_eq!(rqrr.codes[0].bytes, URL.as_bytes());
    let late = ScanOptions {
        rxing_first: false,
        ..untimed()
    };
    assert_eq!(c.outcome(&late).pass, Some("adaptive"));
}

#[test]
fn rxing_reads_a_borrowed_frame_with_whole_padded_rows_and_a_region() {
    // Every row padded to the stride, including the last: rxing reads the buffer in place.
    let c = Canvas::with_code(500, 400, "padded rows", 3, 260, 210);
    let stride = c.w + 64;
    let padded = c.padded(stride, 77);
    let frame = Frame::new(&padded, c.w, c.h, stride).unwrap();
    let roi = Region {
        x: 240,
        y: 190,
        width: 260,
        height: 210,
    };
    let out = scan_frame_with(&frame, Some(roi), &untimed()).unwrap();
    assert_eq!(out.pass, Some("rxing"));
    assert_eq!(out.codes[0].text.as_deref(), Some("padded rows"));
    let tl = out.codes[0].corners[0];
    assert!((tl.x - 260).abs() <= 3 && (tl.y - 210).abs() <= 3, "{tl:?}");
    // A region that cuts the code in half finds nothing.
    let half = Region { width: 50, ..roi };
    assert!(scan_frame(&frame, Some(half)).unwrap().is_empty());
}

#[test]
fn two_codes_in_one_frame_are_both_returned() {
    let mut c = Canvas::with_code(640, 480, "first code", 4, 20, 100);
    c.draw("second code", 4, 400, 100);
    let out = c.outcome(&untimed());
    assert_eq!(out.pass, Some("rxing"));
    let mut texts: Vec<_> = out.codes.into_iter().filter_map(|c| c.text).collect();
    texts.sort();
    assert_eq!(texts, ["first code", "second code"]);
}

#[test]
fn nearly_flat_low_contrast_codes_are_read_by_the_smoothed_threshold() {
    // Ink 12 levels under the paper on a dark-grey page with a brighter scene around it:
    // every 8×8 block inside the code is nearly flat for zxing's hybrid binarizer.
    let mut c = Canvas::with_code(480, 360, URL, 4, 100, 60).map(|v| if v < 128 { 84 } else { 96 });
    for (i, v) in c.px.iter_mut().enumerate() {
        if i % 480 < 40 {
            *v = 220;
        }
    }
    let out = c.outcome(&untimed());
    assert_eq!(out.codes.len(), 1, "pass {:?}", out.pass);
    assert_eq!(out.codes[0].text.as_deref(), Some(URL));
    assert!(
        out.pass.is_some_and(|p| p.starts_with("rxing")),
        "{:?}",
        out.pass
    );
}

/// A QR code built from explicit segments (for ECI and kanji payloads).
fn segments(build: impl FnOnce(&mut qrcode::bits::Bits)) -> qrcode::QrCode {
    let mut bits = qrcode::bits::Bits::new(qrcode::Version::Normal(4));
    build(&mut bits);
    bits.push_terminator(qrcode::EcLevel::M).unwrap();
    qrcode::QrCode::with_bits(bits, qrcode::EcLevel::M).unwrap()
}

/// A QR code of `data` in one byte segment under ECI `designator`.
fn eci(designator: u32, data: &[u8]) -> qrcode::QrCode {
    segments(|b| {
        b.push_eci_designator(designator).unwrap();
        b.push_byte_data(data).unwrap();
    })
}

/// Draws each code alone, reads it with rxing's first pass and checks its bytes and text.
fn reads_first_time<B: AsRef<[u8]>>(
    cases: impl IntoIterator<Item = (qrcode::QrCode, B, Option<&'static str>)>,
) {
    for (code, bytes, text) in cases {
        let bytes = bytes.as_ref();
        let mut c = Canvas::blank(400, 300, 255);
        c.draw_code(&code, 4, 100, 60);
        let out = c.outcome(&untimed());
        assert_eq!(out.pass, Some("rxing"));
        assert_eq!(out.codes[0].bytes, bytes);
        assert_eq!(out.codes[0].text.as_deref(), text, "{bytes:02x?}");
    }
}

#[test]
fn text_follows_eci_and_shift_jis_and_binary_has_none() {
    // "日本語テキスト" in Shift_JIS.
    let sjis: &[u8] = &[
        0x93, 0xfa, 0x96, 0x7b, 0x8c, 0xea, 0x83, 0x65, 0x83, 0x4c, 0x83, 0x58, 0x83, 0x67,
    ];
    let cases: [(qrcode::QrCode, &[u8], Option<&str>); 3] = [
        (eci(20, sjis), sjis, Some("日本語テキスト")), // ECI 20 is Shift_JIS
        (
            segments(|b| {
                b.push_kanji_data(sjis).unwrap();
            }),
            sjis,
            Some("日本語テキスト"),
        ),
        (
            segments(|b| {
                b.push_byte_data(&[0x00, 0xff, 0x80, 0x10, 0xfe, 0x81])
                    .unwrap();
            }),
            &[0x00, 0xff, 0x80, 0x10, 0xfe, 0x81],
            None,
        ),
    ];
    reads_first_time(cases);
}

#[test]
fn text_in_other_declared_sets_and_none_for_sets_not_read() {
    // "Привет" in ISO-8859-5; "ü€" in UTF-16BE; one kanji ("日") alone; "中文" in Big5;
    // ISO-8859-2 then Shift_JIS in one symbol (two ECIs).
    let cyrillic: &[u8] = &[0xbf, 0xe0, 0xd8, 0xd2, 0xd5, 0xe2];
    let utf16: &[u8] = &[0x00, 0xfc, 0x20, 0xac];
    let kanji: &[u8] = &[0x93, 0xfa];
    let big5: &[u8] = &[0xa4, 0xa4, 0xa4, 0xe5];
    let cases: [(qrcode::QrCode, Vec<u8>, Option<&str>); 5] = [
        (eci(7, cyrillic), cyrillic.to_vec(), Some("Привет")),
        (eci(25, utf16), utf16.to_vec(), Some("ü€")),
        (
            segments(|b| b.push_kanji_data(kanji).unwrap()),
            kanji.to_vec(),
            Some("日"),
        ),
        (eci(28, big5), big5.to_vec(), None),
        (
            segments(|b| {
                b.push_eci_designator(4).unwrap();
                b.push_byte_data(&[0xb1]).unwrap();
                b.push_eci_designator(20).unwrap();
                b.push_byte_data(kanji).unwrap();
            }),
            [&[0xb1][..], kanji].concat(),
            None,
        ),
    ];
    reads_first_time(cases);
}

#[test]
fn a_passed_deadline_stops_each_decoder_before_any_finder_group() {
    let c = Canvas::with_code(320, 240, URL, 4, 40, 20);
    let frame = Frame::new(&c.px, c.w, c.h, c.w).unwrap();
    let whole = Region {
        x: 0,
        y: 0,
        width: c.w,
        height: c.h,
    };
    let plane = Plane::crop(&frame, whole);
    let bits = binarize::hybrid(&plane, 24);
    let map = Mapping {
        scale: 1.0,
        offset_x: 0,
        offset_y: 0,
    };
    let passes = rxing_qr::Passes {
        try_harder: true,
        inverted: false,
    };
    let open = Deadline::after(Instant::now(), None);
    for (deadline, codes) in [(open, 1), (Deadline::passed(), 0)] {
        let source = rxing_qr::plane_source(&plane).unwrap();
        let view = rxing_qr::plane_view(&plane).unwrap();
        let found = rxing_qr::decode(
            rxing_qr::Input::Luma(source, view),
            passes,
            Polarity::Both,
            map,
            &mut || true,
            deadline,
        )
        .codes;
        assert_eq!(found.len(), codes, "rxing");
        let found = decode::bitmap(plane.width, plane.height, &bits, false, map, deadline);
        assert_eq!(found.len(), codes, "rqrr on our threshold");
        assert_eq!(
            decode::native(&plane, map, deadline).len(),
            codes,
            "rqrr's own threshold"
        );
    }
}
