//! The stream scanner for camera previews: one [`Scanner`] per open camera, fed every frame.

use crate::records::{Region, ScannerStats, region};
use crate::{Result, guard, luma_frame};
use khaibao_core::scan::{self, ScannedCode};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Scans a camera's frames one after another: a cheap pass on every frame, the expensive
/// passes spread over consecutive frames, each payload reported once while it stays in
/// view. Stills (posters, gallery photos) go through `scan_frame`, which tries every pass.
#[derive(uniffi::Object)]
pub struct Scanner {
    inner: Mutex<scan::Scanner>,
}

impl Scanner {
    fn inner(&self) -> MutexGuard<'_, scan::Scanner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[uniffi::export]
impl Scanner {
    /// A scanner with nothing reported yet.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            inner: Mutex::new(scan::Scanner::new()),
        })
    }

    /// Scans the next frame (an 8-bit luma plane with its row stride, inside `roi` when
    /// given); returns the codes not reported before.
    pub fn scan(
        &self,
        luma: Vec<u8>,
        width: i32,
        height: i32,
        stride: i32,
        roi: Option<Region>,
    ) -> Result<Vec<ScannedCode>> {
        guard("Scanner.scan", || {
            let frame = luma_frame(&luma, width, height, stride)?;
            Ok(self.inner().scan(&frame, region(roi)?)?)
        })
    }

    /// Forgets what was reported: the next sighting of any code is reported again.
    pub fn reset(&self) {
        // A poisoned lock is recovered in `inner`; nothing here can panic.
        self.inner().reset();
    }

    /// Frames and passes so far.
    pub fn stats(&self) -> ScannerStats {
        self.inner().stats().into()
    }
}
