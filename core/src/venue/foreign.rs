//! Venue codes from other countries' contact-tracing apps, read but never trusted blindly.
//!
//! - New Zealand: `NZCOVIDTRACER:` + base64 JSON with `gln`, `opn` (name), `adr` (address).
//!   Unsigned.
//! - United Kingdom: `UKC19TRACING:1:` + a JWT (ES256, `kid` in its header) whose claims hold
//!   `id`, `opn` (name) and `pc` (postcode). The signature is checked only when a key with
//!   that `kid` is configured; otherwise the venue comes back with `signature_verified` false.
//! - Germany's Corona-Warn-App: `https://e.coronawarn.app?v=1#` + base64url protobuf
//!   `QRCodePayload { 2: TraceLocation { 2: description, 3: address } }`. Unsigned.
//!
//! Parsing is bounded: inputs over [`MAX_FOREIGN`] bytes, bad base64, JSON or protobuf give
//! [`FormatError::Malformed`], a configured UK key that does not verify gives
//! [`VenueError::BadSignature`], and text in none of these formats gives `Ok(None)`.

use crate::error::{FormatError, VenueError};
use crate::{Error, Result};
use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};

/// Longest foreign code parsed.
pub const MAX_FOREIGN: usize = 4_096;
const MAX_TEXT: usize = 500;

const NZ_PREFIX: &str = "NZCOVIDTRACER:";
const UK_PREFIX: &str = "UKC19TRACING:1:";
const CWA_PREFIX: &str = "https://e.coronawarn.app?v=1#";

/// A venue described by another country's code.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ForeignVenue {
    /// NZ COVID Tracer poster.
    NewZealand {
        gln: String,
        name: String,
        address: String,
    },
    /// NHS COVID-19 app poster.
    UnitedKingdom {
        id: String,
        name: String,
        postcode: String,
        /// True only when a configured key verified the ES256 signature.
        signature_verified: bool,
    },
    /// Corona-Warn-App event or place.
    CoronaWarnApp {
        description: String,
        address: String,
    },
}

/// A UK venue-signing key: its JWT `kid` and its P-256 public key (SEC1 uncompressed,
/// 65 bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct UkKey {
    pub kid: String,
    pub public_key: Vec<u8>,
}

/// Recognises and parses a foreign venue code.
pub fn parse(text: &str, uk_keys: &[UkKey]) -> Result<Option<ForeignVenue>> {
    let prefixed = [NZ_PREFIX, UK_PREFIX, CWA_PREFIX]
        .iter()
        .any(|p| text.starts_with(p));
    if prefixed && text.len() > MAX_FOREIGN {
        return Err(FormatError::FieldTooLong("foreign code").into());
    }
    if let Some(rest) = text.strip_prefix(NZ_PREFIX) {
        return parse_nz(rest).map(Some);
    }
    if let Some(rest) = text.strip_prefix(UK_PREFIX) {
        return parse_uk(rest, uk_keys).map(Some);
    }
    if let Some(rest) = text.strip_prefix(CWA_PREFIX) {
        return parse_cwa(rest).map(Some);
    }
    Ok(None)
}

fn parse_nz(b64: &str) -> Result<ForeignVenue> {
    let json = json_object(&base64_decode(b64)?)?;
    Ok(ForeignVenue::NewZealand {
        gln: json_text(&json, "gln")?,
        name: json_text(&json, "opn")?,
        address: json_opt_text(&json, "adr")?.unwrap_or_default(),
    })
}

fn parse_uk(jwt: &str, keys: &[UkKey]) -> Result<ForeignVenue> {
    let mut parts = jwt.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(FormatError::Malformed("jwt").into());
    };
    let header = json_object(&base64_decode(h)?)?;
    if json_text(&header, "alg")? != "ES256" {
        return Err(FormatError::Malformed("jwt algorithm").into());
    }
    let kid = json_opt_text(&header, "kid")?;
    let claims = json_object(&base64_decode(p)?)?;
    let signature = base64_decode(s)?;
    let key = keys.iter().find(|k| Some(&k.kid) == kid.as_ref());
    if let Some(key) = key {
        let signed = &jwt[..h.len() + 1 + p.len()];
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &key.public_key)
            .verify(signed.as_bytes(), &signature)
            .map_err(|_| VenueError::BadSignature)?;
    }
    Ok(ForeignVenue::UnitedKingdom {
        id: json_text(&claims, "id")?,
        name: json_text(&claims, "opn")?,
        postcode: json_opt_text(&claims, "pc")?.unwrap_or_default(),
        signature_verified: key.is_some(),
    })
}

fn parse_cwa(b64: &str) -> Result<ForeignVenue> {
    let payload = base64_decode(b64)?;
    let location = proto_field(&payload, 2)?.ok_or(FormatError::Malformed("cwa location"))?;
    let text = |n| -> Result<String> {
        let Some(bytes) = proto_field(location, n)? else {
            return Ok(String::new());
        };
        if bytes.len() > MAX_TEXT {
            return Err(FormatError::FieldTooLong("cwa text").into());
        }
        String::from_utf8(bytes.to_vec())
            .map_err(|_| Error::Format(FormatError::Malformed("cwa utf-8")))
    };
    Ok(ForeignVenue::CoronaWarnApp {
        description: text(2)?,
        address: text(3)?,
    })
}

type JsonMap = serde_json::Map<String, serde_json::Value>;

fn json_object(bytes: &[u8]) -> Result<JsonMap> {
    match serde_json::from_slice(bytes) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        _ => Err(Error::Format(FormatError::Malformed("json"))),
    }
}

fn json_opt_text(map: &JsonMap, key: &'static str) -> Result<Option<String>> {
    match map.get(key) {
        None => Ok(None),
        Some(serde_json::Value::String(s)) if s.len() <= MAX_TEXT => Ok(Some(s.clone())),
        Some(serde_json::Value::String(_)) => Err(Error::Format(FormatError::FieldTooLong(key))),
        Some(_) => Err(Error::Format(FormatError::InvalidField(key))),
    }
}

fn json_text(map: &JsonMap, key: &'static str) -> Result<String> {
    json_opt_text(map, key)?.ok_or(Error::Format(FormatError::InvalidField(key)))
}

/// Decodes base64 in either alphabet (standard or URL-safe), with or without padding.
fn base64_decode(text: &str) -> Result<Vec<u8>> {
    let t = text.trim_end_matches('=');
    if t.len() % 4 == 1 {
        return Err(FormatError::Malformed("base64 length").into());
    }
    let mut out = Vec::with_capacity(t.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for c in t.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return Err(Error::Format(FormatError::Malformed("base64 alphabet"))),
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

fn varint(buf: &[u8], pos: &mut usize) -> Result<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf
            .get(*pos)
            .ok_or(FormatError::Malformed("protobuf varint"))?;
        *pos += 1;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(Error::Format(FormatError::Malformed("protobuf varint")))
}

/// The first length-delimited field number `field` in a protobuf message, skipping others.
fn proto_field(buf: &[u8], field: u64) -> Result<Option<&[u8]>> {
    let mut pos = 0;
    while pos < buf.len() {
        let tag = varint(buf, &mut pos)?;
        let skip = match tag & 7 {
            0 => {
                varint(buf, &mut pos)?;
                0
            }
            1 => 8,
            5 => 4,
            2 => {
                let len = usize::try_from(varint(buf, &mut pos)?)
                    .map_err(|_| FormatError::Malformed("protobuf length"))?;
                let end = pos
                    .checked_add(len)
                    .filter(|e| *e <= buf.len())
                    .ok_or(FormatError::Malformed("protobuf length"))?;
                if tag >> 3 == field {
                    return Ok(Some(&buf[pos..end]));
                }
                len
            }
            _ => return Err(Error::Format(FormatError::Malformed("protobuf wire type"))),
        };
        pos = pos
            .checked_add(skip)
            .filter(|p| *p <= buf.len())
            .ok_or(FormatError::Malformed("protobuf truncated"))?;
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::codec::base64url_encode;
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};

    fn b64std(data: &[u8]) -> String {
        let mut s = base64url_encode(data).replace('-', "+").replace('_', "/");
        while !s.len().is_multiple_of(4) {
            s.push('=');
        }
        s
    }

    #[test]
    fn new_zealand_poster() {
        let json = r#"{"gln":"9429300000001","ver":"c19:1","typ":"entry","opn":"Café Ōtaki","adr":"12 Main St\nŌtaki"}"#;
        let text = format!("{NZ_PREFIX}{}", b64std(json.as_bytes()));
        assert_eq!(
            parse(&text, &[]).unwrap(),
            Some(ForeignVenue::NewZealand {
                gln: "9429300000001".into(),
                name: "Café Ōtaki".into(),
                address: "12 Main St\nŌtaki".into(),
            })
        );
        assert!(matches!(
            parse("NZCOVIDTRACER:!!!", &[]),
            Err(Error::Format(FormatError::Malformed(_)))
        ));
        let wrong_type = format!("{NZ_PREFIX}{}", b64std(br#"{"gln":1,"opn":"x"}"#));
        assert!(matches!(
            parse(&wrong_type, &[]),
            Err(Error::Format(FormatError::InvalidField("gln")))
        ));
    }

    fn uk_jwt(pair: &EcdsaKeyPair, kid: &str) -> String {
        let h =
            base64url_encode(format!(r#"{{"alg":"ES256","kid":"{kid}","typ":"JWT"}}"#).as_bytes());
        let p = base64url_encode(
            br#"{"id":"4WT59M5Y","opn":"Government Office","adr":"1 Horse Guards Road","pc":"SW1A 2HQ","typ":"entry","v":1}"#,
        );
        let signed = format!("{h}.{p}");
        let sig = pair.sign(&SystemRandom::new(), signed.as_bytes()).unwrap();
        format!("{UK_PREFIX}{signed}.{}", base64url_encode(sig.as_ref()))
    }

    #[test]
    fn uk_poster_verified_only_with_configured_key() {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        let key = UkKey {
            kid: "k1".into(),
            public_key: pair.public_key().as_ref().to_vec(),
        };
        let text = uk_jwt(&pair, "k1");
        let expect = |verified| ForeignVenue::UnitedKingdom {
            id: "4WT59M5Y".into(),
            name: "Government Office".into(),
            postcode: "SW1A 2HQ".into(),
            signature_verified: verified,
        };
        assert_eq!(parse(&text, &[]).unwrap(), Some(expect(false)));
        assert_eq!(
            parse(&text, std::slice::from_ref(&key)).unwrap(),
            Some(expect(true))
        );
        // Tamper with the claims: a configured key rejects it.
        let forged = text.replacen(".ey", ".eX", 1);
        assert!(parse(&forged, &[key]).is_err());
        assert!(matches!(
            parse("UKC19TRACING:1:a.b", &[]),
            Err(Error::Format(FormatError::Malformed("jwt")))
        ));
    }

    #[test]
    fn corona_warn_app_poster() {
        // TraceLocation { version: 1, description, address, start, end } inside
        // QRCodePayload { version: 1, locationData, vendorData }.
        let desc = "Bäckerei Müller".as_bytes();
        let addr = "Hauptstraße 1, Berlin".as_bytes();
        let mut loc = vec![0x08, 0x01, 0x12, desc.len() as u8];
        loc.extend_from_slice(desc);
        loc.extend_from_slice(&[0x1a, addr.len() as u8]);
        loc.extend_from_slice(addr);
        loc.extend_from_slice(&[0x20, 0x80, 0x80, 0x04, 0x29, 0, 0, 0, 0, 0, 0, 0, 0]);
        let mut payload = vec![0x08, 0x01, 0x12, loc.len() as u8];
        payload.extend_from_slice(&loc);
        payload.extend_from_slice(&[0x22, 0x02, 0xaa, 0xbb]);
        let text = format!("{CWA_PREFIX}{}", base64url_encode(&payload));
        assert_eq!(
            parse(&text, &[]).unwrap(),
            Some(ForeignVenue::CoronaWarnApp {
                description: "Bäckerei Müller".into(),
                address: "Hauptstraße 1, Berlin".into(),
            })
        );
        let truncated = format!("{CWA_PREFIX}{}", base64url_encode(&payload[..10]));
        assert!(matches!(
            parse(&truncated, &[]),
            Err(Error::Format(FormatError::Malformed(_)))
        ));
    }

    #[test]
    fn everything_else_is_not_foreign() {
        assert_eq!(parse("https://tokhaiyte.vn/?venue=1", &[]).unwrap(), None);
        assert_eq!(parse("hello", &[]).unwrap(), None);
    }
}
