//! The poster's page: the signed QR at 16 cm on an A4 page, with the venue name, Vietnamese
//! instructions and the manual-entry code, laid out once in millimetres so that every
//! renderer ([`super::svg`], [`super::png`], [`super::pdf`]) draws the same page. It imports
//! no renderer: the width of a line comes from the `measure` function the caller passes.

use khaibao_core::venue::registry;
use khaibao_core::venue::{Venue, VenueCategory};
use qrcode::{EcLevel, QrCode};

/// Errors rendering a QR image or poster.
#[derive(Debug, thiserror::Error)]
pub enum PosterError {
    #[error("text does not fit in a QR code")]
    TooLong,
    #[error("could not write the image: {0}")]
    Write(#[from] image::ImageError),
    #[error("could not write the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("unsupported poster format (use .svg, .png or .pdf)")]
    Format,
    #[error("the poster font could not be read or subset")]
    Font,
    #[error("venue: {0}")]
    Venue(#[from] khaibao_core::Error),
}

/// The QR symbol for `text` at error-correction level M. The encoder picks the cheapest
/// segmentation, so the uppercase prefix is stored in alphanumeric mode and the digits of
/// the fragment in numeric mode.
pub fn qr(text: &str) -> Result<QrCode, PosterError> {
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|_| PosterError::TooLong)
}

/// The QR version number of a symbol.
pub fn qr_version(code: &QrCode) -> i16 {
    match code.version() {
        qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => v,
    }
}

/// A4 portrait, millimetres.
pub const PAGE_W: f32 = 210.0;
pub const PAGE_H: f32 = 297.0;
/// Side of the QR symbol itself (without its 4-module quiet zone), millimetres.
pub const QR_SYMBOL_MM: f32 = 155.0;

/// Which font a line uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// One centred line of text: baseline `y` and size in millimetres.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub text: String,
    pub y: f32,
    pub size: f32,
    pub weight: Weight,
    /// White text on the header band, otherwise dark.
    pub inverse: bool,
}

/// Everything on the page.
pub struct Layout {
    pub band_h: f32,
    pub lines: Vec<Line>,
    pub qr: QrCode,
    /// Top-left corner and side of the QR area (with quiet zone), millimetres.
    pub qr_x: f32,
    pub qr_y: f32,
    pub qr_side: f32,
}

fn category_vi(c: VenueCategory) -> &'static str {
    match c {
        VenueCategory::Hospital => "Cơ sở y tế",
        VenueCategory::School => "Trường học",
        VenueCategory::Office => "Cơ quan, văn phòng",
        VenueCategory::Market => "Chợ, siêu thị",
        VenueCategory::Lodging => "Khách sạn, nhà nghỉ",
        VenueCategory::Restaurant => "Nhà hàng, quán ăn, cà phê",
        VenueCategory::Transport => "Phương tiện công cộng",
        VenueCategory::Event => "Sự kiện",
        VenueCategory::Other => "Địa điểm",
    }
}

#[allow(clippy::many_single_char_names)] // the algorithm's own names
fn date_vi(t: i64) -> String {
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm), in UTC+7.
    let z = (t + 7 * 3600).div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{d:02}/{m:02}/{y}")
}

/// Lays out the poster for a venue and its signed code text. `measure(text, size_mm, bold)`
/// gives a line's width in millimetres, so wrapping matches the real font.
pub fn layout(
    venue: &Venue,
    code: &str,
    measure: &dyn Fn(&str, f32, Weight) -> f32,
) -> Result<Layout, PosterError> {
    let qr = qr(code)?;
    let manual = registry::manual_code(venue)?;
    let mut lines = Vec::new();
    let band_h = 22.0;
    lines.push(Line {
        text: "KHAI BÁO Y TẾ".into(),
        y: 13.0,
        size: 10.0,
        weight: Weight::Bold,
        inverse: true,
    });
    lines.push(Line {
        text: category_vi(venue.category).into(),
        y: 19.5,
        size: 4.5,
        weight: Weight::Regular,
        inverse: true,
    });
    let mut y = band_h + 4.0;
    let mut name_size = 8.0;
    let mut name = wrap(&venue.name, name_size, Weight::Bold, measure);
    if name.len() > 2 {
        name_size = 6.0;
        name = wrap(&venue.name, name_size, Weight::Bold, measure);
    }
    for text in name.into_iter().take(3) {
        y += name_size * 1.15;
        lines.push(Line {
            text,
            y,
            size: name_size,
            weight: Weight::Bold,
            inverse: false,
        });
    }
    for text in wrap(&venue.address, 4.2, Weight::Regular, measure)
        .into_iter()
        .take(2)
    {
        y += 4.2 * 1.3;
        lines.push(Line {
            text,
            y,
            size: 4.2,
            weight: Weight::Regular,
            inverse: false,
        });
    }
    let n = qr.width() as f32;
    let qr_side = QR_SYMBOL_MM * (n + 8.0) / n;
    let qr_y = y + 1.0;
    let qr_x = (PAGE_W - qr_side) / 2.0;
    let mut y = qr_y + qr_side + 6.0;
    for (text, size, weight) in [
        ("Quét mã QR để khai báo y tế", 8.0, Weight::Bold),
        (
            "bằng ứng dụng khaibao hoặc camera điện thoại (Android, iPhone)",
            4.2,
            Weight::Regular,
        ),
    ] {
        lines.push(Line {
            text: text.into(),
            y,
            size,
            weight,
            inverse: false,
        });
        y += size * 1.5;
    }
    y += 2.0;
    lines.push(Line {
        text: "Không quét được? Nhập mã địa điểm:".into(),
        y,
        size: 4.6,
        weight: Weight::Regular,
        inverse: false,
    });
    y += 10.0;
    lines.push(Line {
        text: manual,
        y,
        size: 9.0,
        weight: Weight::Bold,
        inverse: false,
    });
    lines.push(Line {
        text: format!(
            "Scan to check in · Hiệu lực đến {} · {}",
            date_vi(venue.not_after),
            venue.issuer
        ),
        y: PAGE_H - 6.0,
        size: 3.2,
        weight: Weight::Regular,
        inverse: false,
    });
    Ok(Layout {
        band_h,
        lines,
        qr,
        qr_x,
        qr_y,
        qr_side,
    })
}

/// Greedy word wrap to the page width minus margins.
fn wrap(
    text: &str,
    size: f32,
    weight: Weight,
    measure: &dyn Fn(&str, f32, Weight) -> f32,
) -> Vec<String> {
    let max = PAGE_W - 24.0;
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_owned()
        } else {
            format!("{current} {word}")
        };
        if measure(&candidate, size, weight) <= max || current.is_empty() {
            current = candidate;
        } else {
            lines.push(std::mem::replace(&mut current, word.to_owned()));
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}
