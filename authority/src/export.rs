//! `khaibao export`: stored declarations as CSV for a health department ("khai thác dữ
//! liệu"), filtered by declaration time, province and venue, streamed row by row with
//! progress for large exports.
//!
//! Imports: [`crate::db`] (the database it reads) and the store's row types.

use crate::db::AuthorityDb;
use crate::store::{DbError, ExportSink};
pub use crate::store::{ExportFilter, ExportRow};
use khaibao_core::encoding::time::{VIETNAM_OFFSET, format_vietnam};
use std::io::Write;

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
    filter: &ExportFilter,
    out: &mut dyn Write,
    every: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64, ExportError> {
    writeln!(out, "{HEADER}")?;
    let mut csv = CsvSink {
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

    fn row(&mut self, row: ExportRow) -> std::io::Result<()> {
        write_row(&row, self.out)?;
        self.done += 1;
        if self.every > 0 && self.done.is_multiple_of(self.every) {
            (self.progress)(self.done, self.total);
        }
        Ok(())
    }
}

/// One CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
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
}
