//! The stream scanner on sequences of frames: no code then a code (reported once), frames
//! without a code (cheap: counted passes, not wall time), codes only the expensive passes
//! read (read within a few frames), and random sequences (no panic, no payload twice).

use super::*;
use crate::scan::tests::{Canvas, URL, untimed};
use rand::{Rng, SeedableRng};

/// A frame without a code: a gradient, noise, stripes or a lone finder-like square.
fn empty(kind: usize, w: u32, h: u32, rng: &mut impl Rng) -> Canvas {
    let mut c = Canvas::blank(w, h, 200);
    for y in 0..h {
        for x in 0..w {
            let v = match kind % 4 {
                0 => (x * 255 / w) as u8 / 2 + 60,
                1 => rng.random_range(80..=200),
                2 => {
                    if (x / 9) % 2 == 0 {
                        40
                    } else {
                        210
                    }
                }
                _ => {
                    // One finder-like square, 7 modules of 5 pixels.
                    let (mx, my) = (
                        (i64::from(x) - 40).div_euclid(5),
                        (i64::from(y) - 30).div_euclid(5),
                    );
                    let ring = mx.min(my).min(6 - mx).min(6 - my);
                    if (0..7).contains(&mx) && (0..7).contains(&my) && ring != 1 {
                        20
                    } else {
                        220
                    }
                }
            };
            c.px[(y * w + x) as usize] = v;
        }
    }
    c
}

fn scan(scanner: &mut Scanner, c: &Canvas, stride: u32) -> Vec<ScannedCode> {
    let data = c.padded(stride, 7);
    let frame = Frame::new(&data, c.w, c.h, stride).unwrap();
    scanner.scan(&frame, None).unwrap()
}

/// Untimed options: the results do not depend on machine load.
fn scanner() -> Scanner {
    Scanner::with_options(untimed())
}

#[test]
fn frames_without_a_code_then_a_code_report_the_payload_exactly_once() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut s = scanner();
    let mut reported = Vec::new();
    for i in 0..12 {
        reported.extend(scan(&mut s, &empty(i, 320, 240, &mut rng), 352));
    }
    assert!(reported.is_empty());
    for i in 0..10 {
        let c = Canvas::with_code(320, 240, URL, 4, 40 + 3 * i, 30 + 2 * i);
        reported.extend(scan(&mut s, &c, 352));
    }
    let texts: Vec<_> = reported.iter().filter_map(|c| c.text.as_deref()).collect();
    assert_eq!(texts, [URL]);
    assert_eq!(s.stats().reported, 1);
    assert_eq!(s.stats().frames, 22);
    // The frames after the first decode looked at the code's region first.
    assert!(s.stats().focus_passes >= 9, "{:?}", s.stats());
}

#[test]
fn frames_without_a_code_get_one_cheap_pass_and_rarely_an_expensive_one() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let mut s = scanner();
    let frames = 60;
    for i in 0..frames {
        assert!(scan(&mut s, &empty(i as usize, 320, 240, &mut rng), 320).is_empty());
    }
    let stats = s.stats();
    assert_eq!(stats.frames, frames);
    assert_eq!(stats.cheap_passes, frames);
    assert_eq!(stats.focus_passes, 0);
    assert!(stats.deep_passes <= frames / IDLE_EVERY, "{stats:?}");
    assert_eq!(stats.reported, 0);
    // scan_frame on the same frames runs every pass.
    let c = empty(1, 320, 240, &mut rng);
    let frame = Frame::new(&c.px, c.w, c.h, c.w).unwrap();
    let still = crate::scan::scan_frame_with(&frame, None, &untimed()).unwrap();
    assert!(still.passes >= 10, "{}", still.passes);
}

#[test]
fn codes_only_the_expensive_passes_read_are_read_within_a_few_frames() {
    let low = Canvas::with_code(320, 240, URL, 4, 60, 30).map(|v| if v < 128 { 118 } else { 128 });
    let inverted = Canvas::with_code(320, 240, URL, 4, 60, 30).map(|v| 255 - v);
    for c in [low, inverted] {
        let mut s = scanner();
        let mut first = None;
        for i in 0..(IDLE_EVERY as usize * IDLE_STEPS + 2) {
            if !scan(&mut s, &c, 320).is_empty() {
                first = Some(i);
                break;
            }
        }
        let first = first.expect("read within a few frames");
        assert!(first < IDLE_EVERY as usize * IDLE_STEPS, "frame {first}");
    }
}

#[test]
fn a_payload_is_reported_again_after_it_has_left_the_view_and_after_reset() {
    let code = Canvas::with_code(320, 240, URL, 4, 40, 30);
    let blank = Canvas::blank(320, 240, 180);
    let mut s = scanner();
    assert_eq!(scan(&mut s, &code, 320).len(), 1);
    assert!(scan(&mut s, &code, 320).is_empty());
    for _ in 0..REPORT_AGAIN_AFTER {
        assert!(scan(&mut s, &blank, 320).is_empty());
    }
    assert_eq!(scan(&mut s, &code, 320).len(), 1);
    s.reset();
    assert_eq!(scan(&mut s, &code, 320).len(), 1);
}

#[test]
fn random_sequences_never_panic_nor_report_a_payload_twice_in_view() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    for round in 0..4 {
        let mut s = Scanner::new();
        let mut reported = 0;
        for i in 0..20 {
            let (w, h) = (rng.random_range(1..200), rng.random_range(1..160));
            let stride = w + rng.random_range(0..9);
            let mut data: Vec<u8> = (0..stride * h).map(|_| rng.random()).collect();
            if rng.random_bool(0.3) && w >= 160 && h >= 140 {
                let c = Canvas::with_code(w, h, URL, 4, 2, 2);
                data = c.padded(stride, 0);
            }
            let roi = rng.random_bool(0.3).then(|| Region {
                x: rng.random_range(0..w),
                y: rng.random_range(0..h),
                width: rng.random_range(1..=w),
                height: rng.random_range(1..=h),
            });
            let frame = Frame::new(&data, w, h, stride).unwrap();
            match s.scan(&frame, roi) {
                Ok(codes) => {
                    assert!(
                        codes.iter().all(|c| c.bytes == URL.as_bytes()),
                        "round {round} frame {i}"
                    );
                    reported += codes.len();
                }
                Err(e) => assert!(roi.is_some(), "{e:?}"),
            }
        }
        // Never more reports than appearances separated by absences, and at most one a
        // frame: here, at most once in 20 frames (REPORT_AGAIN_AFTER is longer).
        assert!(reported <= 1, "round {round}: {reported}");
    }
}
