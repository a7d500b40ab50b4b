//! Criterion benchmarks of `scan::scan_frame` on camera-sized frames (1280×720 and 640×480),
//! each with a code (hit: the first pass that decodes returns) and without one (miss: every
//! pass runs until the budget), and a hostile frame tiled with finder patterns (thousands of
//! candidate groups for both decoders: the deadline past the budget ends it). The frames
//! are made here, so the bench needs no corpus.

use criterion::{Criterion, criterion_group, criterion_main};
use khaibao_core::scan::{Frame, scan_frame};
use std::hint::black_box;

const URL: &str = "https://khaibao.example/v/0123456789abcdef?p=79&k=base64urlsignature";

/// A camera-like frame: a soft gradient background with mild noise, plus an optional code.
fn frame(w: u32, h: u32, module: u32, with_code: bool) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut px: Vec<u8> = (0..w * h)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let (x, y) = (i % w, i / w);
            (90 + x * 80 / w + y * 40 / h + (state % 12) as u32) as u8
        })
        .collect();
    if with_code {
        let Ok(code) = qrcode::QrCode::new(URL.as_bytes()) else {
            return px;
        };
        let n = code.width() as u32;
        let colors = code.to_colors();
        let (x0, y0) = ((w - n * module) / 2, (h - n * module) / 2);
        let quiet = 4 * module;
        for y in y0 - quiet..y0 + n * module + quiet {
            for x in x0 - quiet..x0 + n * module + quiet {
                let inside = x >= x0 && y >= y0 && x < x0 + n * module && y < y0 + n * module;
                let dark = inside
                    && colors[(((y - y0) / module) * n + (x - x0) / module) as usize]
                        == qrcode::Color::Dark;
                px[(y * w + x) as usize] = if dark { 40 } else { 215 };
            }
        }
    }
    px
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("scan_frame");
    for (w, h, module) in [(1280u32, 720u32, 7u32), (640, 480, 4)] {
        for hit in [true, false] {
            let px = frame(w, h, module, hit);
            let Ok(f) = Frame::new(&px, w, h, w) else {
                continue;
            };
            let name = format!("{w}x{h}_{}", if hit { "hit" } else { "miss" });
            group.bench_function(name, |b| b.iter(|| scan_frame(black_box(&f), None)));
        }
    }
    group.finish();

    let mut group = c.benchmark_group("scan_frame_hostile");
    group.sample_size(10);
    for (w, h, module, spacing) in [(1280u32, 720u32, 2u32, 24u32), (640, 480, 3, 40)] {
        let (px, patterns) = finder_tiles(w, h, module, spacing);
        let Ok(f) = Frame::new(&px, w, h, w) else {
            continue;
        };
        let name = format!("{w}x{h}_{patterns}_finder_patterns");
        group.bench_function(name, |b| b.iter(|| scan_frame(black_box(&f), None)));
    }
    group.finish();
}

/// A white frame tiled with finder patterns (`module`-pixel modules, one every `spacing`
/// pixels across and down), as a hostile poster could be; returns the pixels and the count.
fn finder_tiles(w: u32, h: u32, module: u32, spacing: u32) -> (Vec<u8>, u32) {
    let mut px = vec![230u8; (w * h) as usize];
    let mut count = 0;
    for y0 in (8..h.saturating_sub(7 * module + 1)).step_by(spacing as usize) {
        for x0 in (8..w.saturating_sub(7 * module + 1)).step_by(spacing as usize) {
            count += 1;
            for my in 0..7u32 {
                for mx in 0..7u32 {
                    // Rings 0 and 2–3 dark, ring 1 light: the 1:1:3:1:1 finder pattern.
                    if mx.min(my).min(6 - mx).min(6 - my) == 1 {
                        continue;
                    }
                    for dy in 0..module {
                        let row = ((y0 + my * module + dy) * w + x0 + mx * module) as usize;
                        px[row..row + module as usize].fill(25);
                    }
                }
            }
        }
    }
    (px, count)
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
