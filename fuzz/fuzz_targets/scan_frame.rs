//! Fuzzes `scan::scan_frame` over frame geometry and pixels. The first bytes choose the
//! width, row padding, height and an optional region of interest; the rest is the luma
//! plane. Mode bit 1 set passes the chosen height as it is, so `Frame::new` sees buffers
//! that are too short (its errors are exercised); otherwise the height is clamped to the
//! rows the buffer holds, so every input is a frame and reaches the scan. Sides go up to
//! 511 pixels (a strip 511 wide takes rxing's half-size pass); the area is bounded by the
//! input length (`fuzz/run.sh` caps it, since a scan's cost grows with the area).
//!
//! Any panic that escapes the scan boundary is a finding; invalid geometry must be an
//! `Err`, never a panic. libfuzzer-sys installs a panic hook that aborts on every panic,
//! even one that the scan boundary catches (rqrr and rxing can panic inside, and `scan`
//! turns that into a miss). The target replaces that hook with a silent one, so only a
//! panic that escapes `scan_frame` is a finding (libfuzzer-sys aborts on it after
//! unwinding).
#![no_main]

use khaibao_core::scan::{Frame, Region, scan_frame};
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
    if let Ok(frame) = Frame::new(pixels, width, height, stride) {
        let _ = scan_frame(&frame, roi);
    }
});
