//! The scanner's records: the region to search (signed, as the platforms' image APIs give
//! it; a negative one is refused) and the scanner's counters.

use super::long;
use crate::{KhaibaoError, Result};
use khaibao_core::ErrorCode;
use khaibao_core::scan;

/// A rectangle in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct Region {
    pub x: i32,
    pub y: i32,
    pub width: i32,
    pub height: i32,
}

impl TryFrom<Region> for scan::Region {
    type Error = KhaibaoError;

    /// Core's region; a negative coordinate or size is `scan.invalid_frame`.
    fn try_from(r: Region) -> Result<Self> {
        let px = |v: i32| {
            u32::try_from(v).map_err(|_| {
                KhaibaoError::new(ErrorCode::ScanInvalidFrame, "a negative region coordinate")
            })
        };
        Ok(Self {
            x: px(r.x)?,
            y: px(r.y)?,
            width: px(r.width)?,
            height: px(r.height)?,
        })
    }
}

/// Core's region for an optional platform one.
pub(crate) fn region(roi: Option<Region>) -> Result<Option<scan::Region>> {
    roi.map(scan::Region::try_from).transpose()
}

/// What the scanner has done so far: counts of frames and passes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, uniffi::Record)]
pub struct ScannerStats {
    /// Frames scanned.
    pub frames: i64,
    /// Cheap passes over the whole region of interest.
    pub cheap_passes: i64,
    /// Cheap passes over the region of last frame's code.
    pub focus_passes: i64,
    /// Expensive passes (at most one a frame).
    pub deep_passes: i64,
    /// Codes reported.
    pub reported: i64,
}

impl From<scan::ScannerStats> for ScannerStats {
    fn from(s: scan::ScannerStats) -> Self {
        Self {
            frames: long(s.frames),
            cheap_passes: long(s.cheap_passes),
            focus_passes: long(s.focus_passes),
            deep_passes: long(s.deep_passes),
            reported: long(s.reported),
        }
    }
}
