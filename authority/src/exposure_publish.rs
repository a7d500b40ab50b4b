//! Publishing an exposure window from the command line (`khaibao exposure publish`).
//!
//! A health officer names the venue (by its id, or by the text of its signed code as
//! printed on the poster), the risky time window and what people who were there should do.
//! The window is stored as the next exposure-list version in the authority database, where
//! a running `khaibao serve` answers `GET /v1/exposures?since=N` from: phones see it on
//! their next download. Nothing else about the case is recorded.

use crate::db::{AuthorityDb, DbError};
use crate::export::{BadTime, parse_time};
use crate::exposures::ExposureError;
use khaibao_core::error::VenueError;
use khaibao_core::exposure::{ExposureEntry, Recommendation};
use khaibao_core::venue::{self, TrustedKey};
use std::path::{Path, PathBuf};

/// Why a window was not published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Time(#[from] BadTime),
    #[error("the window ends before it starts")]
    Backwards,
    #[error("unknown recommendation '{0}' (monitor_symptoms, get_tested or isolate)")]
    Recommendation(String),
    #[error("the venue id must be 32 hex digits")]
    VenueId,
    #[error("the venue code was not valid during the window ({0})")]
    CodeNotValid(khaibao_core::Error),
    #[error("the venue code does not verify ({0})")]
    CodeUnverified(khaibao_core::Error),
    #[error("no database at {}", .0.display())]
    NoDatabase(PathBuf),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Exposure(#[from] ExposureError),
}

/// How the venue of a window is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VenueRef<'a> {
    /// The venue id: 32 hex digits.
    Id(&'a str),
    /// The venue code's text (the poster's QR content), verified against the authority's key.
    Code(&'a str),
}

/// One window to publish, as given on the command line.
#[derive(Debug, Clone, Copy)]
pub struct WindowSpec<'a> {
    pub venue: VenueRef<'a>,
    /// Start: Unix seconds, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` (Vietnam time).
    pub from: &'a str,
    /// End, in the same formats; not before the start.
    pub until: &'a str,
    /// `monitor_symptoms`, `get_tested` or `isolate`.
    pub recommendation: &'a str,
}

/// The entry a window describes. A venue code must carry a valid signature by one of
/// `trusted` and must have been valid at the window's start or end (a code that expired
/// since still names its venue).
pub fn entry(spec: &WindowSpec<'_>, trusted: &[TrustedKey]) -> Result<ExposureEntry, PublishError> {
    let start = parse_time(spec.from)?;
    let end = parse_time(spec.until)?;
    if end < start {
        return Err(PublishError::Backwards);
    }
    let recommendation = Recommendation::from_name(spec.recommendation)
        .ok_or_else(|| PublishError::Recommendation(spec.recommendation.to_owned()))?;
    let venue_id = match spec.venue {
        VenueRef::Id(id) => {
            let id = id.trim().to_ascii_lowercase();
            khaibao_core::encoding::codec::unhex(&id, 16).map_err(|_| PublishError::VenueId)?;
            id
        }
        VenueRef::Code(text) => venue_of_code(text.trim(), trusted, start, end)?,
    };
    Ok(ExposureEntry {
        venue_id,
        start,
        end,
        recommendation,
    })
}

fn venue_of_code(
    text: &str,
    trusted: &[TrustedKey],
    start: i64,
    end: i64,
) -> Result<String, PublishError> {
    use khaibao_core::Error;
    match venue::verify(text, trusted, start) {
        Ok(v) => Ok(v.id),
        Err(Error::Venue(VenueError::NotYetValid | VenueError::Expired)) => {
            venue::verify(text, trusted, end)
                .map(|v| v.id)
                .map_err(PublishError::CodeNotValid)
        }
        Err(e) => Err(PublishError::CodeUnverified(e)),
    }
}

/// Stores `entries` as one publication in the authority database at `db` and returns its
/// version. The database must exist (`khaibao serve` creates it), so that a mistyped path
/// does not publish into a file nobody serves.
pub fn publish_to(db: &Path, entries: &[ExposureEntry], now: i64) -> Result<u64, PublishError> {
    if !db.exists() {
        return Err(PublishError::NoDatabase(db.to_path_buf()));
    }
    let mut db = AuthorityDb::open(db)?;
    Ok(db.publish_exposures(entries, now)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::issuance::{VenueSpec, new_venue};
    use crate::keys::AuthorityKeys;
    use khaibao_core::venue::VenueCategory;

    /// 2021-07-20 00:00 in Vietnam.
    const MIDNIGHT: i64 = 1_626_714_000;

    fn spec(venue: VenueRef<'_>) -> WindowSpec<'_> {
        WindowSpec {
            venue,
            from: "2021-07-20T09:00",
            until: "2021-07-20T11:30",
            recommendation: "get_tested",
        }
    }

    #[test]
    fn a_window_by_venue_id_reads_times_in_vietnam_time() {
        let e = entry(
            &spec(VenueRef::Id(" 0123456789ABCDEF0123456789abcdef ")),
            &[],
        )
        .unwrap();
        assert_eq!(
            e,
            ExposureEntry {
                venue_id: "0123456789abcdef0123456789abcdef".into(),
                start: MIDNIGHT + 9 * 3600,
                end: MIDNIGHT + 11 * 3600 + 1800,
                recommendation: Recommendation::GetTested,
            }
        );
    }

    #[test]
    fn bad_windows_are_refused() {
        let id = VenueRef::Id("0123456789abcdef0123456789abcdef");
        let backwards = WindowSpec {
            until: "2021-07-20T08:00",
            ..spec(id)
        };
        assert!(entry(&backwards, &[]).is_err());
        let unknown = WindowSpec {
            recommendation: "panic",
            ..spec(id)
        };
        assert!(matches!(
            entry(&unknown, &[]),
            Err(PublishError::Recommendation(_))
        ));
        assert!(entry(&spec(VenueRef::Id("abc")), &[]).is_err());
        let bad_time = WindowSpec {
            from: "yesterday",
            ..spec(id)
        };
        assert!(entry(&bad_time, &[]).is_err());
    }

    #[test]
    fn a_venue_code_names_its_venue_only_under_a_trusted_key() {
        let keys = AuthorityKeys::generate().unwrap();
        let venue_spec = VenueSpec {
            valid_days: 30,
            ..VenueSpec::new("Chợ Bến Thành", "", 79, VenueCategory::Market)
        };
        // Issued the day before the window and valid for 30 days.
        let v = new_venue(&venue_spec, MIDNIGHT - 86_400, "test").unwrap();
        let code = venue::issue(&v, keys.venue_pkcs8()).unwrap();
        let trusted = [keys.public().venue_key];
        let e = entry(&spec(VenueRef::Code(&code)), &trusted).unwrap();
        assert_eq!(e.venue_id, v.id);
        // Another authority's key: refused.
        let other = AuthorityKeys::generate().unwrap();
        assert!(entry(&spec(VenueRef::Code(&code)), &[other.public().venue_key]).is_err());
        // A window entirely after the code expired: refused.
        let late = WindowSpec {
            from: "2022-01-01",
            until: "2022-01-02",
            ..spec(VenueRef::Code(&code))
        };
        assert!(entry(&late, &trusted).is_err());
    }

    #[test]
    fn publishing_needs_an_existing_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("authority.db");
        let e = entry(&spec(VenueRef::Id("0123456789abcdef0123456789abcdef")), &[]).unwrap();
        assert!(publish_to(&path, std::slice::from_ref(&e), MIDNIGHT).is_err());
        assert!(!path.exists());
        drop(AuthorityDb::open(&path).unwrap());
        assert_eq!(
            publish_to(&path, std::slice::from_ref(&e), MIDNIGHT).unwrap(),
            1
        );
        assert_eq!(publish_to(&path, &[e], MIDNIGHT).unwrap(), 2);
    }
}
