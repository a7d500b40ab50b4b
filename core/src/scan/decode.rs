//! The boundary to rqrr: hands it a binarized plane (or a luma plane for its own
//! thresholding), decodes every grid it finds, and maps the corners back to frame
//! coordinates. Every call runs under `catch_unwind`, so a panic inside rqrr is a miss.

use super::pyramid::Plane;
use super::{Deadline, Point, ScannedCode};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Decodes every grid of a prepared rqrr image, trying candidate groups of finder patterns
/// until the deadline. A macro because rqrr's buffer type is not nameable outside the crate.
macro_rules! collect {
    ($img:expr, $map:expr, $deadline:expr) => {{
        let map: Mapping = $map;
        let deadline: Deadline = $deadline;
        let mut out: Vec<ScannedCode> = Vec::new();
        for grid in $img.detect_grids_while(&mut || deadline.open()) {
            let mut bytes = Vec::new();
            if grid.decode_to(&mut bytes).is_err() {
                continue;
            }
            if out.iter().any(|c| c.bytes == bytes) {
                continue;
            }
            let corners = grid
                .bounds
                .iter()
                .map(|p| Point {
                    x: map.offset_x as i32 + (p.x as f32 * map.scale).round() as i32,
                    y: map.offset_y as i32 + (p.y as f32 * map.scale).round() as i32,
                })
                .collect();
            let text = String::from_utf8(bytes.clone()).ok();
            out.push(ScannedCode {
                bytes,
                text,
                corners,
            });
        }
        out
    }};
}

/// How a pass's pixel coordinates map back to the frame: `frame = offset + pass * scale`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mapping {
    pub(crate) scale: f32,
    pub(crate) offset_x: u32,
    pub(crate) offset_y: u32,
}

/// Decodes a bitmap (1 = black), or its negative when `invert` is set.
pub(crate) fn bitmap(
    width: usize,
    height: usize,
    bits: &[u8],
    invert: bool,
    map: Mapping,
    deadline: Deadline,
) -> Vec<ScannedCode> {
    guarded(|| {
        let flip = u8::from(invert);
        let mut img = rqrr::PreparedImage::prepare_from_bitmap(width, height, |x, y| {
            bits.get(y * width + x).is_some_and(|&b| b ^ flip == 1)
        });
        collect!(img, map, deadline)
    })
}

/// Decodes a luma plane with rqrr's own binarizer (a running row mean).
pub(crate) fn native(plane: &Plane, map: Mapping, deadline: Deadline) -> Vec<ScannedCode> {
    guarded(|| {
        let w = plane.width;
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, plane.height, |x, y| {
            plane.data.get(y * w + x).copied().unwrap_or(255)
        });
        collect!(img, map, deadline)
    })
}

/// Runs one rqrr call and turns a panic into "nothing found".
///
/// rqrr 0.11.0 panics on some real photos (upstream rqrr issue #54). Minimal reproducer
/// for upstream: zxing-cpp's blackbox sample `qrcode-6/7.png`, loaded as luma and passed to
/// `PreparedImage::prepare` + `detect_grids`, fails `assertion failed: x <= i32::MAX as f64`
/// in `geometry.rs:55` (`Perspective::map`): the homography fitted to a degenerate group of
/// finder-like blobs has a near-zero denominator, so a grid point maps to a huge
/// coordinate that is asserted instead of rejected. The same assertion fires in our passes
/// on the zxing real-photo corpus. It is contained here and counts as a miss for that pass.
fn guarded(run: impl FnOnce() -> Vec<ScannedCode>) -> Vec<ScannedCode> {
    catch_unwind(AssertUnwindSafe(run)).unwrap_or_default()
}
