//! The citizen's export of their own diary and declarations, as JSON or CSV, with Vietnamese
//! or English headers.
//!
//! Exports purge expired days first (so an export never holds more than the retention) and
//! apply due automatic check-outs. Times are written as local time in Asia/Ho_Chi_Minh
//! (`YYYY-MM-DD HH:MM`) and, in JSON, also as Unix seconds. CSV follows RFC 4180, starts
//! with a UTF-8 byte order mark so spreadsheet apps read Vietnamese correctly, and cells
//! that a spreadsheet would run as a formula are prefixed with `'`.

use crate::declaration::{Submission, Symptom};
use crate::diary::{self, CheckoutKind};
use crate::encoding::time::format_vietnam;
use crate::storage::store::Store;
use crate::{Result, UnixTime};
use std::fmt::Write as _;

/// Header and label language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Language {
    Vietnamese,
    English,
}

/// A CSV export: one file per table.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CsvExport {
    pub visits: String,
    pub declarations: String,
}

enum Cell {
    Text(String),
    Int(i64),
    Bool(bool),
    Time(UnixTime),
    Null,
}

struct Table {
    headers: &'static [&'static str],
    rows: Vec<Vec<Cell>>,
}

const VISIT_HEADERS: [[&str; 9]; 2] = [
    [
        "Mã lượt",
        "Địa điểm",
        "Mã địa điểm",
        "Địa chỉ",
        "Đã xác thực",
        "Giờ vào",
        "Giờ ra",
        "Cách ra",
        "Đã sửa",
    ],
    [
        "Visit",
        "Venue",
        "Venue id",
        "Address",
        "Verified",
        "Checked in",
        "Checked out",
        "Check-out",
        "Edited",
    ],
];

const DECLARATION_HEADERS: [[&str; 10]; 2] = [
    [
        "Mã tờ khai",
        "Mã lượt",
        "Thời điểm khai",
        "Họ và tên",
        "Năm sinh",
        "Số điện thoại",
        "Tỉnh/thành",
        "Triệu chứng",
        "Tiếp xúc gần",
        "Khai hộ",
    ],
    [
        "Declaration",
        "Visit",
        "Declared at",
        "Full name",
        "Birth year",
        "Phone",
        "Province",
        "Symptoms",
        "Close contact",
        "On behalf",
    ],
];

fn lang_index(lang: Language) -> usize {
    match lang {
        Language::Vietnamese => 0,
        Language::English => 1,
    }
}

fn checkout_label(kind: CheckoutKind, lang: Language) -> &'static str {
    let vi = lang == Language::Vietnamese;
    match kind {
        CheckoutKind::Explicit if vi => "tự ra",
        CheckoutKind::Auto if vi => "tự động",
        CheckoutKind::NextScan if vi => "quét nơi khác",
        CheckoutKind::ClockCorrected if vi => "đồng hồ sai",
        CheckoutKind::Edited if vi => "đã sửa",
        other => other.name(),
    }
}

fn symptom_label(s: Symptom, lang: Language) -> &'static str {
    if lang == Language::English {
        return s.name();
    }
    match s {
        Symptom::Fever => "sốt",
        Symptom::Cough => "ho",
        Symptom::BreathingDifficulty => "khó thở",
        Symptom::SoreThroat => "đau họng",
        Symptom::NauseaVomiting => "buồn nôn hoặc nôn",
        Symptom::Diarrhoea => "tiêu chảy",
        Symptom::SkinBleeding => "xuất huyết ngoài da",
        Symptom::SkinRash => "nổi ban ngoài da",
        Symptom::Fatigue => "mệt mỏi",
        Symptom::LossOfTasteOrSmell => "mất vị giác hoặc khứu giác",
    }
}

fn tables(store: &mut Store, lang: Language, now: UnixTime) -> Result<(Table, Table)> {
    store.purge(now)?;
    diary::settle(store, now)?;
    let li = lang_index(lang);
    let mut visits = diary::visits(store)?;
    visits.reverse();
    let visit_rows = visits
        .into_iter()
        .map(|v| {
            vec![
                Cell::Int(v.id),
                Cell::Text(v.venue_name),
                v.venue_id.map_or(Cell::Null, Cell::Text),
                Cell::Text(v.address),
                Cell::Bool(v.verified),
                Cell::Time(v.checked_in_at),
                v.checked_out_at.map_or(Cell::Null, Cell::Time),
                v.checkout.map_or(Cell::Null, |k| {
                    Cell::Text(checkout_label(k, lang).to_owned())
                }),
                Cell::Bool(v.edited),
            ]
        })
        .collect();
    let mut declaration_rows = Vec::new();
    for d in diary::declarations(store)? {
        let s = Submission::from_cbor(&d.payload)?;
        let symptoms = s
            .declaration
            .symptoms
            .iter()
            .map(|x| symptom_label(*x, lang))
            .collect::<Vec<_>>()
            .join("; ");
        declaration_rows.push(vec![
            Cell::Int(d.id),
            d.visit_id.map_or(Cell::Null, Cell::Int),
            Cell::Time(s.declared_at),
            Cell::Text(s.declaration.full_name),
            Cell::Int(i64::from(s.declaration.birth_year)),
            Cell::Text(s.declaration.phone),
            Cell::Int(i64::from(s.declaration.province)),
            Cell::Text(symptoms),
            Cell::Bool(s.declaration.close_contact),
            Cell::Bool(s.declaration.on_behalf),
        ]);
    }
    Ok((
        Table {
            headers: &VISIT_HEADERS[li],
            rows: visit_rows,
        },
        Table {
            headers: &DECLARATION_HEADERS[li],
            rows: declaration_rows,
        },
    ))
}

fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn json_table(out: &mut String, name: &str, t: &Table) {
    json_string(out, name);
    out.push_str(":[");
    for (i, row) in t.rows.iter().enumerate() {
        out.push_str(if i == 0 { "\n  {" } else { ",\n  {" });
        for (j, (h, cell)) in t.headers.iter().zip(row).enumerate() {
            if j > 0 {
                out.push(',');
            }
            json_string(out, h);
            out.push(':');
            match cell {
                Cell::Text(s) => json_string(out, s),
                Cell::Int(n) => {
                    let _ = write!(out, "{n}");
                }
                Cell::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                Cell::Time(t) => {
                    let _ = write!(out, "{{\"local\":\"{}\",\"unix\":{t}}}", format_vietnam(*t));
                }
                Cell::Null => out.push_str("null"),
            }
        }
        out.push('}');
    }
    out.push_str("\n]");
}

/// The diary and declarations as one JSON document.
pub fn export_json(store: &mut Store, lang: Language, now: UnixTime) -> Result<String> {
    let (visits, declarations) = tables(store, lang, now)?;
    let (vk, dk) = match lang {
        Language::Vietnamese => ("lượt_check_in", "tờ_khai"),
        Language::English => ("visits", "declarations"),
    };
    let mut out = String::with_capacity(256 * (visits.rows.len() + declarations.rows.len() + 1));
    out.push_str("{\"timezone\":\"Asia/Ho_Chi_Minh\",\n");
    json_table(&mut out, vk, &visits);
    out.push_str(",\n");
    json_table(&mut out, dk, &declarations);
    out.push_str("}\n");
    Ok(out)
}

fn csv_field(out: &mut String, s: &str) {
    let formula = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula || s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        if formula {
            out.push('\'');
        }
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

fn csv_table(t: &Table, lang: Language) -> String {
    let (yes, no) = match lang {
        Language::Vietnamese => ("có", "không"),
        Language::English => ("yes", "no"),
    };
    let mut out = String::with_capacity(128 * (t.rows.len() + 1));
    out.push('\u{feff}');
    for (j, h) in t.headers.iter().enumerate() {
        if j > 0 {
            out.push(',');
        }
        csv_field(&mut out, h);
    }
    out.push_str("\r\n");
    for row in &t.rows {
        for (j, cell) in row.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            match cell {
                Cell::Text(s) => csv_field(&mut out, s),
                Cell::Int(n) => {
                    let _ = write!(out, "{n}");
                }
                Cell::Bool(b) => out.push_str(if *b { yes } else { no }),
                Cell::Time(t) => out.push_str(&format_vietnam(*t)),
                Cell::Null => {}
            }
        }
        out.push_str("\r\n");
    }
    out
}

/// The diary and declarations as two CSV files.
pub fn export_csv(store: &mut Store, lang: Language, now: UnixTime) -> Result<CsvExport> {
    let (visits, declarations) = tables(store, lang, now)?;
    Ok(CsvExport {
        visits: csv_table(&visits, lang),
        declarations: csv_table(&declarations, lang),
    })
}

#[cfg(test)]
mod tests;
