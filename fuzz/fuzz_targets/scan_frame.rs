//! Fuzzes the frame scan (`scan::scan_frame_with`) over frame geometry and pixels. The
//! first bytes choose the width, row padding, height and an optional region of interest;
//! the rest is the luma plane. Mode bit 1 set passes the chosen height as it is, so
//! `Frame::new` sees buffers that are too short (its errors are exercised); otherwise the
//! height is clamped to the rows the buffer holds, so every input is a frame and reaches
//! the scan. Sides go up to 511 pixels (a strip 511 wide takes rxing's half-size pass); the
//! area is bounded by the input length (`fuzz/run.sh` caps it, since a scan's cost grows
//! with the area).
//!
//! Mode bits 2–5 choose the passes, run through `scan_frame_with` (the function the app's
//! `scan_frame` calls with every pass switched on): their value modulo 10 picks one of ten
//! groups (rxing on the frame, + smoothed, + half size, + contrast; rqrr adaptive, adaptive
//! at half size then full resolution, native, contrast, upscale; and rxing run after the
//! rqrr passes, on the cropped plane), with negatives when bit 6 is set and rxing's
//! every-row search when bit 7 is set. The passes are independent of each other (the full
//! pipeline runs them in order until one decodes), so each group reaches the same code as
//! the full pipeline for that pass. An earlier version also ran the whole pipeline for one
//! mode value; the corpus drifted to those inputs (95 % of it), which cost 8.6 ms each
//! against 0.4–3.8 ms for a group.
//!
//! Any panic that escapes the scan boundary is a finding; invalid geometry must be an
//! `Err`, never a panic. libfuzzer-sys installs a panic hook that aborts on every panic,
//! even one that the scan boundary catches (rqrr and rxing can panic inside, and `scan`
//! turns that into a miss). The target replaces that hook with a silent one, so only a
//! panic that escapes `scan_frame_with` is a finding (libfuzzer-sys aborts on it after
//! unwinding).
#![no_main]

use khaibao_core::scan::{Frame, Region, ScanOptions, scan_frame_with};
use libfuzzer_sys::fuzz_target;
use std::sync::Once;

static QUIET: Once = Once::new();

const HEADER: usize = 9;

fuzz_target!(|data: &[u8]| {
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let Some((header, pixels)) = data.split_first_chunk::<HEADER>() else {
        return;
    };
    let [w0, w1, h0, h1, pad, mode, rx, ry, rsize] = *header;
    let width = u32::from(u16::from_le_bytes([w0, w1]) % 512);
    let stride = width + u32::from(pad % 16);
    let mut height = u32::from(u16::from_le_bytes([h0, h1]) % 512);
    if mode & 2 == 0 && stride > 0 {
        // Whole rows the buffer holds (the last row needs only `width` bytes).
        let len = u32::try_from(pixels.len()).unwrap_or(u32::MAX);
        let rows = if len >= width {
            (len - width) / stride + 1
        } else {
            0
        };
        height = height.clamp(1, 511).min(rows);
    }
    let roi = (mode & 1 == 1).then(|| Region {
        x: u32::from(rx) % width.max(1),
        y: u32::from(ry) % height.max(1),
        width: u32::from(rsize).max(1),
        height: u32::from(rsize ^ 0x5a).max(1),
    });
    let Ok(frame) = Frame::new(pixels, width, height, stride) else {
        return;
    };
    let _ = scan_frame_with(&frame, roi, &passes(mode));
});

/// The pass group that mode bits 2–5 choose.
fn passes(mode: u8) -> ScanOptions {
    let none = ScanOptions {
        downscale: false,
        adaptive: false,
        inverted: mode & 0x40 != 0,
        full_resolution: false,
        native: false,
        contrast: false,
        upscale: false,
        rxing: false,
        try_harder: mode & 0x80 != 0,
        rxing_smoothed: false,
        rxing_downscale: false,
        rxing_contrast: false,
        rxing_first: true,
        budget: None,
    };
    let rxing = ScanOptions {
        rxing: true,
        ..none
    };
    match ((mode >> 2) & 0x0f) % 10 {
        0 => ScanOptions {
            rxing_first: false,
            rxing_smoothed: true,
            rxing_downscale: true,
            rxing_contrast: true,
            ..rxing
        },
        1 => rxing,
        2 => ScanOptions {
            rxing_smoothed: true,
            ..rxing
        },
        3 => ScanOptions {
            rxing_downscale: true,
            ..rxing
        },
        4 => ScanOptions {
            rxing_contrast: true,
            ..rxing
        },
        5 => ScanOptions {
            adaptive: true,
            ..none
        },
        6 => ScanOptions {
            adaptive: true,
            downscale: true,
            full_resolution: true,
            ..none
        },
        7 => ScanOptions {
            native: true,
            ..none
        },
        8 => ScanOptions {
            contrast: true,
            ..none
        },
        _ => ScanOptions {
            upscale: true,
            ..none
        },
    }
}
