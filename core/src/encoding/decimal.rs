//! Bytes as decimal digits, for QR numeric mode (10 bits per 3 digits).
//!
//! `n` bytes are read as one big-endian number and written as exactly `digits(n)` decimal
//! digits, the fewest that can hold any `n`-byte number (leading zeros kept): about 2.408
//! digits, i.e. 8.03 QR bits, per byte, where base45 in alphanumeric mode costs 8.25. The
//! digit count says the byte count, so decoding refuses a count that no byte length gives
//! and a value that does not fit its byte length: each byte string has exactly one
//! decimal form.

use crate::Result;
use crate::error::FormatError;

/// log10(256) × 10^15, rounded up; exact for every length below [`MAX_BYTES`] (tested).
const LOG10_256_E15: u64 = 2_408_239_965_311_850;
/// Longest byte string handled (a 1 500-digit venue fragment is 622 bytes).
pub const MAX_BYTES: usize = 640;

/// The number of digits `n` bytes take: the digit count of 256^n − 1.
pub fn digits(n: usize) -> usize {
    (n as u128 * u128::from(LOG10_256_E15)).div_ceil(1_000_000_000_000_000) as usize
}

/// Encodes bytes as `digits(data.len())` decimal digits.
pub fn encode(data: &[u8]) -> String {
    let mut number = data.to_vec();
    let mut out = vec![b'0'; digits(data.len())];
    // Repeated division by 10^9 gives nine digits per pass, least significant first.
    let mut end = out.len();
    while number.iter().any(|b| *b != 0) && end > 0 {
        let mut rem = 0u64;
        for b in &mut number {
            let cur = (rem << 8) | u64::from(*b);
            *b = (cur / 1_000_000_000) as u8;
            rem = cur % 1_000_000_000;
        }
        for _ in 0..9 {
            if end == 0 {
                break;
            }
            end -= 1;
            out[end] = b'0' + (rem % 10) as u8;
            rem /= 10;
        }
    }
    out.into_iter().map(char::from).collect()
}

/// Decodes digits made by [`encode`], rejecting anything else.
pub fn decode(text: &str) -> Result<Vec<u8>> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FormatError::Malformed("decimal digits").into());
    }
    let guess = (text.len() as u64 * 1_000_000_000_000_000 / LOG10_256_E15) as usize;
    let n = (guess.saturating_sub(1)..=guess + 1)
        .find(|n| digits(*n) == text.len() && *n <= MAX_BYTES)
        .ok_or(FormatError::Malformed("decimal length"))?;
    // Little-endian limbs; multiply by 10 and add each digit.
    let mut number = vec![0u8; n];
    for d in text.bytes() {
        let mut carry = u32::from(d - b'0');
        for b in &mut number {
            let cur = u32::from(*b) * 10 + carry;
            *b = cur as u8;
            carry = cur >> 8;
        }
        if carry != 0 {
            return Err(FormatError::Malformed("decimal overflow").into());
        }
    }
    number.reverse();
    Ok(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_counts_are_exact() {
        // digits(n) is the length of 256^n - 1 written out, for every n handled.
        for n in 0..=MAX_BYTES {
            assert_eq!(
                encode(&vec![0xff; n]).trim_start_matches('0').len(),
                digits(n)
            );
        }
        assert_eq!(digits(1), 3);
        assert_eq!(digits(2), 5);
        assert_eq!(digits(191), 460);
    }

    #[test]
    fn round_trips_and_is_unique() {
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        for n in 0..300 {
            let data: Vec<u8> = (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            let text = encode(&data);
            assert_eq!(text.len(), digits(n));
            assert_eq!(decode(&text).unwrap(), data);
        }
        assert_eq!(encode(&[0, 1]), "00001");
        assert_eq!(encode(&[]), "");
    }

    #[test]
    fn refuses_what_encode_cannot_make() {
        assert!(decode("0000").is_err()); // no byte length takes 4 digits
        assert!(decode("999").is_err()); // 999 > 255
        assert!(decode("256").is_err());
        assert!(decode("25a").is_err());
        assert_eq!(decode("255").unwrap(), vec![255]);
    }
}
