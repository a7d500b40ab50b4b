//! Venue codes: the signed QR that a venue prints at its entrance.
//!
//! A venue code is a URL, `https://qr.khaibao.vn/v#<base64url(COSE_Sign1)>`, so that a plain
//! phone camera opens the app (or a page explaining it). The payload sits in the fragment,
//! which browsers never send to a server. The COSE_Sign1 is signed with Ed25519 (alg -8)
//! and carries a deterministic CBOR map with integer keys; the key id (`kid`) sits in the
//! protected header, and one found only in the unprotected header is accepted too, since
//! signed-QR verifiers elsewhere broke on exactly that.
//!
//! Anything that is not a khaibao code is returned as [`ScannedVenue::Unverified`]: the app
//! may still record it, but it is never trusted.

use crate::codec::{
    MapBuilder, MapReader, base64url_decode, base64url_encode, from_cbor, hex, to_cbor,
};
use crate::{Error, Result, UnixTime};
use ciborium::Value;
use coset::{
    CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable, iana,
};
use ring::signature::{self, Ed25519KeyPair, KeyPair};

/// The URL prefix every khaibao venue code starts with.
pub const URL_PREFIX: &str = "https://qr.khaibao.vn/v#";
/// The venue payload format version this library writes and reads.
pub const FORMAT_VERSION: u64 = 1;
const MAX_TEXT: usize = 200;
const MAX_CODE_LEN: usize = 2048;

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
        Self::ALL
            .into_iter()
            .find(|c| c.to_wire() == v)
            .ok_or(Error::InvalidField("category"))
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
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
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

/// A key that venue codes may be signed with.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TrustedKey {
    /// Key id, as found in the COSE header.
    pub kid: Vec<u8>,
    /// Raw 32-byte Ed25519 public key.
    pub public_key: Vec<u8>,
}

/// The outcome of reading a scanned text as a venue.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ScannedVenue {
    /// A khaibao code whose signature verified against a trusted key.
    Verified { venue: Venue },
    /// Some other text or URL: it may be recorded, shown as not verified.
    Unverified { text: String },
}

/// The key id of an Ed25519 public key: the first 8 bytes of its SHA-256.
pub fn key_id(public_key: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, public_key).as_ref()[..8].to_vec()
}

fn venue_payload(v: &Venue) -> Result<Vec<u8>> {
    let id = crate::codec::unhex(&v.id, 16).map_err(|_| Error::InvalidField("venue id"))?;
    for (field, text) in [
        ("name", &v.name),
        ("address", &v.address),
        ("issuer", &v.issuer),
    ] {
        if text.len() > MAX_TEXT {
            return Err(Error::InvalidField(field));
        }
    }
    if v.name.trim().is_empty() {
        return Err(Error::InvalidField("name"));
    }
    let map = MapBuilder::new()
        .put(1, FORMAT_VERSION)
        .put(2, Value::Bytes(id))
        .put(3, v.name.as_str())
        .put(4, v.address.as_str())
        .put(5, u64::from(v.province))
        .put(6, v.category.to_wire())
        .put_opt(7, v.vehicle_plate.as_deref())
        .put_opt(8, v.route.as_deref())
        .put_opt(9, v.event_start)
        .put_opt(10, v.event_end)
        .put_opt(15, v.district.map(u64::from))
        .put_opt(16, v.ward.map(u64::from))
        .put(11, u64::from(v.default_stay_minutes))
        .put(12, v.not_before)
        .put(13, v.not_after)
        .put(14, v.issuer.as_str())
        .build();
    to_cbor(&map)
}

fn parse_payload(bytes: &[u8]) -> Result<Venue> {
    let mut r = MapReader::new(from_cbor(bytes)?, "venue payload")?;
    let version = r.u64(1, "version")?;
    if version != FORMAT_VERSION {
        return Err(Error::UnsupportedVersion(version));
    }
    let id = r.bytes(2, "venue id", 16)?;
    if id.len() != 16 {
        return Err(Error::InvalidField("venue id"));
    }
    let venue = Venue {
        id: hex(&id),
        name: r.text(3, "name", MAX_TEXT)?,
        address: r.opt_text(4, "address", MAX_TEXT)?.unwrap_or_default(),
        province: u32::try_from(r.u64(5, "province")?)
            .map_err(|_| Error::InvalidField("province"))?,
        district: r
            .opt_u64(15, "district")?
            .map(u32::try_from)
            .transpose()
            .map_err(|_| Error::InvalidField("district"))?,
        ward: r
            .opt_u64(16, "ward")?
            .map(u32::try_from)
            .transpose()
            .map_err(|_| Error::InvalidField("ward"))?,
        category: VenueCategory::from_wire(r.u64(6, "category")?)?,
        vehicle_plate: r.opt_text(7, "vehicle plate", MAX_TEXT)?,
        route: r.opt_text(8, "route", MAX_TEXT)?,
        event_start: r.opt_i64(9, "event start")?,
        event_end: r.opt_i64(10, "event end")?,
        default_stay_minutes: u32::try_from(r.opt_u64(11, "default stay")?.unwrap_or(60))
            .map_err(|_| Error::InvalidField("default stay"))?,
        not_before: r.i64(12, "not before")?,
        not_after: r.i64(13, "not after")?,
        issuer: r.opt_text(14, "issuer", MAX_TEXT)?.unwrap_or_default(),
    };
    if venue.not_after < venue.not_before {
        return Err(Error::InvalidField("validity"));
    }
    Ok(venue)
}

/// Signs a venue with the issuer's Ed25519 key (PKCS#8) and returns the QR text.
pub fn issue(venue: &Venue, signing_key_pkcs8: &[u8]) -> Result<String> {
    let key =
        Ed25519KeyPair::from_pkcs8(signing_key_pkcs8).map_err(|_| Error::Crypto("signing key"))?;
    let payload = venue_payload(venue)?;
    let protected = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(key_id(key.public_key().as_ref()))
        .build();
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .payload(payload)
        .create_signature(b"", |data| key.sign(data).as_ref().to_vec())
        .build();
    let bytes = sign1
        .to_vec()
        .map_err(|_| Error::Malformed("cose encode"))?;
    Ok(format!("{URL_PREFIX}{}", base64url_encode(&bytes)))
}

/// Reads a scanned text: a khaibao code is verified against `trusted` at time `now`; any
/// other text comes back as [`ScannedVenue::Unverified`].
pub fn read(text: &str, trusted: &[TrustedKey], now: UnixTime) -> Result<ScannedVenue> {
    if !text.starts_with(URL_PREFIX) {
        return Ok(ScannedVenue::Unverified {
            text: text.to_owned(),
        });
    }
    verify(text, trusted, now).map(|venue| ScannedVenue::Verified { venue })
}

/// Verifies a khaibao venue code and returns the venue it describes.
pub fn verify(text: &str, trusted: &[TrustedKey], now: UnixTime) -> Result<Venue> {
    let fragment = text.strip_prefix(URL_PREFIX).ok_or(Error::NotVenueCode)?;
    if fragment.len() > MAX_CODE_LEN {
        return Err(Error::InvalidField("code length"));
    }
    let bytes = base64url_decode(fragment)?;
    let sign1 = CoseSign1::from_tagged_slice(&bytes)
        .or_else(|_| CoseSign1::from_slice(&bytes))
        .map_err(|_| Error::Malformed("cose"))?;
    let alg_ok = matches!(
        sign1.protected.header.alg,
        Some(coset::RegisteredLabelWithPrivate::Assigned(
            iana::Algorithm::EdDSA
        ))
    );
    if !alg_ok {
        return Err(Error::Malformed("algorithm"));
    }
    let kid = if sign1.protected.header.key_id.is_empty() {
        &sign1.unprotected.key_id
    } else {
        &sign1.protected.header.key_id
    };
    let key = trusted
        .iter()
        .find(|k| &k.kid == kid)
        .ok_or(Error::UnknownKey)?;
    sign1
        .verify_signature(b"", |sig, data| {
            signature::UnparsedPublicKey::new(&signature::ED25519, &key.public_key)
                .verify(data, sig)
        })
        .map_err(|_| Error::BadSignature)?;
    let payload = sign1
        .payload
        .as_deref()
        .ok_or(Error::Malformed("no payload"))?;
    let venue = parse_payload(payload)?;
    if now < venue.not_before {
        return Err(Error::NotYetValid);
    }
    if now > venue.not_after {
        return Err(Error::Expired);
    }
    Ok(venue)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;

    pub(crate) fn keypair() -> (Vec<u8>, TrustedKey) {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
        let kp = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let public_key = kp.public_key().as_ref().to_vec();
        (
            pkcs8.as_ref().to_vec(),
            TrustedKey {
                kid: key_id(&public_key),
                public_key,
            },
        )
    }

    fn sample() -> Venue {
        Venue {
            id: "00112233445566778899aabbccddeeff".into(),
            name: "Bệnh viện Bạch Mai".into(),
            address: "78 Đường Giải Phóng, Phương Mai, Đống Đa, Hà Nội".into(),
            province: 1,
            district: None,
            ward: None,
            vehicle_plate: None,
            route: None,
            event_start: None,
            event_end: None,
            category: VenueCategory::Hospital,
            default_stay_minutes: 120,
            not_before: 1_600_000_000,
            not_after: 1_900_000_000,
            issuer: "VN-MOH".into(),
        }
    }

    #[test]
    fn issue_then_verify_round_trips() {
        let (sk, pk) = keypair();
        let text = issue(&sample(), &sk).unwrap();
        assert!(text.starts_with(URL_PREFIX));
        assert_eq!(verify(&text, &[pk], 1_700_000_000).unwrap(), sample());
    }

    #[test]
    fn encoding_is_deterministic() {
        let (sk, _) = keypair();
        assert_eq!(
            issue(&sample(), &sk).unwrap(),
            issue(&sample(), &sk).unwrap()
        );
    }

    #[test]
    fn rejects_forgery_wrong_key_and_time() {
        let (sk, pk) = keypair();
        let (_, other) = keypair();
        let text = issue(&sample(), &sk).unwrap();
        let mut bytes = base64url_decode(&text[URL_PREFIX.len()..]).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let forged = format!("{URL_PREFIX}{}", base64url_encode(&bytes));
        assert!(matches!(
            verify(&forged, std::slice::from_ref(&pk), 1_700_000_000),
            Err(Error::BadSignature)
        ));
        assert!(matches!(
            verify(&text, &[other], 1_700_000_000),
            Err(Error::UnknownKey)
        ));
        assert!(matches!(
            verify(&text, std::slice::from_ref(&pk), 1_500_000_000),
            Err(Error::NotYetValid)
        ));
        assert!(matches!(
            verify(&text, &[pk], 2_000_000_000),
            Err(Error::Expired)
        ));
    }

    #[test]
    fn other_text_is_unverified() {
        let got = read("https://tokhaiyte.vn/?page=Declare&venue=123", &[], 0).unwrap();
        assert!(matches!(got, ScannedVenue::Unverified { .. }));
    }
}
