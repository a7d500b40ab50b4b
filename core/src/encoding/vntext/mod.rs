//! A compact, exact coding of Vietnamese text for the venue QR (format version 2).
//!
//! A venue's name and address in UTF-8 take two or three bytes for most accented letters,
//! and they are most of a venue code. This module writes such text as a static canonical
//! Huffman code over *symbols*: the 95 printable ASCII characters, the 134 precomposed
//! Vietnamese letters (NFC), the en dash, and 128 whole words common in Vietnamese venue
//! names and addresses ("Phường", "Thành", "viện", ...). Text is cut into symbols greedily,
//! the longest dictionary word first at each position, so a text has exactly one coding.
//! The bits are written most significant first and the last byte is padded with 1-bits
//! (fewer than 8; no code is all ones within 7 bits, so padding never reads as a symbol).
//!
//! The table ([`table::SYMBOLS`]: symbol and code length, in canonical order) was built
//! from `corpus.txt` (Vietnamese venue names and addresses, none of them the measured
//! example venues) by the procedure in `build.rs`; a test rebuilds it and checks it is
//! unchanged. `docs/venue-code.md` §3.1 lists it. Text with a character outside the
//! alphabet cannot be coded ([`encode`] gives `None`) and stays UTF-8 in the venue code.

use crate::error::FormatError;
#[cfg(test)]
mod build;
mod table;

use crate::Result;
use std::collections::HashMap;
use std::sync::LazyLock;

/// Longest code length in the table.
const MAX_LEN: usize = 16;

struct Code {
    /// Symbol → (code, length).
    by_symbol: HashMap<&'static str, (u32, u8)>,
    /// Dictionary words (two characters or more) by first character, longest first.
    words: HashMap<char, Vec<&'static str>>,
    /// How many codes have each length.
    counts: [u16; MAX_LEN + 1],
}

static CODE: LazyLock<Code> = LazyLock::new(|| {
    let mut by_symbol = HashMap::new();
    let mut words: HashMap<char, Vec<&'static str>> = HashMap::new();
    let mut counts = [0u16; MAX_LEN + 1];
    let mut code = 0u32;
    let mut prev_len = 0u8;
    for (i, &(symbol, len)) in table::SYMBOLS.iter().enumerate() {
        if i > 0 {
            code = (code + 1) << (len - prev_len);
        }
        prev_len = len;
        by_symbol.insert(symbol, (code, len));
        counts[usize::from(len)] += 1;
        let mut chars = symbol.chars();
        if let (Some(first), Some(_)) = (chars.next(), chars.next()) {
            words.entry(first).or_default().push(symbol);
        }
    }
    for list in words.values_mut() {
        list.sort_by_key(|w| std::cmp::Reverse(w.len()));
    }
    Code {
        by_symbol,
        words,
        counts,
    }
});

/// The symbols `text` is cut into (longest dictionary word first at each position), or
/// `None` when a character is outside the alphabet.
fn symbols(text: &str) -> Option<Vec<&'static str>> {
    let code = &*CODE;
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let word = code
            .words
            .get(&c)
            .and_then(|ws| ws.iter().find(|w| rest.starts_with(**w)));
        let symbol = match word {
            Some(w) => *w,
            None => code
                .by_symbol
                .get_key_value(&rest[..c.len_utf8()])
                .map(|(k, _)| *k)?,
        };
        out.push(symbol);
        rest = &rest[symbol.len()..];
    }
    Some(out)
}

/// The code length in bits of one table symbol (a character or dictionary word).
pub fn code_len(symbol: &str) -> Option<u8> {
    CODE.by_symbol.get(symbol).map(|(_, len)| *len)
}

/// Codes `text`, or `None` when it holds a character outside the alphabet.
pub fn encode(text: &str) -> Option<Vec<u8>> {
    let code = &*CODE;
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u64, 0u32);
    for symbol in symbols(text)? {
        let (c, len) = *code.by_symbol.get(symbol)?;
        acc = (acc << len) | u64::from(c);
        bits += u32::from(len);
        while bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
        acc &= (1u64 << bits) - 1;
    }
    if bits > 0 {
        let pad = 8 - bits;
        out.push(((acc << pad) | ((1u64 << pad) - 1)) as u8);
    }
    Some(out)
}

/// Decodes coded text. Fails on a bit sequence that ends inside a code or pads with
/// anything but 1-bits (or with 8 or more); the caller checks the result codes back to the
/// same bytes.
pub fn decode(bytes: &[u8]) -> Result<String> {
    let code = &*CODE;
    let total = bytes.len() * 8;
    let bit = |i: usize| (bytes[i / 8] >> (7 - i % 8)) & 1;
    let mut out = String::new();
    let mut pos = 0usize;
    while pos < total {
        if total - pos < 8 && (pos..total).all(|i| bit(i) == 1) {
            break;
        }
        // Canonical decoding: codes of each length are consecutive numbers.
        let (mut value, mut first, mut index) = (0i64, 0i64, 0i64);
        let mut found = None;
        for len in 1..=MAX_LEN {
            if pos >= total {
                break;
            }
            value |= i64::from(bit(pos));
            pos += 1;
            let count = i64::from(code.counts[len]);
            if value - first < count {
                found = usize::try_from(index + value - first).ok();
                break;
            }
            index += count;
            first = (first + count) << 1;
            value <<= 1;
        }
        let symbol = found
            .and_then(|i| table::SYMBOLS.get(i))
            .ok_or(FormatError::Malformed("text code"))?;
        out.push_str(symbol.0);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_vietnamese_text_and_is_shorter_than_utf8() {
        for text in [
            "Bệnh viện Đa khoa tỉnh Lạng Sơn",
            "Số 12 Ngõ 34 Phố Huế, Phường Phạm Đình Hổ",
            "ẮẰẲẴẶ ắằẳẵặ ỨỪỬỮỰ ứừửữự Đđ ~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./",
            "a",
            "",
        ] {
            let coded = encode(text).unwrap();
            assert_eq!(decode(&coded).unwrap(), text);
            if text.chars().count() > 10 {
                assert!(coded.len() < text.len(), "{text}");
            }
        }
    }

    #[test]
    fn text_outside_the_alphabet_is_not_coded() {
        for text in ["Café\u{301}", "東京", "tab\there", "emoji 🙂", "Pho\u{31b}"] {
            assert_eq!(encode(text), None, "{text}");
        }
    }

    #[test]
    fn bad_padding_and_cut_codes_are_refused() {
        let coded = encode("Phường Bến Thành").unwrap();
        // A whole byte of padding.
        let mut long = coded.clone();
        long.push(0xff);
        assert!(decode(&long).is_err() || encode(&decode(&long).unwrap()) != Some(long));
        // Zero padding bits.
        let mut zero = coded.clone();
        *zero.last_mut().unwrap() &= 0x80;
        assert!(decode(&zero).is_err() || decode(&zero).unwrap() != "Phường Bến Thành");
    }

    #[test]
    fn padding_never_completes_a_symbol() {
        // The all-ones code is the last symbol and longer than 7 bits.
        let last = table::SYMBOLS.last().unwrap();
        assert!(last.1 >= 8);
        assert!(table::SYMBOLS.iter().all(|s| usize::from(s.1) <= MAX_LEN));
        // Kraft sum exactly 1: every bit string decodes until its end.
        let kraft: u64 = table::SYMBOLS
            .iter()
            .map(|s| 1u64 << (MAX_LEN - usize::from(s.1)))
            .sum();
        assert_eq!(kraft, 1u64 << MAX_LEN);
    }
}
