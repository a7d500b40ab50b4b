//! Stored declarations as CSV for a health department ("khai thác dữ liệu"), filtered by
//! declaration time, province and venue, streamed row by row with progress for large
//! exports. This is where personal fields exist in the clear: each stored row is opened
//! from its seal with the sealing key (kept in the keys folder, never in the database) as
//! it is written, and nothing opened is kept. An approved extraction
//! ([`crate::extraction`]) and the `khaibao export` command run it.
//!
//! Every cell that a spreadsheet would read as a formula (starting with `=`, `+`, `-`,
//! `@`, a tab or a carriage return) is neutralised with a leading `'`.
//!
//! Imports: [`crate::db`] (the database it reads), the store's row types, and core's seal
//! opening.

use crate::db::AuthorityDb;
pub use crate::store::ExportFilter;
use crate::store::{DbError, ExportSink, StoredRow};
use khaibao_core::declaration::Declaration;
use khaibao_core::encoding::time::{VIETNAM_OFFSET, format_vietnam};
use khaibao_core::seal::SealingKey;
use std::io::Write;

/// One exported declaration, opened from its seal.
#[derive(Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub receipt: String,
    pub declared_at: i64,
    pub received_at: i64,
    pub province: i64,
    pub venue_id: Option<String>,
    pub full_name: String,
    pub birth_year: i64,
    pub phone: String,
    pub symptoms: String,
    pub close_contact: bool,
    pub on_behalf: bool,
    pub device_kid: String,
}

impl std::fmt::Debug for ExportRow {
    /// The receipt only: the rest is personal.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportRow")
            .field("receipt", &self.receipt)
            .finish_non_exhaustive()
    }
}

/// A stored declaration that does not open under the sealing key given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a stored declaration does not open with this sealing key")]
pub struct SealMismatch;

/// The symptoms column: symptom names joined by `;`.
pub fn symptom_list(d: &Declaration) -> String {
    let names: Vec<&str> = d.symptoms.iter().map(|s| s.name()).collect();
    names.join(";")
}

impl ExportRow {
    /// Opens a stored row (verifying the device signature again) into its CSV fields.
    pub fn open(key: &SealingKey, row: StoredRow) -> Result<Self, SealMismatch> {
        let sub = crate::ingest::open_stored(key, &row.sealed, &row.idem_key)
            .map_err(|_| SealMismatch)?;
        let d = sub.declaration;
        Ok(Self {
            symptoms: symptom_list(&d),
            receipt: row.receipt,
            declared_at: row.declared_at,
            received_at: row.received_at,
            province: row.province,
            venue_id: row.venue_id,
            full_name: d.full_name,
            birth_year: i64::from(d.birth_year),
            phone: d.phone,
            close_contact: d.close_contact,
            on_behalf: d.on_behalf,
            device_kid: row.device_kid,
        })
    }
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("database: {0}")]
    Db(DbError),
    #[error("writing the file: {0}")]
    Io(#[from] std::io::Error),
}

impl From<DbError> for ExportError {
    fn from(e: DbError) -> Self {
        match e {
            // The store passes on what writing a row failed with.
            DbError::Sink(e) => Self::Io(e),
            e => Self::Db(e),
        }
    }
}

/// A time on the command line that is none of the formats [`parse_time`] reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not Unix seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM")]
pub struct BadTime(pub String);

/// The CSV header row.
pub const HEADER: &str = "receipt,declared_at_vietnam,declared_at_unix,received_at_unix,province,venue_id,full_name,birth_year,phone,symptoms,close_contact,on_behalf,device_kid";

/// Writes one row as a CSV line.
fn write_row(row: &ExportRow, out: &mut dyn Write) -> std::io::Result<()> {
    let fields = [
        row.receipt.clone(),
        format_vietnam(row.declared_at),
        row.declared_at.to_string(),
        row.received_at.to_string(),
        format!("{:02}", row.province),
        row.venue_id.clone().unwrap_or_default(),
        row.full_name.clone(),
        row.birth_year.to_string(),
        row.phone.clone(),
        row.symptoms.clone(),
        u8::from(row.close_contact).to_string(),
        u8::from(row.on_behalf).to_string(),
        row.device_kid.clone(),
    ];
    let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    writeln!(out, "{}", line.join(","))
}

/// Writes the matching declarations as CSV to `out`, oldest first, calling
/// `progress(done, total)` every `every` rows and at the end. Returns the row count.
pub fn export_csv(
    db: &AuthorityDb,
    key: &SealingKey,
    filter: &ExportFilter,
    out: &mut dyn Write,
    every: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64, ExportError> {
    writeln!(out, "{HEADER}")?;
    let mut csv = CsvSink {
        key,
        out,
        every,
        progress,
        total: 0,
        done: 0,
    };
    db.store().export_rows(filter, &mut csv)?;
    let CsvSink {
        out,
        progress,
        total,
        done,
        ..
    } = csv;
    out.flush()?;
    progress(done, total);
    Ok(done)
}

/// Writes exported rows as CSV, reporting progress every `every` rows.
struct CsvSink<'a> {
    key: &'a SealingKey,
    out: &'a mut dyn Write,
    every: u64,
    progress: &'a mut dyn FnMut(u64, u64),
    total: u64,
    done: u64,
}

impl ExportSink for CsvSink<'_> {
    fn total(&mut self, rows: u64) {
        self.total = rows;
    }

    fn row(&mut self, row: StoredRow) -> std::io::Result<()> {
        let row = ExportRow::open(self.key, row).map_err(std::io::Error::other)?;
        write_row(&row, self.out)?;
        self.done += 1;
        if self.every > 0 && self.done.is_multiple_of(self.every) {
            (self.progress)(self.done, self.total);
        }
        Ok(())
    }
}

/// One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a field
/// that a spreadsheet would take for a formula gets a leading `'` first.
pub fn csv_field(s: &str) -> String {
    let s = neutralise(s);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.into_owned()
    }
}

/// `s` with a leading `'` when it starts with `=`, `+`, `-`, `@`, a tab or a carriage
/// return (what spreadsheets read as the start of a formula).
pub fn neutralise(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Reads a time given on the command line: Unix seconds, `YYYY-MM-DD` (midnight in
/// Vietnam) or `YYYY-MM-DDTHH:MM` (Vietnam time).
pub fn parse_time(text: &str) -> Result<i64, BadTime> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<i64>() {
        return Ok(secs);
    }
    let bad = || BadTime(text.to_owned());
    let (date, time) = text.split_once(['T', ' ']).unwrap_or((text, "00:00"));
    let mut d = date.splitn(3, '-').map(str::parse::<i64>);
    let (Some(Ok(y)), Some(Ok(m)), Some(Ok(day))) = (d.next(), d.next(), d.next()) else {
        return Err(bad());
    };
    let (h, min) = time.split_once(':').ok_or_else(bad)?;
    let (Ok(h), Ok(min)) = (h.parse::<i64>(), min.parse::<i64>()) else {
        return Err(bad());
    };
    let date = khaibao_core::declaration::CalendarDate {
        year: i32::try_from(y).map_err(|_| bad())?,
        month: u8::try_from(m).map_err(|_| bad())?,
        day: u8::try_from(day).map_err(|_| bad())?,
    };
    if !date.is_valid() || !(0..24).contains(&h) || !(0..60).contains(&min) {
        return Err(bad());
    }
    Ok(date.days_since_epoch() * 86_400 + h * 3600 + min * 60 - VIETNAM_OFFSET)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_in_vietnam_time() {
        assert_eq!(parse_time("1626714000"), Ok(1_626_714_000));
        assert_eq!(parse_time("2021-07-20"), Ok(1_626_714_000));
        assert_eq!(
            format_vietnam(parse_time("2024-02-29T13:45").unwrap()),
            "2024-02-29 13:45"
        );
        assert!(parse_time("2021-13-01").is_err());
        assert!(parse_time("yesterday").is_err());
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("Lê Văn Tám"), "Lê Văn Tám");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\"\n"), "\"say \"\"hi\"\"\n\"");
    }

    #[test]
    fn csv_formulas_are_neutralised() {
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
        for (cell, out) in [
            ("+84912345678", "'+84912345678"),
            ("-1+1", "'-1+1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\r=1", "\"'\r=1\""),
            ("a=1", "a=1"),
        ] {
            assert_eq!(csv_field(cell), out, "{cell:?}");
        }
    }
}
