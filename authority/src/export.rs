//! `khaibao export`: stored declarations as CSV for a health department ("khai thác dữ
//! liệu"), filtered by declaration time, province and venue, streamed row by row with
//! progress for large exports.

use crate::db::{AuthorityDb, Backend, DbError};
use khaibao_core::encoding::time::{VIETNAM_OFFSET, format_vietnam};
use rusqlite::params;
use std::cell::Cell;
use std::io::Write;

/// Which declarations to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFilter {
    /// Declared at or after this time.
    pub since: i64,
    /// Declared before this time, if given.
    pub until: Option<i64>,
    /// National province code.
    pub province: u32,
    /// Only this venue, if given.
    pub venue_id: Option<String>,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("database: {0}")]
    Db(#[from] DbError),
    #[error("writing the file: {0}")]
    Io(#[from] std::io::Error),
}

/// The CSV header row.
pub const HEADER: &str = "receipt,declared_at_vietnam,declared_at_unix,received_at_unix,province,venue_id,full_name,birth_year,phone,symptoms,close_contact,on_behalf,device_kid";

/// One exported declaration, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
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

impl ExportRow {
    fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let fields = [
            self.receipt.clone(),
            format_vietnam(self.declared_at),
            self.declared_at.to_string(),
            self.received_at.to_string(),
            format!("{:02}", self.province),
            self.venue_id.clone().unwrap_or_default(),
            self.full_name.clone(),
            self.birth_year.to_string(),
            self.phone.clone(),
            self.symptoms.clone(),
            u8::from(self.close_contact).to_string(),
            u8::from(self.on_behalf).to_string(),
            self.device_kid.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        writeln!(out, "{}", line.join(","))
    }
}

impl From<rusqlite::Error> for ExportError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Db(e.into())
    }
}

impl From<postgres::Error> for ExportError {
    fn from(e: postgres::Error) -> Self {
        Self::Db(e.into())
    }
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
    let total = Cell::new(0u64);
    let mut done = 0u64;
    let mut on_total = |n: u64| -> Result<(), ExportError> {
        total.set(n);
        Ok(())
    };
    let mut on_row = |row: ExportRow| -> Result<(), ExportError> {
        row.write(out)?;
        done += 1;
        if every > 0 && done.is_multiple_of(every) {
            progress(done, total.get());
        }
        Ok(())
    };
    match db.backend() {
        Backend::Sqlite(conn) => sqlite_rows(conn, filter, &mut on_total, &mut on_row)?,
        Backend::Postgres(pg) => pg.export(filter, &mut on_total, &mut on_row)?,
    }
    out.flush()?;
    progress(done, total.get());
    Ok(done)
}

/// The SQLite side of [`export_csv`]: the total, then each row in order.
fn sqlite_rows(
    conn: &rusqlite::Connection,
    filter: &ExportFilter,
    on_total: &mut dyn FnMut(u64) -> Result<(), ExportError>,
    on_row: &mut dyn FnMut(ExportRow) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    const WHERE: &str = "province = ?1 AND declared_at >= ?2 AND declared_at < ?3 AND (?4 IS NULL OR venue_id = ?4)";
    let until = filter.until.unwrap_or(i64::MAX);
    let args = params![filter.province, filter.since, until, filter.venue_id];
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM declarations WHERE {WHERE}"),
        args,
        |r| r.get(0),
    )?;
    on_total(total.max(0).unsigned_abs())?;
    let mut stmt = conn.prepare(&format!(
        "SELECT receipt, declared_at, received_at, province, venue_id, full_name, birth_year, phone,
                symptoms, close_contact, on_behalf, device_kid
         FROM declarations WHERE {WHERE} ORDER BY declared_at, id"
    ))?;
    let mut rows = stmt.query(args)?;
    while let Some(r) = rows.next()? {
        on_row(ExportRow {
            receipt: r.get(0)?,
            declared_at: r.get(1)?,
            received_at: r.get(2)?,
            province: r.get(3)?,
            venue_id: r.get(4)?,
            full_name: r.get(5)?,
            birth_year: r.get(6)?,
            phone: r.get(7)?,
            symptoms: r.get(8)?,
            close_contact: r.get(9)?,
            on_behalf: r.get(10)?,
            device_kid: r.get(11)?,
        })?;
    }
    Ok(())
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
pub fn parse_time(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<i64>() {
        return Ok(secs);
    }
    let bad = || format!("'{text}' is not Unix seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM");
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
