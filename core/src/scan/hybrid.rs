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

/// The hybrid bitmap of `view`; `None` when it is narrower or lower than five blocks (rxing
/// then falls back to a global histogram, which the caller leaves to rxing).
pub(crate) fn hybrid(view: &View<'_>) -> Option<Bits> {
    let (w, h) = (view.width, view.height);
    if w < BLOCK * 5 || h < BLOCK * 5 {
        return None;
    }
    let (bw, bh) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    let col = |bx: usize| (bx * BLOCK).min(w - BLOCK);
    let line = |by: usize| (by * BLOCK).min(h - BLOCK);

    let mut black = vec![0u32; bw * bh];
    let mut sums = vec![0u32; bw];
    let mut mins = vec![0u8; bw];
    let mut maxs = vec![0u8; bw];
    for by in 0..bh {
        sums.fill(0);
        mins.fill(u8::MAX);
        maxs.fill(0);
        for r in 0..BLOCK {
            let row = view.row(line(by) + r);
            for bx in 0..bw {
                let px = &row[col(bx)..col(bx) + BLOCK];
                let (mut s, mut lo, mut hi) = (0u32, u8::MAX, 0u8);
                for &v in px {
                    s += u32::from(v);
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
                sums[bx] += s;
                mins[bx] = mins[bx].min(lo);
                maxs[bx] = maxs[bx].max(hi);
            }
        }
        for bx in 0..bw {
            let (min, max) = (mins[bx], maxs[bx]);
            let mut point = sums[bx] >> 6;
            if max - min <= MIN_DYNAMIC_RANGE {
                point = u32::from(min) / 2;
                if by > 0 && bx > 0 {
                    let neighbours = (black[(by - 1) * bw + bx]
                        + 2 * black[by * bw + bx - 1]
                        + black[(by - 1) * bw + bx - 1])
                        / 4;
                    if u32::from(min) < neighbours {
                        point = neighbours;
                    }
                }
            }
            black[by * bw + bx] = point;
        }
    }

    let mut out = Bits::new(w, h);
    let mut thresholds = vec![0u8; bw];
    for by in 0..bh {
        let top = by.clamp(2, bh - 3) - 2;
        for (bx, t) in thresholds.iter_mut().enumerate() {
            let left = bx.clamp(2, bw - 3) - 2;
            let sum: u32 = (top..top + 5)
                .map(|y| black[y * bw + left..y * bw + left + 5].iter().sum::<u32>())
                .sum();
            // Means of luma values: at most 255.
            *t = u8::try_from(sum / 25).unwrap_or(u8::MAX);
        }
        for r in 0..BLOCK {
            let y = line(by) + r;
            let row = view.row(y);
            for (bx, &t) in thresholds.iter().enumerate() {
                let x = col(bx);
                let mut mask = 0usize;
                for (i, &v) in row[x..x + BLOCK].iter().enumerate() {
                    mask |= usize::from(v <= t) << i;
                }
                if mask != 0 {
                    out.or8(x, y, mask);
                }
            }
        }
    }
    Some(out)
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
                let bits = hybrid(&view).unwrap();
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
        assert_eq!(ours(&hybrid(&view).unwrap()), rxing_bits(&packed, w, h));
        assert!(View::new(&frame, offset, stride, w, h + 6).is_none());
        assert!(hybrid(&View::new(&frame, 0, stride, 39, 50).unwrap()).is_none());
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
