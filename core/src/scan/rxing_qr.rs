//! The boundary to rxing's QR reader (a Rust port of zxing-cpp's finder-pattern detector,
//! grid sampler and decoder): hands it the luma plane (borrowed, with its row stride and
//! region of interest, no copy), binarizes with ZXing's hybrid (block-local) binarizer, and
//! turns its results into [`ScannedCode`]s in frame coordinates. Every call runs under
//! `catch_unwind`, so a panic inside rxing is a miss, never a crash.
//!
//! The finder-pattern search, sampling and decoding are called directly (what rxing's
//! `QrReader` does for plain QR codes, without its Micro and rMQR passes), and the text is
//! read by [`super::charset`] rather than by rxing: rxing's text goes through encoding_rs
//! with every legacy encoding, about 150 KB of the shipped library.

use super::charset::Charset;
use super::decode::Mapping;
use super::hybrid::{self, Bits, View};
use super::pyramid::Plane;
use super::{Deadline, Frame, Point, Region, ScannedCode};
use rxing::common::string_utils::guessCharset;
use rxing::common::{
    BitArray, BitMatrix, CharacterSet, DetectorRXingResult, ECIStringBuilder, LineOrientation,
};
use rxing::qrcode::cpp_port::{decoder, detector};
use rxing::{BinaryBitmap, DecodeHints, Luma8Source, LuminanceSource};
use std::borrow::Cow;
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

/// The frame's region, read in place by [`hybrid::hybrid`].
pub(crate) fn frame_view<'a>(frame: &Frame<'a>, roi: Region) -> Option<View<'a>> {
    let stride = frame.stride as usize;
    View::new(
        frame.data,
        roi.y as usize * stride + roi.x as usize,
        stride,
        roi.width as usize,
        roi.height as usize,
    )
}

/// An rxing luminance source over a packed plane (a pyramid level or a stretched copy).
pub(crate) fn plane_source(plane: &Plane) -> Option<Luma8Source<'_>> {
    let (w, h) = (
        u32::try_from(plane.width).ok()?,
        u32::try_from(plane.height).ok()?,
    );
    Luma8Source::new_with_slice(&plane.data, w, h).ok()
}

/// A packed plane as a view for [`hybrid::hybrid`].
pub(crate) fn plane_view(plane: &Plane) -> Option<View<'_>> {
    View::new(&plane.data, 0, plane.width, plane.width, plane.height)
}

/// What rxing reads: a luma region binarized by ZXing's hybrid binarizer (the same luma as
/// a source and as a view we binarize in place), or a plane that our own threshold has
/// binarized (`bits`: 1 = black, one byte per pixel).
pub(crate) enum Input<'a> {
    Luma(Luma8Source<'a>, View<'a>),
    Bits(&'a Plane, &'a [u8]),
}

/// Which halves of a pass to run on one bitmap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Polarity {
    /// The bitmap, then (when [`Passes::inverted`] and the budget allow) its negative.
    Both,
    /// The bitmap only.
    Normal,
    /// The negative only.
    Inverted,
}

/// How many of the largest finder-pattern groups [`Candidates`] encloses.
const CANDIDATE_SETS: usize = 3;

/// What one pass read: the codes, whether the negative found them, and the region (in frame
/// coordinates) around the finder patterns the normal half saw.
#[derive(Debug, Default)]
pub(crate) struct Reading {
    pub(crate) codes: Vec<ScannedCode>,
    pub(crate) inverted: bool,
    pub(crate) candidates: Option<Candidates>,
}

/// The groups of three finder patterns (possible codes) a pass formed, and where the largest
/// [`CANDIDATE_SETS`] of them are, in frame coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Candidates {
    /// How many groups.
    pub(crate) sets: usize,
    pub(crate) min_x: f32,
    pub(crate) min_y: f32,
    pub(crate) max_x: f32,
    pub(crate) max_y: f32,
    /// The largest pattern's size (pixels, about 7 modules).
    pub(crate) size: f32,
}

/// Decodes every QR code in `input`. `may_invert` is asked before the inverted half starts
/// (the time budget); no finder-pattern group is tried after `deadline`.
pub(crate) fn decode(
    input: Input<'_>,
    passes: Passes,
    polarity: Polarity,
    map: Mapping,
    may_invert: &mut dyn FnMut() -> bool,
    deadline: Deadline,
) -> Reading {
    let run = || {
        let binarizer = match input {
            Input::Luma(source, view) => {
                matrix(&hybrid::hybrid(&view)).map(|matrix| Prebinarized { source, matrix })
            }
            Input::Bits(plane, bits) => Prebinarized::new(plane, bits),
        };
        binarizer.map_or_else(Reading::default, |binarizer| {
            both_ways(
                BinaryBitmap::new(binarizer),
                passes,
                polarity,
                map,
                may_invert,
                deadline,
            )
        })
    };
    catch_unwind(AssertUnwindSafe(run)).unwrap_or_default()
}

fn both_ways<B: rxing::Binarizer>(
    mut bitmap: BinaryBitmap<B>,
    passes: Passes,
    polarity: Polarity,
    map: Mapping,
    may_invert: &mut dyn FnMut() -> bool,
    deadline: Deadline,
) -> Reading {
    let mut reading = Reading::default();
    if polarity != Polarity::Inverted {
        (reading.codes, reading.candidates) = read(&bitmap, passes.try_harder, map, deadline);
        if !reading.codes.is_empty()
            || polarity == Polarity::Normal
            || !passes.inverted
            || !may_invert()
        {
            return reading;
        }
    }
    bitmap.invert();
    reading.codes = read(&bitmap, passes.try_harder, map, deadline).0;
    reading.inverted = true;
    reading
}

/// Packed rows of bits as rxing's matrix.
fn matrix(bits: &Bits) -> Option<BitMatrix> {
    let (w, h) = (
        u32::try_from(bits.width).ok()?,
        u32::try_from(bits.height).ok()?,
    );
    let mut matrix = BitMatrix::new(w, h).ok()?;
    if matrix.getRowSize() != bits.row_words {
        return None;
    }
    let mut row = BitArray::with_size(bits.width);
    for (y, words) in bits.words.chunks_exact(bits.row_words).enumerate() {
        for (i, &word) in words.iter().enumerate() {
            row.setBulk(i * hybrid::WORD, word);
        }
        matrix.setRow(y as u32, &row);
    }
    Some(matrix)
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
        if bits.len() != plane.width * plane.height {
            return None;
        }
        let matrix = matrix(&Bits::from_bytes(plane.width, plane.height, bits))?;
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

/// Every QR code in the binarized bitmap, and where its largest finder-pattern groups are:
/// finder-pattern triples, largest first, each sampled and decoded until `deadline`; a
/// triple sharing a pattern with a decoded code is skipped. Finding the patterns and forming the triples is cheap; sampling and decoding
/// each triple is what a frame tiled with finder patterns (tens of thousands of triples)
/// would spend seconds on.
fn read<B: rxing::Binarizer>(
    bitmap: &BinaryBitmap<B>,
    try_harder: bool,
    map: Mapping,
    deadline: Deadline,
) -> (Vec<ScannedCode>, Option<Candidates>) {
    let matrix = bitmap.get_black_matrix();
    let mut patterns = detector::FindFinderPatterns(matrix, try_harder, 0);
    let sets = detector::GenerateFinderPatternSets(&mut patterns);
    // Where the largest groups are: the region worth more work when none decodes.
    let candidates = sets
        .iter()
        .take(CANDIDATE_SETS)
        .flat_map(|set| [set.bl, set.tl, set.tr])
        .fold(None, |acc: Option<Candidates>, p| {
            let (x, y) = (
                map.offset_x as f32 + p.p.x * map.scale,
                map.offset_y as f32 + p.p.y * map.scale,
            );
            let size = p.size as f32 * map.scale;
            Some(match acc {
                None => Candidates {
                    sets: sets.len(),
                    min_x: x,
                    min_y: y,
                    max_x: x,
                    max_y: y,
                    size,
                },
                Some(c) => Candidates {
                    min_x: c.min_x.min(x),
                    min_y: c.min_y.min(y),
                    max_x: c.max_x.max(x),
                    max_y: c.max_y.max(y),
                    size: c.size.max(size),
                    ..c
                },
            })
        });
    let mut used = Vec::new();
    let mut out: Vec<ScannedCode> = Vec::new();
    for set in sets {
        if !deadline.open() {
            break;
        }
        if [set.bl, set.tl, set.tr].iter().any(|p| used.contains(p)) {
            continue;
        }
        let Ok(sampled) = detector::SampleQR(matrix, &set) else {
            continue;
        };
        let Ok(decoded) = decoder::Decode(sampled.getBits()) else {
            continue;
        };
        if !decoded.isValid() {
            continue;
        }
        used.extend([set.bl, set.tl, set.tr]);
        let content = decoded.content();
        let bytes = content.bytes().to_vec();
        if out.iter().any(|c| c.bytes == bytes) {
            continue;
        }
        // rxing's grid sampler reports top-left, top-right, bottom-left, bottom-right.
        let points = sampled.getPoints();
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
        out.push(ScannedCode {
            text: text(content),
            bytes,
            corners,
        });
    }
    (out, candidates)
}

/// The payload as text: the bytes themselves when they are valid UTF-8; else in the
/// character set the symbol declares (an ECI) or its kanji segments imply. Without either,
/// zxing's guess among Shift_JIS, UTF-16 (with a byte-order mark) and ISO-8859-1 decides,
/// and ISO-8859-1 means binary data, which has no text. A set [`Charset`] does not read
/// (Big5, GB 18030, EUC-KR) gives no text either.
fn text(content: &ECIStringBuilder) -> Option<String> {
    let bytes = content.bytes();
    if let Ok(utf8) = std::str::from_utf8(bytes) {
        return Some(utf8.to_owned());
    }
    if let Some(set) = single_charset(content) {
        return charset(set)?.decode(bytes);
    }
    if content.has_eci {
        return None;
    }
    match guessCharset(bytes, &DecodeHints::default())? {
        CharacterSet::ISO8859_1 => None,
        set => charset(set)?.decode(bytes),
    }
}

/// The character sets [`charset`] reads, in the order the payload is tried against them.
const READABLE: [CharacterSet; 25] = [
    CharacterSet::Shift_JIS,
    CharacterSet::ISO8859_1,
    CharacterSet::UTF8,
    CharacterSet::ASCII,
    CharacterSet::UTF16BE,
    CharacterSet::UTF16LE,
    CharacterSet::Cp437,
    CharacterSet::ISO8859_2,
    CharacterSet::ISO8859_3,
    CharacterSet::ISO8859_4,
    CharacterSet::ISO8859_5,
    CharacterSet::ISO8859_6,
    CharacterSet::ISO8859_7,
    CharacterSet::ISO8859_8,
    CharacterSet::ISO8859_9,
    CharacterSet::ISO8859_10,
    CharacterSet::ISO8859_11,
    CharacterSet::ISO8859_13,
    CharacterSet::ISO8859_14,
    CharacterSet::ISO8859_15,
    CharacterSet::ISO8859_16,
    CharacterSet::Cp1250,
    CharacterSet::Cp1251,
    CharacterSet::Cp1252,
    CharacterSet::Cp1256,
];

/// The one character set of a payload written in a single set: opened by an ECI, or (without
/// ECI) made of one kanji segment. rxing's decoder records where each set starts but does
/// not expose it, so the record it makes for such a payload is rebuilt with its own public
/// methods for each candidate set and compared; a payload that mixes sets matches none.
fn single_charset(content: &ECIStringBuilder) -> Option<CharacterSet> {
    let candidates: &[CharacterSet] = if content.has_eci {
        &READABLE
    } else {
        &[CharacterSet::Shift_JIS]
    };
    candidates.iter().copied().find(|&set| {
        let mut probe = ECIStringBuilder::default();
        probe.symbology = content.symbology;
        probe.switch_encoding(set, content.has_eci);
        probe.append_bytes(content.bytes());
        probe == *content
    })
}

/// Our decoder for one of rxing's character sets, when we read it.
fn charset(set: CharacterSet) -> Option<Charset> {
    Some(match set {
        CharacterSet::UTF8 => Charset::Utf8,
        CharacterSet::ASCII => Charset::Ascii,
        CharacterSet::ISO8859_1 => Charset::Latin1,
        CharacterSet::ISO8859_2 => Charset::ISO_8859_2,
        CharacterSet::ISO8859_3 => Charset::ISO_8859_3,
        CharacterSet::ISO8859_4 => Charset::ISO_8859_4,
        CharacterSet::ISO8859_5 => Charset::ISO_8859_5,
        CharacterSet::ISO8859_6 => Charset::ISO_8859_6,
        CharacterSet::ISO8859_7 => Charset::ISO_8859_7,
        CharacterSet::ISO8859_8 => Charset::ISO_8859_8,
        CharacterSet::ISO8859_9 => Charset::ISO_8859_9,
        CharacterSet::ISO8859_10 => Charset::ISO_8859_10,
        CharacterSet::ISO8859_11 => Charset::ISO_8859_11,
        CharacterSet::ISO8859_13 => Charset::ISO_8859_13,
        CharacterSet::ISO8859_14 => Charset::ISO_8859_14,
        CharacterSet::ISO8859_15 => Charset::ISO_8859_15,
        CharacterSet::ISO8859_16 => Charset::ISO_8859_16,
        CharacterSet::Cp1250 => Charset::WINDOWS_1250,
        CharacterSet::Cp1251 => Charset::WINDOWS_1251,
        CharacterSet::Cp1252 => Charset::WINDOWS_1252,
        CharacterSet::Cp1256 => Charset::WINDOWS_1256,
        CharacterSet::Cp437 => Charset::CP437,
        CharacterSet::Shift_JIS => Charset::ShiftJis,
        CharacterSet::UTF16BE => Charset::Utf16 { big_endian: true },
        CharacterSet::UTF16LE => Charset::Utf16 { big_endian: false },
        _ => return None,
    })
}
