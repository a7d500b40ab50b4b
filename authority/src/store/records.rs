//! The rows of the authority's own bookkeeping, as the stores read and write them: operator
//! accounts and their tokens. The meaning of each column (roles, scopes, hashing) belongs
//! to [`crate::ops`]; here they are plain values.

/// An operator account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorRecord {
    pub id: i64,
    /// The login name (unique).
    pub name: String,
    /// The role and its scope, as [`crate::ops::Role`] spells it (`admin`, `province:79,01`,
    /// `unit:VENUE,VENUE`).
    pub role: String,
    pub disabled: bool,
    pub created_at: i64,
}

/// The operator columns every query selects (from `operators o`), in [`OperatorRecord`]'s
/// field order.
pub const OPERATOR_COLUMNS: &str = "o.id, o.name, o.role, o.disabled, o.created_at";

/// An operator account about to be stored.
#[derive(Debug, Clone, Copy)]
pub struct NewOperator<'a> {
    pub name: &'a str,
    pub role: &'a str,
    /// The argon2 PHC string of the password, for accounts that log in with one.
    pub password_hash: Option<&'a str>,
    pub created_at: i64,
}

/// A bearer token or session about to be stored: only the SHA-256 of the token is kept.
#[derive(Debug, Clone, Copy)]
pub struct NewToken<'a> {
    pub hash: &'a [u8],
    pub operator_id: i64,
    /// `bearer` (printed by the CLI) or `session` (from a password login).
    pub kind: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A data-extraction request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractionRecord {
    pub id: i64,
    pub requester_id: i64,
    /// `province:79` or `venue:HEX`, as [`crate::ops::Scope`] spells it.
    pub scope: String,
    /// Declared at or after.
    pub since: i64,
    /// Declared before.
    pub until: i64,
    pub reason: String,
    pub requested_at: i64,
    /// `pending`, `approved` or `refused`.
    pub state: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<i64>,
    /// When approved: the end of the window in which the requester may download.
    pub download_until: Option<i64>,
    pub downloads: i64,
}

/// The extraction columns every query selects, in [`ExtractionRecord`]'s field order.
pub const EXTRACTION_COLUMNS: &str = "id, requester_id, scope, since, until, reason, \
     requested_at, state, decided_by, decided_at, download_until, downloads";

/// A data-extraction request about to be stored (pending).
#[derive(Debug, Clone, Copy)]
pub struct NewExtraction<'a> {
    pub requester_id: i64,
    pub scope: &'a str,
    pub since: i64,
    pub until: i64,
    pub reason: &'a str,
    pub requested_at: i64,
}

/// The decision on a pending extraction.
#[derive(Debug, Clone, Copy)]
pub struct Decision<'a> {
    pub id: i64,
    /// `approved` or `refused`.
    pub state: &'a str,
    pub by: i64,
    pub at: i64,
    pub download_until: Option<i64>,
}

/// One entry of the audit log as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// 1, 2, 3, … with no gap.
    pub seq: i64,
    pub at: i64,
    /// Who did it: `operator:NAME` or `cli`.
    pub actor: String,
    /// What: `extraction.request`, `extraction.approve`, …
    pub action: String,
    /// The particulars (ids, scope, range, reason); never a declarant's data.
    pub detail: String,
    /// The previous entry's hash (32 zero bytes for the first).
    pub prev_hash: Vec<u8>,
    /// SHA-256 over `prev_hash` and this entry's fields ([`crate::audit::entry_hash`]).
    pub hash: Vec<u8>,
}

/// The audit columns every query selects, in [`AuditRecord`]'s field order.
pub const AUDIT_COLUMNS: &str = "seq, at, actor, action, detail, prev_hash, hash";

/// An audit entry about to be appended: the store gives it the next sequence number and
/// asks `link` for its hash given (seq, previous hash).
pub struct AuditDraft<'a> {
    pub at: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub detail: &'a str,
    pub link: &'a dyn Fn(i64, &[u8]) -> Vec<u8>,
}

impl AuditDraft<'_> {
    /// The entry that follows `last` (the newest entry's sequence number and hash; none
    /// before the first entry): the next number, chained to that hash.
    pub fn after(&self, last: Option<(i64, Vec<u8>)>) -> AuditRecord {
        let (seq, prev_hash) = last.map_or((1, vec![0; 32]), |(s, h)| (s + 1, h));
        let hash = (self.link)(seq, &prev_hash);
        AuditRecord {
            seq,
            at: self.at,
            actor: self.actor.to_owned(),
            action: self.action.to_owned(),
            detail: self.detail.to_owned(),
            prev_hash,
            hash,
        }
    }
}
