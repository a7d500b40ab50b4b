//! The poster as SVG (vector, millimetre user units), drawn from a [`Layout`] measured with
//! the same fonts as the raster.

use super::layout::{Layout, PAGE_H, PAGE_W, PosterError, Weight, layout};
use super::png::measure_mm;
use khaibao_core::venue::Venue;
use std::fmt::Write as _;

/// The poster as an SVG document (millimetre user units, A4).
pub fn svg(venue: &Venue, code: &str) -> Result<String, PosterError> {
    let l: Layout = layout(venue, code, &measure_mm)?;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{PAGE_W}mm\" height=\"{PAGE_H}mm\" \
         viewBox=\"0 0 {PAGE_W} {PAGE_H}\">\n<rect width=\"{PAGE_W}\" height=\"{PAGE_H}\" \
         fill=\"#fff\"/>\n<rect width=\"{PAGE_W}\" height=\"{}\" fill=\"#0b4f8a\"/>\n",
        l.band_h
    );
    let n = l.qr.width();
    let module = l.qr_side / (n + 8) as f32;
    let mut path = String::new();
    for (i, c) in l.qr.to_colors().iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let x = l.qr_x + (i % n + 4) as f32 * module;
            let y = l.qr_y + (i / n + 4) as f32 * module;
            let _ = write!(path, "M{x:.3} {y:.3}h{module:.4}v{module:.4}h-{module:.4}z");
        }
    }
    let _ = writeln!(out, "<path fill=\"#000\" d=\"{path}\"/>");
    for line in &l.lines {
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{:.2}\" font-family=\"DejaVu Sans, sans-serif\" font-size=\"{}\" \
             font-weight=\"{}\" text-anchor=\"middle\" fill=\"{}\">{}</text>",
            PAGE_W / 2.0,
            line.y,
            line.size,
            if line.weight == Weight::Bold {
                "bold"
            } else {
                "normal"
            },
            if line.inverse { "#fff" } else { "#111" },
            xml_escape(&line.text)
        );
    }
    out.push_str("</svg>\n");
    Ok(out)
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
