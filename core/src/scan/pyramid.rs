//! Owned luma planes for the scan pipeline: cropping a camera frame's region of interest
//! into a tight buffer, halving it (box filter) for large frames, and doubling it
//! (bilinear) so that codes with small modules get enough pixels per module.

use super::{Frame, Region};

/// A tightly packed 8-bit luma image (stride = width).
#[derive(Debug, Clone)]
pub(crate) struct Plane {
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) data: Vec<u8>,
}

impl Plane {
    /// Copies `roi` out of `frame`; `roi` has been checked to lie inside the frame.
    pub(crate) fn crop(frame: &Frame<'_>, roi: Region) -> Self {
        let (w, h) = (roi.width as usize, roi.height as usize);
        let stride = frame.stride as usize;
        let mut data = Vec::with_capacity(w * h);
        for y in 0..h {
            let start = (roi.y as usize + y) * stride + roi.x as usize;
            if let Some(row) = frame.data.get(start..start + w) {
                data.extend_from_slice(row);
            }
        }
        // `Frame::new` guarantees every row is present; keep the invariant regardless.
        data.resize(w * h, 255);
        Self {
            width: w,
            height: h,
            data,
        }
    }

    /// The longer side in pixels.
    pub(crate) fn long_side(&self) -> usize {
        self.width.max(self.height)
    }

    /// Half the size in each direction, each output pixel the mean of a 2×2 block.
    /// Planes narrower or lower than 2 pixels are returned unchanged.
    pub(crate) fn half(&self) -> Self {
        let (w, h) = (self.width / 2, self.height / 2);
        if w == 0 || h == 0 {
            return self.clone();
        }
        let mut data = Vec::with_capacity(w * h);
        for y in 0..h {
            let r0 = &self.data[(2 * y) * self.width..(2 * y + 1) * self.width];
            let r1 = &self.data[(2 * y + 1) * self.width..(2 * y + 2) * self.width];
            for x in 0..w {
                let s = u16::from(r0[2 * x])
                    + u16::from(r0[2 * x + 1])
                    + u16::from(r1[2 * x])
                    + u16::from(r1[2 * x + 1]);
                data.push(((s + 2) / 4) as u8);
            }
        }
        Self {
            width: w,
            height: h,
            data,
        }
    }

    /// Twice the size in each direction, by bilinear interpolation.
    pub(crate) fn double(&self) -> Self {
        let (w, h) = (self.width * 2, self.height * 2);
        let mut data = Vec::with_capacity(w * h);
        let px = |x: usize, y: usize| u32::from(self.data[y * self.width + x]);
        for y in 0..h {
            // Source coordinate (2y - 1) / 4 in quarter pixels, clamped to the plane.
            let sy4 = (2 * y).saturating_sub(1);
            let (y0, fy) = (sy4 / 4, (sy4 % 4) as u32);
            let y1 = (y0 + 1).min(self.height - 1);
            for x in 0..w {
                let sx4 = (2 * x).saturating_sub(1);
                let (x0, fx) = (sx4 / 4, (sx4 % 4) as u32);
                let x1 = (x0 + 1).min(self.width - 1);
                let top = px(x0, y0) * (4 - fx) + px(x1, y0) * fx;
                let bottom = px(x0, y1) * (4 - fx) + px(x1, y1) * fx;
                data.push(((top * (4 - fy) + bottom * fy + 8) / 16) as u8);
            }
        }
        Self {
            width: w,
            height: h,
            data,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A plane filled from `f(x, y)`, for the scan tests.
    pub(crate) fn plane(w: usize, h: usize, f: impl Fn(usize, usize) -> u8) -> Plane {
        let mut data = Vec::new();
        for y in 0..h {
            for x in 0..w {
                data.push(f(x, y));
            }
        }
        Plane {
            width: w,
            height: h,
            data,
        }
    }

    #[test]
    fn half_averages_blocks_and_double_keeps_flat_areas() {
        let p = plane(4, 2, |x, _| if x < 2 { 0 } else { 200 });
        let h = p.half();
        assert_eq!((h.width, h.height), (2, 1));
        assert_eq!(h.data, vec![0, 200]);
        let d = plane(3, 3, |_, _| 77).double();
        assert_eq!((d.width, d.height), (6, 6));
        assert!(d.data.iter().all(|&v| v == 77));
    }

    #[test]
    fn double_keeps_an_edge_between_its_sides() {
        let d = plane(4, 1, |x, _| if x < 2 { 0 } else { 240 }).double();
        assert_eq!(d.data[0], 0);
        assert_eq!(d.data[7], 240);
        assert!(d.data[..8].windows(2).all(|w| w[0] <= w[1]));
    }
}
