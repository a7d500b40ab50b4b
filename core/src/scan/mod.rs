//! Camera frames to QR payloads.
//!
//! The input is an 8-bit luma plane exactly as cameras deliver it: the Y plane of Android's
//! `ImageProxy`/NV21 or of iOS's 420f pixel buffers, with its own row stride, so the app
//! passes the buffer without copying or cropping. An optional region of interest (the
//! viewfinder box) limits the search.
//!
//! Decoding runs rxing's QR reader (a port of zxing-cpp's detector and decoder) first, on
//! the frame in place, then on planes our pipeline prepares (smoothed threshold, half size,
//! contrast stretch), and rqrr behind our pipeline as the second chance, all within a time
//! budget (see [`ScanOptions`] for the passes and `docs/scan.md` for what each one is worth
//! on the benchmark corpora). Both decoders can panic on some inputs; every call into them
//! runs under `catch_unwind` (in `decode` and `rxing_qr`), so a bad frame is a miss, never
//! a crash, and both stop trying finder-pattern groups at a deadline past the budget, so a
//! hostile frame cannot hold the scanner for seconds.

pub(crate) mod error;
pub use error::ScanError;

mod binarize;
mod charset;
mod decode;
mod pyramid;
mod rxing_qr;

use crate::{Error, Result};
use decode::Mapping;
use pyramid::Plane;
use rxing_qr::Input;
use std::time::{Duration, Instant};

/// Largest frame side accepted, in pixels.
pub const MAX_SIDE: u32 = 8192;

/// A borrowed 8-bit luma plane.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    data: &'a [u8],
    width: u32,
    height: u32,
    stride: u32,
}

impl<'a> Frame<'a> {
    /// Checks that `data` holds `height` rows of `stride` bytes, each with `width` pixels
    /// (the last row may stop right after its last pixel).
    pub fn new(data: &'a [u8], width: u32, height: u32, stride: u32) -> Result<Self> {
        if width == 0 || height == 0 {
            return Err(ScanError::InvalidFrame("empty frame").into());
        }
        if width > MAX_SIDE || height > MAX_SIDE {
            return Err(ScanError::InvalidFrame("frame too large").into());
        }
        if stride < width {
            return Err(ScanError::InvalidFrame("stride shorter than width").into());
        }
        let needed = u64::from(stride) * u64::from(height - 1) + u64::from(width);
        if (data.len() as u64) < needed {
            return Err(ScanError::InvalidFrame("buffer shorter than frame").into());
        }
        Ok(Self {
            data,
            width,
            height,
            stride,
        })
    }

    /// Frame width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }
    /// Frame height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }
    /// Bytes per row.
    pub fn stride(&self) -> u32 {
        self.stride
    }
}

/// A rectangle in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Region {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// A point in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Point {
    pub x: i32,
    pub y: i32,
}

/// One decoded QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ScannedCode {
    /// The payload bytes as the data segments carry them.
    pub bytes: Vec<u8>,
    /// The payload as text: the bytes when they are valid UTF-8, else read in the character
    /// set the code declares (ECI) or its kanji imply (see `charset`); `None` for binary
    /// data and for sets the library does not read (Big5, GB 18030, EUC-KR).
    pub text: Option<String>,
    /// Corners in frame coordinates: top-left, top-right, bottom-right, bottom-left.
    pub corners: Vec<Point>,
}

/// Frames whose region is longer than this (in pixels) are first searched at half size.
pub const DOWNSCALE_ABOVE: usize = 960;

/// Regions longer than this (in pixels) also get an rxing pass at half size.
pub const RXING_HALF_ABOVE: usize = 500;

/// Planes up to this long side get the 2× upscale pass for small modules.
pub const UPSCALE_UP_TO: usize = 800;

/// Which passes the pipeline runs, stopping at the first pass that decodes something:
/// rxing on the frame (+ inverted), rxing on the smoothed threshold, on the half-size plane
/// and on the stretched plane (each + inverted), then the rqrr passes. Each flag can be
/// switched off to measure what it contributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // one switch per pass, for ablation
pub struct ScanOptions {
    /// Search frames longer than [`DOWNSCALE_ABOVE`] at half size first (pyramid).
    pub downscale: bool,
    /// Local block-based adaptive threshold (otherwise only rqrr's own threshold runs).
    pub adaptive: bool,
    /// Also try the negative of each bitmap (light code on a dark background).
    pub inverted: bool,
    /// After a downscaled miss, the same passes on the full-resolution plane.
    pub full_resolution: bool,
    /// rqrr's own running-row-mean threshold on the full-resolution plane.
    pub native: bool,
    /// Contrast stretch plus a threshold that also splits nearly flat blocks.
    pub contrast: bool,
    /// A 2× bilinear upscale for codes with 1–3 pixel modules.
    pub upscale: bool,
    /// rxing's QR reader (zxing-cpp's detector, ported) on the full-resolution region.
    pub rxing: bool,
    /// rxing scans every row for finder patterns (zxing's `tryHarder`).
    pub try_harder: bool,
    /// rxing on the plane binarized by smoothed block thresholds (zxing-cpp's current
    /// binarizer): flat blocks inherit their neighbours' threshold.
    pub rxing_smoothed: bool,
    /// rxing on the half-size plane when the region is longer than [`RXING_HALF_ABOVE`]
    /// (blurred codes, large modules).
    pub rxing_downscale: bool,
    /// rxing on the contrast-stretched plane, binarized by our threshold with a flat-block
    /// range of 4 (washed-out, low-contrast codes).
    pub rxing_contrast: bool,
    /// rxing runs before the rqrr passes (otherwise after them, as a second chance).
    pub rxing_first: bool,
    /// No new pass starts once this much time has gone by. A pass that has started runs
    /// to its end, unless four times the budget goes by: then its decoder tries no further
    /// group of finder patterns (a frame tiled with them has thousands of groups).
    pub budget: Option<Duration>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            downscale: true,
            adaptive: true,
            inverted: true,
            full_resolution: true,
            native: true,
            contrast: true,
            upscale: true,
            rxing: true,
            try_harder: true,
            rxing_smoothed: true,
            rxing_downscale: true,
            rxing_contrast: true,
            rxing_first: true,
            budget: Some(Duration::from_millis(40)),
        }
    }
}

/// The codes a scan found and the pass that found them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanOutcome {
    pub codes: Vec<ScannedCode>,
    /// Name of the pass that decoded the codes (`None` on a miss).
    pub pass: Option<&'static str>,
    /// Passes run.
    pub passes: u32,
}

/// Finds and decodes every QR code in `frame`, inside `roi` when given, with the default
/// [`ScanOptions`].
pub fn scan_frame(frame: &Frame<'_>, roi: Option<Region>) -> Result<Vec<ScannedCode>> {
    Ok(scan_frame_with(frame, roi, &ScanOptions::default())?.codes)
}

/// [`scan_frame`] with explicit options; also tells which pass found the codes.
pub fn scan_frame_with(
    frame: &Frame<'_>,
    roi: Option<Region>,
    options: &ScanOptions,
) -> Result<ScanOutcome> {
    let start = Instant::now();
    let roi = checked_region(frame, roi)?;
    let mut run = Run {
        start,
        budget: options.budget,
        passes: 0,
        deadline: Deadline::after(start, options.budget),
        rxing: rxing_qr::Passes {
            try_harder: options.try_harder,
            inverted: options.inverted,
        },
    };
    let at = |scale: f32| Mapping {
        scale,
        offset_x: roi.x,
        offset_y: roi.y,
    };
    let mut hit = None;
    if options.rxing && options.rxing_first && run.go() {
        hit = run.rxing(
            rxing_qr::source(frame, roi).map(Input::Luma),
            at(1.0),
            ["rxing", "rxing-inverted"],
        );
    }
    if hit.is_some() {
        return Ok(outcome(hit, &run));
    }
    let full = Plane::crop(frame, roi);
    if options.rxing && options.rxing_first {
        hit = rxing_more(&full, options, &mut run, at);
    }
    if hit.is_none() {
        hit = rqrr_passes(&full, options, &mut run, at);
    }
    if hit.is_none() && options.rxing && !options.rxing_first && run.go() {
        hit = run.rxing(
            rxing_qr::plane_source(&full).map(Input::Luma),
            at(1.0),
            ["rxing", "rxing-inverted"],
        );
        if hit.is_none() {
            hit = rxing_more(&full, options, &mut run, at);
        }
    }
    Ok(outcome(hit, &run))
}

fn outcome(hit: Hit, run: &Run) -> ScanOutcome {
    match hit {
        Some((codes, pass)) => ScanOutcome {
            codes,
            pass: Some(pass),
            passes: run.passes,
        },
        None => ScanOutcome {
            codes: Vec::new(),
            pass: None,
            passes: run.passes,
        },
    }
}

/// rxing's second-chance passes: the half-size plane, then the contrast-stretched plane
/// under our low-range threshold.
fn rxing_more(
    full: &Plane,
    options: &ScanOptions,
    run: &mut Run,
    at: impl Fn(f32) -> Mapping,
) -> Hit {
    if options.rxing_smoothed && run.go() {
        let bits = binarize::smoothed(full, 8);
        let hit = run.rxing(
            Some(Input::Bits(full, &bits)),
            at(1.0),
            ["rxing-smoothed", "rxing-smoothed-inverted"],
        );
        if hit.is_some() {
            return hit;
        }
    }
    if options.rxing_downscale && full.long_side() > RXING_HALF_ABOVE && run.go() {
        let half = full.half();
        let hit = run.rxing(
            rxing_qr::plane_source(&half).map(Input::Luma),
            at(2.0),
            ["rxing-downscaled", "rxing-downscaled-inverted"],
        );
        if hit.is_some() {
            return hit;
        }
    }
    if options.rxing_contrast && run.go() {
        let stretched = binarize::stretch(full);
        let bits = binarize::hybrid(&stretched, 4);
        let hit = run.rxing(
            Some(Input::Bits(&stretched, &bits)),
            at(1.0),
            ["rxing-contrast", "rxing-contrast-inverted"],
        );
        if hit.is_some() {
            return hit;
        }
    }
    None
}
/// The rqrr passes, in order, until one decodes something.
fn rqrr_passes(
    full: &Plane,
    options: &ScanOptions,
    run: &mut Run,
    at: impl Fn(f32) -> Mapping,
) -> Hit {
    if !(options.adaptive || options.native || options.contrast || options.upscale) {
        return None;
    }
    let deadline = run.deadline;
    let mut base = full.clone();
    let mut scale = 1.0f32;
    if options.downscale {
        while base.long_side() > DOWNSCALE_ABOVE {
            base = base.half();
            scale *= 2.0;
        }
    }
    let bitmap_passes =
        |run: &mut Run, plane: &Plane, min_range: u8, map: Mapping, names: [&'static str; 2]| {
            if !run.go() {
                return None;
            }
            let bits = binarize::hybrid(plane, min_range);
            let found = decode::bitmap(plane.width, plane.height, &bits, false, map, deadline);
            if !found.is_empty() {
                return Some((found, names[0]));
            }
            if options.inverted && run.go() {
                let found = decode::bitmap(plane.width, plane.height, &bits, true, map, deadline);
                if !found.is_empty() {
                    return Some((found, names[1]));
                }
            }
            None
        };
    let mut hit = None;
    if options.adaptive {
        hit = bitmap_passes(run, &base, 24, at(scale), ["adaptive", "inverted"]);
    }
    if hit.is_none() && options.adaptive && options.full_resolution && scale > 1.0 {
        hit = bitmap_passes(
            run,
            full,
            24,
            at(1.0),
            ["full-resolution", "full-resolution-inverted"],
        );
    }
    if hit.is_none() && options.native && run.go() {
        let found = decode::native(full, at(1.0), deadline);
        if !found.is_empty() {
            hit = Some((found, "native"));
        }
    }
    if hit.is_none() && options.contrast {
        let stretched = binarize::stretch(&base);
        hit = bitmap_passes(
            run,
            &stretched,
            4,
            at(scale),
            ["contrast", "contrast-inverted"],
        );
    }
    if hit.is_none() && options.upscale && base.long_side() <= UPSCALE_UP_TO {
        let doubled = base.double();
        hit = bitmap_passes(
            run,
            &doubled,
            24,
            at(scale / 2.0),
            ["upscale", "upscale-inverted"],
        );
    }
    hit
}

/// What a pass found, with the pass's name; `None` on a miss.
type Hit = Option<(Vec<ScannedCode>, &'static str)>;

/// Pass bookkeeping: counts passes and enforces the time budget.
struct Run {
    start: Instant,
    budget: Option<Duration>,
    passes: u32,
    /// When the running pass stops trying finder-pattern groups.
    deadline: Deadline,
    /// Which rxing passes to run on each plane.
    rxing: rxing_qr::Passes,
}

/// How far past its budget a scan may run: a pass that has started goes on until
/// `budget × OVERRUN` has gone by, then its decoder stops trying groups of finder patterns.
/// Real frames finish well inside it (the slowest of the 548 benchmark photos took 54 ms);
/// a frame tiled with finder patterns has thousands of groups, seconds of work without it.
const OVERRUN: u32 = 4;

/// The time after which the decoders try no further finder-pattern group in a pass.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline(Option<Instant>);

impl Deadline {
    /// `budget × OVERRUN` after `start`; none without a budget.
    fn after(start: Instant, budget: Option<Duration>) -> Self {
        Self(budget.and_then(|b| start.checked_add(b.checked_mul(OVERRUN)?)))
    }

    /// A deadline that has already passed (tests).
    #[cfg(test)]
    pub(crate) fn passed() -> Self {
        Self(Some(Instant::now()))
    }

    /// Whether the decoders may try another group.
    pub(crate) fn open(self) -> bool {
        self.0.is_none_or(|d| Instant::now() < d)
    }
}

impl Run {
    /// One rxing pass over `input` (none when the plane could not be handed to rxing); the
    /// hit is named `names[0]`, or `names[1]` when the inverted half found it.
    fn rxing(&mut self, input: Option<Input<'_>>, map: Mapping, names: [&'static str; 2]) -> Hit {
        let (passes, deadline) = (self.rxing, self.deadline);
        let (found, inverted) = rxing_qr::decode(input?, passes, map, &mut || self.go(), deadline);
        (!found.is_empty()).then(|| (found, names[usize::from(inverted)]))
    }

    /// Whether another pass may start; counts it when so.
    fn go(&mut self) -> bool {
        if self.passes > 0 && self.budget.is_some_and(|b| self.start.elapsed() >= b) {
            return false;
        }
        self.passes += 1;
        true
    }
}

fn checked_region(frame: &Frame<'_>, roi: Option<Region>) -> Result<Region> {
    match roi {
        None => Ok(Region {
            x: 0,
            y: 0,
            width: frame.width,
            height: frame.height,
        }),
        Some(r) => {
            let fits = r.width > 0
                && r.height > 0
                && r.x.checked_add(r.width).is_some_and(|e| e <= frame.width)
                && r.y.checked_add(r.height).is_some_and(|e| e <= frame.height);
            if fits {
                Ok(r)
            } else {
                Err(Error::Scan(ScanError::InvalidFrame("region outside frame")))
            }
        }
    }
}

/// Decodes an encoded image to luma and scans it: PNG always, JPEG and WebP with the
/// `jpeg-webp` feature (the CLI has it; the app library leaves photos to the platform's codecs).
pub fn scan_image(encoded: &[u8]) -> Result<Vec<ScannedCode>> {
    let luma = decode_luma(encoded)?;
    let frame = Frame::new(luma.as_raw(), luma.width(), luma.height(), luma.width())?;
    scan_frame(&frame, None)
}

/// Decodes an encoded image to an 8-bit luma buffer, refusing images larger than
/// [`MAX_SIDE`] on either side before allocating them.
pub fn decode_luma(encoded: &[u8]) -> Result<image::GrayImage> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(encoded))
        .with_guessed_format()
        .map_err(|_| ScanError::Image)?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    reader.limits(limits);
    let img = reader.decode().map_err(|_| ScanError::Image)?;
    Ok(img.to_luma8())
}

#[cfg(test)]
mod tests;
