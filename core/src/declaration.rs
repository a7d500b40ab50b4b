//! The health-declaration form: a typed model, field-level validation with messages in
//! Vietnamese and English, and the canonical CBOR that is signed and sealed.
//!
//! Validation returns every field error at once, each with a field path and a stable code,
//! so a form can mark all bad fields in one pass. Messages describe the rule, never the
//! value the person typed.

use crate::codec::{MapBuilder, MapReader, from_cbor, to_cbor, value_u64};
use crate::{Error, Result, UnixTime};
use ciborium::Value;
use unicode_normalization::UnicodeNormalization;

/// Declaration payload format version.
pub const FORMAT_VERSION: u64 = 1;
const MAX_NAME: usize = 100;

/// Symptoms asked about for the last 14 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Symptom {
    Fever,
    Cough,
    BreathingDifficulty,
    SoreThroat,
    NauseaVomiting,
    Diarrhoea,
    SkinBleeding,
    SkinRash,
    Fatigue,
    LossOfTasteOrSmell,
}

impl Symptom {
    const ALL: [Symptom; 10] = [
        Self::Fever,
        Self::Cough,
        Self::BreathingDifficulty,
        Self::SoreThroat,
        Self::NauseaVomiting,
        Self::Diarrhoea,
        Self::SkinBleeding,
        Self::SkinRash,
        Self::Fatigue,
        Self::LossOfTasteOrSmell,
    ];
    fn to_wire(self) -> u64 {
        Self::ALL
            .iter()
            .position(|s| *s == self)
            .map_or(0, |p| p as u64 + 1)
    }
    fn from_wire(v: u64) -> Result<Self> {
        usize::try_from(v)
            .ok()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| Self::ALL.get(i).copied())
            .ok_or(Error::InvalidField("symptom"))
    }
    /// Parses a name made by [`Symptom::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
    /// The English name, as used in exports.
    pub fn name(self) -> &'static str {
        match self {
            Self::Fever => "fever",
            Self::Cough => "cough",
            Self::BreathingDifficulty => "breathing difficulty",
            Self::SoreThroat => "sore throat",
            Self::NauseaVomiting => "nausea or vomiting",
            Self::Diarrhoea => "diarrhoea",
            Self::SkinBleeding => "skin bleeding",
            Self::SkinRash => "skin rash",
            Self::Fatigue => "fatigue",
            Self::LossOfTasteOrSmell => "loss of taste or smell",
        }
    }
}

/// A health declaration as the person fills it in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Declaration {
    pub full_name: String,
    pub birth_year: u16,
    /// Vietnamese mobile number; normalised to `+84…` by [`validate`].
    pub phone: String,
    /// Province code of the home address.
    pub province: u32,
    /// Symptoms in the last 14 days.
    pub symptoms: Vec<Symptom>,
    /// Close contact (< 2 m) with a confirmed or suspected case.
    pub close_contact: bool,
    /// Declared by someone else (a parent, a carer) on this person's behalf.
    pub on_behalf: bool,
}

/// One field that failed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FieldError {
    /// Field path, e.g. `phone`.
    pub field: String,
    /// Stable code, e.g. `phone.not_vietnamese_mobile`.
    pub code: String,
    pub message_vi: String,
    pub message_en: String,
}

fn field_error(field: &str, code: &str, vi: &str, en: &str) -> FieldError {
    FieldError {
        field: field.into(),
        code: code.into(),
        message_vi: vi.into(),
        message_en: en.into(),
    }
}

/// Normalises a Vietnamese mobile number to `+84` and nine digits, or `None`.
pub fn normalise_phone(raw: &str) -> Option<String> {
    let mut digits: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
        .collect();
    if let Some(rest) = digits.strip_prefix("+84") {
        digits = rest.to_owned();
    } else if let Some(rest) = digits.strip_prefix("84").filter(|r| r.len() == 9) {
        digits = rest.to_owned();
    } else if let Some(rest) = digits.strip_prefix('0') {
        digits = rest.to_owned();
    } else {
        return None;
    }
    let valid = digits.len() == 9
        && digits.bytes().all(|b| b.is_ascii_digit())
        && matches!(digits.as_bytes()[0], b'3' | b'5' | b'7' | b'8' | b'9');
    valid.then(|| format!("+84{digits}"))
}

/// Checks every field and returns the normalised declaration, or all field errors.
/// `now` decides which birth years are possible.
pub fn validate(
    input: &Declaration,
    now: UnixTime,
) -> std::result::Result<Declaration, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut out = input.clone();
    out.full_name = input.full_name.trim().nfc().collect();
    if out.full_name.is_empty() {
        errors.push(field_error(
            "full_name",
            "full_name.required",
            "Vui lòng nhập họ và tên.",
            "Please enter the full name.",
        ));
    } else if out.full_name.chars().count() > MAX_NAME
        || out
            .full_name
            .chars()
            .any(|c| c.is_control() || c.is_ascii_digit())
    {
        errors.push(field_error(
            "full_name",
            "full_name.invalid",
            "Họ và tên không hợp lệ (tối đa 100 ký tự, không chứa chữ số).",
            "The full name is not valid (at most 100 characters, no digits).",
        ));
    }
    let this_year = 1970 + now.div_euclid(31_556_952);
    if i64::from(input.birth_year) < 1900 || i64::from(input.birth_year) > this_year {
        errors.push(field_error(
            "birth_year",
            "birth_year.out_of_range",
            "Năm sinh không hợp lệ.",
            "The year of birth is not valid.",
        ));
    }
    match normalise_phone(&input.phone) {
        Some(p) => out.phone = p,
        None => errors.push(field_error(
            "phone",
            "phone.not_vietnamese_mobile",
            "Số điện thoại phải là số di động Việt Nam (10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09).",
            "The phone must be a Vietnamese mobile number (10 digits starting 03, 05, 07, 08 or 09).",
        )),
    }
    if !(1..=99).contains(&input.province) {
        errors.push(field_error(
            "province",
            "province.unknown",
            "Mã tỉnh/thành phố không hợp lệ.",
            "The province code is not valid.",
        ));
    }
    out.symptoms.sort_by_key(|s| s.to_wire());
    out.symptoms.dedup();
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A declaration with the context it was made in: what is signed and sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub declaration: Declaration,
    pub declared_at: UnixTime,
    /// The venue checked in to, when the declaration was made at a door.
    pub venue_id: Option<String>,
}

impl Submission {
    /// Canonical CBOR bytes.
    pub fn to_cbor(&self) -> Result<Vec<u8>> {
        let d = &self.declaration;
        let symptoms = Value::Array(
            d.symptoms
                .iter()
                .map(|s| Value::from(s.to_wire()))
                .collect(),
        );
        let map = MapBuilder::new()
            .put(1, FORMAT_VERSION)
            .put(2, d.full_name.as_str())
            .put(3, u64::from(d.birth_year))
            .put(4, d.phone.as_str())
            .put(5, u64::from(d.province))
            .put(6, symptoms)
            .put(7, d.close_contact)
            .put(8, d.on_behalf)
            .put(9, self.declared_at)
            .put_opt(10, self.venue_id.as_deref())
            .build();
        to_cbor(&map)
    }

    /// Parses bytes made by [`Submission::to_cbor`].
    pub fn from_cbor(bytes: &[u8]) -> Result<Self> {
        let mut r = MapReader::new(from_cbor(bytes)?, "declaration")?;
        let version = r.u64(1, "version")?;
        if version != FORMAT_VERSION {
            return Err(Error::UnsupportedVersion(version));
        }
        let symptoms = r
            .opt_array(6, "symptoms", 16)?
            .unwrap_or_default()
            .iter()
            .map(|v| value_u64(v, "symptom").and_then(Symptom::from_wire))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            declaration: Declaration {
                full_name: r.text(2, "full name", 4 * MAX_NAME)?,
                birth_year: u16::try_from(r.u64(3, "birth year")?)
                    .map_err(|_| Error::InvalidField("birth year"))?,
                phone: r.text(4, "phone", 16)?,
                province: u32::try_from(r.u64(5, "province")?)
                    .map_err(|_| Error::InvalidField("province"))?,
                symptoms,
                close_contact: r.opt_bool(7, "close contact")?.unwrap_or(false),
                on_behalf: r.opt_bool(8, "on behalf")?.unwrap_or(false),
            },
            declared_at: r.i64(9, "declared at")?,
            venue_id: r.opt_text(10, "venue id", 32)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: UnixTime = 1_700_000_000;

    pub(crate) fn sample() -> Declaration {
        Declaration {
            full_name: "  Nguyễn Văn An ".into(),
            birth_year: 1990,
            phone: "091 234 5678".into(),
            province: 1,
            symptoms: vec![Symptom::Cough, Symptom::Fever, Symptom::Cough],
            close_contact: false,
            on_behalf: false,
        }
    }

    #[test]
    fn valid_form_is_normalised() {
        let d = validate(&sample(), NOW).unwrap();
        assert_eq!(d.full_name, "Nguyễn Văn An");
        assert_eq!(d.phone, "+84912345678");
        assert_eq!(d.symptoms, vec![Symptom::Fever, Symptom::Cough]);
    }

    #[test]
    fn decomposed_name_becomes_nfc() {
        let mut s = sample();
        s.full_name = "Nguye\u{302}\u{303}n".into();
        assert_eq!(validate(&s, NOW).unwrap().full_name, "Nguy\u{1ec5}n");
    }

    #[test]
    fn all_errors_come_back_together() {
        let mut s = sample();
        s.full_name = " ".into();
        s.phone = "12345".into();
        s.birth_year = 1800;
        s.province = 0;
        let errs = validate(&s, NOW).unwrap_err();
        let codes: Vec<_> = errs.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "full_name.required",
                "birth_year.out_of_range",
                "phone.not_vietnamese_mobile",
                "province.unknown"
            ]
        );
        assert!(errs.iter().all(|e| !e.message_en.contains("12345")));
    }

    #[test]
    fn phone_forms() {
        assert_eq!(
            normalise_phone("+84 912-345-678").as_deref(),
            Some("+84912345678")
        );
        assert_eq!(
            normalise_phone("84912345678").as_deref(),
            Some("+84912345678")
        );
        assert_eq!(
            normalise_phone("0312345678").as_deref(),
            Some("+84312345678")
        );
        assert_eq!(normalise_phone("0212345678"), None, "landline prefix");
        assert_eq!(normalise_phone("091234567"), None, "too short");
    }

    #[test]
    fn submission_round_trips() {
        let sub = Submission {
            declaration: validate(&sample(), NOW).unwrap(),
            declared_at: NOW,
            venue_id: Some("00112233445566778899aabbccddeeff".into()),
        };
        let bytes = sub.to_cbor().unwrap();
        assert_eq!(Submission::from_cbor(&bytes).unwrap(), sub);
        assert_eq!(bytes, sub.to_cbor().unwrap());
    }
}
