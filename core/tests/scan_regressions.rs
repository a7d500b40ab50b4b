//! Frames found by fuzzing the scan (`fuzz/fuzz_targets/scan_frame.rs`), replayed through
//! the same passes. Each data file is the fuzzer's input as found: a 9-byte header (width,
//! height, padding, mode, region) and then the luma plane.

#![allow(clippy::unwrap_used)] // test code

use khaibao_core::scan::{Frame, ScanOptions, scan_frame, scan_frame_with};

/// No pass switched on, no time budget (so the outcome does not depend on machine load).
fn no_pass() -> ScanOptions {
    ScanOptions {
        downscale: false,
        adaptive: false,
        inverted: false,
        full_resolution: false,
        native: false,
        contrast: false,
        upscale: false,
        rxing: false,
        try_harder: false,
        rxing_smoothed: false,
        rxing_downscale: false,
        rxing_contrast: false,
        rxing_first: true,
        budget: None,
    }
}

/// A 58x58 frame whose finder-like blobs form a degenerate group: rqrr estimated an
/// alignment pattern of about 2^31 pixels and walked a spiral of up to 10^11 steps around
/// it, seconds of CPU for one frame on the upscale pass (a fuzzer timeout). The patched
/// rqrr (third_party/rqrr/PATCHES.md) skips the positions outside the image; its own tests
/// prove the walk finds the same alignment patterns as before and ends on any estimate.
#[test]
fn degenerate_finder_group_with_a_huge_alignment_estimate() {
    let input = include_bytes!("data/scan/spiral-58x58.bin");
    assert_eq!(
        &input[..6],
        &[58, 0, 58, 0, 0, 36],
        "58x58, no padding, the upscale pass"
    );
    let frame = Frame::new(&input[9..], 58, 58, 58).unwrap();

    let upscale = ScanOptions {
        upscale: true,
        ..no_pass()
    };
    let found = scan_frame_with(&frame, None, &upscale).unwrap();
    assert!(found.codes.is_empty(), "no QR code in this frame");
    assert_eq!(found.passes, 1);

    // Every rqrr pass and the app's default pipeline on the same frame.
    let rqrr = ScanOptions {
        rxing: false,
        budget: None,
        ..ScanOptions::default()
    };
    assert!(
        scan_frame_with(&frame, None, &rqrr)
            .unwrap()
            .codes
            .is_empty()
    );
    assert!(scan_frame(&frame, None).unwrap().is_empty());
}
