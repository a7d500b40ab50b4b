//! Exposure lists: the authority's signed list of risky venue visits, matched on the phone.
//!
//! The authority publishes where and when infected people were; the phone downloads the
//! list and compares it with its own diary locally, so the authority never learns who was
//! where.
//!
//! Format: a COSE_Sign1 (EdDSA, the authority key's id in the protected header) whose
//! payload is a deterministic CBOR map with integer keys:
//!
//! | key | value |
//! |---|---|
//! | 1 | format version (1) |
//! | 2 | list version: grows with every publication |
//! | 3 | base version: the list holds the entries published after this version (0 = all) |
//! | 4 | issued at (Unix seconds) |
//! | 5 | entries: array of `[venue id (16 bytes), start, end, recommendation]` |
//!
//! Recommendations are 1 monitor symptoms, 2 get tested, 3 isolate. The phone asks for
//! "everything since version N" ([`last_version`]) and a list whose version it has already
//! processed is not matched again. A visit matches an entry for the same venue when their
//! time windows overlap by at least [`MatchOptions::min_overlap_seconds`] (and by more than
//! zero: windows that only touch never match).
//!
//! Downloading lists from the authority is in [`fetch`].
//!
//! May import: `encoding`, `diary` (the visits matched), `storage`, `net` and `venue`.

use crate::error::{FormatError, NetError, SealError, VenueError};
pub mod fetch;

use crate::diary::{self, Visit};
use crate::encoding::codec::{MapBuilder, to_cbor, unhex};
use crate::storage::lock::StoreAccess;
use crate::storage::store::Store;
use crate::venue::keyset::TrustedKey;
use crate::{Error, Result, UnixTime};
use ciborium::Value;
use coset::{CborSerializable, iana};
use ring::signature::{self, Ed25519KeyPair};
use std::collections::HashMap;

/// The exposure list format version.
pub const FORMAT_VERSION: u64 = 1;
/// Most entries one list may carry.
pub const MAX_ENTRIES: usize = 2_000_000;
/// Path of the authority's endpoint: `GET /v1/exposures?since=N`.
pub const EXPOSURES_PATH: &str = "/v1/exposures";
/// Oldest list a phone matches: the authority signs each answer when it is asked
/// (`issued_at` = the time of the request), so a list older than this is a replay by a
/// mirror or a cache holding back newer lists.
pub const MAX_LIST_AGE_SECONDS: i64 = 2 * 86_400;
/// Most versions one list may move the phone forward. The authority numbers its
/// publications 1, 2, 3, …; a list claiming a far higher version (up to `i64::MAX`) would
/// make every later genuine list look already processed and end all future alerts.
pub const MAX_VERSION_JUMP: u64 = 1_000_000;

/// What the authority asks people who were there to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Recommendation {
    MonitorSymptoms,
    GetTested,
    Isolate,
}

impl Recommendation {
    const ALL: [Recommendation; 3] = [Self::MonitorSymptoms, Self::GetTested, Self::Isolate];
    fn to_wire(self) -> u64 {
        match self {
            Self::MonitorSymptoms => 1,
            Self::GetTested => 2,
            Self::Isolate => 3,
        }
    }
    fn from_wire(v: u64) -> Result<Self> {
        crate::encoding::codec::from_wire(&Self::ALL, Self::to_wire, v, "recommendation")
    }
    /// Stable lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Self::MonitorSymptoms => "monitor_symptoms",
            Self::GetTested => "get_tested",
            Self::Isolate => "isolate",
        }
    }
    /// The recommendation with this stable name ([`Recommendation::name`]).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// One risky time window at one venue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposureEntry {
    /// Venue id, lowercase hex of 16 bytes.
    pub venue_id: String,
    pub start: UnixTime,
    pub end: UnixTime,
    pub recommendation: Recommendation,
}

/// A verified exposure list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposureList {
    pub version: u64,
    pub base_version: u64,
    pub issued_at: UnixTime,
    pub entries: Vec<ExposureEntry>,
}

/// Matching settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MatchOptions {
    /// Least overlap between a visit and an entry that counts, in seconds.
    pub min_overlap_seconds: i64,
}

impl Default for MatchOptions {
    fn default() -> Self {
        Self {
            min_overlap_seconds: 15 * 60,
        }
    }
}

/// A visit in the diary that overlaps an exposure window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExposureAlert {
    pub visit_id: i64,
    pub venue_id: String,
    pub venue_name: String,
    pub visit_start: UnixTime,
    pub visit_end: UnixTime,
    /// The strongest recommendation among the entries this visit overlaps.
    pub recommendation: Recommendation,
    /// The longest overlap with one of those entries, in seconds.
    pub overlap_seconds: i64,
    /// The list version that raised the alert.
    pub list_version: u64,
}

/// Hook for the app (for example to post a notification). Called once per processed list
/// that raised alerts, after they are recorded.
pub trait AlertSink {
    fn on_alerts(&self, alerts: &[ExposureAlert]);
}

/// Signs an exposure list with the authority's Ed25519 key (PKCS#8): the authority side.
pub fn build_list(
    signing_pkcs8: &[u8],
    version: u64,
    base_version: u64,
    issued_at: UnixTime,
    entries: &[ExposureEntry],
) -> Result<Vec<u8>> {
    let pair =
        Ed25519KeyPair::from_pkcs8(signing_pkcs8).map_err(|_| SealError::Crypto("signing key"))?;
    let mut items = Vec::with_capacity(entries.len());
    for e in entries {
        if e.end < e.start {
            return Err(FormatError::InvalidField("exposure window").into());
        }
        items.push(Value::Array(vec![
            Value::Bytes(unhex(&e.venue_id, 16)?),
            Value::from(e.start),
            Value::from(e.end),
            Value::from(e.recommendation.to_wire()),
        ]));
    }
    let payload = to_cbor(
        &MapBuilder::new()
            .put(1, FORMAT_VERSION)
            .put(2, version)
            .put(3, base_version)
            .put(4, issued_at)
            .put(5, Value::Array(items))
            .build(),
    )?;
    crate::encoding::cose::sign_with(&pair, payload, crate::encoding::cose::Purpose::ExposureList)
}

/// Verifies a list against the trusted authority keys and decodes it.
///
/// The COSE_Sign1 is taken apart by hand (tag 18 optional, empty unprotected header) so
/// that the multi-megabyte payload is never copied into a generic CBOR value.
pub fn verify_list(bytes: &[u8], keys: &[TrustedKey]) -> Result<ExposureList> {
    let mut c = Cursor { b: bytes, i: 0 };
    if bytes.first() == Some(&0xd2) {
        c.i = 1;
    }
    if c.len(4)? != 4 {
        return Err(FormatError::Malformed("exposure list").into());
    }
    let protected = c.bstr()?;
    if c.len(5)? != 0 {
        return Err(FormatError::Malformed("exposure list header").into());
    }
    let payload = c.bstr()?;
    let sig = c.bstr()?;
    if c.i != bytes.len() {
        return Err(FormatError::Malformed("trailing bytes after exposure list").into());
    }
    let header =
        coset::Header::from_slice(protected).map_err(|_| FormatError::Malformed("header"))?;
    let alg_ok = matches!(
        header.alg,
        Some(coset::RegisteredLabelWithPrivate::Assigned(
            iana::Algorithm::EdDSA
        ))
    );
    if !alg_ok {
        return Err(VenueError::BadSignature.into());
    }
    let key = keys
        .iter()
        .find(|k| k.kid == header.key_id)
        .ok_or(VenueError::UnknownKey)?;
    // Sig_structure = ["Signature1", protected, external_aad, payload]
    let aad = crate::encoding::cose::Purpose::ExposureList.external_aad();
    let mut tbs = Vec::with_capacity(payload.len() + protected.len() + aad.len() + 32);
    tbs.push(0x84);
    tbs.push(0x6a);
    tbs.extend_from_slice(b"Signature1");
    push_bstr(&mut tbs, protected);
    push_bstr(&mut tbs, aad);
    push_bstr(&mut tbs, payload);
    signature::UnparsedPublicKey::new(&signature::ED25519, &key.public_key)
        .verify(&tbs, sig)
        .map_err(|_| VenueError::BadSignature)?;
    decode_payload(payload)
}

fn push_bstr(out: &mut Vec<u8>, data: &[u8]) {
    let n = data.len() as u64;
    match n {
        0..=23 => out.push(0x40 | n as u8),
        24..=0xff => out.extend_from_slice(&[0x58, n as u8]),
        0x100..=0xffff => {
            out.push(0x59);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(0x5a);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        }
        _ => {
            out.push(0x5b);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
    out.extend_from_slice(data);
}

/// A strict reader for the list payload, written out because lists are large (100k entries
/// is about 3 MB) and a generic CBOR value tree costs far more than the matching. It takes
/// definite lengths only, rejects unknown or repeated keys and trailing bytes.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .i
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or(FormatError::Malformed("exposure list truncated"))?;
        let s = &self.b[self.i..end];
        self.i = end;
        Ok(s)
    }
    fn head(&mut self) -> Result<(u8, u64)> {
        let ib = self.take(1)?[0];
        let arg = match ib & 31 {
            n @ 0..=23 => u64::from(n),
            24 => u64::from(self.take(1)?[0]),
            25 => self.take(2)?.iter().fold(0, |a, &x| a << 8 | u64::from(x)),
            26 => self.take(4)?.iter().fold(0, |a, &x| a << 8 | u64::from(x)),
            27 => self.take(8)?.iter().fold(0, |a, &x| a << 8 | u64::from(x)),
            _ => {
                return Err(Error::Format(FormatError::Malformed(
                    "exposure list encoding",
                )));
            }
        };
        Ok((ib >> 5, arg))
    }
    fn expect(&mut self, major: u8) -> Result<u64> {
        match self.head()? {
            (m, v) if m == major => Ok(v),
            _ => Err(Error::Format(FormatError::Malformed("exposure list type"))),
        }
    }
    fn bstr(&mut self) -> Result<&'a [u8]> {
        let n = self.len(2)?;
        self.take(n)
    }
    fn uint(&mut self) -> Result<u64> {
        self.expect(0)
    }
    fn int(&mut self) -> Result<i64> {
        match self.head()? {
            (0, v) => i64::try_from(v)
                .map_err(|_| Error::Format(FormatError::InvalidField("exposure time"))),
            (1, v) => i64::try_from(v)
                .map(|v| -1 - v)
                .map_err(|_| Error::Format(FormatError::InvalidField("exposure time"))),
            _ => Err(Error::Format(FormatError::Malformed("exposure list type"))),
        }
    }
    fn len(&mut self, major: u8) -> Result<usize> {
        let n = usize::try_from(self.expect(major)?)
            .map_err(|_| FormatError::Malformed("exposure list length"))?;
        // Every item takes at least one byte, so a longer count is a lie.
        if n > self.b.len() - self.i {
            return Err(FormatError::Malformed("exposure list length").into());
        }
        Ok(n)
    }
}

fn decode_payload(payload: &[u8]) -> Result<ExposureList> {
    let mut c = Cursor { b: payload, i: 0 };
    let fields = c.len(5)?;
    let mut seen = 0u8;
    let (mut format, mut version, mut base, mut issued) = (None, None, None, None);
    let mut entries = Vec::new();
    for _ in 0..fields {
        let key = c.uint()?;
        let bit = 1u8 << key.min(7);
        if key == 0 || key > 5 || seen & bit != 0 {
            return Err(FormatError::Malformed("exposure list key").into());
        }
        seen |= bit;
        match key {
            1 => format = Some(c.uint()?),
            2 => version = Some(c.uint()?),
            3 => base = Some(c.uint()?),
            4 => issued = Some(c.int()?),
            _ => {
                let n = c.len(4)?;
                if n > MAX_ENTRIES {
                    return Err(FormatError::InvalidField("entries").into());
                }
                entries.reserve_exact(n);
                for _ in 0..n {
                    entries.push(decode_entry(&mut c)?);
                }
            }
        }
    }
    if c.i != payload.len() {
        return Err(FormatError::Malformed("trailing bytes after exposure list").into());
    }
    let format = format.ok_or(FormatError::InvalidField("format"))?;
    if format != FORMAT_VERSION {
        return Err(FormatError::UnsupportedVersion(format).into());
    }
    Ok(ExposureList {
        version: version.ok_or(FormatError::InvalidField("version"))?,
        base_version: base.ok_or(FormatError::InvalidField("base_version"))?,
        issued_at: issued.ok_or(FormatError::InvalidField("issued_at"))?,
        entries,
    })
}

/// Lowercase hex without the formatting machinery (it runs for every entry of a list).
fn fast_hex(data: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(data.len() * 2);
    for &b in data {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

fn decode_entry(c: &mut Cursor<'_>) -> Result<ExposureEntry> {
    if c.len(4)? != 4 {
        return Err(FormatError::Malformed("exposure entry").into());
    }
    let id = c.bstr()?;
    let start = c.int()?;
    let end = c.int()?;
    let rec = Recommendation::from_wire(c.uint()?)?;
    if id.len() != 16 || end < start {
        return Err(FormatError::InvalidField("exposure entry").into());
    }
    Ok(ExposureEntry {
        venue_id: fast_hex(id),
        start,
        end,
        recommendation: rec,
    })
}

/// Overlap in seconds of `[a0, a1)` and `[b0, b1)`; zero when they only touch or are apart.
pub fn overlap(a0: UnixTime, a1: UnixTime, b0: UnixTime, b1: UnixTime) -> i64 {
    (a1.min(b1) - a0.max(b0)).max(0)
}

/// Matches `entries` against `visits` (ends taken as known at `now`). One alert per visit,
/// with the strongest recommendation and the longest overlap.
pub fn match_visits(
    visits: &[Visit],
    entries: &[ExposureEntry],
    options: MatchOptions,
    list_version: u64,
    now: UnixTime,
) -> Vec<ExposureAlert> {
    let mut by_venue: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, v) in visits.iter().enumerate() {
        if let (Some(id), true) = (&v.venue_id, v.verified) {
            by_venue.entry(id.as_str()).or_default().push(i);
        }
    }
    let min = options.min_overlap_seconds.max(1);
    let mut hits: HashMap<usize, (Recommendation, i64)> = HashMap::new();
    for e in entries {
        let Some(idx) = by_venue.get(e.venue_id.as_str()) else {
            continue;
        };
        for &i in idx {
            let v = &visits[i];
            let o = overlap(v.checked_in_at, v.end_at(now), e.start, e.end);
            if o >= min {
                let hit = hits.entry(i).or_insert((e.recommendation, o));
                hit.0 = hit.0.max(e.recommendation);
                hit.1 = hit.1.max(o);
            }
        }
    }
    let mut alerts: Vec<ExposureAlert> = hits
        .into_iter()
        .map(|(i, (recommendation, overlap_seconds))| {
            let v = &visits[i];
            ExposureAlert {
                visit_id: v.id,
                venue_id: v.venue_id.clone().unwrap_or_default(),
                venue_name: v.venue_name.clone(),
                visit_start: v.checked_in_at,
                visit_end: v.end_at(now),
                recommendation,
                overlap_seconds,
                list_version,
            }
        })
        .collect();
    alerts.sort_by_key(|a| (a.visit_start, a.visit_id));
    alerts
}

/// The highest list version already processed (0 when none): ask for lists since it.
pub fn last_version(store: &Store) -> Result<u64> {
    let v: i64 = store.conn().query_row(
        "SELECT COALESCE(MAX(version), 0) FROM exposure_lists",
        [],
        |r| r.get(0),
    )?;
    Ok(v.max(0) as u64)
}

/// Verifies a list (downloaded by [`fetch`] or handed over by the app) and matches it
/// against the diary, through the same checks as every list ([`process_verified`]). A list
/// whose version was already processed (or is older than the newest processed) is not
/// matched again and yields no alerts. The sink, when given, hears about the alerts after
/// the store is released ([`crate::storage::lock`]), so it may call back into the library.
pub fn process_list(
    mut store: impl StoreAccess,
    bytes: &[u8],
    keys: &[TrustedKey],
    options: MatchOptions,
    now: UnixTime,
    sink: Option<&dyn AlertSink>,
) -> Result<Vec<ExposureAlert>> {
    let list = verify_list(bytes, keys)?;
    let alerts = store.with_store(|s| process_verified(s, &list, options, now))?;
    tell(sink, &alerts);
    Ok(alerts)
}

/// Whether a verified list may be matched by a phone whose newest processed version is
/// `last`: `Ok(false)` when it holds nothing new (already processed), an error when it
/// must be refused. The one gate every list passes, fetched or handed over:
/// * its base version is not above `last` (a list starting later would leave a gap);
/// * its version is at most [`MAX_VERSION_JUMP`] above `last` (a signed list with a huge
///   version would freeze the phone: every genuine list after it would look old);
/// * it was issued at most [`MAX_LIST_AGE_SECONDS`] ago (an old list replayed hides newer
///   ones). A list issued "in the future" is taken: only the authority signs lists, and a
///   phone whose clock is behind must still get them.
pub fn check_list(list: &ExposureList, last: u64, now: UnixTime) -> Result<bool> {
    if list.version <= last {
        return Ok(false);
    }
    if list.base_version > last {
        return Err(NetError::Protocol("exposure list skips versions").into());
    }
    if list.version - last > MAX_VERSION_JUMP || i64::try_from(list.version).is_err() {
        return Err(NetError::Protocol("exposure list version jumps too far").into());
    }
    if list.issued_at < now.saturating_sub(MAX_LIST_AGE_SECONDS) {
        return Err(NetError::Protocol("exposure list too old").into());
    }
    Ok(true)
}

/// Hands new alerts, if any, to the sink, if any.
pub(crate) fn tell(sink: Option<&dyn AlertSink>, alerts: &[ExposureAlert]) {
    if let (Some(sink), false) = (sink, alerts.is_empty()) {
        sink.on_alerts(alerts);
    }
}

/// Checks a list already verified ([`check_list`]), matches it and records its version, in
/// one store step; the caller tells the sink ([`tell`]) once the store is released. How
/// many alerts a list raised is not recorded: whether this phone was exposed is the
/// person's business, and the alerts go to the app only.
pub(crate) fn process_verified(
    store: &mut Store,
    list: &ExposureList,
    options: MatchOptions,
    now: UnixTime,
) -> Result<Vec<ExposureAlert>> {
    if !check_list(list, last_version(store)?, now)? {
        return Ok(Vec::new());
    }
    let version = i64::try_from(list.version).map_err(|_| FormatError::InvalidField("version"))?;
    diary::settle(store, now)?;
    let visits = diary::visits(store)?;
    let alerts = match_visits(&visits, &list.entries, options, list.version, now);
    store.conn().execute(
        "INSERT INTO exposure_lists (version, processed_at, entries, alerts) VALUES (?1, ?2, ?3, ?4)",
        rusqlite::params![version, now, list.entries.len() as i64, 0],
    )?;
    Ok(alerts)
}

#[cfg(test)]
mod tests;
