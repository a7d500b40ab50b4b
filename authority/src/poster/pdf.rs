//! Venue posters as vector PDF (pdf-writer), the format print shops and office printers take
//! without questions, sharp at any size.
//!
//! The page draws the same [`Layout`] as the SVG and PNG posters: the header band as a
//! filled rectangle, every dark QR module as a filled square (one path, so the symbol is
//! exact at A4, A3 or a wall poster), and the text as real text in an embedded subset of the
//! DejaVu Sans fonts (Type 0 / CIDFontType2, Identity-H, with a ToUnicode map so the venue
//! name and manual code can be selected, searched and copied). A3 is the A4 layout scaled by
//! √2 with a transformation matrix: both are ISO A sizes, so nothing moves.

use super::layout::{Layout, PAGE_H, PAGE_W, PosterError, Weight, layout};
use super::png::measure_mm;
use ab_glyph::{Font as _, FontRef, GlyphId};
use khaibao_core::venue::Venue;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};
use std::collections::BTreeMap;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// PDF points per millimetre (72 per inch).
const PT_PER_MM: f32 = 72.0 / 25.4;

/// The paper a PDF poster is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    A4,
    A3,
}

impl Paper {
    /// `a4` or `a3` (any case).
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "a4" => Some(Self::A4),
            "a3" => Some(Self::A3),
            _ => None,
        }
    }

    /// How much larger than A4 the page is.
    fn scale(self) -> f32 {
        match self {
            Self::A4 => 1.0,
            Self::A3 => std::f32::consts::SQRT_2,
        }
    }
}

/// One font as embedded: its glyphs in use, old glyph id → character.
struct Embedded {
    font: FontRef<'static>,
    data: &'static [u8],
    name: &'static [u8],
    resource: &'static [u8],
    remapper: subsetter::GlyphRemapper,
    used: BTreeMap<u16, char>,
}

impl Embedded {
    fn new(weight: Weight) -> Result<Self, PosterError> {
        let (data, name, resource) = match weight {
            Weight::Regular => (REGULAR, &b"KHBAOA+DejaVuSans"[..], &b"F1"[..]),
            Weight::Bold => (BOLD, &b"KHBAOB+DejaVuSans-Bold"[..], &b"F2"[..]),
        };
        let font = FontRef::try_from_slice(data).map_err(|_| PosterError::Font)?;
        Ok(Self {
            font,
            data,
            name,
            resource,
            remapper: subsetter::GlyphRemapper::new(),
            used: BTreeMap::new(),
        })
    }

    fn units(&self) -> f32 {
        self.font.units_per_em().unwrap_or(1000.0)
    }

    /// The line as the `TJ` operator shows it: two-byte glyph ids of the subset, with the
    /// font's kerning as adjustments in thousandths of an em.
    fn encode(&mut self, text: &str) -> Vec<(Vec<u8>, f32)> {
        let mut runs: Vec<(Vec<u8>, f32)> = Vec::new();
        let mut prev: Option<GlyphId> = None;
        for c in text.chars() {
            let id = self.font.glyph_id(c);
            let kern = prev.map_or(0.0, |p| self.font.kern_unscaled(p, id));
            if kern != 0.0 || runs.is_empty() {
                runs.push((Vec::new(), -kern * 1000.0 / self.units()));
            }
            self.used.entry(id.0).or_insert(c);
            let new = self.remapper.remap(id.0);
            if let Some((bytes, _)) = runs.last_mut() {
                bytes.extend_from_slice(&new.to_be_bytes());
            }
            prev = Some(id);
        }
        runs
    }

    /// Writes the font objects: Type 0 font, CID font, descriptor, subset file, ToUnicode.
    fn write(&self, pdf: &mut Pdf, ids: [Ref; 5]) -> Result<(), PosterError> {
        let [type0, cid, descriptor, file, cmap] = ids;
        let per_em = 1000.0 / self.units();
        let info = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };
        pdf.type0_font(type0)
            .base_font(Name(self.name))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);
        let mut widths: Vec<(u16, f32)> = self
            .used
            .keys()
            .filter_map(|old| {
                let new = self.remapper.get(*old)?;
                Some((new, self.font.h_advance_unscaled(GlyphId(*old)) * per_em))
            })
            .collect();
        widths.sort_by_key(|(new, _)| *new);
        let mut font = pdf.cid_font(cid);
        font.subtype(CidFontType::Type2)
            .base_font(Name(self.name))
            .system_info(info)
            .font_descriptor(descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        {
            let mut w = font.widths();
            for (new, width) in &widths {
                w.consecutive(*new, [*width]);
            }
        }
        font.finish();
        let ascent = self.font.ascent_unscaled() * per_em;
        let descent = self.font.descent_unscaled() * per_em;
        pdf.font_descriptor(descriptor)
            .name(Name(self.name))
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(-1100.0, descent, 2000.0, ascent))
            .italic_angle(0.0)
            .ascent(ascent)
            .descent(descent)
            .cap_height(729.0)
            .stem_v(80.0)
            .font_file2(file);
        let subset =
            subsetter::subset(self.data, 0, &self.remapper).map_err(|_| PosterError::Font)?;
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(&subset, 6);
        pdf.stream(file, &packed)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), subset.len() as i32);
        let mut map = pdf_writer::types::UnicodeCmap::new(Name(b"Khaibao-UCS"), info);
        for (old, c) in &self.used {
            if let Some(new) = self.remapper.get(*old) {
                map.pair(new, *c);
            }
        }
        pdf.cmap(cmap, &map.finish());
        Ok(())
    }
}

/// The poster for `venue` and its code text as a one-page vector PDF on `paper`.
pub fn render(venue: &Venue, code: &str, paper: Paper) -> Result<Vec<u8>, PosterError> {
    let l = layout(venue, code, &measure_mm)?;
    render_layout(&l, paper)
}

#[allow(clippy::many_single_char_names)] // page geometry: layout, scale, points per mm
fn render_layout(l: &Layout, paper: Paper) -> Result<Vec<u8>, PosterError> {
    let mut regular = Embedded::new(Weight::Regular)?;
    let mut bold = Embedded::new(Weight::Bold)?;
    let k = PT_PER_MM;
    let mut content = Content::new();
    let s = paper.scale();
    content.save_state();
    content.transform([s, 0.0, 0.0, s, 0.0, 0.0]);
    // Header band.
    content.set_fill_rgb(11.0 / 255.0, 79.0 / 255.0, 138.0 / 255.0);
    content.rect(0.0, (PAGE_H - l.band_h) * k, PAGE_W * k, l.band_h * k);
    content.fill_nonzero();
    // QR modules: one path of squares.
    let n = l.qr.width();
    let module = l.qr_side / (n + 8) as f32;
    content.set_fill_gray(0.0);
    for (i, c) in l.qr.to_colors().iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let x = l.qr_x + (i % n + 4) as f32 * module;
            let y = l.qr_y + (i / n + 4) as f32 * module;
            content.rect(x * k, (PAGE_H - y - module) * k, module * k, module * k);
        }
    }
    content.fill_nonzero();
    // Text.
    for line in &l.lines {
        let font = match line.weight {
            Weight::Regular => &mut regular,
            Weight::Bold => &mut bold,
        };
        let width = measure_mm(&line.text, line.size, line.weight);
        let runs = font.encode(&line.text);
        if line.inverse {
            content.set_fill_gray(1.0);
        } else {
            content.set_fill_gray(17.0 / 255.0);
        }
        content.begin_text();
        content.set_font(Name(font.resource), line.size * k);
        content.next_line((PAGE_W - width) / 2.0 * k, (PAGE_H - line.y) * k);
        {
            let mut shown = content.show_positioned();
            let mut items = shown.items();
            for (bytes, adjust) in &runs {
                if *adjust != 0.0 {
                    items.adjust(*adjust);
                }
                items.show(Str(bytes));
            }
        }
        content.end_text();
    }
    content.restore_state();

    let catalog = Ref::new(1);
    let pages = Ref::new(2);
    let page = Ref::new(3);
    let contents = Ref::new(4);
    let info = Ref::new(5);
    let regular_ids = [6, 7, 8, 9, 10].map(Ref::new);
    let bold_ids = [11, 12, 13, 14, 15].map(Ref::new);
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages).kids([page]).count(1);
    let (w_pt, h_pt) = (PAGE_W * k * s, PAGE_H * k * s);
    let mut p = pdf.page(page);
    p.media_box(Rect::new(0.0, 0.0, w_pt, h_pt))
        .parent(pages)
        .contents(contents);
    {
        let mut resources = p.resources();
        let mut fonts = resources.fonts();
        fonts.pair(Name(regular.resource), regular_ids[0]);
        fonts.pair(Name(bold.resource), bold_ids[0]);
    }
    p.finish();
    let stream = content.finish();
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&stream, 6);
    pdf.stream(contents, &packed).filter(Filter::FlateDecode);
    pdf.document_info(info)
        .producer(pdf_writer::TextStr("khaibao"))
        .title(pdf_writer::TextStr("Mã QR khai báo y tế"));
    regular.write(&mut pdf, regular_ids)?;
    bold.write(&mut pdf, bold_ids)?;
    Ok(pdf.finish())
}
