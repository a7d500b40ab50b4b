//! The canonical CBOR of a declaration: what the device signs and seals to the authority.
//!
//! A map with small integer keys (see `docs/declaration.md`), deterministic: the same
//! declaration always gives the same bytes. Optional fields are left out when empty.

use super::{
    CalendarDate, Declaration, FORMAT_VERSION, IdDocument, Sex, Symptom, Travel, TravelMode,
    VaccineDose,
};
use crate::encoding::codec::{MapBuilder, MapReader, from_cbor, from_wire, to_cbor, value_u64};
use crate::error::FormatError;
use crate::{Error, Result, UnixTime};
use ciborium::Value;

/// A declaration with the context it was made in: what is signed and sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub declaration: Declaration,
    pub declared_at: UnixTime,
    /// The venue checked in to, when the declaration was made at a door.
    pub venue_id: Option<String>,
}

const MAX_TEXT: usize = 400;

fn sex_wire(s: Sex) -> u64 {
    match s {
        Sex::Male => 1,
        Sex::Female => 2,
        Sex::Other => 3,
    }
}

fn sex_from(v: u64) -> Result<Sex> {
    from_wire(&[Sex::Male, Sex::Female, Sex::Other], sex_wire, v, "sex")
}

const MODES: [TravelMode; 5] = [
    TravelMode::Air,
    TravelMode::Train,
    TravelMode::Car,
    TravelMode::Ship,
    TravelMode::Other,
];

/// A travel mode's number: its place in [`MODES`], from 1.
fn mode_wire(mode: TravelMode) -> u64 {
    MODES
        .iter()
        .position(|m| *m == mode)
        .map_or(5, |p| p as u64 + 1)
}

fn id_value(doc: &IdDocument) -> Value {
    let (kind, number) = match doc {
        IdDocument::Cccd { number } => (1u64, number),
        IdDocument::Cmnd { number } => (2, number),
        IdDocument::Passport { number } => (3, number),
    };
    Value::Array(vec![kind.into(), number.as_str().into()])
}

fn id_from(v: Value) -> Result<IdDocument> {
    let bad = Error::Format(FormatError::InvalidField("id document"));
    let Value::Array(items) = v else {
        return Err(bad);
    };
    let [kind, Value::Text(number)] =
        <[Value; 2]>::try_from(items).map_err(|_| FormatError::InvalidField("id document"))?
    else {
        return Err(bad);
    };
    if number.len() > 20 {
        return Err(bad);
    }
    match value_u64(&kind, "id document")? {
        1 => Ok(IdDocument::Cccd { number }),
        2 => Ok(IdDocument::Cmnd { number }),
        3 => Ok(IdDocument::Passport { number }),
        _ => Err(bad),
    }
}

fn texts(items: &[String]) -> Value {
    Value::Array(items.iter().map(|s| Value::from(s.as_str())).collect())
}

fn travel_value(t: &Travel) -> Value {
    MapBuilder::new()
        .put(1, mode_wire(t.mode))
        .put_opt(2, t.vehicle_number.as_deref())
        .put_opt(3, t.seat.as_deref())
        .put(4, t.departure.to_wire())
        .put(5, t.arrival.to_wire())
        .put(6, texts(&t.places))
        .build()
}

fn travel_from(v: Value) -> Result<Travel> {
    let mut r = MapReader::new(v, "travel")?;
    let mode = from_wire(&MODES, mode_wire, r.u64(1, "travel mode")?, "travel mode")?;
    Ok(Travel {
        mode,
        vehicle_number: r.opt_text(2, "vehicle number", MAX_TEXT)?,
        seat: r.opt_text(3, "seat", MAX_TEXT)?,
        departure: CalendarDate::from_wire(r.u64(4, "departure")?, "departure")?,
        arrival: CalendarDate::from_wire(r.u64(5, "arrival")?, "arrival")?,
        places: r
            .opt_array(6, "places", 20)?
            .unwrap_or_default()
            .into_iter()
            .map(|p| match p {
                Value::Text(s) if s.len() <= MAX_TEXT => Ok(s),
                _ => Err(Error::Format(FormatError::InvalidField("places"))),
            })
            .collect::<Result<_>>()?,
    })
}

fn dose_value(d: &VaccineDose) -> Value {
    MapBuilder::new()
        .put(1, d.date.to_wire())
        .put_opt(2, d.vaccine.as_deref())
        .build()
}

fn dose_from(v: Value) -> Result<VaccineDose> {
    let mut r = MapReader::new(v, "vaccine dose")?;
    Ok(VaccineDose {
        date: CalendarDate::from_wire(r.u64(1, "dose date")?, "dose date")?,
        vaccine: r.opt_text(2, "vaccine", MAX_TEXT)?,
    })
}

fn list<T>(items: Option<Vec<Value>>, f: impl Fn(Value) -> Result<T>) -> Result<Vec<T>> {
    items.unwrap_or_default().into_iter().map(f).collect()
}

impl Submission {
    /// Canonical CBOR bytes.
    pub fn to_cbor(&self) -> Result<Vec<u8>> {
        let d = &self.declaration;
        let flags = |b: bool| b.then_some(true);
        let map = MapBuilder::new()
            .put(1, FORMAT_VERSION)
            .put(2, d.full_name.as_str())
            .put(3, u64::from(d.birth_year))
            .put_opt(4, d.date_of_birth.map(CalendarDate::to_wire))
            .put_opt(5, d.sex.map(sex_wire))
            .put(6, d.nationality.as_str())
            .put_opt(7, d.id_document.as_ref().map(id_value))
            .put(8, d.phone.as_str())
            .put_opt(9, d.email.as_deref())
            .put(10, u64::from(d.province))
            .put_opt(11, d.district.map(u64::from))
            .put_opt(12, d.ward.map(u64::from))
            .put_opt(13, Some(d.street.as_str()).filter(|s| !s.is_empty()))
            .put_opt(14, d.health_insurance.as_deref())
            .put_opt(
                15,
                (!d.travel.is_empty())
                    .then(|| Value::Array(d.travel.iter().map(travel_value).collect())),
            )
            .put(
                16,
                Value::Array(
                    d.symptoms
                        .iter()
                        .map(|s| Value::from(s.to_wire()))
                        .collect(),
                ),
            )
            .put_opt(17, flags(d.close_contact))
            .put_opt(18, flags(d.visited_place_with_cases))
            .put_opt(19, flags(d.visited_animal_market))
            .put_opt(
                20,
                (!d.vaccination.is_empty())
                    .then(|| Value::Array(d.vaccination.iter().map(dose_value).collect())),
            )
            .put_opt(21, d.recovered_on.map(CalendarDate::to_wire))
            .put_opt(22, d.negative_test_on.map(CalendarDate::to_wire))
            .put_opt(23, flags(d.on_behalf))
            .put(30, self.declared_at)
            .put_opt(31, self.venue_id.as_deref())
            .build();
        to_cbor(&map)
    }

    /// Parses bytes made by [`Submission::to_cbor`].
    pub fn from_cbor(bytes: &[u8]) -> Result<Self> {
        let mut r = MapReader::new(from_cbor(bytes)?, "declaration")?;
        let version = r.u64(1, "version")?;
        if version != FORMAT_VERSION {
            return Err(FormatError::UnsupportedVersion(version).into());
        }
        let opt_u32 = |v: Option<u64>, f: &'static str| {
            v.map(|x| u32::try_from(x).map_err(|_| Error::Format(FormatError::InvalidField(f))))
                .transpose()
        };
        let declaration = Declaration {
            full_name: r.text(2, "full name", MAX_TEXT)?,
            birth_year: u16::try_from(r.u64(3, "birth year")?)
                .map_err(|_| FormatError::InvalidField("birth year"))?,
            date_of_birth: r
                .opt_u64(4, "date of birth")?
                .map(|v| CalendarDate::from_wire(v, "date of birth"))
                .transpose()?,
            sex: r.opt_u64(5, "sex")?.map(sex_from).transpose()?,
            nationality: r.text(6, "nationality", 2)?,
            id_document: r
                .opt_array(7, "id document", 2)?
                .map(|a| id_from(Value::Array(a)))
                .transpose()?,
            phone: r.text(8, "phone", 16)?,
            email: r.opt_text(9, "email", 254)?,
            province: u32::try_from(r.u64(10, "province")?)
                .map_err(|_| FormatError::InvalidField("province"))?,
            district: opt_u32(r.opt_u64(11, "district")?, "district")?,
            ward: opt_u32(r.opt_u64(12, "ward")?, "ward")?,
            street: r.opt_text(13, "street", MAX_TEXT * 2)?.unwrap_or_default(),
            health_insurance: r.opt_text(14, "health insurance", 15)?,
            travel: list(r.opt_array(15, "travel", 20)?, travel_from)?,
            symptoms: list(r.opt_array(16, "symptoms", 10)?, |v| {
                value_u64(&v, "symptom").and_then(Symptom::from_wire)
            })?,
            close_contact: r.opt_bool(17, "close contact")?.unwrap_or(false),
            visited_place_with_cases: r.opt_bool(18, "visited place with cases")?.unwrap_or(false),
            visited_animal_market: r.opt_bool(19, "visited animal market")?.unwrap_or(false),
            vaccination: list(r.opt_array(20, "vaccination", 10)?, dose_from)?,
            recovered_on: r
                .opt_u64(21, "recovered on")?
                .map(|v| CalendarDate::from_wire(v, "recovered on"))
                .transpose()?,
            negative_test_on: r
                .opt_u64(22, "negative test")?
                .map(|v| CalendarDate::from_wire(v, "negative test"))
                .transpose()?,
            on_behalf: r.opt_bool(23, "on behalf")?.unwrap_or(false),
        };
        Ok(Self {
            declaration,
            declared_at: r.i64(30, "declared at")?,
            venue_id: r.opt_text(31, "venue id", 32)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every field set: the shared fixture with the answers and dates it leaves out.
    fn full() -> Declaration {
        let d = |year, month, day| CalendarDate { year, month, day };
        Declaration {
            close_contact: true,
            visited_animal_market: true,
            recovered_on: Some(d(2021, 6, 1)),
            negative_test_on: Some(d(2021, 9, 10)),
            on_behalf: true,
            ..crate::test_support::declaration()
        }
    }

    #[test]
    fn every_field_round_trips_deterministically() {
        let sub = Submission {
            declaration: full(),
            declared_at: 1_631_682_000,
            venue_id: Some("ab".repeat(16)),
        };
        let bytes = sub.to_cbor().unwrap();
        assert_eq!(Submission::from_cbor(&bytes).unwrap(), sub);
        assert_eq!(bytes, sub.to_cbor().unwrap());
        let minimal = Submission {
            declaration: Declaration {
                full_name: "A".into(),
                birth_year: 2000,
                nationality: "VN".into(),
                phone: "+84912345678".into(),
                province: 1,
                ..Declaration::default()
            },
            declared_at: 0,
            venue_id: None,
        };
        assert_eq!(
            Submission::from_cbor(&minimal.to_cbor().unwrap()).unwrap(),
            minimal
        );
    }

    #[test]
    fn wrong_types_and_versions_are_typed_errors() {
        let sub = Submission {
            declaration: full(),
            declared_at: 1,
            venue_id: None,
        };
        let mut v = from_cbor(&sub.to_cbor().unwrap()).unwrap();
        if let Value::Map(m) = &mut v {
            m[0].1 = Value::from(99u64);
        }
        assert!(matches!(
            Submission::from_cbor(&to_cbor(&v).unwrap()),
            Err(Error::Format(FormatError::UnsupportedVersion(99)))
        ));
        if let Value::Map(m) = &mut v {
            m[0].1 = Value::from(FORMAT_VERSION);
            m[1].1 = Value::from(5u64);
        }
        assert!(matches!(
            Submission::from_cbor(&to_cbor(&v).unwrap()),
            Err(Error::Format(FormatError::InvalidField(_)))
        ));
        assert!(Submission::from_cbor(b"\xff").is_err());
    }
}
