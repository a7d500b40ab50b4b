//! Base45 (RFC 9285): bytes as characters of the QR alphanumeric alphabet, so a QR encoder
//! can use alphanumeric mode (5.5 bits per character) instead of byte mode (8 bits).
//!
//! Every two bytes become three characters and a final odd byte two; decoding rejects
//! characters outside the alphabet, a dangling single character and groups whose value
//! overflows, so each byte string has exactly one encoding.

use crate::error::FormatError;
use crate::{Error, Result};

const ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Encodes bytes as base45.
pub fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(2) * 3);
    for chunk in data.chunks(2) {
        let (mut n, digits) = match *chunk {
            [a, b] => (u32::from(a) * 256 + u32::from(b), 3),
            [a] => (u32::from(a), 2),
            _ => (0, 0),
        };
        for _ in 0..digits {
            out.push(ALPHABET[(n % 45) as usize] as char);
            n /= 45;
        }
    }
    out
}

/// Decodes base45, rejecting anything that [`encode`] could not have produced.
pub fn decode(text: &str) -> Result<Vec<u8>> {
    fn val(c: u8) -> Result<u32> {
        ALPHABET
            .iter()
            .position(|&x| x == c)
            .map(|p| p as u32)
            .ok_or(Error::Format(FormatError::Malformed("base45 alphabet")))
    }
    let bytes = text.as_bytes();
    if bytes.len() % 3 == 1 {
        return Err(FormatError::Malformed("base45 length").into());
    }
    let mut out = Vec::with_capacity(bytes.len() / 3 * 2 + 1);
    for chunk in bytes.chunks(3) {
        let mut n = 0u32;
        for &c in chunk.iter().rev() {
            n = n * 45 + val(c)?;
        }
        if chunk.len() == 3 {
            if n > 0xffff {
                return Err(FormatError::Malformed("base45 overflow").into());
            }
            out.extend_from_slice(&[(n >> 8) as u8, n as u8]);
        } else {
            if n > 0xff {
                return Err(FormatError::Malformed("base45 overflow").into());
            }
            out.push(n as u8);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc9285_vectors() {
        let vectors = [
            ("AB", "BB8"),
            ("Hello!!", "%69 VD92EX0"),
            ("base-45", "UJCLQE7W581"),
            ("ietf!", "QED8WEX0"),
            ("", ""),
        ];
        crate::test_support::assert_vectors(&vectors, encode, decode);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(decode("GGW").is_err(), "65535 + 1 overflows");
        assert!(decode("ZZ").is_err(), "single byte overflow");
        assert!(decode("A").is_err(), "dangling char");
        assert!(decode("ab").is_err(), "lowercase is not base45");
    }

    #[test]
    fn all_byte_pairs_round_trip() {
        let data: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        assert_eq!(decode(&encode(&data)).unwrap(), data);
        assert_eq!(decode(&encode(&data[..3])).unwrap(), &data[..3]);
    }
}
