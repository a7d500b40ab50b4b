//! Luma to black/white: a local, block-based adaptive threshold in the manner of ZXing's
//! `HybridBinarizer`, and a global contrast stretch for washed-out frames.
//!
//! The frame is cut into 8×8 blocks. Each block's black point is its mean, or, when the
//! block is nearly flat (max − min below `min_range`), half its minimum, raised to its
//! neighbours' level when they are darker, so flat paper stays white and flat ink inside a
//! code stays black. A pixel is black when it is at or below the mean black point of the
//! 5×5 blocks around its block. This follows uneven light and shadows, which a single
//! threshold or rqrr's running row mean cannot.

use super::pyramid::Plane;

const BLOCK: usize = 8;

/// The grid of 8×8 blocks over a plane. Blocks at the right and bottom edges overlap their
/// neighbours so each covers 8×8.
struct Blocks<'a> {
    plane: &'a Plane,
    /// Blocks across and down.
    bw: usize,
    bh: usize,
}

impl<'a> Blocks<'a> {
    /// The grid, or `None` when the plane is too small for 5×5 blocks.
    fn new(plane: &'a Plane) -> Option<Self> {
        if plane.width < BLOCK * 5 || plane.height < BLOCK * 5 {
            return None;
        }
        Some(Self {
            plane,
            bw: plane.width.div_ceil(BLOCK),
            bh: plane.height.div_ceil(BLOCK),
        })
    }

    /// Index in `plane.data` of the first pixel of each of block (`bx`, `by`)'s rows.
    fn rows(&self, bx: usize, by: usize) -> impl Iterator<Item = usize> {
        let w = self.plane.width;
        let x0 = (bx * BLOCK).min(w - BLOCK);
        let y0 = (by * BLOCK).min(self.plane.height - BLOCK);
        (y0..y0 + BLOCK).map(move |y| y * w + x0)
    }

    /// Each block's luma sum, minimum and maximum, blocks in row order.
    fn stats(&self) -> Vec<(u32, u8, u8)> {
        let mut out = Vec::with_capacity(self.bw * self.bh);
        for by in 0..self.bh {
            for bx in 0..self.bw {
                let (mut sum, mut min, mut max) = (0u32, 255u8, 0u8);
                for base in self.rows(bx, by) {
                    for &v in &self.plane.data[base..base + BLOCK] {
                        sum += u32::from(v);
                        min = min.min(v);
                        max = max.max(v);
                    }
                }
                out.push((sum, min, max));
            }
        }
        out
    }

    /// Top row and left column of the 5×5 blocks around block (`bx`, `by`), moved inwards at
    /// the edges.
    fn window(&self, bx: usize, by: usize) -> (usize, usize) {
        (
            by.saturating_sub(2).min(self.bh.saturating_sub(5)),
            bx.saturating_sub(2).min(self.bw.saturating_sub(5)),
        )
    }

    /// Black = 1 where a pixel is at or below its block's threshold (`thresholds` in block
    /// row order).
    fn apply(&self, thresholds: &[u32]) -> Vec<u8> {
        let mut out = vec![0u8; self.plane.width * self.plane.height];
        for by in 0..self.bh {
            for bx in 0..self.bw {
                let threshold = thresholds[by * self.bw + bx];
                for base in self.rows(bx, by) {
                    for (o, &v) in out[base..base + BLOCK]
                        .iter_mut()
                        .zip(&self.plane.data[base..base + BLOCK])
                    {
                        *o = u8::from(u32::from(v) <= threshold);
                    }
                }
            }
        }
        out
    }
}

/// Black = 1, white = 0, one byte per pixel, row-major, same size as `plane`.
pub(crate) fn hybrid(plane: &Plane, min_range: u8) -> Vec<u8> {
    let Some(grid) = Blocks::new(plane) else {
        return global(plane);
    };
    let (bw, bh) = (grid.bw, grid.bh);
    let mut black = vec![0u32; bw * bh];
    for (i, &(sum, min, max)) in grid.stats().iter().enumerate() {
        let (bx, by) = (i % bw, i / bw);
        let mut point = sum / (BLOCK * BLOCK) as u32;
        if max - min <= min_range {
            point = u32::from(min) / 2;
            if by > 0 && bx > 0 {
                let up = black[(by - 1) * bw + bx];
                let left = black[by * bw + bx - 1];
                let diag = black[(by - 1) * bw + bx - 1];
                let neighbours = (up + 2 * left + diag) / 4;
                if u32::from(min) < neighbours {
                    point = neighbours;
                }
            }
        }
        black[i] = point;
    }
    // Integral of black points over the block grid, for the 5×5 means.
    let iw = bw + 1;
    let mut integral = vec![0u32; iw * (bh + 1)];
    for by in 0..bh {
        let mut row = 0u32;
        for bx in 0..bw {
            row += black[by * bw + bx];
            integral[(by + 1) * iw + bx + 1] = integral[by * iw + bx + 1] + row;
        }
    }
    let mut thresholds = vec![0u32; bw * bh];
    for by in 0..bh {
        for bx in 0..bw {
            let (top, left) = grid.window(bx, by);
            let s = integral[(top + 5) * iw + left + 5] + integral[top * iw + left]
                - integral[top * iw + left + 5]
                - integral[(top + 5) * iw + left];
            thresholds[by * bw + bx] = s / 25;
        }
    }
    grid.apply(&thresholds)
}

/// Block thresholds smoothed over their neighbours, in the manner of zxing-cpp's current
/// `HybridBinarizer`: each 8×8 block with a luma range above `min_range` gets the
/// threshold (min + max) / 2, flat blocks get none; every block then takes the mean of the
/// valid thresholds in the 5×5 blocks around it (its own counted three times), and blocks
/// with no valid neighbour take the last valid threshold before them in row order. Flat
/// regions thus inherit the threshold of the nearest edges instead of being forced white,
/// which keeps low-contrast codes whose blocks are almost flat.
pub(crate) fn smoothed(plane: &Plane, min_range: u8) -> Vec<u8> {
    let Some(grid) = Blocks::new(plane) else {
        return global(plane);
    };
    let (bw, bh) = (grid.bw, grid.bh);
    let raw: Vec<u32> = grid
        .stats()
        .into_iter()
        .map(|(_, min, max)| {
            if max - min > min_range {
                (u32::from(min) + u32::from(max)).div_ceil(2).max(1)
            } else {
                0
            }
        })
        .collect();
    let mut thresholds = vec![0u32; bw * bh];
    for by in 0..bh {
        for bx in 0..bw {
            let (top, left) = grid.window(bx, by);
            let own = raw[by * bw + bx];
            let (mut sum, mut n) = (2 * own, 2 * u32::from(own > 0));
            for y in top..(top + 5).min(bh) {
                for &v in &raw[y * bw + left..y * bw + (left + 5).min(bw)] {
                    sum += v;
                    n += u32::from(v > 0);
                }
            }
            thresholds[by * bw + bx] = sum.checked_div(n).unwrap_or(0);
        }
    }
    let mut last = thresholds.iter().copied().find(|&t| t > 0).unwrap_or(0);
    for t in &mut thresholds {
        if *t == 0 {
            *t = last;
        } else {
            last = *t;
        }
    }
    grid.apply(&thresholds)
}

/// One threshold for the whole plane (its mean), for planes too small for blocks.
fn global(plane: &Plane) -> Vec<u8> {
    let n = plane.data.len().max(1) as u64;
    let mean = plane.data.iter().map(|&v| u64::from(v)).sum::<u64>() / n;
    plane
        .data
        .iter()
        .map(|&v| u8::from(u64::from(v) <= mean))
        .collect()
}

/// Stretches the plane so its 1st and 99th luma percentiles become 0 and 255.
pub(crate) fn stretch(plane: &Plane) -> Plane {
    let mut hist = [0usize; 256];
    for &v in &plane.data {
        hist[usize::from(v)] += 1;
    }
    let cut = plane.data.len() / 100;
    let percentile = |from_top: bool| {
        let mut acc = 0;
        for i in 0..256 {
            let v = if from_top { 255 - i } else { i };
            acc += hist[v];
            if acc > cut {
                return v;
            }
        }
        if from_top { 255 } else { 0 }
    };
    let (lo, hi) = (percentile(false), percentile(true));
    if hi <= lo {
        return plane.clone();
    }
    let span = (hi - lo) as u32;
    let lut: Vec<u8> = (0..256usize)
        .map(|v| ((v.clamp(lo, hi) - lo) as u32 * 255 / span) as u8)
        .collect();
    Plane {
        width: plane.width,
        height: plane.height,
        data: plane.data.iter().map(|&v| lut[usize::from(v)]).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::pyramid::tests::plane;

    #[test]
    fn follows_a_light_gradient() {
        // Dark squares on a background that brightens from left to right: a global
        // threshold would blacken the whole left side.
        let p = plane(160, 80, |x, y| {
            let light = 60 + (x as u32 * 180 / 160) as u8;
            if (x / 16 + y / 16) % 2 == 0 {
                light / 3
            } else {
                light
            }
        });
        let bits = hybrid(&p, 24);
        for (i, &b) in bits.iter().enumerate() {
            let (x, y) = (i % 160, i / 160);
            // Skip pixels next to a square's edge.
            if x % 16 < 2 || x % 16 > 13 || y % 16 < 2 || y % 16 > 13 {
                continue;
            }
            assert_eq!(b == 1, (x / 16 + y / 16) % 2 == 0, "pixel {x},{y}");
        }
    }

    #[test]
    fn flat_frame_is_white_and_stretch_spans_full_range() {
        let flat = plane(64, 64, |_, _| 180);
        assert!(hybrid(&flat, 24).iter().all(|&b| b == 0));
        let dull = plane(100, 10, |x, _| 120 + (x % 20) as u8);
        let s = stretch(&dull);
        assert_eq!(*s.data.iter().min().unwrap_or(&1), 0);
        assert_eq!(*s.data.iter().max().unwrap_or(&0), 255);
    }
}
