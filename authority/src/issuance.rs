//! Issuing venue codes: one venue from command-line fields, or a province's venues from a
//! CSV file, each signed, rendered as a poster and listed in a signed venue registry.
//!
//! CSV columns (header row required, RFC 4180 quoting so addresses may hold commas):
//! `name,address,province,district,ward,category,stay_minutes,valid_days`; district, ward,
//! stay_minutes and valid_days may be empty.

use crate::keys::AuthorityKeys;
use crate::poster::{self, PosterError};
use khaibao_core::encoding::codec::hex;
use khaibao_core::venue::registry::{self, Registry};
use khaibao_core::venue::{self, Venue, VenueCategory};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

/// Errors issuing venues.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("line {line}: {reason}")]
    Csv { line: usize, reason: String },
    #[error("{0}")]
    Core(#[from] khaibao_core::Error),
    #[error("{0}")]
    Poster(#[from] PosterError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Trust(#[from] crate::trust::TrustError),
}

/// Where a venue is: its street address and the administrative units it is in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    pub address: String,
    pub province: u32,
    pub district: Option<u32>,
    pub ward: Option<u32>,
}

/// What a venue is made from.
#[derive(Debug, Clone)]
pub struct VenueSpec {
    pub name: String,
    pub category: VenueCategory,
    pub place: Place,
    pub stay_minutes: u32,
    pub valid_days: i64,
}

/// How long a visit lasts when a venue does not say (its `stay_minutes`).
pub const DEFAULT_STAY_MINUTES: u32 = 60;
/// How many days a venue code is valid for when its issuer does not say.
pub const DEFAULT_VALID_DAYS: i64 = 365;

impl VenueSpec {
    /// A venue with no district or ward, [`DEFAULT_STAY_MINUTES`] and
    /// [`DEFAULT_VALID_DAYS`]; vary it with struct update syntax.
    pub fn new(
        name: impl Into<String>,
        address: impl Into<String>,
        province: u32,
        category: VenueCategory,
    ) -> Self {
        Self {
            name: name.into(),
            category,
            place: Place {
                address: address.into(),
                province,
                ..Place::default()
            },
            stay_minutes: DEFAULT_STAY_MINUTES,
            valid_days: DEFAULT_VALID_DAYS,
        }
    }
}

/// A new venue with a random id, valid from the start of today (UTC) for `valid_days`.
pub fn new_venue(spec: &VenueSpec, now: i64, issuer: &str) -> Result<Venue, IssueError> {
    let id = khaibao_core::upload::outbox::new_idempotency_key()?;
    let today = now.div_euclid(86_400) * 86_400;
    Ok(Venue {
        id: hex(&id),
        name: spec.name.clone(),
        address: spec.place.address.clone(),
        province: spec.place.province,
        district: spec.place.district,
        ward: spec.place.ward,
        category: spec.category,
        vehicle_plate: None,
        route: None,
        event_start: None,
        event_end: None,
        default_stay_minutes: spec.stay_minutes,
        not_before: today,
        not_after: today + spec.valid_days.max(1) * 86_400,
        issuer: issuer.into(),
    })
}

/// Splits CSV text into records (RFC 4180: quoted fields, doubled quotes, CRLF or LF).
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (_, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records.retain(|r| !(r.len() == 1 && r[0].trim().is_empty()));
    records
}

fn opt_num<T: std::str::FromStr>(
    s: &str,
    line: usize,
    what: &str,
) -> Result<Option<T>, IssueError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| IssueError::Csv {
        line,
        reason: format!("{what} is not a number"),
    })
}

/// Reads venue specs from CSV text.
pub fn specs_from_csv(text: &str) -> Result<Vec<VenueSpec>, IssueError> {
    let records = parse_csv(text);
    let mut out = Vec::new();
    for (i, r) in records.iter().enumerate().skip(1) {
        let line = i + 1;
        let field = |n: usize| r.get(n).map_or("", String::as_str);
        let category = poster::category::parse(field(5))
            .map_err(|e| IssueError::Csv {
                line,
                reason: e.to_string(),
            })?
            .category;
        out.push(VenueSpec {
            name: field(0).trim().into(),
            category,
            place: Place {
                address: field(1).trim().into(),
                province: opt_num(field(2), line, "province")?.ok_or(IssueError::Csv {
                    line,
                    reason: "province is required".into(),
                })?,
                district: opt_num(field(3), line, "district")?,
                ward: opt_num(field(4), line, "ward")?,
            },
            stay_minutes: opt_num(field(6), line, "stay_minutes")?.unwrap_or(DEFAULT_STAY_MINUTES),
            valid_days: opt_num(field(7), line, "valid_days")?.unwrap_or(DEFAULT_VALID_DAYS),
        });
    }
    Ok(out)
}

/// Writes a text progress bar to `out` (stderr in the CLI).
pub fn progress(out: &mut dyn Write, done: usize, total: usize) {
    let width = 30;
    let filled = (done * width).checked_div(total).unwrap_or(width);
    let _ = write!(
        out,
        "\r[{}{}] {done}/{total}",
        "#".repeat(filled),
        "-".repeat(width - filled)
    );
    if done == total {
        let _ = writeln!(out);
    }
    let _ = out.flush();
}

/// A new venue ([`new_venue`]) whose manual code is not in `taken`, drawing fresh random
/// ids until one is free; its code is then added to `taken`.
pub fn new_venue_avoiding<S: std::hash::BuildHasher>(
    spec: &VenueSpec,
    now: i64,
    issuer: &str,
    taken: &mut HashSet<u64, S>,
) -> Result<Venue, IssueError> {
    loop {
        let v = new_venue(spec, now, issuer)?;
        if taken.insert(registry::manual_code_number(&v)?) {
            return Ok(v);
        }
    }
}

/// Signs `specs` offline with the venue key of the keys folder `dir` (the CLI's work, and
/// an approval step's; `serve` never does it): each venue gets a fresh id and a manual code
/// no venue of the folder has, is appended to the folder's venue list, and the registry is
/// re-signed with them. Returns each venue with its code text, in the order of `specs`.
pub fn sign_venues_in(
    dir: &Path,
    specs: &[VenueSpec],
    now: i64,
) -> Result<Vec<(Venue, String)>, IssueError> {
    let keys = AuthorityKeys::load(dir).map_err(crate::trust::TrustError::from)?;
    let mut taken = crate::trust::taken_manual_codes(dir, &keys)?;
    let mut signed = Vec::with_capacity(specs.len());
    for spec in specs {
        let v = new_venue_avoiding(spec, now, "khaibao", &mut taken)?;
        let code = venue::issue(&v, keys.venue_pkcs8())?;
        signed.push((v, code));
    }
    let codes: Vec<String> = signed.iter().map(|(_, c)| c.clone()).collect();
    crate::trust::record_issued(dir, &keys, &codes, now)?;
    Ok(signed)
}

/// Issues every venue in `specs`: a poster per venue in `out_dir` (named by manual code,
/// with extension `ext`), `codes.csv` listing manual code, venue id and code text, and
/// `registry.cose`, the signed registry that resolves the manual codes. No manual code is
/// one of `taken` (the codes of venues issued before,
/// [`crate::trust::taken_manual_codes`]) or of another venue of the batch.
pub fn issue_all(
    specs: &[VenueSpec],
    keys: &AuthorityKeys,
    out_dir: &Path,
    ext: &str,
    now: i64,
    bar: &mut dyn Write,
    taken: impl IntoIterator<Item = u64>,
) -> Result<Vec<(Venue, String)>, IssueError> {
    std::fs::create_dir_all(out_dir)?;
    let mut seen: HashSet<u64> = taken.into_iter().collect();
    let mut issued = Vec::with_capacity(specs.len());
    let mut list = String::from("manual_code,venue_id,code\n");
    progress(bar, 0, specs.len());
    for (i, spec) in specs.iter().enumerate() {
        // A clash of manual codes within the registry gets a fresh random venue id.
        let venue = new_venue_avoiding(spec, now, "khaibao", &mut seen)?;
        let code = venue::issue(&venue, keys.venue_pkcs8())?;
        let manual = registry::manual_code(&venue)?.replace(' ', "");
        poster::write_poster(&venue, &code, &out_dir.join(format!("{manual}.{ext}")), 150)?;
        let _ = writeln!(list, "{manual},{},{code}", venue.id);
        issued.push((venue, code));
        progress(bar, i + 1, specs.len());
    }
    std::fs::write(out_dir.join("codes.csv"), list)?;
    let province = specs.first().map_or(0, |s| s.place.province);
    let reg = Registry::build(now as u64, now, province, &issued)?;
    std::fs::write(out_dir.join("registry.cose"), reg.sign(keys.venue_pkcs8())?)?;
    Ok(issued)
}

#[cfg(test)]
mod sign_venues_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn venues_signed_in_a_keys_folder_verify_and_are_listed() {
        let (dir, keys) = crate::keys::saved_keys();
        let now = 1_767_225_600;
        let specs = [
            VenueSpec::new("Chợ Bến Thành", "", 79, VenueCategory::Market),
            VenueSpec::new("Phở Thìn", "", 1, VenueCategory::Restaurant),
        ];
        let signed = sign_venues_in(dir.path(), &specs, now).unwrap();
        assert_eq!(signed.len(), 2);
        let trusted = [keys.public().venue_key];
        for ((v, code), spec) in signed.iter().zip(&specs) {
            assert_eq!(&venue::verify(code, &trusted, now).unwrap(), v);
            assert_eq!(v.name, spec.name);
        }
        let listed = crate::trust::issued_venues(dir.path(), &keys).unwrap();
        assert_eq!(listed.len(), 2);
        // A second call never reuses a manual code of the first.
        let again = sign_venues_in(dir.path(), &specs[..1], now).unwrap();
        let first: HashSet<u64> = signed
            .iter()
            .map(|(v, _)| registry::manual_code_number(v).unwrap())
            .collect();
        assert!(!first.contains(&registry::manual_code_number(&again[0].0).unwrap()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use khaibao_core::venue::keyset::Keyset;

    #[test]
    fn csv_with_quoted_vietnamese_addresses() {
        let text = "name,address,province,district,ward,category,stay_minutes,valid_days\r\n\
                    \"Quán cà phê \"\"Gió\"\"\",\"12 Lý Tự Trọng, Phường Bến Nghé, Quận 1\",79,760,26740,restaurant,,30\n\
                    Trường THCS Nguyễn Du,,1,,,school,240,\n";
        let specs = specs_from_csv(text).unwrap();
        assert_eq!(specs.len(), 2);
        assert_eq!(specs[0].name, "Quán cà phê \"Gió\"");
        assert_eq!(
            specs[0].place.address,
            "12 Lý Tự Trọng, Phường Bến Nghé, Quận 1"
        );
        assert_eq!(specs[0].place.ward, Some(26_740));
        assert_eq!(specs[0].valid_days, 30);
        assert_eq!(specs[1].stay_minutes, 240);
        assert_eq!(specs[1].place.district, None);
        assert!(specs_from_csv("h\nx,y,z,,,zoo,,\n").is_err());
    }

    #[test]
    fn csv_batch_writes_posters_codes_and_a_registry_that_resolves_them() {
        let keys = AuthorityKeys::generate().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let csv = "name,address,province,district,ward,category,stay_minutes,valid_days\n\
                   Chợ Bến Thành,\"Lê Lợi, Phường Bến Thành, Quận 1\",79,760,26743,market,30,\n\
                   Khách sạn Rex,\"141 Nguyễn Huệ, Quận 1\",79,,,lodging,720,90\n\
                   Phà Cát Lái,,79,,,transport,,\n";
        let specs = specs_from_csv(csv).unwrap();
        let mut bar = Vec::new();
        let now = 1_767_225_600 + 3_600;
        let issued = issue_all(&specs, &keys, dir.path(), "svg", now, &mut bar, []).unwrap();
        assert_eq!(issued.len(), 3);
        let bar = String::from_utf8(bar).unwrap();
        assert!(
            bar.ends_with("[##############################] 3/3\n"),
            "{bar}"
        );
        let keyset = Keyset::from_trusted(std::slice::from_ref(&keys.public().venue_key));
        let bytes = std::fs::read(dir.path().join("registry.cose")).unwrap();
        let reg = Registry::verify(&bytes, &keyset, now, None).unwrap();
        let listed = std::fs::read_to_string(dir.path().join("codes.csv")).unwrap();
        for (v, code) in &issued {
            let manual = registry::manual_code(v).unwrap();
            assert!(
                dir.path()
                    .join(format!("{}.svg", manual.replace(' ', "")))
                    .exists()
            );
            assert!(listed.contains(code.as_str()));
            assert_eq!(&reg.resolve_venue(&manual, &keyset, now).unwrap(), v);
        }
        assert_eq!(issued[1].0.default_stay_minutes, 720);
        assert_eq!(issued[1].0.not_after - issued[1].0.not_before, 90 * 86_400);
    }
}
