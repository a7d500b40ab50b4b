//! How the text-code table was built (test only): alphabet, dictionary and code lengths
//! from `corpus.txt`. The test at the bottom rebuilds the table and checks that
//! `table.rs` is exactly its output, so the table can be reproduced and reviewed.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use unicode_normalization::UnicodeNormalization;

const CORPUS: &str = include_str!("corpus.txt");
/// Dictionary size.
const WORDS: usize = 128;

/// Printable ASCII, the 134 precomposed Vietnamese letters and the en dash.
pub fn alphabet() -> Vec<String> {
    let mut out: Vec<String> = (0x20u8..0x7f).map(|b| char::from(b).to_string()).collect();
    for v in "aăâeêioôơuưy".chars() {
        for tone in ["", "\u{300}", "\u{301}", "\u{309}", "\u{303}", "\u{323}"] {
            let lower: String = format!("{v}{tone}").nfc().collect();
            out.push(lower.to_uppercase());
            out.push(lower);
        }
    }
    out.push("đ".into());
    out.push("Đ".into());
    out.push("–".into());
    out.sort();
    out.dedup();
    out
}

/// The dictionary: runs of two or more letters seen at least twice in the corpus, the
/// `WORDS` with the highest count × (letters − 1), ties by the word.
pub fn dictionary() -> Vec<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for line in CORPUS.lines() {
        for word in line.split(|c: char| !c.is_alphabetic()) {
            if word.chars().count() >= 2 {
                *counts.entry(word.to_owned()).or_default() += 1;
            }
        }
    }
    let mut words: Vec<(usize, String)> = counts
        .into_iter()
        .filter(|(_, n)| *n >= 2)
        .map(|(w, n)| (n * (w.chars().count() - 1), w))
        .collect();
    words.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    words.into_iter().take(WORDS).map(|(_, w)| w).collect()
}

/// Huffman code lengths for `weights` (ties broken by position, merged nodes after
/// leaves), sorted canonically by (length, symbol).
pub fn code_lengths(symbols: &[String], weights: &[u64]) -> Vec<(String, u8)> {
    let mut heap: BinaryHeap<Reverse<(u64, usize)>> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| Reverse((*w, i)))
        .collect();
    // parent[i] for every node; leaves are 0..n, merged nodes n.. in creation order.
    let mut parent: Vec<usize> = vec![usize::MAX; symbols.len()];
    while heap.len() > 1 {
        let (Some(Reverse((wa, a))), Some(Reverse((wb, b)))) = (heap.pop(), heap.pop()) else {
            break;
        };
        let id = parent.len();
        parent.push(usize::MAX);
        parent[a] = id;
        parent[b] = id;
        heap.push(Reverse((wa + wb, id)));
    }
    let mut out: Vec<(String, u8)> = symbols
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut depth = 0u8;
            let mut node = i;
            while parent[node] != usize::MAX {
                node = parent[node];
                depth += 1;
            }
            (s.clone(), depth)
        })
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// The whole table: alphabet and dictionary, weighted by 1 + their count when the corpus
/// lines are cut into symbols greedily (longest word first).
pub fn table() -> Vec<(String, u8)> {
    let mut symbols = alphabet();
    let mut words = dictionary();
    words.sort_by_key(|w| Reverse(w.len()));
    let mut weights: BTreeMap<String, u64> = symbols.iter().map(|s| (s.clone(), 1)).collect();
    for w in &words {
        weights.insert(w.clone(), 1);
    }
    for line in CORPUS.lines() {
        let mut rest = line;
        while let Some(c) = rest.chars().next() {
            let symbol = words
                .iter()
                .find(|w| rest.starts_with(w.as_str()))
                .cloned()
                .unwrap_or_else(|| c.to_string());
            *weights.entry(symbol.clone()).or_default() += 1;
            rest = &rest[symbol.len()..];
        }
    }
    symbols.extend(words);
    symbols.sort();
    let w: Vec<u64> = symbols.iter().map(|s| weights[s]).collect();
    code_lengths(&symbols, &w)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::format_collect)]
    use super::*;

    #[test]
    fn table_rs_is_the_corpus_table() {
        let built = table();
        let ours: Vec<(String, u8)> = super::super::table::SYMBOLS
            .iter()
            .map(|(s, l)| ((*s).to_owned(), *l))
            .collect();
        if built != ours {
            let body: String = built
                .iter()
                .map(|(s, l)| format!("    ({s:?}, {l}),\n"))
                .collect();
            std::fs::write(
                std::env::temp_dir().join("vntext_table.rs.txt"),
                format!("pub(super) const SYMBOLS: &[(&str, u8)] = &[\n{body}];\n"),
            )
            .unwrap();
            panic!("table.rs differs from the corpus build (written to the temp dir)");
        }
    }

    #[test]
    fn corpus_is_in_the_alphabet() {
        let alpha = alphabet();
        assert_eq!(alpha.len(), 95 + 134 + 1);
        for c in CORPUS.lines().flat_map(str::chars) {
            assert!(alpha.contains(&c.to_string()), "{c:?}");
        }
    }
}
