//! Fuzzes `scan::scan_frame` over frame geometry and pixels: the first bytes choose width,
//! height, row stride and an optional region of interest, the rest are the luma plane.
//! Any panic that escapes the scan boundary is a finding; invalid geometry must be an
//! `Err`, never a panic.
//!
//! libfuzzer-sys installs a panic hook that aborts on every panic, even one that the scan
//! boundary catches (rqrr and rxing can panic inside, and `scan` turns that into a miss).
//! The target replaces that hook with a silent one, so only a panic that escapes
//! `scan_frame` is a finding (libfuzzer-sys aborts on it after unwinding).
#![no_main]

use khaibao_core::scan::{Frame, Region, scan_frame};
use libfuzzer_sys::fuzz_target;
use std::sync::Once;

static QUIET: Once = Once::new();

fuzz_target!(|data: &[u8]| {
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    if data.len() < 9 {
        return;
    }
    let width = u32::from(u16::from_le_bytes([data[0], data[1]]) % 512);
    let height = u32::from(u16::from_le_bytes([data[2], data[3]]) % 512);
    let stride = width + u32::from(data[4] % 16);
    let roi = (data[5] & 1 == 1).then(|| Region {
        x: u32::from(data[6]) % width.max(1),
        y: u32::from(data[7]) % height.max(1),
        width: u32::from(data[8]).max(1),
        height: u32::from(data[8] ^ 0x5a).max(1),
    });
    let pixels = &data[9..];
    if let Ok(frame) = Frame::new(pixels, width, height, stride) {
        let _ = scan_frame(&frame, roi);
    }
});
