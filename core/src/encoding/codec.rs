//! Small encoding helpers shared by the wire formats: deterministic CBOR maps with integer
//! keys, typed field readers that fail with a field name, base64url, and hex.
//!
//! Deterministic here means RFC 8949 §4.2.1 core deterministic encoding for what we write:
//! definite lengths, the shortest integer forms (ciborium already does both), and map keys in
//! ascending order (we only use small non-negative integer keys, which sort bytewise the same
//! as numerically).

use crate::error::FormatError;
use crate::{Error, Result};
use ciborium::Value;

/// Encodes a CBOR value to bytes.
pub fn to_cbor(value: &Value) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).map_err(|_| FormatError::Malformed("cbor encode"))?;
    Ok(out)
}

/// Decodes exactly one CBOR item, rejecting trailing bytes. Nesting is bounded by ciborium's
/// default recursion limit, so hostile input cannot exhaust the stack.
pub fn from_cbor(bytes: &[u8]) -> Result<Value> {
    let mut reader = bytes;
    let value: Value =
        ciborium::from_reader(&mut reader).map_err(|_| FormatError::Malformed("cbor decode"))?;
    if !reader.is_empty() {
        return Err(FormatError::Malformed("trailing bytes after cbor").into());
    }
    Ok(value)
}

/// Builds a CBOR map with integer keys in ascending order; `None` values are left out.
#[derive(Default)]
pub struct MapBuilder {
    entries: Vec<(u64, Value)>,
}

impl MapBuilder {
    /// Starts an empty map.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds a value under `key`.
    #[must_use]
    pub fn put(mut self, key: u64, value: impl Into<Value>) -> Self {
        self.entries.push((key, value.into()));
        self
    }
    /// Adds a value under `key` when it is present.
    #[must_use]
    pub fn put_opt<V: Into<Value>>(self, key: u64, value: Option<V>) -> Self {
        match value {
            Some(v) => self.put(key, v),
            None => self,
        }
    }
    /// The finished map, keys sorted.
    pub fn build(mut self) -> Value {
        self.entries.sort_by_key(|(k, _)| *k);
        Value::Map(
            self.entries
                .into_iter()
                .map(|(k, v)| (Value::Integer(k.into()), v))
                .collect(),
        )
    }
}

/// Reads fields out of a CBOR map with integer keys.
pub struct MapReader {
    entries: Vec<(u64, Value)>,
}

impl MapReader {
    /// Wraps a CBOR value that must be a map with unsigned integer keys and no duplicates.
    pub fn new(value: Value, what: &'static str) -> Result<Self> {
        let Value::Map(pairs) = value else {
            return Err(FormatError::Malformed(what).into());
        };
        let mut entries = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            let key: u64 = int(&k).ok_or(FormatError::Malformed(what))?;
            if entries.iter().any(|(seen, _)| *seen == key) {
                return Err(FormatError::Malformed(what).into());
            }
            entries.push((key, v));
        }
        Ok(Self { entries })
    }

    /// Whether every field has been taken (nothing unknown is left).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn take(&mut self, key: u64) -> Option<Value> {
        let pos = self.entries.iter().position(|(k, _)| *k == key)?;
        Some(self.entries.swap_remove(pos).1)
    }

    /// The value under `key`, if any, read by `read`; a value `read` refuses is an invalid
    /// `field`.
    fn read<T>(
        &mut self,
        key: u64,
        field: &'static str,
        read: impl FnOnce(Value) -> Option<T>,
    ) -> Result<Option<T>> {
        self.take(key)
            .map(|v| read(v).ok_or(Error::Format(FormatError::InvalidField(field))))
            .transpose()
    }

    /// The raw value under `key`, if any (for fields that admit more than one CBOR type).
    pub fn opt_value(&mut self, key: u64) -> Option<Value> {
        self.take(key)
    }

    /// An optional unsigned integer.
    pub fn opt_u64(&mut self, key: u64, field: &'static str) -> Result<Option<u64>> {
        self.read(key, field, |v| int(&v))
    }
    /// A required unsigned integer.
    pub fn u64(&mut self, key: u64, field: &'static str) -> Result<u64> {
        required(self.opt_u64(key, field)?, field)
    }
    /// An optional signed integer.
    pub fn opt_i64(&mut self, key: u64, field: &'static str) -> Result<Option<i64>> {
        self.read(key, field, |v| int(&v))
    }
    /// A required signed integer.
    pub fn i64(&mut self, key: u64, field: &'static str) -> Result<i64> {
        required(self.opt_i64(key, field)?, field)
    }
    /// An optional text string no longer than `max` bytes.
    pub fn opt_text(
        &mut self,
        key: u64,
        field: &'static str,
        max: usize,
    ) -> Result<Option<String>> {
        self.read(key, field, |v| match v {
            Value::Text(s) if s.len() <= max => Some(s),
            _ => None,
        })
    }
    /// A required text string no longer than `max` bytes.
    pub fn text(&mut self, key: u64, field: &'static str, max: usize) -> Result<String> {
        required(self.opt_text(key, field, max)?, field)
    }
    /// An optional byte string no longer than `max` bytes.
    pub fn opt_bytes(
        &mut self,
        key: u64,
        field: &'static str,
        max: usize,
    ) -> Result<Option<Vec<u8>>> {
        self.read(key, field, |v| match v {
            Value::Bytes(b) if b.len() <= max => Some(b),
            _ => None,
        })
    }
    /// A required byte string no longer than `max` bytes.
    pub fn bytes(&mut self, key: u64, field: &'static str, max: usize) -> Result<Vec<u8>> {
        required(self.opt_bytes(key, field, max)?, field)
    }
    /// An optional boolean.
    pub fn opt_bool(&mut self, key: u64, field: &'static str) -> Result<Option<bool>> {
        self.read(key, field, |v| v.as_bool())
    }
    /// An optional array, at most `max` items long.
    pub fn opt_array(
        &mut self,
        key: u64,
        field: &'static str,
        max: usize,
    ) -> Result<Option<Vec<Value>>> {
        self.read(key, field, |v| match v {
            Value::Array(a) if a.len() <= max => Some(a),
            _ => None,
        })
    }
}

/// A required field: missing is an invalid `field`.
fn required<T>(value: Option<T>, field: &'static str) -> Result<T> {
    value.ok_or(Error::Format(FormatError::InvalidField(field)))
}

/// An integer value that fits `T`.
fn int<T: TryFrom<ciborium::value::Integer>>(v: &Value) -> Option<T> {
    v.as_integer().and_then(|i| T::try_from(i).ok())
}

/// The value among `all` whose wire number (`to_wire`) is `v`, for enums sent as numbers;
/// any other number is an invalid `field`.
pub fn from_wire<T: Copy>(
    all: &[T],
    to_wire: impl Fn(T) -> u64,
    v: u64,
    field: &'static str,
) -> Result<T> {
    all.iter()
        .copied()
        .find(|&x| to_wire(x) == v)
        .ok_or(Error::Format(FormatError::InvalidField(field)))
}

/// Unsigned integer out of a bare CBOR value.
pub fn value_u64(v: &Value, field: &'static str) -> Result<u64> {
    required(int(v), field)
}

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// base64url without padding (RFC 4648 §5).
pub fn base64url_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(B64URL[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// Decodes base64url without padding; rejects any other alphabet, padding, or
/// non-canonical trailing bits.
pub fn base64url_decode(text: &str) -> Result<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        B64URL.iter().position(|&x| x == c).map(|p| p as u32)
    }
    let bytes = text.as_bytes();
    if bytes.len() % 4 == 1 {
        return Err(FormatError::Malformed("base64url length").into());
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c).ok_or(FormatError::Malformed("base64url alphabet"))? << (18 - 6 * i);
        }
        let produced = chunk.len() - 1;
        let full = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        // Bits past the last whole byte must be zero, so each payload has one encoding.
        let used_bits = produced * 8;
        let mask = (1u32 << (24 - used_bits)) - 1;
        if n & mask != 0 {
            return Err(FormatError::Malformed("base64url trailing bits").into());
        }
        out.extend_from_slice(&full[..produced]);
    }
    Ok(out)
}

/// Lowercase hex.
pub fn hex(data: &[u8]) -> String {
    use std::fmt::Write;
    data.iter()
        .fold(String::with_capacity(data.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Parses hex (either case) of exactly `len` bytes.
pub fn unhex(text: &str, len: usize) -> Result<Vec<u8>> {
    let t = text.as_bytes();
    if t.len() != len * 2 {
        return Err(FormatError::InvalidField("hex length").into());
    }
    t.chunks(2)
        .map(|p| {
            let s = std::str::from_utf8(p).map_err(|_| FormatError::InvalidField("hex"))?;
            u8::from_str_radix(s, 16).map_err(|_| Error::Format(FormatError::InvalidField("hex")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_rfc4648_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ];
        crate::test_support::assert_vectors(&vectors, base64url_encode, base64url_decode);
        assert_eq!(base64url_encode(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn base64url_rejects_bad_input() {
        assert!(base64url_decode("Zg=").is_err());
        assert!(base64url_decode("Z").is_err());
        assert!(base64url_decode("Zh").is_err(), "non-zero trailing bits");
        assert!(base64url_decode("Zm+v").is_err());
    }

    #[test]
    fn maps_are_sorted_and_readers_check_types() {
        let v = MapBuilder::new()
            .put(3, "c")
            .put(1, 7u64)
            .put_opt::<u64>(2, None)
            .build();
        let bytes = to_cbor(&v).unwrap();
        assert_eq!(bytes, [0xa2, 0x01, 0x07, 0x03, 0x61, b'c']);
        let mut r = MapReader::new(from_cbor(&bytes).unwrap(), "m").unwrap();
        assert!(r.text(1, "one", 10).is_err());
        assert_eq!(r.text(3, "three", 10).unwrap(), "c");
        assert!(from_cbor(&[0xa0, 0x00]).is_err(), "trailing bytes");
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(hex(&[0, 0xab]), "00ab");
        assert_eq!(unhex("00AB", 2).unwrap(), vec![0, 0xab]);
        assert!(unhex("0g", 1).is_err());
    }
}
