//! Rasterises a poster [`Layout`] to an RGB image, drawing text with ab_glyph and the
//! bundled DejaVu Sans fonts (which cover every precomposed Vietnamese letter).

use super::layout::{Layout, PAGE_H, PAGE_W, PosterError, Weight, layout, qr};
use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use image::{Luma, Rgb, RgbImage};
use khaibao_core::venue::Venue;
use std::path::Path;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

const MM_PER_INCH: f32 = 25.4;

fn font(weight: Weight) -> Option<FontRef<'static>> {
    FontRef::try_from_slice(match weight {
        Weight::Regular => REGULAR,
        Weight::Bold => BOLD,
    })
    .ok()
}

/// Width of `text` set in `size_mm` (the em size), in millimetres.
pub fn measure_mm(text: &str, size_mm: f32, weight: Weight) -> f32 {
    let Some(f) = font(weight) else {
        return 0.0;
    };
    // Measure at a fixed pixel size and scale: advances are linear in size.
    let px = 100.0;
    let scaled = f.as_scaled(PxScale::from(px));
    let mut width = 0.0;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            width += scaled.kern(p, id);
        }
        width += scaled.h_advance(id);
        prev = Some(id);
    }
    width / px * size_mm
}

fn blend(img: &mut RgbImage, x: i64, y: i64, color: [u8; 3], coverage: f32) {
    if x < 0 || y < 0 || x >= i64::from(img.width()) || y >= i64::from(img.height()) {
        return;
    }
    let px = img.get_pixel_mut(x as u32, y as u32);
    let a = coverage.clamp(0.0, 1.0);
    for (dst, src) in px.0.iter_mut().zip(color) {
        *dst = (f32::from(*dst) * (1.0 - a) + f32::from(src) * a).round() as u8;
    }
}

fn draw_centred(
    img: &mut RgbImage,
    text: &str,
    baseline_px: f32,
    size_px: f32,
    weight: Weight,
    color: [u8; 3],
) {
    let Some(f) = font(weight) else {
        return;
    };
    let scale = PxScale::from(size_px);
    let scaled = f.as_scaled(scale);
    let width: f32 = measure_mm(text, size_px, weight);
    let mut x = (img.width() as f32 - width) / 2.0;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            x += scaled.kern(p, id);
        }
        let glyph = id.with_scale_and_position(scale, point(x, baseline_px));
        if let Some(outline) = f.outline_glyph(glyph) {
            let b = outline.px_bounds();
            outline.draw(|gx, gy, cov| {
                blend(
                    img,
                    b.min.x as i64 + i64::from(gx),
                    b.min.y as i64 + i64::from(gy),
                    color,
                    cov,
                );
            });
        }
        x += scaled.h_advance(id);
        prev = Some(id);
    }
}

/// Draws a laid-out poster at `dpi` dots per inch.
pub fn draw(l: &Layout, dpi: u32) -> RgbImage {
    let px_per_mm = dpi as f32 / MM_PER_INCH;
    let w = (PAGE_W * px_per_mm).round() as u32;
    let h = (PAGE_H * px_per_mm).round() as u32;
    let mut img = RgbImage::from_pixel(w, h, Rgb([255, 255, 255]));
    let band = (l.band_h * px_per_mm).round() as u32;
    for y in 0..band.min(h) {
        for x in 0..w {
            img.put_pixel(x, y, Rgb([0x0b, 0x4f, 0x8a]));
        }
    }
    // Whole pixels per module keep the symbol crisp; centre it in its area.
    let n = l.qr.width() as u32;
    let area = (l.qr_side * px_per_mm) as u32;
    let module = (area / (n + 8)).max(1);
    let side = module * (n + 8);
    let x0 = (l.qr_x * px_per_mm) as u32 + (area - side) / 2 + 4 * module;
    let y0 = (l.qr_y * px_per_mm) as u32 + (area - side) / 2 + 4 * module;
    for (i, c) in l.qr.to_colors().iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (mx, my) = ((i as u32 % n) * module + x0, (i as u32 / n) * module + y0);
            for y in my..(my + module).min(h) {
                for x in mx..(mx + module).min(w) {
                    img.put_pixel(x, y, Rgb([0, 0, 0]));
                }
            }
        }
    }
    for line in &l.lines {
        let color = if line.inverse {
            [255, 255, 255]
        } else {
            [17, 17, 17]
        };
        draw_centred(
            &mut img,
            &line.text,
            line.y * px_per_mm,
            line.size * px_per_mm,
            line.weight,
            color,
        );
    }
    img
}

/// Renders the poster for `venue` and its code text as a PNG-ready image.
pub fn render(venue: &Venue, code: &str, dpi: u32) -> Result<RgbImage, PosterError> {
    Ok(draw(&layout(venue, code, &measure_mm)?, dpi))
}

/// Renders `text` as a QR at level M with `module_px` pixels per module and a 4-module quiet
/// zone, as an 8-bit grayscale image.
pub fn qr_image(text: &str, module_px: u32) -> Result<image::GrayImage, PosterError> {
    Ok(qr(text)?
        .render::<Luma<u8>>()
        .module_dimensions(module_px, module_px)
        .quiet_zone(true)
        .build())
}

/// Writes `text` as a QR PNG.
pub fn write_qr_png(text: &str, module_px: u32, path: &Path) -> Result<(), PosterError> {
    qr_image(text, module_px)?.save_with_format(path, image::ImageFormat::Png)?;
    Ok(())
}

/// [`render`] as 8-bit grayscale, the raster the PNG and PDF posters are written from.
pub fn render_gray(venue: &Venue, code: &str, dpi: u32) -> Result<image::GrayImage, PosterError> {
    Ok(image::DynamicImage::ImageRgb8(render(venue, code, dpi)?).into_luma8())
}
