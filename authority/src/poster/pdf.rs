//! Venue posters as PDF, the format print shops and office printers take without questions.
//!
//! The page is the same raster the PNG poster is made of (8-bit grayscale at the requested
//! dpi, so the Vietnamese text needs no embedded font), placed on an A4 page as one
//! Flate-compressed image. The writer is a minimal PDF 1.4: catalog, page tree, one page, the
//! image and its content stream, with an exact cross-reference table. The SVG poster stays
//! the vector version.

use super::layout::{PAGE_H, PAGE_W, PosterError};
use super::png::render_gray;
use khaibao_core::venue::Venue;
use std::fmt::Write as _;

/// PDF points per millimetre (72 per inch).
const PT_PER_MM: f32 = 72.0 / 25.4;

/// The poster for `venue` and its code text as a one-page PDF of its grayscale raster at
/// `dpi`.
pub fn render(venue: &Venue, code: &str, dpi: u32) -> Result<Vec<u8>, PosterError> {
    let gray = render_gray(venue, code, dpi)?;
    let (w, h) = gray.dimensions();
    Ok(page_with_image(gray.as_raw(), w, h))
}

/// A single-page PDF showing `luma` (`width` × `height`, row-major, 8-bit gray) across the
/// whole A4 page.
pub fn page_with_image(luma: &[u8], width: u32, height: u32) -> Vec<u8> {
    let data = miniz_oxide::deflate::compress_to_vec_zlib(luma, 6);
    let (w_pt, h_pt) = (PAGE_W * PT_PER_MM, PAGE_H * PT_PER_MM);
    let content = format!("q {w_pt:.2} 0 0 {h_pt:.2} 0 0 cm /Im0 Do Q\n");

    let mut pdf = Pdf::default();
    pdf.out.extend_from_slice(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n");
    pdf.object(b"<< /Type /Catalog /Pages 2 0 R >>");
    pdf.object(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    pdf.object(
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w_pt:.2} {h_pt:.2}] \
             /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>"
        )
        .as_bytes(),
    );
    pdf.stream(
        &format!(
            "/Type /XObject /Subtype /Image /Width {width} /Height {height} \
             /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode"
        ),
        &data,
    );
    pdf.stream("", content.as_bytes());
    pdf.object(b"<< /Producer (khaibao) >>");
    pdf.finish(1, 6)
}

#[derive(Default)]
struct Pdf {
    out: Vec<u8>,
    offsets: Vec<usize>,
}

impl Pdf {
    fn begin(&mut self) {
        self.offsets.push(self.out.len());
        let n = self.offsets.len();
        self.out
            .extend_from_slice(format!("{n} 0 obj\n").as_bytes());
    }

    fn object(&mut self, body: &[u8]) {
        self.begin();
        self.out.extend_from_slice(body);
        self.out.extend_from_slice(b"\nendobj\n");
    }

    fn stream(&mut self, dict: &str, data: &[u8]) {
        self.begin();
        let sep = if dict.is_empty() { "" } else { " " };
        self.out.extend_from_slice(
            format!("<< {dict}{sep}/Length {} >>\nstream\n", data.len()).as_bytes(),
        );
        self.out.extend_from_slice(data);
        self.out.extend_from_slice(b"\nendstream\nendobj\n");
    }

    fn finish(mut self, root: usize, info: usize) -> Vec<u8> {
        let xref = self.out.len();
        let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", self.offsets.len() + 1);
        for off in &self.offsets {
            let _ = writeln!(table, "{off:010} 00000 n ");
        }
        let _ = write!(
            table,
            "trailer\n<< /Size {} /Root {root} 0 R /Info {info} 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            self.offsets.len() + 1
        );
        self.out.extend_from_slice(table.as_bytes());
        self.out
    }
}
