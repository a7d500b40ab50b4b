//! Venue codes: the signed QR that a venue prints at its entrance.
//!
//! A venue code is a URL, `HTTPS://QR.KHAIBAO.VN/V#<decimal digits of the COSE_Sign1>`,
//! its prefix in uppercase so that a QR encoder stores it in alphanumeric mode and the
//! digits in numeric mode ([`crate::encoding::decimal`]), and so that a plain phone camera opens the
//! app (or a page explaining it). The payload sits in the fragment, which browsers never
//! send to a server. The COSE_Sign1 profile is the one in [`crate::encoding::cose`]: Ed25519, kid in
//! the protected header (one found only in the unprotected header is accepted too). The
//! payload is a deterministic CBOR map with integer keys whose texts are coded compactly
//! ([`crate::encoding::vntext`]) when that is shorter than UTF-8; the full format, with measured QR
//! sizes, is specified in `docs/venue-code.md`.
//!
//! Anything that is not a khaibao code is returned as [`ScannedVenue::Unverified`]: the app
//! may still record it, but it is never trusted.
//!
//! The area also holds what makes a code trusted: the keysets that rotate signing keys
//! under a root key ([`keyset`]), the signed venue registry behind the poster's manual code
//! ([`registry`]), the app's store of both ([`trust`]) and their download ([`fetch`]), and
//! the foreign formats recognised but never trusted ([`foreign`]).
//!
//! May import: `encoding`, `storage` (the trust store), `net` (the download). Nothing here
//! knows of declarations, the diary or uploads.

use crate::error::FormatError;
pub(crate) mod error;
pub use error::VenueError;

pub mod fetch;
pub mod foreign;
pub mod keyset;
pub mod registry;
pub mod trust;

use crate::encoding::codec::{self, MapBuilder, MapReader, from_cbor, hex, to_cbor};
use crate::encoding::cose::{self, Signed};
use crate::venue::keyset::Keyset;
pub use crate::venue::keyset::TrustedKey;
use crate::{Error, Result, UnixTime, encoding::decimal, encoding::vntext};
use ciborium::Value;
use unicode_normalization::UnicodeNormalization;

pub use crate::encoding::cose::key_id;

/// The URL prefix every khaibao venue code starts with (matched case-insensitively).
pub const URL_PREFIX: &str = "HTTPS://QR.KHAIBAO.VN/V#";
/// The venue payload format version this library writes and reads (version 1, base45 with
/// UTF-8 texts, is not read: it was never deployed).
pub const FORMAT_VERSION: u64 = 2;
/// Compact times count from this instant, 2020-01-01T00:00:00Z.
pub const TIME_EPOCH: UnixTime = 1_577_836_800;
/// Longest text field, in UTF-8 bytes.
pub const MAX_TEXT: usize = 200;
/// Longest fragment (digits) read; longer codes could not be printed as a scannable QR.
pub const MAX_FRAGMENT: usize = 1_500;
/// Default stay when the code does not say.
pub const DEFAULT_STAY_MINUTES: u32 = 60;

/// What kind of place a venue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum VenueCategory {
    Hospital,
    School,
    Office,
    Market,
    Lodging,
    Restaurant,
    Transport,
    Event,
    Other,
}

impl VenueCategory {
    const ALL: [VenueCategory; 9] = [
        Self::Hospital,
        Self::School,
        Self::Office,
        Self::Market,
        Self::Lodging,
        Self::Restaurant,
        Self::Transport,
        Self::Event,
        Self::Other,
    ];
    fn to_wire(self) -> u64 {
        match self {
            Self::Hospital => 1,
            Self::School => 2,
            Self::Office => 3,
            Self::Market => 4,
            Self::Lodging => 5,
            Self::Restaurant => 6,
            Self::Transport => 7,
            Self::Event => 8,
            Self::Other => 9,
        }
    }
    fn from_wire(v: u64) -> Result<Self> {
        codec::from_wire(&Self::ALL, Self::to_wire, v, "category")
    }
    /// Parses a lowercase English name ("hospital", "restaurant", ...).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
    /// The lowercase English name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Hospital => "hospital",
            Self::School => "school",
            Self::Office => "office",
            Self::Market => "market",
            Self::Lodging => "lodging",
            Self::Restaurant => "restaurant",
            Self::Transport => "transport",
            Self::Event => "event",
            Self::Other => "other",
        }
    }
}

/// A venue as its signed code describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Venue {
    /// Random 16-byte venue id, lowercase hex.
    pub id: String,
    pub name: String,
    pub address: String,
    /// National administrative unit code of the province.
    pub province: u32,
    /// National code of the district, when given.
    pub district: Option<u32>,
    /// National code of the ward (commune), when given.
    pub ward: Option<u32>,
    pub category: VenueCategory,
    /// For public transport: the vehicle's plate or number.
    pub vehicle_plate: Option<String>,
    /// For public transport: the route.
    pub route: Option<String>,
    /// For events: when the event starts.
    pub event_start: Option<UnixTime>,
    /// For events: when the event ends (automatic check-out happens then).
    pub event_end: Option<UnixTime>,
    /// How long a visit usually lasts, used for automatic check-out.
    pub default_stay_minutes: u32,
    pub not_before: UnixTime,
    pub not_after: UnixTime,
    /// Who issued the code (the authority's short id).
    pub issuer: String,
}

/// The outcome of reading a scanned text as a venue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScannedVenue {
    /// A khaibao code whose signature verified against a trusted key.
    Verified { venue: Venue },
    /// Some other text or URL: it may be recorded, shown as not verified.
    Unverified { text: String },
}

fn days(t: UnixTime, round_up: bool, field: &'static str) -> Result<u64> {
    compact(t, 86_400, round_up, field)
}

fn minutes(t: UnixTime, round_up: bool, field: &'static str) -> Result<u64> {
    compact(t, 60, round_up, field)
}

fn compact(t: UnixTime, unit: i64, round_up: bool, field: &'static str) -> Result<u64> {
    let since = t
        .checked_sub(TIME_EPOCH)
        .filter(|s| *s >= 0)
        .ok_or(FormatError::InvalidField(field))?;
    let n = if round_up {
        since.div_euclid(unit) + i64::from(since.rem_euclid(unit) != 0)
    } else {
        since.div_euclid(unit)
    };
    Ok(n as u64)
}

fn expand(n: u64, unit: i64, field: &'static str) -> Result<UnixTime> {
    i64::try_from(n)
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .and_then(|s| s.checked_add(TIME_EPOCH))
        .ok_or(Error::Format(FormatError::InvalidField(field)))
}

fn nfc(field: &'static str, text: &str) -> Result<String> {
    let t: String = text.nfc().collect();
    if t.len() > MAX_TEXT {
        return Err(FormatError::FieldTooLong(field).into());
    }
    Ok(t)
}

fn opt_nfc(field: &'static str, text: Option<&str>) -> Result<Option<Value>> {
    text.map(|t| nfc(field, t).map(|t| text_value(&t)))
        .transpose()
}

/// A text field on the wire: the compact coding as a byte string when the text can be coded
/// and that is shorter than its UTF-8, else the UTF-8 text string. One form per text.
fn text_value(text: &str) -> Value {
    match vntext::encode(text) {
        Some(coded) if coded.len() < text.len() => Value::Bytes(coded),
        _ => Value::Text(text.to_owned()),
    }
}

/// Reads a text field in either form, refusing the form [`text_value`] would not write.
fn wire_text(value: Value, field: &'static str) -> Result<String> {
    let text = match value {
        Value::Text(t) => {
            if t.len() > MAX_TEXT {
                return Err(FormatError::FieldTooLong(field).into());
            }
            t
        }
        Value::Bytes(b) => {
            if b.len() > MAX_TEXT {
                return Err(FormatError::FieldTooLong(field).into());
            }
            let t = vntext::decode(&b).map_err(|_| FormatError::InvalidField(field))?;
            if t.len() > MAX_TEXT {
                return Err(FormatError::FieldTooLong(field).into());
            }
            t
        }
        _ => return Err(Error::Format(FormatError::InvalidField(field))),
    };
    // Texts are NFC and in their one wire form, so each venue has one encoding.
    if !unicode_normalization::is_nfc(&text) {
        return Err(FormatError::InvalidField(field).into());
    }
    Ok(text)
}

/// The deterministic CBOR payload of a venue (the bytes that get signed).
///
/// Texts are normalised to NFC. Validity is stored in whole days since [`TIME_EPOCH`]
/// (`not_before` rounded down, `not_after` up) and event times in whole minutes (start
/// rounded down, end up), so a venue with aligned times reads back unchanged.
pub fn encode_payload(v: &Venue) -> Result<Vec<u8>> {
    let id = crate::encoding::codec::unhex(&v.id, 16)
        .map_err(|_| FormatError::InvalidField("venue id"))?;
    let name = nfc("name", &v.name)?;
    if name.trim().is_empty() {
        return Err(FormatError::InvalidField("name").into());
    }
    let address = nfc("address", &v.address)?;
    let issuer = nfc("issuer", &v.issuer)?;
    let text = |t: String| text_value(&t);
    if v.not_after < v.not_before {
        return Err(FormatError::InvalidField("validity").into());
    }
    let map = MapBuilder::new()
        .put(1, FORMAT_VERSION)
        .put(2, Value::Bytes(id))
        .put(3, text(name))
        .put_opt(4, Some(address).filter(|a| !a.is_empty()).map(text))
        .put(5, u64::from(v.province))
        .put(6, v.category.to_wire())
        .put_opt(7, opt_nfc("vehicle plate", v.vehicle_plate.as_deref())?)
        .put_opt(8, opt_nfc("route", v.route.as_deref())?)
        .put_opt(
            9,
            v.event_start
                .map(|t| minutes(t, false, "event start"))
                .transpose()?,
        )
        .put_opt(
            10,
            v.event_end
                .map(|t| minutes(t, true, "event end"))
                .transpose()?,
        )
        .put_opt(
            11,
            Some(u64::from(v.default_stay_minutes))
                .filter(|m| *m != u64::from(DEFAULT_STAY_MINUTES)),
        )
        .put(12, days(v.not_before, false, "not before")?)
        .put(13, days(v.not_after, true, "not after")?)
        .put_opt(14, Some(issuer).filter(|i| !i.is_empty()).map(text))
        .put_opt(15, v.district.map(u64::from))
        .put_opt(16, v.ward.map(u64::from))
        .build();
    to_cbor(&map)
}

fn opt_u32(r: &mut MapReader, key: u64, field: &'static str) -> Result<Option<u32>> {
    r.opt_u64(key, field)?
        .map(|n| u32::try_from(n).map_err(|_| Error::Format(FormatError::InvalidField(field))))
        .transpose()
}

fn opt_text(r: &mut MapReader, key: u64, field: &'static str) -> Result<Option<String>> {
    let Some(value) = r.opt_value(key) else {
        return Ok(None);
    };
    let canonical = match &value {
        Value::Bytes(b) => Some(Value::Bytes(b.clone())),
        _ => None,
    };
    let text = wire_text(value, field)?;
    // The one wire form: coded exactly when coding is shorter, with the greedy cut.
    let expected = text_value(&text);
    match canonical {
        Some(bytes) if bytes != expected => Err(Error::Format(FormatError::InvalidField(field))),
        None if matches!(expected, Value::Bytes(_)) => {
            Err(Error::Format(FormatError::InvalidField(field)))
        }
        _ => Ok(Some(text)),
    }
}

/// Parses a venue payload (the CBOR inside the COSE_Sign1), checking every field's type and
/// range. Unknown keys are rejected, so a field a newer format adds is never ignored.
pub fn parse_payload(bytes: &[u8]) -> Result<Venue> {
    let mut r = MapReader::new(from_cbor(bytes)?, "venue payload")?;
    let version = r.u64(1, "version")?;
    if version != FORMAT_VERSION {
        return Err(FormatError::UnsupportedVersion(version).into());
    }
    let id = r.bytes(2, "venue id", 16)?;
    if id.len() != 16 {
        return Err(FormatError::InvalidField("venue id").into());
    }
    let name = opt_text(&mut r, 3, "name")?.ok_or(FormatError::InvalidField("name"))?;
    if name.trim().is_empty() {
        return Err(FormatError::InvalidField("name").into());
    }
    let venue = Venue {
        id: hex(&id),
        name,
        address: opt_text(&mut r, 4, "address")?.unwrap_or_default(),
        province: opt_u32(&mut r, 5, "province")?.ok_or(FormatError::InvalidField("province"))?,
        district: opt_u32(&mut r, 15, "district")?,
        ward: opt_u32(&mut r, 16, "ward")?,
        category: VenueCategory::from_wire(r.u64(6, "category")?)?,
        vehicle_plate: opt_text(&mut r, 7, "vehicle plate")?,
        route: opt_text(&mut r, 8, "route")?,
        event_start: r
            .opt_u64(9, "event start")?
            .map(|m| expand(m, 60, "event start"))
            .transpose()?,
        event_end: r
            .opt_u64(10, "event end")?
            .map(|m| expand(m, 60, "event end"))
            .transpose()?,
        default_stay_minutes: opt_u32(&mut r, 11, "default stay")?.unwrap_or(DEFAULT_STAY_MINUTES),
        not_before: expand(r.u64(12, "not before")?, 86_400, "not before")?,
        not_after: expand(r.u64(13, "not after")?, 86_400, "not after")?,
        issuer: opt_text(&mut r, 14, "issuer")?.unwrap_or_default(),
    };
    if !r.is_empty() {
        return Err(FormatError::InvalidField("unknown key").into());
    }
    if venue.not_after < venue.not_before {
        return Err(FormatError::InvalidField("validity").into());
    }
    if let (Some(start), Some(end)) = (venue.event_start, venue.event_end)
        && end < start
    {
        return Err(FormatError::InvalidField("event times").into());
    }
    Ok(venue)
}

/// Signs a venue with the issuer's Ed25519 key (PKCS#8) and returns the QR text.
pub fn issue(venue: &Venue, signing_key_pkcs8: &[u8]) -> Result<String> {
    let bytes = cose::sign(
        encode_payload(venue)?,
        signing_key_pkcs8,
        cose::Purpose::VenueCode,
    )?;
    Ok(format!("{URL_PREFIX}{}", decimal::encode(&bytes)))
}

/// The fragment of a khaibao venue code, or `None` when `text` is not one.
fn fragment(text: &str) -> Option<&str> {
    let head = text.get(..URL_PREFIX.len())?;
    head.eq_ignore_ascii_case(URL_PREFIX)
        .then(|| &text[URL_PREFIX.len()..])
}

/// Whether `text` carries the khaibao venue-code prefix (it may still fail to verify).
pub fn is_khaibao_code(text: &str) -> bool {
    fragment(text).is_some()
}

/// Reads a scanned text: a khaibao code is verified against `trusted` at time `now`; any
/// other text comes back as [`ScannedVenue::Unverified`].
pub fn read(text: &str, trusted: &[TrustedKey], now: UnixTime) -> Result<ScannedVenue> {
    read_with(text, &Keyset::from_trusted(trusted), now)
}

/// [`read`] against a keyset with validity windows.
pub fn read_with(text: &str, keyset: &Keyset, now: UnixTime) -> Result<ScannedVenue> {
    if !is_khaibao_code(text) {
        return Ok(ScannedVenue::Unverified {
            text: text.to_owned(),
        });
    }
    verify_with(text, keyset, now).map(|venue| ScannedVenue::Verified { venue })
}

/// Verifies a khaibao venue code and returns the venue it describes.
pub fn verify(text: &str, trusted: &[TrustedKey], now: UnixTime) -> Result<Venue> {
    verify_with(text, &Keyset::from_trusted(trusted), now)
}

/// [`verify`] against a keyset with validity windows. The checks run in this order, each
/// with its own error: prefix ([`VenueError::NotVenueCode`]), length ([`FormatError::FieldTooLong`]),
/// digits and COSE structure ([`FormatError::Malformed`]), key id ([`VenueError::UnknownKey`],
/// [`VenueError::KeyNotValid`]), signature ([`VenueError::BadSignature`]; every valid key with the
/// code's kid is tried), payload
/// ([`FormatError::UnsupportedVersion`], [`FormatError::InvalidField`], [`FormatError::FieldTooLong`]) and
/// finally the venue's own validity ([`VenueError::NotYetValid`], [`VenueError::Expired`]).
pub fn verify_with(text: &str, keyset: &Keyset, now: UnixTime) -> Result<Venue> {
    let fragment = fragment(text).ok_or(VenueError::NotVenueCode)?;
    if fragment.len() > MAX_FRAGMENT {
        return Err(FormatError::FieldTooLong("code").into());
    }
    let bytes = decimal::decode(fragment)?;
    let signed = Signed::parse(&bytes)?;
    let payload = keyset
        .keys_for(signed.kid(), now)?
        .into_iter()
        .find_map(|key| signed.verify(key, cose::Purpose::VenueCode).ok())
        .ok_or(VenueError::BadSignature)?;
    let venue = parse_payload(&payload)?;
    if now < venue.not_before {
        return Err(VenueError::NotYetValid.into());
    }
    if now > venue.not_after {
        return Err(VenueError::Expired.into());
    }
    Ok(venue)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support;

    fn sample() -> Venue {
        Venue {
            name: "Bệnh viện Bạch Mai".into(),
            address: "78 Đường Giải Phóng, Phương Mai, Đống Đa, Hà Nội".into(),
            province: 1,
            district: Some(6),
            ward: Some(208),
            category: VenueCategory::Hospital,
            default_stay_minutes: 120,
            not_before: TIME_EPOCH + 100 * 86_400,
            not_after: TIME_EPOCH + 3_000 * 86_400,
            issuer: "VN-MOH".into(),
            ..test_support::venue("00112233445566778899aabbccddeeff")
        }
    }

    #[test]
    fn issue_then_verify_round_trips_and_is_alphanumeric() {
        let (sk, pk) = test_support::signing_key();
        let text = issue(&sample(), &sk).unwrap();
        assert!(text.starts_with(URL_PREFIX));
        // The prefix fits QR alphanumeric mode and the fragment numeric mode.
        assert!(
            URL_PREFIX
                .bytes()
                .filter(|b| *b != b'#')
                .all(|b| b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(&b))
        );
        assert!(text[URL_PREFIX.len()..].bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(
            verify(&text, &[pk], TIME_EPOCH + 200 * 86_400).unwrap(),
            sample()
        );
    }

    #[test]
    fn encoding_is_deterministic() {
        let (sk, _) = test_support::signing_key();
        assert_eq!(
            issue(&sample(), &sk).unwrap(),
            issue(&sample(), &sk).unwrap()
        );
    }

    #[test]
    fn unaligned_times_round_outward() {
        let mut v = sample();
        v.not_before += 5;
        v.not_after -= 5;
        v.event_start = Some(TIME_EPOCH + 61);
        v.event_end = Some(TIME_EPOCH + 121);
        let got = parse_payload(&encode_payload(&v).unwrap()).unwrap();
        assert_eq!(got.not_before, sample().not_before);
        assert_eq!(got.not_after, sample().not_after);
        assert_eq!(got.event_start, Some(TIME_EPOCH + 60));
        assert_eq!(got.event_end, Some(TIME_EPOCH + 180));
    }

    #[test]
    fn lowercase_prefix_is_recognised_and_other_text_is_unverified() {
        let (sk, pk) = test_support::signing_key();
        let text = issue(&sample(), &sk).unwrap();
        let lower = format!("https://qr.khaibao.vn/v#{}", &text[URL_PREFIX.len()..]);
        assert!(verify(&lower, &[pk], TIME_EPOCH + 200 * 86_400).is_ok());
        let got = read("https://tokhaiyte.vn/?page=Declare&venue=123", &[], 0).unwrap();
        assert!(matches!(got, ScannedVenue::Unverified { .. }));
    }
}
