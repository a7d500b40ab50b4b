//! The boundary to rxing's QR reader (a Rust port of zxing-cpp's finder-pattern detector,
//! grid sampler and decoder): hands it the luma plane (borrowed, with its row stride and
//! region of interest, no copy), binarizes with ZXing's hybrid (block-local) binarizer, and
//! turns its results into [`ScannedCode`]s in frame coordinates. Every call runs under
//! `catch_unwind`, so a panic inside rxing is a miss, never a crash.

use super::decode::Mapping;
use super::pyramid::Plane;
use super::{Frame, Point, Region, ScannedCode};
use rxing::common::{BitArray, BitMatrix, HybridBinarizer, LineOrientation};
use rxing::multi::MultipleBarcodeReader;
use rxing::qrcode::cpp_port::QrReader;
use rxing::{
    BarcodeFormat, BinaryBitmap, DecodeHints, Luma8Source, LuminanceSource, RXingResult,
    RXingResultMetadataType, RXingResultMetadataValue,
};
use std::borrow::Cow;
use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Which rxing passes to run on one plane.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Passes {
    /// Scan every row for finder patterns instead of every few rows (zxing's `tryHarder`).
    pub(crate) try_harder: bool,
    /// Also decode the negative of the binarized plane (light code on a dark background).
    pub(crate) inverted: bool,
}

/// The frame's region as an rxing luminance source, without copying: a view of the frame's
/// rows when the buffer holds whole rows, otherwise (the last row ends right after its last
/// pixel) a packed copy of the region.
pub(crate) fn source<'a>(frame: &Frame<'a>, roi: Region) -> Option<Luma8Source<'a>> {
    let stride = frame.stride as usize;
    let rows = frame.height as usize;
    let whole = stride.checked_mul(rows)?;
    let view = if let Some(rows_data) = frame.data.get(..whole) {
        Luma8Source::new_with_slice(rows_data, frame.stride, frame.height).ok()?
    } else {
        let mut packed = Vec::with_capacity(whole);
        for y in 0..rows {
            let start = y * stride;
            let row = frame.data.get(start..start + frame.width as usize)?;
            packed.extend_from_slice(row);
            packed.resize((y + 1) * stride, 0);
        }
        Luma8Source::new(packed, frame.stride, frame.height).ok()?
    };
    view.crop(
        roi.x as usize,
        roi.y as usize,
        roi.width as usize,
        roi.height as usize,
    )
    .ok()
}

/// An rxing luminance source over a packed plane (a pyramid level or a stretched copy).
pub(crate) fn plane_source(plane: &Plane) -> Option<Luma8Source<'_>> {
    let (w, h) = (
        u32::try_from(plane.width).ok()?,
        u32::try_from(plane.height).ok()?,
    );
    Luma8Source::new_with_slice(&plane.data, w, h).ok()
}

/// Decodes every QR code in `source`, binarized by rxing's hybrid binarizer; returns the
/// codes and whether they came from the inverted pass. `may_invert` is asked before the
/// inverted pass starts (the time budget).
pub(crate) fn decode(
    source: Luma8Source<'_>,
    passes: Passes,
    map: Mapping,
    may_invert: &mut dyn FnMut() -> bool,
) -> (Vec<ScannedCode>, bool) {
    guarded(|| {
        let bitmap = BinaryBitmap::new(HybridBinarizer::new(source));
        both_ways(bitmap, passes, map, may_invert)
    })
}

/// Decodes a plane that our own threshold has binarized (`bits`: 1 = black, one byte per
/// pixel), with rxing's detector and decoder.
pub(crate) fn decode_bits(
    plane: &Plane,
    bits: &[u8],
    passes: Passes,
    map: Mapping,
    may_invert: &mut dyn FnMut() -> bool,
) -> (Vec<ScannedCode>, bool) {
    guarded(|| {
        let Some(binarizer) = Prebinarized::new(plane, bits) else {
            return (Vec::new(), false);
        };
        both_ways(BinaryBitmap::new(binarizer), passes, map, may_invert)
    })
}

fn guarded(run: impl FnOnce() -> (Vec<ScannedCode>, bool)) -> (Vec<ScannedCode>, bool) {
    catch_unwind(AssertUnwindSafe(run)).unwrap_or_default()
}

fn both_ways<B: rxing::Binarizer>(
    mut bitmap: BinaryBitmap<B>,
    passes: Passes,
    map: Mapping,
    may_invert: &mut dyn FnMut() -> bool,
) -> (Vec<ScannedCode>, bool) {
    let hints = DecodeHints {
        PossibleFormats: Some(HashSet::from([BarcodeFormat::QR_CODE])),
        TryHarder: Some(passes.try_harder),
        AlsoInverted: Some(false),
        ..DecodeHints::default()
    };
    let found = read(&mut bitmap, &hints, map);
    if !found.is_empty() || !passes.inverted || !may_invert() {
        return (found, false);
    }
    bitmap.invert();
    (read(&mut bitmap, &hints, map), true)
}

/// An rxing binarizer whose black matrix was computed by us (`binarize`).
struct Prebinarized<'a> {
    source: Luma8Source<'a>,
    matrix: BitMatrix,
}

impl<'a> Prebinarized<'a> {
    fn new(plane: &'a Plane, bits: &[u8]) -> Option<Self> {
        let (w, h) = (
            u32::try_from(plane.width).ok()?,
            u32::try_from(plane.height).ok()?,
        );
        let source = Luma8Source::new_with_slice(&plane.data, w, h).ok()?;
        let mut matrix = BitMatrix::new(w, h).ok()?;
        for (y, row) in bits.chunks_exact(plane.width).enumerate() {
            for (x, &b) in row.iter().enumerate() {
                if b == 1 {
                    matrix.set(x as u32, y as u32);
                }
            }
        }
        Some(Self { source, matrix })
    }

    fn line(&self, l: usize, lt: LineOrientation) -> rxing::common::Result<Cow<'_, BitArray>> {
        let bound = match lt {
            LineOrientation::Row => self.matrix.height(),
            LineOrientation::Column => self.matrix.width(),
        };
        if l >= bound as usize {
            return Err(rxing::Exceptions::INDEX_OUT_OF_BOUNDS);
        }
        Ok(Cow::Owned(match lt {
            LineOrientation::Row => self.matrix.getRow(l as u32),
            LineOrientation::Column => self.matrix.getCol(l as u32),
        }))
    }
}

impl<'a> rxing::Binarizer for Prebinarized<'a> {
    type Source = Luma8Source<'a>;

    fn get_luminance_source(&self) -> &Self::Source {
        &self.source
    }
    fn get_black_row(&self, y: usize) -> rxing::common::Result<Cow<'_, BitArray>> {
        self.line(y, LineOrientation::Row)
    }
    fn get_black_row_from_matrix(&self, y: usize) -> rxing::common::Result<Cow<'_, BitArray>> {
        self.line(y, LineOrientation::Row)
    }
    fn get_black_matrix(&self) -> rxing::common::Result<&BitMatrix> {
        Ok(&self.matrix)
    }
    fn get_black_line(
        &self,
        l: usize,
        lt: LineOrientation,
    ) -> rxing::common::Result<Cow<'_, BitArray>> {
        self.line(l, lt)
    }
    /// Only rxing's crop/rotate helpers call this, and the QR reader uses neither; the
    /// matrix then no longer matches `source`, so it is left empty (nothing decodes).
    fn create_binarizer(&self, source: Self::Source) -> Self {
        let (w, h) = (source.get_width() as u32, source.get_height() as u32);
        let matrix = BitMatrix::new(w.max(1), h.max(1)).unwrap_or_else(|_| self.matrix.clone());
        Self { source, matrix }
    }
    fn get_width(&self) -> usize {
        self.matrix.width() as usize
    }
    fn get_height(&self) -> usize {
        self.matrix.height() as usize
    }
}

fn read<B: rxing::Binarizer>(
    bitmap: &mut BinaryBitmap<B>,
    hints: &DecodeHints,
    map: Mapping,
) -> Vec<ScannedCode> {
    let Ok(results) = QrReader.decode_multiple_with_hints(bitmap, hints) else {
        return Vec::new();
    };
    let mut out: Vec<ScannedCode> = Vec::new();
    for r in results {
        let bytes = r.getRawBytes().to_vec();
        if out.iter().any(|c| c.bytes == bytes) {
            continue;
        }
        // rxing's grid sampler reports top-left, top-right, bottom-left, bottom-right.
        let points = r.getPoints();
        let ordered: Vec<_> = if points.len() == 4 {
            [0, 1, 3, 2].iter().map(|&i| points[i]).collect()
        } else {
            points.to_vec()
        };
        let corners = ordered
            .iter()
            .map(|p| Point {
                x: map.offset_x as i32 + (p.x * map.scale).round() as i32,
                y: map.offset_y as i32 + (p.y * map.scale).round() as i32,
            })
            .collect();
        let text = text(&bytes, r.getText(), declares_charset(&r));
        out.push(ScannedCode {
            bytes,
            text,
            corners,
        });
    }
    out
}

/// The payload as text: the bytes themselves when they are valid UTF-8; otherwise rxing's
/// reading when the symbol declares its character set (an ECI) or rxing recognised
/// Shift_JIS (kanji segments, or byte segments that only make sense as Shift_JIS). Other
/// bytes are binary data and have no text.
fn text(bytes: &[u8], decoded: &str, eci: bool) -> Option<String> {
    if let Ok(utf8) = std::str::from_utf8(bytes) {
        return Some(utf8.to_owned());
    }
    let latin1 = decoded.chars().count() == bytes.len()
        && decoded.chars().zip(bytes).all(|(c, &b)| c == char::from(b));
    (eci || !latin1).then(|| decoded.to_owned())
}

/// Whether the symbol carries an ECI designator (AIM symbology identifier `]Q2`, `]Q4` or
/// `]Q6`: the modifier is raised by one when an ECI is present).
fn declares_charset(r: &RXingResult) -> bool {
    match r
        .getRXingResultMetadata()
        .get(&RXingResultMetadataType::SYMBOLOGY_IDENTIFIER)
    {
        Some(RXingResultMetadataValue::SymbologyIdentifier(id)) => {
            matches!(id.as_bytes().get(2), Some(b'2' | b'4' | b'6'))
        }
        _ => false,
    }
}
