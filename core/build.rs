//! Generates the character-set tables `scan::charset` decodes QR payload text with, from
//! encoding_rs (the WHATWG Encoding Standard's mappings) and codepage-437. Both are build
//! dependencies only: the library carries just these tables, not the full encoding_rs with
//! every Chinese, Korean and Japanese table.

use std::fmt::Write as _;

/// The single-byte sets QR codes can declare with an ECI, by the name the generated static
/// gets. ISO-8859-9 and -11 are read as their Windows supersets, as zxing does.
const SINGLE_BYTE: [(&str, &encoding_rs::Encoding); 18] = [
    ("ISO_8859_2", encoding_rs::ISO_8859_2),
    ("ISO_8859_3", encoding_rs::ISO_8859_3),
    ("ISO_8859_4", encoding_rs::ISO_8859_4),
    ("ISO_8859_5", encoding_rs::ISO_8859_5),
    ("ISO_8859_6", encoding_rs::ISO_8859_6),
    ("ISO_8859_7", encoding_rs::ISO_8859_7),
    ("ISO_8859_8", encoding_rs::ISO_8859_8),
    ("ISO_8859_9", encoding_rs::WINDOWS_1254),
    ("ISO_8859_10", encoding_rs::ISO_8859_10),
    ("ISO_8859_11", encoding_rs::WINDOWS_874),
    ("ISO_8859_13", encoding_rs::ISO_8859_13),
    ("ISO_8859_14", encoding_rs::ISO_8859_14),
    ("ISO_8859_15", encoding_rs::ISO_8859_15),
    ("ISO_8859_16", encoding_rs::ISO_8859_16),
    ("WINDOWS_1250", encoding_rs::WINDOWS_1250),
    ("WINDOWS_1251", encoding_rs::WINDOWS_1251),
    ("WINDOWS_1252", encoding_rs::WINDOWS_1252),
    ("WINDOWS_1256", encoding_rs::WINDOWS_1256),
];

/// Shift_JIS two-byte pointers: lead bytes 0x81-0x9F and 0xE0-0xFC, 188 trail bytes each.
const SHIFT_JIS_POINTERS: usize = 60 * 188;

/// The one BMP character `bytes` decode to, as a table entry; 0 when they are unmapped or
/// decode to more than one character.
fn entry(encoding: &'static encoding_rs::Encoding, bytes: &[u8]) -> u16 {
    let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(bytes) else {
        return 0;
    };
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => u16::try_from(u32::from(c)).unwrap_or(0),
        _ => 0,
    }
}

fn table(out: &mut String, name: &str, entries: impl Iterator<Item = u16>) {
    let entries: Vec<u16> = entries.collect();
    let _ = write!(out, "static {name}: [u16; {}] = [", entries.len());
    for (i, e) in entries.iter().enumerate() {
        if i % 16 == 0 {
            out.push('\n');
        }
        let _ = write!(out, "0x{e:04x},");
    }
    out.push_str("\n];\n");
}

fn main() {
    let mut out = String::new();
    for (name, encoding) in SINGLE_BYTE {
        table(
            &mut out,
            name,
            (0x80..=0xffu8).map(|b| entry(encoding, &[b])),
        );
    }
    table(
        &mut out,
        "CP437",
        (0x80..=0xffu8).map(|b| {
            let c = codepage_437::CP437_CONTROL.decode(b);
            u16::try_from(u32::from(c)).unwrap_or(0)
        }),
    );
    table(
        &mut out,
        "SHIFT_JIS",
        (0..SHIFT_JIS_POINTERS).map(|pointer| {
            let (lead, trail) = (pointer / 188, pointer % 188);
            let lead = lead + if lead < 0x1f { 0x81 } else { 0xc1 };
            let trail = trail + if trail < 0x3f { 0x40 } else { 0x41 };
            entry(encoding_rs::SHIFT_JIS, &[lead as u8, trail as u8])
        }),
    );
    let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap_or_default())
        .join("charset_tables.rs");
    if let Err(e) = std::fs::write(&path, out) {
        println!("cargo:warning=cannot write {}: {e}", path.display());
        std::process::exit(1);
    }
    println!("cargo:rerun-if-changed=build.rs");
}
