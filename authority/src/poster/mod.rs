//! Venue posters: what a venue prints and hangs at its door. [`layout`] places everything on
//! an A4 page in millimetres; [`svg`], [`png`] and [`pdf`] render that one layout (SVG and PDF as
//! vector pages, PNG as a raster), so the formats match. The PNG rasteriser draws text with the
//! DejaVu Sans fonts shipped in `authority/assets/fonts` (full Vietnamese coverage; licence
//! alongside).
//!
//! Imports: `khaibao_core` and the rendering crates only; nothing else of this crate. Inside,
//! the renderers import [`layout`] (and `pdf` the PNG raster), never the other way round.

pub mod category;
pub mod layout;
pub mod pdf;
pub mod png;
pub mod svg;

pub use layout::{Layout, PosterError, layout, qr, qr_version};
pub use png::{qr_image, write_qr_png};
pub use svg::svg;

use khaibao_core::venue::Venue;
use std::path::Path;

/// Writes the poster to `path`, as SVG, PNG or PDF by its extension (PNG at `dpi`,
/// grayscale; PDF as an A4 vector page).
pub fn write_poster(venue: &Venue, code: &str, path: &Path, dpi: u32) -> Result<(), PosterError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("svg") => std::fs::write(path, svg(venue, code)?)?,
        Some("png") => {
            // 8-bit grayscale: a third of the size, and what office laser printers print.
            png::render_gray(venue, code, dpi)?.save_with_format(path, image::ImageFormat::Png)?;
        }
        Some("pdf") => {
            std::fs::write(path, pdf::render(venue, code, pdf::Paper::A4)?)?;
        }
        _ => return Err(PosterError::Format),
    }
    Ok(())
}
