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
mod hybrid;
mod pyramid;
mod rxing_qr;
mod stream;

pub use stream::{Scanner, ScannerStats};

use crate::{Error, Result};
use decode::Mapping;
use pyramid::Plane;
use rxing_qr::{Candidates, Input, Polarity};
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
    let mut run = Run::new(start, options);
    let mut work = Work::new(frame, roi, options);
    let order: [&[Stage]; 2] = if options.rxing_first {
        [&RXING_STAGES, &RQRR_STAGES]
    } else {
        [&RQRR_STAGES, &RXING_STAGES]
    };
    for &stage in order.into_iter().flatten() {
        if let (hit @ Some(_), _) = work.stage(&mut run, stage, Polarity::Both) {
            return Ok(outcome(hit, &run));
        }
    }
    Ok(outcome(None, &run))
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

/// One pass group of the pipeline (each bitmap pass with its inverted half).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// rxing on the frame's region, read in place.
    Rxing,
    /// rxing on our smoothed block threshold.
    RxingSmoothed,
    /// rxing on the half-size plane.
    RxingDownscaled,
    /// rxing on the contrast-stretched plane, low flat range.
    RxingContrast,
    /// rqrr on our threshold of the pyramid base.
    Adaptive,
    /// rqrr on our threshold at full resolution, when the base was downscaled.
    FullResolution,
    /// rqrr's own threshold at full resolution.
    Native,
    /// rqrr on the contrast-stretched base.
    Contrast,
    /// rqrr on the 2× upscaled base.
    Upscale,
}

/// The rxing stages, in pipeline order.
pub(crate) const RXING_STAGES: [Stage; 4] = [
    Stage::Rxing,
    Stage::RxingSmoothed,
    Stage::RxingDownscaled,
    Stage::RxingContrast,
];

/// The rqrr stages, in pipeline order.
pub(crate) const RQRR_STAGES: [Stage; 5] = [
    Stage::Adaptive,
    Stage::FullResolution,
    Stage::Native,
    Stage::Contrast,
    Stage::Upscale,
];

/// One frame's region and the planes prepared from it, made when a stage first needs them.
struct Work<'f, 'a> {
    frame: &'f Frame<'a>,
    roi: Region,
    options: &'f ScanOptions,
    full: Option<Plane>,
    /// The pyramid base of the rqrr passes and its scale.
    base: Option<(Plane, f32)>,
}

impl<'f, 'a> Work<'f, 'a> {
    fn new(frame: &'f Frame<'a>, roi: Region, options: &'f ScanOptions) -> Self {
        Self {
            frame,
            roi,
            options,
            full: None,
            base: None,
        }
    }

    fn at(&self, scale: f32) -> Mapping {
        mapping(self.roi, scale)
    }

    fn full(&mut self) -> &Plane {
        let (frame, roi) = (self.frame, self.roi);
        self.full.get_or_insert_with(|| Plane::crop(frame, roi))
    }

    fn base(&mut self) -> (&Plane, f32) {
        if self.base.is_none() {
            let mut base = self.full().clone();
            let mut scale = 1.0f32;
            if self.options.downscale {
                while base.long_side() > DOWNSCALE_ABOVE {
                    base = base.half();
                    scale *= 2.0;
                }
            }
            self.base = Some((base, scale));
        }
        match &self.base {
            Some((plane, scale)) => (plane, *scale),
            None => unreachable!("set above"),
        }
    }

    /// Whether the options switch `stage` on for this region.
    fn enabled(&mut self, stage: Stage) -> bool {
        let o = *self.options;
        let long = self.roi.width.max(self.roi.height) as usize;
        match stage {
            Stage::Rxing => o.rxing,
            Stage::RxingSmoothed => o.rxing && o.rxing_smoothed,
            Stage::RxingDownscaled => o.rxing && o.rxing_downscale && long > RXING_HALF_ABOVE,
            Stage::RxingContrast => o.rxing && o.rxing_contrast,
            Stage::Adaptive => o.adaptive,
            Stage::FullResolution => o.adaptive && o.full_resolution && self.base().1 > 1.0,
            Stage::Native => o.native,
            Stage::Contrast => o.contrast,
            Stage::Upscale => o.upscale && self.base().0.long_side() <= UPSCALE_UP_TO,
        }
    }

    /// Runs one stage when the options enable it and the budget lets a pass start; the rxing
    /// stages run the halves `polarity` asks for and also tell where finder patterns were.
    fn stage(
        &mut self,
        run: &mut Run,
        stage: Stage,
        polarity: Polarity,
    ) -> (Hit, Option<Candidates>) {
        if !self.enabled(stage) || !run.go() {
            return (None, None);
        }
        let names = |a, b| [a, b];
        match stage {
            Stage::Rxing => {
                let input = rxing_qr::source(self.frame, self.roi)
                    .zip(rxing_qr::frame_view(self.frame, self.roi))
                    .map(|(s, v)| Input::Luma(s, v));
                run.rxing(
                    input,
                    polarity,
                    self.at(1.0),
                    names("rxing", "rxing-inverted"),
                )
            }
            Stage::RxingSmoothed => {
                let at = self.at(1.0);
                let full = self.full();
                let bits = binarize::smoothed(full, 8);
                let input = Some(Input::Bits(full, &bits));
                run.rxing(
                    input,
                    polarity,
                    at,
                    names("rxing-smoothed", "rxing-smoothed-inverted"),
                )
            }
            Stage::RxingDownscaled => {
                let at = self.at(2.0);
                let half = self.full().half();
                let input = rxing_qr::plane_source(&half)
                    .zip(rxing_qr::plane_view(&half))
                    .map(|(s, v)| Input::Luma(s, v));
                run.rxing(
                    input,
                    polarity,
                    at,
                    names("rxing-downscaled", "rxing-downscaled-inverted"),
                )
            }
            Stage::RxingContrast => {
                let at = self.at(1.0);
                let stretched = binarize::stretch(self.full());
                let bits = binarize::hybrid(&stretched, 4);
                let input = Some(Input::Bits(&stretched, &bits));
                run.rxing(
                    input,
                    polarity,
                    at,
                    names("rxing-contrast", "rxing-contrast-inverted"),
                )
            }
            Stage::Adaptive => {
                let (inverted, roi) = (self.options.inverted, self.roi);
                let (base, scale) = self.base();
                let map = mapping(roi, scale);
                let names = ["adaptive", "inverted"];
                (bitmap(run, inverted, base, 24, map, names), None)
            }
            Stage::FullResolution => {
                let (inverted, map) = (self.options.inverted, self.at(1.0));
                let names = ["full-resolution", "full-resolution-inverted"];
                (bitmap(run, inverted, self.full(), 24, map, names), None)
            }
            Stage::Native => {
                let (map, deadline) = (self.at(1.0), run.deadline);
                let found = decode::native(self.full(), map, deadline);
                ((!found.is_empty()).then_some((found, "native")), None)
            }
            Stage::Contrast => {
                let (inverted, roi) = (self.options.inverted, self.roi);
                let (base, scale) = self.base();
                let stretched = binarize::stretch(base);
                let names = ["contrast", "contrast-inverted"];
                (
                    bitmap(run, inverted, &stretched, 4, mapping(roi, scale), names),
                    None,
                )
            }
            Stage::Upscale => {
                let (inverted, roi) = (self.options.inverted, self.roi);
                let (base, scale) = self.base();
                let doubled = base.double();
                let names = ["upscale", "upscale-inverted"];
                let map = mapping(roi, scale / 2.0);
                (bitmap(run, inverted, &doubled, 24, map, names), None)
            }
        }
    }
}

/// How a pass over the region at `scale` maps back to the frame.
fn mapping(roi: Region, scale: f32) -> Mapping {
    Mapping {
        scale,
        offset_x: roi.x,
        offset_y: roi.y,
    }
}

/// An rqrr pass over our threshold of `plane`, then (when `inverted` and the budget allow)
/// its negative.
fn bitmap(
    run: &mut Run,
    inverted: bool,
    plane: &Plane,
    min_range: u8,
    map: Mapping,
    names: [&'static str; 2],
) -> Hit {
    let deadline = run.deadline;
    let bits = binarize::hybrid(plane, min_range);
    let found = decode::bitmap(plane.width, plane.height, &bits, false, map, deadline);
    if !found.is_empty() {
        return Some((found, names[0]));
    }
    if inverted && run.go() {
        let found = decode::bitmap(plane.width, plane.height, &bits, true, map, deadline);
        if !found.is_empty() {
            return Some((found, names[1]));
        }
    }
    None
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
    fn new(start: Instant, options: &ScanOptions) -> Self {
        Self {
            start,
            budget: options.budget,
            passes: 0,
            deadline: Deadline::after(start, options.budget),
            rxing: rxing_qr::Passes {
                try_harder: options.try_harder,
                inverted: options.inverted,
            },
        }
    }

    /// One rxing pass over `input` (none when the plane could not be handed to rxing); the
    /// hit is named `names[0]`, or `names[1]` when the inverted half found it.
    fn rxing(
        &mut self,
        input: Option<Input<'_>>,
        polarity: Polarity,
        map: Mapping,
        names: [&'static str; 2],
    ) -> (Hit, Option<Candidates>) {
        let Some(input) = input else {
            return (None, None);
        };
        let (passes, deadline) = (self.rxing, self.deadline);
        let reading = rxing_qr::decode(input, passes, polarity, map, &mut || self.go(), deadline);
        let hit = (!reading.codes.is_empty())
            .then(|| (reading.codes, names[usize::from(reading.inverted)]));
        (hit, reading.candidates)
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
