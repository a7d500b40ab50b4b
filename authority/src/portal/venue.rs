//! A venue as the portal holds it, from the owner's application to the signed code: the
//! form's fields, their validation (the core's rules for names, addresses and phones, the
//! current administrative units, the seed's categories), the status it moves through, and
//! the signing run that turns approved applications into signed codes.
//!
//! Status: `pending` (registered) → `approved` (by a provincial operator, or at once where
//! the province allows self-service) → `active` (signed by `khaibao venue sign-approved`;
//! the poster can be downloaded) → `retired`. A re-issue puts an active venue back to
//! `approved` (it keeps its code until the next signing run replaces it).

use crate::issuance::DEFAULT_VALID_DAYS;
use crate::keys::AuthorityKeys;
use crate::poster::category;
use crate::store::{AuditRecord, DbError, PortalRecord, Store};
use crate::units::units;
use khaibao_core::declaration::normalise_phone;
use khaibao_core::venue::{self, Venue, registry};
use serde_json::{Value, json};

/// The record kind of venue applications.
pub const KIND: &str = "venue";
/// The record kind of a province's portal settings.
pub const PROVINCE_KIND: &str = "province";

/// Longest and shortest expected stay a venue may declare, minutes.
pub const STAY_RANGE: (u32, u32) = (5, 720);

/// The fields of the registration form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VenueForm {
    pub name: String,
    pub address: String,
    pub province: String,
    pub commune: String,
    pub category: String,
    pub contact: String,
    pub stay: String,
}

/// One field's error, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub vi: String,
    pub en: String,
}

fn err(field: &'static str, vi: &str, en: &str) -> FieldError {
    FieldError {
        field,
        vi: vi.into(),
        en: en.into(),
    }
}

/// The core's own rules for the signed name and address (normalised, not too long), as
/// `venue::encode_payload` applies them to a venue with these two fields.
fn signed_fields(name: &str, address: &str) -> Result<(), khaibao_core::Error> {
    let draft = Venue {
        id: "0".repeat(32),
        name: name.into(),
        address: address.into(),
        province: 1,
        district: None,
        ward: None,
        category: venue::VenueCategory::Other,
        vehicle_plate: None,
        route: None,
        event_start: None,
        event_end: None,
        default_stay_minutes: 60,
        not_before: venue::TIME_EPOCH,
        not_after: venue::TIME_EPOCH,
        issuer: String::new(),
    };
    venue::encode_payload(&draft).map(|_| ())
}

fn core_error(field: &'static str, e: &khaibao_core::Error) -> FieldError {
    FieldError {
        field,
        vi: e.message_vi().into(),
        en: e.message_en().into(),
    }
}

/// A validated application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub name: String,
    pub address: String,
    pub province: u32,
    pub commune: u32,
    pub category: &'static category::Category,
    /// `+84…`
    pub contact: String,
    pub stay_minutes: u32,
}

impl VenueForm {
    /// Checks every field and answers all errors at once.
    pub fn validate(&self) -> Result<Application, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = self.name.trim().to_owned();
        let address = self.address.trim().to_owned();
        if name.is_empty() {
            errors.push(err(
                "name",
                "Hãy nhập tên địa điểm.",
                "Enter the venue's name.",
            ));
        } else if let Err(e) = signed_fields(&name, "1") {
            errors.push(core_error("name", &e));
        }
        if address.is_empty() {
            errors.push(err(
                "address",
                "Hãy nhập địa chỉ (số nhà, đường).",
                "Enter the street address.",
            ));
        } else if let Err(e) = signed_fields("x", &address) {
            errors.push(core_error("address", &e));
        }
        let province = self
            .province
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|p| units().province(*p).is_some());
        if province.is_none() {
            errors.push(err(
                "province",
                "Hãy chọn tỉnh, thành phố trong danh sách.",
                "Choose a province or city from the list.",
            ));
        }
        let commune = self
            .commune
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|c| province.is_some_and(|p| units().commune_in(p, *c).is_some()));
        if commune.is_none() {
            errors.push(err(
                "commune",
                "Hãy chọn xã, phường của tỉnh đã chọn.",
                "Choose a commune of the chosen province.",
            ));
        }
        let category = category::parse(&self.category).map_err(|_| {
            err(
                "category",
                &format!("Hãy chọn loại địa điểm: {}.", category::choices()),
                &format!("Choose a category: {}.", category::choices()),
            )
        });
        let contact = normalise_phone(&self.contact).ok_or_else(|| {
            err(
                "contact",
                "Số điện thoại phải là số di động Việt Nam (10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09).",
                "The phone must be a Vietnamese mobile number (10 digits starting 03, 05, 07, 08 or 09).",
            )
        });
        let stay = self
            .stay
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|m| (STAY_RANGE.0..=STAY_RANGE.1).contains(m))
            .ok_or_else(|| {
                err(
                    "stay",
                    &format!(
                        "Thời gian lưu lại là số phút từ {} đến {}.",
                        STAY_RANGE.0, STAY_RANGE.1
                    ),
                    &format!(
                        "The expected stay is a number of minutes from {} to {}.",
                        STAY_RANGE.0, STAY_RANGE.1
                    ),
                )
            });
        for e in [
            category.as_ref().err(),
            contact.as_ref().err(),
            stay.as_ref().err(),
        ]
        .into_iter()
        .flatten()
        {
            errors.push(e.clone());
        }
        match (province, commune, category, contact, stay) {
            (Some(province), Some(commune), Ok(category), Ok(contact), Ok(stay_minutes))
                if errors.is_empty() =>
            {
                Ok(Application {
                    name,
                    address,
                    province,
                    commune,
                    category,
                    contact,
                    stay_minutes,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A venue application as stored (the JSON document of a `venue` portal record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalVenue {
    pub id: String,
    pub owner: String,
    pub name: String,
    pub address: String,
    pub province: u32,
    pub commune: u32,
    pub category: String,
    pub contact: String,
    pub stay_minutes: u32,
    pub status: String,
    /// The signed code's text, once signed.
    pub code: Option<String>,
    pub manual_code: Option<String>,
    pub registered_at: i64,
    pub updated_at: i64,
}

impl PortalVenue {
    /// A new application under a fresh random venue id.
    pub fn new(
        app: &Application,
        owner: &str,
        self_service: bool,
        now: i64,
    ) -> Result<Self, khaibao_core::Error> {
        let id = khaibao_core::encoding::codec::hex(
            &khaibao_core::upload::outbox::new_idempotency_key()?,
        );
        Ok(Self {
            id,
            owner: owner.into(),
            name: app.name.clone(),
            address: app.address.clone(),
            province: app.province,
            commune: app.commune,
            category: app.category.word.into(),
            contact: app.contact.clone(),
            stay_minutes: app.stay_minutes,
            status: if self_service { "approved" } else { "pending" }.into(),
            code: None,
            manual_code: None,
            registered_at: now,
            updated_at: now,
        })
    }

    fn to_json(&self) -> Value {
        json!({
            "owner": self.owner, "name": self.name, "address": self.address,
            "province": self.province, "commune": self.commune, "category": self.category,
            "contact": self.contact, "stay_minutes": self.stay_minutes, "status": self.status,
            "code": self.code, "manual_code": self.manual_code,
            "registered_at": self.registered_at,
        })
    }

    fn from_record(r: &PortalRecord) -> Option<Self> {
        let v: Value = serde_json::from_str(&r.value).ok()?;
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_owned);
        let n = |k: &str| v.get(k).and_then(Value::as_u64);
        Some(Self {
            id: r.id.clone(),
            owner: s("owner")?,
            name: s("name")?,
            address: s("address")?,
            province: r.province,
            commune: u32::try_from(n("commune")?).ok()?,
            category: s("category")?,
            contact: s("contact")?,
            stay_minutes: u32::try_from(n("stay_minutes")?).ok()?,
            status: s("status")?,
            code: s("code"),
            manual_code: s("manual_code"),
            registered_at: v.get("registered_at").and_then(Value::as_i64)?,
            updated_at: r.updated_at,
        })
    }

    /// The venue to sign, valid from the start of today (UTC) for a year.
    pub fn venue(&self, now: i64, issuer: &str) -> Venue {
        let today = now.div_euclid(86_400) * 86_400;
        Venue {
            id: self.id.clone(),
            name: self.name.clone(),
            address: self.address.clone(),
            province: self.province,
            district: None,
            ward: Some(self.commune),
            category: category::parse(&self.category)
                .map_or(venue::VenueCategory::Other, |c| c.category),
            vehicle_plate: None,
            route: None,
            event_start: None,
            event_end: None,
            default_stay_minutes: self.stay_minutes,
            not_before: today,
            not_after: today + DEFAULT_VALID_DAYS * 86_400,
            issuer: issuer.into(),
        }
    }
}

/// Stores `v` (its `updated_at` is set to `now`).
pub fn save(store: &mut dyn Store, v: &mut PortalVenue, now: i64) -> Result<(), DbError> {
    v.updated_at = now;
    store.put_portal_record(&PortalRecord {
        kind: KIND.into(),
        id: v.id.clone(),
        province: v.province,
        value: v.to_json().to_string(),
        updated_at: now,
    })
}

/// Saves `v` and appends its step to the audit log ([`record_event`]): `actor` did
/// `action` to this venue, with `detail` in the particulars.
pub fn save_recorded(
    store: &mut dyn Store,
    v: &mut PortalVenue,
    now: i64,
    actor: &str,
    action: &str,
    detail: &str,
) -> Result<(), DbError> {
    save(store, v, now)?;
    record_event(
        store,
        v.province,
        &Event {
            at: now,
            actor: actor.into(),
            action: action.into(),
            venue: v.id.clone(),
            detail: detail.into(),
        },
    )
}

/// The venue application `id`.
pub fn load(store: &dyn Store, id: &str) -> Result<Option<PortalVenue>, DbError> {
    Ok(store
        .portal_record(KIND, id)?
        .as_ref()
        .and_then(PortalVenue::from_record))
}

/// Every venue application (in `province` when given), oldest first.
pub fn list(store: &dyn Store, province: Option<u32>) -> Result<Vec<PortalVenue>, DbError> {
    Ok(store
        .portal_records(KIND, province)?
        .iter()
        .filter_map(PortalVenue::from_record)
        .collect())
}

/// Whether province `p` approves its venues at once.
pub fn self_service(store: &dyn Store, p: u32) -> Result<bool, DbError> {
    Ok(store
        .portal_record(PROVINCE_KIND, &p.to_string())?
        .and_then(|r| serde_json::from_str::<Value>(&r.value).ok())
        .and_then(|v| v.get("self_service").and_then(Value::as_bool))
        .unwrap_or(false))
}

/// Sets whether province `p` approves its venues at once.
pub fn set_self_service(store: &mut dyn Store, p: u32, on: bool, now: i64) -> Result<(), DbError> {
    store.put_portal_record(&PortalRecord {
        kind: PROVINCE_KIND.into(),
        id: p.to_string(),
        province: p,
        value: json!({ "self_service": on }).to_string(),
        updated_at: now,
    })
}

/// One step of the portal, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub venue: String,
    pub detail: String,
}

/// Appends `e` to the authority's hash-chained audit log ([`crate::audit`]) as
/// `portal.ACTION` by `operator:ACTOR`, with the province and venue in its particulars so
/// the province's page can find it.
pub fn record_event(store: &mut dyn Store, province: u32, e: &Event) -> Result<(), DbError> {
    let actor = if e.actor.starts_with("cli") {
        e.actor.clone()
    } else {
        format!("operator:{}", e.actor)
    };
    let mut detail = format!("province={province:02}");
    if !e.venue.is_empty() {
        detail.push_str(" venue=");
        detail.push_str(&e.venue);
    }
    if !e.detail.is_empty() {
        detail.push(' ');
        detail.push_str(&e.detail);
    }
    crate::audit::append(
        store,
        e.at,
        &actor,
        &format!("portal.{}", e.action),
        &detail,
    )?;
    Ok(())
}

/// The audit entries about province `province`, newest first: the portal's steps in it and
/// every step of the extractions whose scope is the province or one of its venues.
pub fn events(store: &dyn Store, province: u32) -> Result<Vec<AuditRecord>, DbError> {
    let venues: std::collections::HashSet<String> = list(store, Some(province))?
        .into_iter()
        .map(|v| v.id)
        .collect();
    let extractions: std::collections::HashSet<String> = store
        .extractions()?
        .into_iter()
        .filter(|e| match crate::ops::Scope::parse(&e.scope) {
            Ok(crate::ops::Scope::Province(p)) => p == province,
            Ok(crate::ops::Scope::Venue(v)) => venues.contains(&v),
            Err(_) => false,
        })
        .map(|e| format!("id={}", e.id))
        .collect();
    let marker = format!("province={province:02}");
    let mut out: Vec<AuditRecord> = store
        .audit_entries()?
        .into_iter()
        .filter(|a| {
            let first = a.detail.split(' ').next().unwrap_or_default();
            (a.action.starts_with("portal.") && first == marker)
                || (a.action.starts_with("extraction.") && extractions.contains(first))
        })
        .collect();
    out.reverse();
    Ok(out)
}

/// What one signing run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SignRun {
    /// (venue id, manual code) of each venue signed.
    pub signed: Vec<(String, String)>,
    /// Venue ids skipped because their manual code is taken by another venue.
    pub collisions: Vec<String>,
}

/// Why a signing run failed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("database: {0}")]
    Db(#[from] DbError),
    #[error("{0}")]
    Core(#[from] khaibao_core::Error),
    #[error("{0}")]
    Trust(#[from] crate::trust::TrustError),
}

/// The ministry's signing run: signs every approved application with the venue key
/// of `keys` (loaded from its folder on the signing machine, never by `serve`), stores the
/// code, records it in the keys folder's venue list and re-signs the registry.
pub fn sign_approved(
    store: &mut dyn Store,
    keys: &AuthorityKeys,
    keys_dir: &std::path::Path,
    now: i64,
) -> Result<SignRun, SignError> {
    let mut taken = crate::trust::taken_manual_codes(keys_dir, keys)?;
    let mut run = SignRun::default();
    let mut codes = Vec::new();
    for mut v in list(store, None)?
        .into_iter()
        .filter(|v| v.status == "approved")
    {
        let venue = v.venue(now, "khaibao");
        let number = registry::manual_code_number(&venue)?;
        let reissue = v.manual_code.is_some();
        if !reissue && !taken.insert(number) {
            run.collisions.push(v.id.clone());
            continue;
        }
        let code = venue::issue(&venue, keys.venue_pkcs8())?;
        let manual = registry::manual_code(&venue)?;
        v.code = Some(code.clone());
        v.manual_code = Some(manual.clone());
        v.status = "active".into();
        save_recorded(store, &mut v, now, "cli", "signed", &manual)?;
        codes.push(code);
        run.signed.push((v.id, manual));
    }
    if !codes.is_empty() {
        crate::trust::record_issued(keys_dir, keys, &codes, now)?;
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> VenueForm {
        VenueForm {
            name: "Quán cà phê Hồng Ân".into(),
            address: "12 Lý Thường Kiệt".into(),
            province: "1".into(),
            commune: "70".into(),
            category: "cafe".into(),
            contact: "0912 345 678".into(),
            stay: "45".into(),
        }
    }

    #[test]
    fn a_good_form_validates_with_the_core_rules() {
        let app = form().validate().unwrap();
        assert_eq!(app.contact, "+84912345678");
        assert_eq!(app.category.word, "cafe");
        assert_eq!((app.province, app.commune), (1, 70));
    }

    #[test]
    fn every_bad_field_gets_its_own_error_in_both_languages() {
        let bad = VenueForm {
            name: " ".into(),
            address: "x".repeat(300),
            province: "2".into(), // Hà Giang: no longer a province
            commune: "70".into(),
            category: "karaoke".into(),
            contact: "12345".into(),
            stay: "0".into(),
        };
        let errors = bad.validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        for f in [
            "name", "address", "province", "commune", "category", "contact", "stay",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        let category = errors.iter().find(|e| e.field == "category").unwrap();
        assert!(category.en.contains("shop") && category.vi.contains("hotel"));
        // A commune of another province is refused.
        let elsewhere = VenueForm {
            province: "79".into(),
            ..form()
        };
        let errors = elsewhere.validate().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "commune");
    }
}
