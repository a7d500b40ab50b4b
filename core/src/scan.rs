//! Camera frames to QR payloads.
//!
//! The input is an 8-bit luma plane exactly as cameras deliver it: the Y plane of Android's
//! `ImageProxy`/NV21 or of iOS's 420f pixel buffers, with its own row stride, so the app
//! passes the buffer without copying or cropping. An optional region of interest (the
//! viewfinder box) limits the search.
//!
//! Decoding uses rqrr. rqrr can panic on some real photos; every call into it runs under
//! `catch_unwind`, so a bad frame is a miss, never a crash.

use crate::{Error, Result};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Largest frame side accepted, in pixels.
pub const MAX_SIDE: u32 = 8192;

/// A borrowed 8-bit luma plane.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    data: &'a [u8],
    width: u32,
    height: u32,
    stride: u32,
}

impl<'a> Frame<'a> {
    /// Checks that `data` holds `height` rows of `stride` bytes, each with `width` pixels
    /// (the last row may stop right after its last pixel).
    pub fn new(data: &'a [u8], width: u32, height: u32, stride: u32) -> Result<Self> {
        if width == 0 || height == 0 {
            return Err(Error::InvalidFrame("empty frame"));
        }
        if width > MAX_SIDE || height > MAX_SIDE {
            return Err(Error::InvalidFrame("frame too large"));
        }
        if stride < width {
            return Err(Error::InvalidFrame("stride shorter than width"));
        }
        let needed = u64::from(stride) * u64::from(height - 1) + u64::from(width);
        if (data.len() as u64) < needed {
            return Err(Error::InvalidFrame("buffer shorter than frame"));
        }
        Ok(Self {
            data,
            width,
            height,
            stride,
        })
    }

    /// Frame width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }
    /// Frame height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }
    /// The luma value at (x, y); callers keep x < width and y < height.
    fn at(&self, x: u32, y: u32) -> u8 {
        self.data[(y as usize) * (self.stride as usize) + x as usize]
    }
}

/// A rectangle in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Region {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// A point in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Point {
    pub x: i32,
    pub y: i32,
}

/// One decoded QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ScannedCode {
    /// The payload bytes as the data segments carry them.
    pub bytes: Vec<u8>,
    /// The payload as text, when the bytes are valid UTF-8.
    pub text: Option<String>,
    /// Corners in frame coordinates: top-left, top-right, bottom-right, bottom-left.
    pub corners: Vec<Point>,
}

/// Finds and decodes every QR code in `frame`, inside `roi` when given.
pub fn scan_frame(frame: &Frame<'_>, roi: Option<Region>) -> Result<Vec<ScannedCode>> {
    let roi = match roi {
        None => Region {
            x: 0,
            y: 0,
            width: frame.width,
            height: frame.height,
        },
        Some(r) => {
            let fits = r.width > 0
                && r.height > 0
                && r.x.checked_add(r.width).is_some_and(|e| e <= frame.width)
                && r.y.checked_add(r.height).is_some_and(|e| e <= frame.height);
            if !fits {
                return Err(Error::InvalidFrame("region outside frame"));
            }
            r
        }
    };
    // rqrr asserts on some inputs (upstream rqrr issue #54: an assertion in geometry.rs on
    // real photos). A panic inside it is contained here and reported as "no code found".
    let found = catch_unwind(AssertUnwindSafe(|| decode_region(frame, roi)));
    Ok(found.unwrap_or_default())
}

fn decode_region(frame: &Frame<'_>, roi: Region) -> Vec<ScannedCode> {
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(
        roi.width as usize,
        roi.height as usize,
        |x, y| frame.at(roi.x + x as u32, roi.y + y as u32),
    );
    let mut out: Vec<ScannedCode> = Vec::new();
    for grid in img.detect_grids() {
        let mut bytes = Vec::new();
        if grid.decode_to(&mut bytes).is_err() {
            continue;
        }
        if out.iter().any(|c| c.bytes == bytes) {
            continue;
        }
        let corners = grid
            .bounds
            .iter()
            .map(|p| Point {
                x: p.x + roi.x as i32,
                y: p.y + roi.y as i32,
            })
            .collect();
        let text = String::from_utf8(bytes.clone()).ok();
        out.push(ScannedCode {
            bytes,
            text,
            corners,
        });
    }
    out
}

/// Decodes an encoded image (PNG, JPEG or WebP) to luma and scans it.
pub fn scan_image(encoded: &[u8]) -> Result<Vec<ScannedCode>> {
    let luma = decode_luma(encoded)?;
    let frame = Frame::new(luma.as_raw(), luma.width(), luma.height(), luma.width())?;
    scan_frame(&frame, None)
}

/// Decodes an encoded image to an 8-bit luma buffer, refusing images larger than
/// [`MAX_SIDE`] on either side before allocating them.
pub fn decode_luma(encoded: &[u8]) -> Result<image::GrayImage> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(encoded))
        .with_guessed_format()
        .map_err(|_| Error::Image)?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    reader.limits(limits);
    let img = reader.decode().map_err(|_| Error::Image)?;
    Ok(img.to_luma8())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn qr_luma(text: &str, module: u32, quiet: u32) -> (Vec<u8>, u32) {
        let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
        let img = code
            .render::<image::Luma<u8>>()
            .module_dimensions(module, module)
            .quiet_zone(false)
            .build();
        let side = img.width() + 2 * quiet;
        let mut buf = vec![255u8; (side * side) as usize];
        for (x, y, p) in img.enumerate_pixels() {
            buf[((y + quiet) * side + x + quiet) as usize] = p.0[0];
        }
        (buf, side)
    }

    #[test]
    fn decodes_a_plain_frame() {
        let (buf, side) = qr_luma("hello khaibao", 4, 16);
        let frame = Frame::new(&buf, side, side, side).unwrap();
        let got = scan_frame(&frame, None).unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].text.as_deref(), Some("hello khaibao"));
        assert_eq!(got[0].corners.len(), 4);
    }

    #[test]
    fn honours_row_stride_and_region() {
        let (buf, side) = qr_luma("stride test", 3, 12);
        let stride = side + 37;
        let mut padded = vec![0u8; (stride * side) as usize];
        for y in 0..side {
            let row = (y * stride) as usize;
            padded[row..row + side as usize]
                .copy_from_slice(&buf[(y * side) as usize..((y + 1) * side) as usize]);
        }
        let frame = Frame::new(&padded, side, side, stride).unwrap();
        let got = scan_frame(&frame, None).unwrap();
        assert_eq!(got[0].text.as_deref(), Some("stride test"));
        let roi = Region {
            x: 0,
            y: 0,
            width: side / 3,
            height: side / 3,
        };
        assert!(scan_frame(&frame, Some(roi)).unwrap().is_empty());
    }

    #[test]
    fn rejects_inconsistent_geometry() {
        let buf = vec![0u8; 100];
        assert!(Frame::new(&buf, 10, 11, 10).is_err());
        assert!(Frame::new(&buf, 10, 10, 9).is_err());
        assert!(Frame::new(&buf, 0, 10, 10).is_err());
        let frame = Frame::new(&buf, 10, 10, 10).unwrap();
        let outside = Region {
            x: 5,
            y: 5,
            width: 6,
            height: 1,
        };
        assert!(scan_frame(&frame, Some(outside)).is_err());
    }

    #[test]
    fn blank_frame_and_garbage_image_are_not_errors_or_panics() {
        let buf = vec![128u8; 64 * 48];
        let frame = Frame::new(&buf, 64, 48, 64).unwrap();
        assert!(scan_frame(&frame, None).unwrap().is_empty());
        assert!(matches!(scan_image(b"not an image"), Err(Error::Image)));
    }
}
