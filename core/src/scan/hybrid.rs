//! ZXing's hybrid binarizer, computed straight from a strided luma view into packed rows of
//! bits (the layout of rxing's `BitMatrix`), without copying the region first.
//!
//! The result is bit for bit what rxing's `HybridBinarizer` computes (a test holds it to
//! that): 8×8 blocks, each block's black point its mean, or for a nearly flat block
//! (range ≤ 24) half its minimum raised to its upper and left neighbours' level when they are
//! darker; a pixel is black when it is at or below the mean black point of the 5×5 blocks
//! around its block; blocks at the right and bottom edges overlap their neighbours, and a
//! pixel two blocks cover is black when either says so. rxing's version sets the matrix one
//! bit at a time through bounds-checked calls and copies the region out of the frame first;
//! on a 1280×720 frame it was two thirds of a whole scan pass (`docs/scan.md`).

const BLOCK: usize = 8;
const MIN_DYNAMIC_RANGE: u8 = 24;
/// Bits per word of the packed rows (rxing's `BitMatrix` words are `usize`).
pub(crate) const WORD: usize = usize::BITS as usize;

/// A borrowed luma region: `height` rows of `width` pixels, rows `stride` bytes apart,
/// starting at `data[offset]`. Built only by [`View::new`], which checks it fits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct View<'a> {
    data: &'a [u8],
    offset: usize,
    stride: usize,
    pub(crate) width: usize,
    pub(crate) height: usize,
}

impl<'a> View<'a> {
    /// The view, or `None` when the rows do not fit in `data`.
    pub(crate) fn new(
        data: &'a [u8],
        offset: usize,
        stride: usize,
        width: usize,
        height: usize,
    ) -> Option<Self> {
        if width == 0 || height == 0 || stride < width {
            return None;
        }
        let end = offset
            .checked_add(stride.checked_mul(height - 1)?)?
            .checked_add(width)?;
        (end <= data.len()).then_some(Self {
            data,
            offset,
            stride,
            width,
            height,
        })
    }

    /// Row `y`'s pixels.
    fn row(&self, y: usize) -> &'a [u8] {
        let start = self.offset + y * self.stride;
        &self.data[start..start + self.width]
    }
}

/// Rows of bits, 1 = black; bit `x % WORD` of word `y * row_words + x / WORD` is pixel
/// (`x`, `y`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bits {
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) row_words: usize,
    pub(crate) words: Vec<usize>,
}

impl Bits {
    fn new(width: usize, height: usize) -> Self {
        let row_words = width.div_ceil(WORD);
        Self {
            width,
            height,
            row_words,
            words: vec![0; row_words * height],
        }
    }

    /// Packs a bitmap of one byte per pixel (1 = black) as our own thresholds give it.
    pub(crate) fn from_bytes(width: usize, height: usize, bytes: &[u8]) -> Self {
        let mut out = Self::new(width, height);
        for (y, row) in bytes.chunks_exact(width).take(height).enumerate() {
            let words = &mut out.words[y * out.row_words..(y + 1) * out.row_words];
            for (word, chunk) in words.iter_mut().zip(row.chunks(WORD)) {
                *word = chunk
                    .iter()
                    .enumerate()
                    .fold(0, |w, (i, &b)| w | (usize::from(b & 1) << i));
            }
        }
        out
    }

    /// ORs the 8 bits of `mask` into row `y` from column `x`.
    fn or8(&mut self, x: usize, y: usize, mask: usize) {
        let base = y * self.row_words + x / WORD;
        let shift = x % WORD;
        self.words[base] |= mask << shift;
        if shift > WORD - BLOCK {
            self.words[base + 1] |= mask >> (WORD - shift);
        }
    }
}

/// The hybrid bitmap of `view`. A view narrower or lower than five blocks gets one
/// threshold, its mean (rxing's binarizer falls back to a global histogram there; no QR code
/// fits in 40 pixels at the two pixels a module decoding needs anyway).
pub(crate) fn hybrid(view: &View<'_>) -> Bits {
    let (w, h) = (view.width, view.height);
    if w < BLOCK * 5 || h < BLOCK * 5 {
        return global(view);
    }
    let (bw, bh) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    let col = |bx: usize| (bx * BLOCK).min(w - BLOCK);
    let line = |by: usize| (by * BLOCK).min(h - BLOCK);

    let mut black = vec![0u32; bw * bh];
    let mut sums = vec![0u64; bw];
    let mut lows = vec![(0u64, 0u64); bw];
    let mut highs = vec![(0u64, 0u64); bw];
    for by in 0..bh {
        sums.fill(0);
        lows.fill((FF, FF));
        highs.fill((0, 0));
        for r in 0..BLOCK {
            let row = view.row(line(by) + r);
            for (bx, ((sum, low), high)) in
                sums.iter_mut().zip(&mut lows).zip(&mut highs).enumerate()
            {
                let x = col(bx);
                let px = eight(&row[x..x + BLOCK]);
                let (even, odd) = (px & FF, (px >> 8) & FF);
                *sum += even + odd;
                *low = (lane_min(low.0, even), lane_min(low.1, odd));
                *high = (lane_max(high.0, even), lane_max(high.1, odd));
            }
        }
        for bx in 0..bw {
            let min = lanes(lane_min(lows[bx].0, lows[bx].1)).min().unwrap_or(0);
            let max = lanes(lane_max(highs[bx].0, highs[bx].1)).max().unwrap_or(0);
            let mut point = lanes(sums[bx]).sum::<u32>() >> 6;
            if max - min <= u32::from(MIN_DYNAMIC_RANGE) {
                point = min / 2;
                if by > 0 && bx > 0 {
                    let neighbours = (black[(by - 1) * bw + bx]
                        + 2 * black[by * bw + bx - 1]
                        + black[(by - 1) * bw + bx - 1])
                        / 4;
                    if min < neighbours {
                        point = neighbours;
                    }
                }
            }
            black[by * bw + bx] = point;
        }
    }

    let mut out = Bits::new(w, h);
    let mut thresholds = vec![0u64; bw];
    for by in 0..bh {
        let top = by.clamp(2, bh - 3) - 2;
        for (bx, t) in thresholds.iter_mut().enumerate() {
            let left = bx.clamp(2, bw - 3) - 2;
            let sum: u32 = (top..top + 5)
                .map(|y| black[y * bw + left..y * bw + left + 5].iter().sum::<u32>())
                .sum();
            // The mean of black points, each at most 255, in every 16-bit lane.
            *t = u64::from(sum / 25) * LANES;
        }
        for r in 0..BLOCK {
            let y = line(by) + r;
            let row = view.row(y);
            for (bx, &t) in thresholds.iter().enumerate() {
                let x = col(bx);
                let mask = at_or_below(eight(&row[x..x + BLOCK]), t);
                if mask != 0 {
                    out.or8(x, y, mask as usize);
                }
            }
        }
    }
    out
}

/// One threshold for the whole view, its mean.
fn global(view: &View<'_>) -> Bits {
    let (w, h) = (view.width, view.height);
    let total: u64 = (0..h)
        .flat_map(|y| view.row(y).iter())
        .map(|&v| u64::from(v))
        .sum();
    let mean = total / (w * h) as u64;
    let mut out = Bits::new(w, h);
    for y in 0..h {
        for (x, &v) in view.row(y).iter().enumerate() {
            if u64::from(v) <= mean {
                out.words[y * out.row_words + x / WORD] |= 1 << (x % WORD);
            }
        }
    }
    out
}

// The pixel loops work on eight pixels at a time in a 64-bit word, as four 16-bit lanes of
// the even pixels and four of the odd ones (the release profile optimises for size, which
// leaves byte loops unvectorised).

/// The low byte of each 16-bit lane.
const FF: u64 = 0x00FF_00FF_00FF_00FF;
/// Bit 8 of each lane.
const CARRY: u64 = 0x0100_0100_0100_0100;
/// One in each lane.
const LANES: u64 = 0x0001_0001_0001_0001;

/// Eight pixels, the first in the lowest byte.
fn eight(px: &[u8]) -> u64 {
    u64::from_le_bytes(px.try_into().unwrap_or([0; 8]))
}

/// 0x00FF in the lanes where `a` ≥ `b` (lanes hold 0..=255), else 0.
fn at_least(a: u64, b: u64) -> u64 {
    ((((a | CARRY) - b) & CARRY) >> 8) * 0xFF
}

fn lane_min(a: u64, b: u64) -> u64 {
    let ge = at_least(a, b);
    (b & ge) | (a & !ge & FF)
}

fn lane_max(a: u64, b: u64) -> u64 {
    let ge = at_least(a, b);
    (a & ge) | (b & !ge & FF)
}

/// The four lanes.
fn lanes(v: u64) -> impl Iterator<Item = u32> {
    (0..4).map(move |i| ((v >> (16 * i)) & 0xFFFF) as u32)
}

/// Bit i set where pixel i of `px` is at or below the threshold in every lane of `t`.
fn at_or_below(px: u64, t: u64) -> u64 {
    // Bit 8 of a lane survives `(t | 0x100) - pixel` exactly when pixel ≤ t; the multiply
    // gathers lane bits 0, 16, 32, 48 at bits 48, 50, 52, 54 without carries.
    const GATHER: u64 = (1 << 48) | (1 << 34) | (1 << 20) | (1 << 6);
    let even = (((t | CARRY) - (px & FF)) & CARRY) >> 8;
    let odd = (((t | CARRY) - ((px >> 8) & FF)) & CARRY) >> 8;
    ((even.wrapping_mul(GATHER) >> 48) & 0x55) | ((odd.wrapping_mul(GATHER) >> 47) & 0xAA)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rxing::common::HybridBinarizer;
    use rxing::{Binarizer, Luma8Source};

    /// rxing's own hybrid matrix of a packed plane, row by row as booleans.
    fn rxing_bits(data: &[u8], w: usize, h: usize) -> Vec<bool> {
        let source = Luma8Source::new(data.to_vec(), w as u32, h as u32).unwrap();
        let bin = HybridBinarizer::new(source);
        let m = bin.get_black_matrix().unwrap();
        (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .map(|(x, y)| m.get(x as u32, y as u32))
            .collect()
    }

    fn ours(bits: &Bits) -> Vec<bool> {
        (0..bits.height)
            .flat_map(|y| (0..bits.width).map(move |x| (x, y)))
            .map(|(x, y)| bits.words[y * bits.row_words + x / WORD] >> (x % WORD) & 1 == 1)
            .collect()
    }

    #[test]
    fn matches_rxing_bit_for_bit() {
        // Sizes that are and are not multiples of the block and of the word, noise, flat
        // areas, gradients and blocky patterns.
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for (w, h) in [(40, 40), (64, 48), (131, 77), (200, 129), (333, 41)] {
            for kind in 0..4 {
                let data: Vec<u8> = (0..w * h)
                    .map(|i| {
                        let (x, y) = (i % w, i / w);
                        match kind {
                            0 => (next() % 256) as u8,
                            1 => 120 + (next() % 9) as u8,
                            2 => {
                                ((x * 255) / w) as u8 / 2
                                    + if (x / 7 + y / 5) % 2 == 0 { 90 } else { 0 }
                            }
                            _ => {
                                if (x / 3 + y / 11) % 3 == 0 {
                                    30
                                } else {
                                    200
                                }
                            }
                        }
                    })
                    .collect();
                let view = View::new(&data, 0, w, w, h).unwrap();
                let bits = hybrid(&view);
                assert_eq!(ours(&bits), rxing_bits(&data, w, h), "{w}x{h} kind {kind}");
            }
        }
    }

    #[test]
    fn reads_a_strided_region_in_place() {
        let (w, h, stride) = (70, 50, 96);
        let frame: Vec<u8> = (0..stride * (h + 10))
            .map(|i| {
                if (i % stride / 6 + i / stride / 4) % 2 == 0 {
                    20
                } else {
                    220
                }
            })
            .collect();
        let offset = 5 * stride + 13;
        let view = View::new(&frame, offset, stride, w, h).unwrap();
        let packed: Vec<u8> = (0..h)
            .flat_map(|y| frame[offset + y * stride..offset + y * stride + w].to_vec())
            .collect();
        assert_eq!(ours(&hybrid(&view)), rxing_bits(&packed, w, h));
        assert!(View::new(&frame, offset, stride, w, h + 6).is_none());
        // Too narrow for blocks: one threshold, the mean (the stripes are 20 and 220).
        let narrow = hybrid(&View::new(&frame, 0, stride, 39, 50).unwrap());
        let frame = &frame;
        let expect: Vec<bool> = (0..50)
            .flat_map(|y| (0..39).map(move |x| frame[y * stride + x] == 20))
            .collect();
        assert_eq!(ours(&narrow), expect);
    }

    #[test]
    fn packs_bytes() {
        let bytes: Vec<u8> = (0..130 * 2).map(|i| u8::from(i % 3 == 0)).collect();
        let bits = Bits::from_bytes(130, 2, &bytes);
        assert_eq!(bits.row_words, 130usize.div_ceil(WORD));
        for (i, &b) in bytes.iter().enumerate() {
            let (x, y) = (i % 130, i / 130);
            assert_eq!(
                bits.words[y * bits.row_words + x / WORD] >> (x % WORD) & 1,
                usize::from(b)
            );
        }
    }
}
