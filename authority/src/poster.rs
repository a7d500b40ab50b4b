//! Rendering venue codes as QR images.

use image::Luma;
use qrcode::{EcLevel, QrCode};
use std::path::Path;

/// Errors rendering a QR image.
#[derive(Debug, thiserror::Error)]
pub enum PosterError {
    #[error("text does not fit in a QR code")]
    TooLong,
    #[error("could not write the image: {0}")]
    Write(#[from] image::ImageError),
}

/// The QR symbol for `text` at error-correction level M.
pub fn qr(text: &str) -> Result<QrCode, PosterError> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|_| PosterError::TooLong)
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
