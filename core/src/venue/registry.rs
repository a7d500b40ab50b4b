//! Manual-entry venue codes and the signed venue registry that resolves them.
//!
//! When a camera cannot read a poster, the citizen types the short code printed under the
//! QR: ten digits, `PPNNNNNNNC` shown as `PPNN NNNN NC`, where `PP` is the province code,
//! `NNNNNNN` comes from the venue id and `C` is a Damm check digit (it catches every single
//! wrong digit and every swap of two adjacent digits). The authority makes these unique
//! within a registry (it draws a new venue id on a clash).
//!
//! A registry is a COSE_Sign1 (profile in [`crate::encoding::cose`]) signed with a venue-signing key
//! from the [`Keyset`], whose payload is the deterministic CBOR map
//! `{1: version (1), 2: serial, 3: issued_at, 4: province, 5: [[manual code, venue code
//! COSE_Sign1 bytes], ...]}`. The app downloads it, keeps the bytes cached, verifies them
//! with [`Registry::verify`] on load, and resolves typed codes with [`Registry::resolve`];
//! the venue code found is then verified on its own like a scanned one.

use crate::encoding::codec::{MapBuilder, MapReader, from_cbor, to_cbor, unhex, value_u64};
use crate::encoding::cose::{self, Signed};
use crate::error::{FormatError, VenueError};
use crate::venue::keyset::Keyset;
use crate::venue::{self, URL_PREFIX, Venue};
use crate::{Error, Result, UnixTime, encoding::decimal};
use ciborium::Value;

/// The registry format version.
pub const REGISTRY_VERSION: u64 = 1;
/// Most venues one registry may list.
pub const MAX_ENTRIES: usize = 500_000;
const MAX_CODE_BYTES: usize = 1_024;

const DAMM: [[u8; 10]; 10] = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
    [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
    [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
    [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
    [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
    [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

/// The Damm check digit of a string of decimal digits (non-digits are skipped).
pub fn damm(digits: &str) -> u8 {
    digits
        .bytes()
        .filter(u8::is_ascii_digit)
        .fold(0u8, |i, d| DAMM[usize::from(i)][usize::from(d - b'0')])
}

/// The manual-entry code of a venue, as a 10-digit number (check digit last).
pub fn manual_code_number(venue: &Venue) -> Result<u64> {
    let id = unhex(&venue.id, 16).map_err(|_| FormatError::InvalidField("venue id"))?;
    let n = u32::from_be_bytes([id[0], id[1], id[2], id[3]]) % 10_000_000;
    let body = format!("{:02}{n:07}", venue.province % 100);
    let check = damm(&body);
    Ok(u64::from(venue.province % 100) * 100_000_000 + u64::from(n) * 10 + u64::from(check))
}

/// The manual-entry code as printed: `PPNN NNNN NC`.
pub fn manual_code(venue: &Venue) -> Result<String> {
    let d = format!("{:010}", manual_code_number(venue)?);
    Ok(format!("{} {} {}", &d[..4], &d[4..8], &d[8..]))
}

/// Parses what a person typed: ten digits, spaces and dashes ignored, check digit valid.
pub fn parse_manual_code(typed: &str) -> Result<u64> {
    let digits: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.'))
        .collect();
    if digits.len() != 10 || !digits.bytes().all(|b| b.is_ascii_digit()) || damm(&digits) != 0 {
        return Err(VenueError::ManualCodeInvalid.into());
    }
    digits
        .parse()
        .map_err(|_| Error::Venue(VenueError::ManualCodeInvalid))
}

/// A verified venue registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    pub serial: u64,
    pub issued_at: UnixTime,
    pub province: u32,
    /// (manual code, venue code COSE_Sign1 bytes), sorted by manual code.
    entries: Vec<(u64, Vec<u8>)>,
}

impl Registry {
    /// Builds a registry from issued venue code texts (authority side).
    pub fn build(
        serial: u64,
        issued_at: UnixTime,
        province: u32,
        codes: &[(Venue, String)],
    ) -> Result<Self> {
        let mut entries = Vec::with_capacity(codes.len());
        for (v, text) in codes {
            let fragment = text
                .get(URL_PREFIX.len()..)
                .filter(|_| venue::is_khaibao_code(text))
                .ok_or(VenueError::NotVenueCode)?;
            entries.push((manual_code_number(v)?, decimal::decode(fragment)?));
        }
        Self::checked(serial, issued_at, province, entries)
    }

    fn checked(
        serial: u64,
        issued_at: UnixTime,
        province: u32,
        mut entries: Vec<(u64, Vec<u8>)>,
    ) -> Result<Self> {
        if entries.len() > MAX_ENTRIES {
            return Err(FormatError::FieldTooLong("registry").into());
        }
        entries.sort_by_key(|(code, _)| *code);
        if entries.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(FormatError::InvalidField("duplicate manual code").into());
        }
        Ok(Self {
            serial,
            issued_at,
            province,
            entries,
        })
    }

    /// How many venues it lists.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it lists no venue.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Signs the registry with a venue-signing key (PKCS#8).
    pub fn sign(&self, signing_key_pkcs8: &[u8]) -> Result<Vec<u8>> {
        let list = self
            .entries
            .iter()
            .map(|(code, bytes)| {
                Value::Array(vec![
                    Value::Integer((*code).into()),
                    Value::Bytes(bytes.clone()),
                ])
            })
            .collect();
        let payload = to_cbor(
            &MapBuilder::new()
                .put(1, REGISTRY_VERSION)
                .put(2, self.serial)
                .put(3, self.issued_at)
                .put(4, u64::from(self.province))
                .put(5, Value::Array(list))
                .build(),
        )?;
        cose::sign(payload, signing_key_pkcs8, cose::Purpose::Registry)
    }

    /// Verifies cached or downloaded registry bytes against the keyset at `now`, refusing
    /// a registry not newer than `current_serial`.
    pub fn verify(
        bytes: &[u8],
        keyset: &Keyset,
        now: UnixTime,
        current_serial: Option<u64>,
    ) -> Result<Self> {
        let signed = Signed::parse(bytes)?;
        let payload = keyset
            .keys_for(signed.kid(), now)?
            .into_iter()
            .find_map(|key| signed.verify(key, cose::Purpose::Registry).ok())
            .ok_or(VenueError::BadSignature)?;
        let mut r = MapReader::new(from_cbor(&payload)?, "registry")?;
        let version = r.u64(1, "registry version")?;
        if version != REGISTRY_VERSION {
            return Err(FormatError::UnsupportedVersion(version).into());
        }
        let serial = r.u64(2, "registry serial")?;
        if current_serial.is_some_and(|cur| serial <= cur) {
            return Err(VenueError::StaleUpdate.into());
        }
        let issued_at = r.i64(3, "registry issued at")?;
        let province = u32::try_from(r.u64(4, "province")?)
            .map_err(|_| FormatError::InvalidField("province"))?;
        let list = r
            .opt_array(5, "registry entries", MAX_ENTRIES)?
            .ok_or(FormatError::InvalidField("registry entries"))?;
        let mut entries = Vec::with_capacity(list.len());
        for item in list {
            let Value::Array(pair) = item else {
                return Err(FormatError::InvalidField("registry entry").into());
            };
            let [code, Value::Bytes(cose_bytes)] = pair.as_slice() else {
                return Err(FormatError::InvalidField("registry entry").into());
            };
            if cose_bytes.len() > MAX_CODE_BYTES {
                return Err(FormatError::FieldTooLong("registry entry").into());
            }
            entries.push((value_u64(code, "manual code")?, cose_bytes.clone()));
        }
        Self::checked(serial, issued_at, province, entries)
    }

    /// The venue code text a typed manual code stands for.
    pub fn resolve(&self, typed: &str) -> Result<String> {
        let code = parse_manual_code(typed)?;
        let i = self
            .entries
            .binary_search_by_key(&code, |(c, _)| *c)
            .map_err(|_| VenueError::ManualCodeUnknown)?;
        Ok(format!(
            "{URL_PREFIX}{}",
            decimal::encode(&self.entries[i].1)
        ))
    }

    /// Resolves a typed code and verifies the venue code it leads to, which must carry that
    /// same manual code.
    pub fn resolve_venue(&self, typed: &str, keyset: &Keyset, now: UnixTime) -> Result<Venue> {
        let text = self.resolve(typed)?;
        let venue = venue::verify_with(&text, keyset, now)?;
        if manual_code_number(&venue)? != parse_manual_code(typed)? {
            return Err(FormatError::InvalidField("registry entry").into());
        }
        Ok(venue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damm_catches_single_errors_and_adjacent_swaps() {
        let body = "012345678";
        let full = format!("{body}{}", damm(body));
        assert_eq!(damm(&full), 0);
        let digits: Vec<u8> = full.bytes().collect();
        for i in 0..digits.len() {
            for d in b'0'..=b'9' {
                if d != digits[i] {
                    let mut m = digits.clone();
                    m[i] = d;
                    assert_ne!(damm(std::str::from_utf8(&m).unwrap()), 0);
                }
            }
            if i + 1 < digits.len() && digits[i] != digits[i + 1] {
                let mut m = digits.clone();
                m.swap(i, i + 1);
                assert_ne!(damm(std::str::from_utf8(&m).unwrap()), 0);
            }
        }
    }

    #[test]
    fn manual_code_parsing() {
        assert!(matches!(
            parse_manual_code("123"),
            Err(Error::Venue(VenueError::ManualCodeInvalid))
        ));
        let body = "790000042";
        let typed = format!("{body}{}", damm(body));
        assert_eq!(
            parse_manual_code(&typed).unwrap(),
            typed.parse::<u64>().unwrap()
        );
        let spaced = format!("{} {}-{}", &typed[..4], &typed[4..8], &typed[8..]);
        assert_eq!(
            parse_manual_code(&spaced).unwrap(),
            typed.parse::<u64>().unwrap()
        );
    }
}
