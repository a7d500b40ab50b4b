//! The steps of an extraction over the database: [`request`], [`decide`], [`download`],
//! each audited first.

use super::{DOWNLOAD_SECONDS, Extraction, MAX_RANGE_SECONDS, MAX_REASON, State};
use crate::audit;
use crate::db::AuthorityDb;
use crate::export::{ExportError, ExportFilter, export_csv};
use crate::ops::{Operator, Role, Scope};
use crate::store::{DbError, Decision, NewExtraction};
use khaibao_core::seal::SealingKey;
use std::io::Write;

/// Why a step is refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ExtractionError {
    /// The caller's role does not allow this step on this request.
    #[error("not allowed for this operator")]
    Forbidden,
    #[error("no such extraction")]
    NotFound,
    #[error("the extraction was already decided")]
    NotPending,
    #[error("the extraction is not approved")]
    NotApproved,
    #[error("the download window has closed")]
    Expired,
    #[error("the date range must be non-empty and at most 31 days")]
    BadRange,
    #[error("a reason of 1 to {MAX_REASON} characters is required")]
    BadReason,
    #[error("database: {0}")]
    Db(#[from] DbError),
    #[error("export: {0}")]
    Export(#[from] ExportError),
}

/// The audit log's name for an operator.
fn actor(who: &Operator) -> String {
    format!("operator:{}", who.name)
}

/// The extraction `id`.
pub fn extraction(db: &AuthorityDb, id: i64) -> Result<Extraction, ExtractionError> {
    db.store()
        .extraction(id)?
        .and_then(Extraction::from_record)
        .ok_or(ExtractionError::NotFound)
}

/// Whether `who` may approve or refuse requests for `scope`: [`Role::may_approve`], and for
/// a venue registered on the web portal (whose province the portal records), the
/// department of that province.
pub fn may_decide(db: &AuthorityDb, who: &Operator, scope: &Scope) -> Result<bool, DbError> {
    if who.role.may_approve(scope) {
        return Ok(true);
    }
    let Scope::Venue(v) = scope else {
        return Ok(false);
    };
    if matches!(who.role, Role::Unit(_)) {
        return Ok(false);
    }
    Ok(db
        .store()
        .portal_record(crate::portal::venue::KIND, v)?
        .is_some_and(|r| who.role.may_approve(&Scope::Province(r.province))))
}

/// The extractions `who` may see: the ministry every one; others those they requested
/// and those they may decide.
pub fn visible_to(db: &AuthorityDb, who: &Operator) -> Result<Vec<Extraction>, ExtractionError> {
    let mut out = Vec::new();
    for e in db
        .store()
        .extractions()?
        .into_iter()
        .filter_map(Extraction::from_record)
    {
        if who.role == Role::Admin || e.requester_id == who.id || may_decide(db, who, &e.scope)? {
            out.push(e);
        }
    }
    Ok(out)
}

/// Records `who`'s request for the declarations of `scope` declared in `since..until`.
pub fn request(
    db: &mut AuthorityDb,
    who: &Operator,
    scope: &Scope,
    (since, until): (i64, i64),
    reason: &str,
    now: i64,
) -> Result<Extraction, ExtractionError> {
    if !who.role.covers(scope) {
        return Err(ExtractionError::Forbidden);
    }
    if since >= until || until - since > MAX_RANGE_SECONDS {
        return Err(ExtractionError::BadRange);
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON {
        return Err(ExtractionError::BadReason);
    }
    let scope_text = scope.to_string();
    let id = db.store_mut().add_extraction(&NewExtraction {
        requester_id: who.id,
        scope: &scope_text,
        since,
        until,
        reason,
        requested_at: now,
    })?;
    audit::append(
        db.store_mut(),
        now,
        &actor(who),
        "extraction.request",
        &format!("id={id} scope={scope_text} since={since} until={until} reason={reason}"),
    )?;
    extraction(db, id)
}

/// `who` approves (`true`) or refuses extraction `id`. An approval opens the download
/// window of [`DOWNLOAD_SECONDS`].
pub fn decide(
    db: &mut AuthorityDb,
    who: &Operator,
    id: i64,
    approve: bool,
    now: i64,
) -> Result<Extraction, ExtractionError> {
    let e = extraction(db, id)?;
    if e.requester_id == who.id || !may_decide(db, who, &e.scope)? {
        return Err(ExtractionError::Forbidden);
    }
    if e.state != State::Pending {
        return Err(ExtractionError::NotPending);
    }
    let (state, action) = if approve {
        (State::Approved, "extraction.approve")
    } else {
        (State::Refused, "extraction.refuse")
    };
    let download_until = approve.then(|| now.saturating_add(DOWNLOAD_SECONDS));
    audit::append(
        db.store_mut(),
        now,
        &actor(who),
        action,
        &format!("id={id}"),
    )?;
    let decided = db.store_mut().decide_extraction(&Decision {
        id,
        state: state.as_str(),
        by: who.id,
        at: now,
        download_until,
    })?;
    if !decided {
        // Another approver got there between the read and the update.
        return Err(ExtractionError::NotPending);
    }
    extraction(db, id)
}

/// The requester downloads approved extraction `id` as CSV into `out`, opening each
/// declaration with `key`; returns the row count.
pub fn download(
    db: &mut AuthorityDb,
    key: &SealingKey,
    who: &Operator,
    id: i64,
    out: &mut dyn Write,
    now: i64,
) -> Result<u64, ExtractionError> {
    let e = extraction(db, id)?;
    if e.requester_id != who.id || !who.role.covers(&e.scope) {
        return Err(ExtractionError::Forbidden);
    }
    if e.state != State::Approved {
        return Err(ExtractionError::NotApproved);
    }
    if e.download_until.is_none_or(|t| now > t) {
        return Err(ExtractionError::Expired);
    }
    audit::append(
        db.store_mut(),
        now,
        &actor(who),
        "extraction.download",
        &format!("id={id}"),
    )?;
    db.store_mut().count_download(id)?;
    let filter = match &e.scope {
        Scope::Province(p) => ExportFilter {
            since: e.since,
            until: Some(e.until),
            province: Some(*p),
            venue_id: None,
        },
        Scope::Venue(v) => ExportFilter {
            since: e.since,
            until: Some(e.until),
            province: None,
            venue_id: Some(v.clone()),
        },
    };
    Ok(export_csv(db, key, &filter, out, 0, &mut |_, _| {})?)
}
