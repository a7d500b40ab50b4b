//! The stream scanner: camera frames one after another, most of them without a code.
//!
//! [`scan_frame`](super::scan_frame) runs every pass on a still until one decodes, which on
//! a frame without a code means all of them, up to the time budget. A camera delivers 30
//! frames a second and, while the user aims, almost none hold a readable code, so the
//! [`Scanner`] spends little on each frame and spreads the expensive passes over
//! consecutive frames:
//!
//! 1. the region where the last frame decoded a code, or saw finder patterns it could not
//!    decode, is tried first (a code: the cheap pass on that region; patterns: the next
//!    expensive pass on it);
//! 2. the cheap pass on the whole region of interest: ZXing's hybrid threshold and finder
//!    search, then sampling and decoding of each group of three patterns (`rxing`, normal
//!    polarity). A frame where it forms no such group (no candidate) and decodes nothing
//!    ends here;
//! 3. when it saw candidates it could not decode, the next expensive rxing pass (inverted,
//!    smoothed threshold, half size, contrast stretch), or on every [`IDLE_EVERY`]-th such
//!    frame the next of the whole rotation ([`DEEP`], with the rqrr passes), runs on the
//!    region around them, and that region is tried first next frame;
//! 4. every [`IDLE_EVERY`]-th frame without candidates also gets the next of the rxing
//!    expensive passes on the whole region: a low-contrast or inverted code, which the
//!    cheap pass cannot see, is still read within a few frames. When that frame's cheap
//!    pass already took more than 1/[`IDLE_HEAVY_PART`] of the budget, the next light
//!    frame runs it instead.
//!
//! A frame runs at most one expensive pass. Each payload is reported once while it stays in
//! view: a code seen again within [`REPORT_AGAIN_AFTER`] frames of its last sighting is not
//! reported again.

use super::rxing_qr::{Candidates, Polarity};
use super::{Frame, Region, Run, ScanOptions, ScannedCode, Stage, Work, checked_region};
use crate::Result;
use std::time::Instant;

/// Groups of three finder patterns (possible codes) the cheap pass must form, without
/// decoding any, for a frame to get an expensive pass on the region around them.
pub const MIN_CANDIDATES: usize = 1;

/// One frame in this many gets an expensive pass even without candidates.
pub const IDLE_EVERY: u64 = 4;

/// A frame whose cheap pass took more than this part of the budget gets no idle expensive
/// pass (the next light frame gets it).
pub const IDLE_HEAVY_PART: u32 = 8;

/// Frames after its last sighting before a payload is reported again.
pub const REPORT_AGAIN_AFTER: u64 = 45;

/// The expensive passes, in the order the scanner cycles through them; the first
/// [`IDLE_STEPS`] (the rxing ones) also run on frames without candidates.
pub(crate) const DEEP: [(Stage, Polarity); 9] = [
    (Stage::Rxing, Polarity::Inverted),
    (Stage::RxingSmoothed, Polarity::Both),
    (Stage::RxingDownscaled, Polarity::Both),
    (Stage::RxingContrast, Polarity::Both),
    (Stage::Adaptive, Polarity::Both),
    (Stage::FullResolution, Polarity::Both),
    (Stage::Native, Polarity::Both),
    (Stage::Contrast, Polarity::Both),
    (Stage::Upscale, Polarity::Both),
];
const IDLE_STEPS: usize = 4;

/// What the scanner has done so far: counts of frames and passes, for tests and the
/// benchmark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScannerStats {
    /// Frames scanned.
    pub frames: u64,
    /// Cheap passes over the whole region of interest.
    pub cheap_passes: u64,
    /// Cheap passes over the region of last frame's code.
    pub focus_passes: u64,
    /// Expensive passes (at most one a frame).
    pub deep_passes: u64,
    /// Codes reported.
    pub reported: u64,
}

/// Where to look first on the next frame.
#[derive(Debug, Clone, Copy)]
enum Focus {
    /// A code was decoded here.
    Code(Region),
    /// Finder patterns were seen here, and nothing decoded.
    Candidates(Region),
}

/// Scans a stream of camera frames; see the module documentation.
#[derive(Debug, Clone)]
pub struct Scanner {
    options: ScanOptions,
    focus: Option<Focus>,
    /// Next entry of [`DEEP`] for frames with candidates, and of its rxing part for idle
    /// frames.
    next: usize,
    next_idle: usize,
    /// An idle expensive pass was left by a heavy frame.
    idle_owed: bool,
    /// Frames that got an expensive pass on candidates.
    candidate_frames: u64,
    /// Payloads reported, with the frame they were last seen on.
    recent: Vec<(Vec<u8>, u64)>,
    stats: ScannerStats,
}

impl Default for Scanner {
    fn default() -> Self {
        Self::new()
    }
}

impl Scanner {
    /// A scanner with the default [`ScanOptions`] (their budget bounds each frame).
    pub fn new() -> Self {
        Self::with_options(ScanOptions::default())
    }

    /// A scanner whose passes the options switch on and off.
    pub fn with_options(options: ScanOptions) -> Self {
        Self {
            options,
            focus: None,
            next: 0,
            next_idle: 0,
            idle_owed: false,
            candidate_frames: 0,
            recent: Vec::new(),
            stats: ScannerStats::default(),
        }
    }

    /// What the scanner has done so far.
    pub fn stats(&self) -> ScannerStats {
        self.stats
    }

    /// Forgets the focus and the payloads already reported (the camera opens again).
    pub fn reset(&mut self) {
        let stats = self.stats;
        *self = Self::with_options(self.options);
        self.stats = stats;
    }

    /// Scans the next frame, inside `roi` when given; returns the codes not reported
    /// before (see the module documentation).
    pub fn scan(&mut self, frame: &Frame<'_>, roi: Option<Region>) -> Result<Vec<ScannedCode>> {
        let start = Instant::now();
        let roi = checked_region(frame, roi)?;
        self.stats.frames += 1;
        let mut run = Run::new(start, &self.options);
        let mut deep_done = false;
        let mut codes = None;
        match self.focus.take() {
            Some(Focus::Code(region)) => {
                self.stats.focus_passes += 1;
                let mut work = Work::new(frame, region, &self.options);
                codes = work.stage(&mut run, Stage::Rxing, Polarity::Normal).0;
            }
            Some(Focus::Candidates(region)) => {
                deep_done = true;
                codes = self.deep_on_candidates(frame, region, &mut run);
            }
            None => {}
        }
        if codes.is_none() {
            self.stats.cheap_passes += 1;
            let mut work = Work::new(frame, roi, &self.options);
            let (hit, seen) = work.stage(&mut run, Stage::Rxing, Polarity::Normal);
            codes = hit;
            let seen = seen.filter(|c| c.sets >= MIN_CANDIDATES);
            if let (None, Some(seen)) = (&codes, seen) {
                let region = around(&seen, roi);
                self.focus = Some(Focus::Candidates(region));
                if !deep_done {
                    deep_done = true;
                    codes = self.deep_on_candidates(frame, region, &mut run);
                }
            }
            // A frame whose cheap pass was slow (dense texture, heavy noise) leaves its idle
            // pass to the next frame, so no frame pays for both.
            let light = self
                .options
                .budget
                .is_none_or(|b| start.elapsed() < b / IDLE_HEAVY_PART);
            if codes.is_none() && !deep_done && self.stats.frames.is_multiple_of(IDLE_EVERY) {
                if light {
                    codes = self.deep(frame, roi, &mut run, false);
                } else {
                    self.idle_owed = true;
                }
            } else if codes.is_none() && !deep_done && self.idle_owed && light {
                self.idle_owed = false;
                codes = self.deep(frame, roi, &mut run, false);
            }
        }
        let Some((codes, _)) = codes else {
            return Ok(Vec::new());
        };
        self.focus = enclosing(&codes, roi).map(Focus::Code);
        Ok(self.report(codes))
    }

    /// An expensive pass on the region of candidates: the next rxing pass, and on every
    /// [`IDLE_EVERY`]-th such frame the next of the whole rotation (the rqrr passes cost
    /// several rxing passes and read few codes rxing cannot).
    fn deep_on_candidates(
        &mut self,
        frame: &Frame<'_>,
        region: Region,
        run: &mut Run,
    ) -> Option<(Vec<ScannedCode>, &'static str)> {
        self.candidate_frames += 1;
        let all = self.candidate_frames.is_multiple_of(IDLE_EVERY);
        self.deep(frame, region, run, all)
    }

    /// The next expensive pass of the rotation (of its rxing part when not `all`) that the
    /// options enable, on `region`.
    fn deep(
        &mut self,
        frame: &Frame<'_>,
        region: Region,
        run: &mut Run,
        all: bool,
    ) -> Option<(Vec<ScannedCode>, &'static str)> {
        let steps = if all { &DEEP[..] } else { &DEEP[..IDLE_STEPS] };
        let mut work = Work::new(frame, region, &self.options);
        for _ in 0..steps.len() {
            let cursor = if all {
                &mut self.next
            } else {
                &mut self.next_idle
            };
            let (stage, polarity) = steps[*cursor % steps.len()];
            *cursor = (*cursor + 1) % steps.len();
            if polarity == Polarity::Inverted && !self.options.inverted {
                continue;
            }
            if work.enabled(stage) {
                self.stats.deep_passes += 1;
                return work.stage(run, stage, polarity).0;
            }
        }
        None
    }

    /// The codes whose payload was not seen in the last [`REPORT_AGAIN_AFTER`] frames;
    /// every code's sighting is recorded.
    fn report(&mut self, codes: Vec<ScannedCode>) -> Vec<ScannedCode> {
        let now = self.stats.frames;
        self.recent
            .retain(|(_, seen)| now.saturating_sub(*seen) <= REPORT_AGAIN_AFTER);
        let mut out = Vec::new();
        for code in codes {
            if let Some(entry) = self.recent.iter_mut().find(|(b, _)| *b == code.bytes) {
                entry.1 = now;
                continue;
            }
            self.recent.push((code.bytes.clone(), now));
            out.push(code);
        }
        self.stats.reported += out.len() as u64;
        out
    }
}

/// The region around groups of finder patterns, with room for the rest of the code (a
/// pattern's centre is 3.5 modules from the code's edge) and for movement, inside `roi`.
fn around(c: &Candidates, roi: Region) -> Region {
    let span = (c.max_x - c.min_x).max(c.max_y - c.min_y);
    let margin = span / 4.0 + 2.0 * c.size;
    let region = clamp(
        c.min_x - margin,
        c.min_y - margin,
        c.max_x + margin,
        c.max_y + margin,
        roi,
    );
    // A region nearly as large as the frame costs as much: take the whole frame.
    if u64::from(region.width) * u64::from(region.height) * 3
        > u64::from(roi.width) * u64::from(roi.height) * 2
    {
        roi
    } else {
        region
    }
}

/// The region around decoded codes' corners, with a quarter of their size to spare (the
/// code moves between frames), inside `roi`; `None` without corners.
fn enclosing(codes: &[ScannedCode], roi: Region) -> Option<Region> {
    let points = codes.iter().flat_map(|c| c.corners.iter());
    let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
    for p in points {
        x0 = x0.min(p.x as f32);
        y0 = y0.min(p.y as f32);
        x1 = x1.max(p.x as f32);
        y1 = y1.max(p.y as f32);
    }
    if x0 > x1 {
        return None;
    }
    let spare = (x1 - x0).max(y1 - y0) / 4.0 + 8.0;
    Some(clamp(x0 - spare, y0 - spare, x1 + spare, y1 + spare, roi))
}

/// The rectangle from (x0, y0) to (x1, y1) cut to `roi`, at least 1×1 pixel.
fn clamp(x0: f32, y0: f32, x1: f32, y1: f32, roi: Region) -> Region {
    let (rx1, ry1) = (roi.x + roi.width, roi.y + roi.height);
    let cut = |v: f32, lo: u32, hi: u32| -> u32 {
        if v.is_nan() {
            lo
        } else {
            // In range after the clamp, so the cast is exact.
            v.clamp(lo as f32, hi as f32) as u32
        }
    };
    let (ax, ay) = (cut(x0, roi.x, rx1 - 1), cut(y0, roi.y, ry1 - 1));
    let (bx, by) = (cut(x1, ax + 1, rx1), cut(y1, ay + 1, ry1));
    Region {
        x: ax,
        y: ay,
        width: bx - ax,
        height: by - ay,
    }
}

#[cfg(test)]
mod tests;
