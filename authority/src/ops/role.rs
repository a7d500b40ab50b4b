//! Roles and scopes. An operator has one [`Role`]; a request for data names one [`Scope`];
//! [`Role::covers`] says whether the role may see that scope.
//!
//! Stored as text: `admin`, `province:79,01` (national province codes) or
//! `unit:VENUE_ID,VENUE_ID` (venue ids as issued, lowercase hex).

use std::fmt;

/// What an operator is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// The ministry: every province and venue.
    Admin,
    /// A provincial health department: declarations of people in these provinces.
    Province(Vec<u32>),
    /// A unit or venue owner: declarations made at these venues.
    Unit(Vec<String>),
}

/// The data a request is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Declarations whose declarant's province is this national code.
    Province(u32),
    /// Declarations made at this venue (its id, lowercase hex).
    Venue(String),
}

/// A role or scope text that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleError {
    #[error("unknown role (admin, province or unit)")]
    Unknown,
    #[error("a province role needs at least one province code (1 to 99)")]
    NoProvince,
    #[error("a unit role needs at least one venue id (hex)")]
    NoVenue,
}

fn province_code(text: &str) -> Result<u32, RoleError> {
    match text.trim().parse::<u32>() {
        Ok(p) if (1..=99).contains(&p) => Ok(p),
        _ => Err(RoleError::NoProvince),
    }
}

fn venue_id(text: &str) -> Result<String, RoleError> {
    let v = text.trim().to_ascii_lowercase();
    if v.is_empty() || v.len() > 64 || !v.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(RoleError::NoVenue);
    }
    Ok(v)
}

impl Role {
    /// A province role over `codes`.
    pub fn province(codes: &[u32]) -> Result<Self, RoleError> {
        if codes.is_empty() || codes.iter().any(|p| !(1..=99).contains(p)) {
            return Err(RoleError::NoProvince);
        }
        Ok(Self::Province(codes.to_vec()))
    }

    /// A unit role over `venues`.
    pub fn unit<S: AsRef<str>>(venues: &[S]) -> Result<Self, RoleError> {
        if venues.is_empty() {
            return Err(RoleError::NoVenue);
        }
        let ids = venues
            .iter()
            .map(|v| venue_id(v.as_ref()))
            .collect::<Result<_, _>>()?;
        Ok(Self::Unit(ids))
    }

    /// Reads the stored text (see the module's doc).
    pub fn parse(text: &str) -> Result<Self, RoleError> {
        let (kind, list) = text.split_once(':').unwrap_or((text, ""));
        let items = || list.split(',').filter(|s| !s.trim().is_empty());
        match kind {
            "admin" if list.is_empty() => Ok(Self::Admin),
            "province" => {
                let codes: Vec<u32> = items().map(province_code).collect::<Result<_, _>>()?;
                Self::province(&codes)
            }
            "unit" => Self::unit(&items().collect::<Vec<_>>()),
            _ => Err(RoleError::Unknown),
        }
    }

    /// The role's name: `admin`, `province` or `unit`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Province(_) => "province",
            Self::Unit(_) => "unit",
        }
    }

    /// Whether this role may see the data of `scope`.
    pub fn covers(&self, scope: &Scope) -> bool {
        match (self, scope) {
            (Self::Admin, _) => true,
            (Self::Province(codes), Scope::Province(p)) => codes.contains(p),
            (Self::Unit(venues), Scope::Venue(v)) => venues.iter().any(|x| x == v),
            _ => false,
        }
    }

    /// Whether this role may see anything of province `p`.
    pub fn covers_province(&self, p: u32) -> bool {
        self.covers(&Scope::Province(p))
    }

    /// Whether this role may approve another operator's request for `scope`: the ministry
    /// for any scope, a department for its provinces; units never approve.
    pub fn may_approve(&self, scope: &Scope) -> bool {
        !matches!(self, Self::Unit(_)) && self.covers(scope)
    }
}

impl fmt::Display for Role {
    /// The stored text.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Admin => f.write_str("admin"),
            Self::Province(codes) => {
                let list: Vec<String> = codes.iter().map(|p| format!("{p:02}")).collect();
                write!(f, "province:{}", list.join(","))
            }
            Self::Unit(venues) => write!(f, "unit:{}", venues.join(",")),
        }
    }
}

impl Scope {
    /// Reads `province:79` or `venue:HEX`.
    pub fn parse(text: &str) -> Result<Self, RoleError> {
        match text.split_once(':') {
            Some(("province", p)) => Ok(Self::Province(province_code(p)?)),
            Some(("venue", v)) => Ok(Self::Venue(venue_id(v)?)),
            _ => Err(RoleError::Unknown),
        }
    }
}

impl fmt::Display for Scope {
    /// `province:79` or `venue:HEX`, as [`Scope::parse`] reads it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Province(p) => write!(f, "province:{p:02}"),
            Self::Venue(v) => write!(f, "venue:{v}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_cover_only_their_scope() {
        for text in ["admin", "province:79,01", "unit:ab12,cd34"] {
            assert_eq!(Role::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(Role::parse("province:"), Err(RoleError::NoProvince));
        assert_eq!(Role::parse("province:100"), Err(RoleError::NoProvince));
        assert_eq!(Role::parse("unit:xyz"), Err(RoleError::NoVenue));
        assert_eq!(Role::parse("root"), Err(RoleError::Unknown));
        let hcm = Role::parse("province:79").unwrap();
        assert!(hcm.covers(&Scope::Province(79)));
        assert!(!hcm.covers(&Scope::Province(1)));
        assert!(!hcm.covers(&Scope::Venue("ab".into())));
        let unit = Role::parse("unit:AB").unwrap();
        assert!(unit.covers(&Scope::Venue("ab".into())));
        assert!(!unit.covers(&Scope::Province(79)));
        assert!(!unit.may_approve(&Scope::Venue("ab".into())));
        assert!(Role::Admin.may_approve(&Scope::Venue("ab".into())));
        assert_eq!(
            Scope::parse("province:79").unwrap().to_string(),
            "province:79"
        );
        assert_eq!(Scope::parse("venue:AB").unwrap(), Scope::Venue("ab".into()));
    }
}
