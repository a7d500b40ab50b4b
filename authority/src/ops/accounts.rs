//! Operator accounts over a [`Store`]: adding (with a bearer token printed once, or a
//! password for the portal's logins), listing, disabling, logging in and out, and
//! authenticating a presented token.

use super::credential::{self, RandomFailed};
use super::role::{Role, RoleError};
use crate::store::{DbError, NewOperator, NewToken, OperatorRecord, Store};

/// How long a bearer token from `khaibao operator add` lives, by default.
pub const BEARER_DAYS: i64 = 90;

/// How long a login session lives.
pub const SESSION_SECONDS: i64 = 12 * 3600;

/// An operator account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub id: i64,
    /// The login name.
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: i64,
}

/// A token just issued to an operator: shown once, never stored in the clear.
#[derive(Clone, PartialEq, Eq)]
pub struct Issued {
    pub operator: Operator,
    /// `kb_…`, to send as `Authorization: Bearer …`.
    pub token: String,
    pub expires_at: i64,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field("operator", &self.operator)
            .field("token", &"…")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("database: {0}")]
    Db(DbError),
    #[error("an operator with that name already exists")]
    NameTaken,
    #[error("operator names are 3 to 64 characters of a-z, 0-9, '.', '_', '-' and '@'")]
    BadName,
    #[error("{0}")]
    Role(#[from] RoleError),
    #[error("a password needs at least {} characters", credential::MIN_PASSWORD)]
    WeakPassword,
    /// Unknown name, wrong password, no password set or a disabled account: one answer
    /// for all, so a login does not tell which names exist.
    #[error("wrong name or password")]
    BadLogin,
    #[error("no operator called that")]
    NoSuchOperator,
    #[error("the stored role '{0}' cannot be read")]
    StoredRole(String),
    #[error("{0}")]
    Random(#[from] RandomFailed),
}

impl From<DbError> for AccountError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NameTaken => Self::NameTaken,
            e => Self::Db(e),
        }
    }
}

impl Operator {
    fn from_record(r: OperatorRecord) -> Result<Self, AccountError> {
        let role = Role::parse(&r.role).map_err(|_| AccountError::StoredRole(r.role.clone()))?;
        Ok(Self {
            id: r.id,
            name: r.name,
            role,
            disabled: r.disabled,
            created_at: r.created_at,
        })
    }
}

fn check_name(name: &str) -> Result<(), AccountError> {
    let ok = (3..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-@".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(AccountError::BadName)
    }
}

fn create(
    store: &mut dyn Store,
    name: &str,
    role: &Role,
    password: Option<&str>,
    now: i64,
) -> Result<Operator, AccountError> {
    check_name(name)?;
    let hash = match password {
        Some(p) if p.chars().count() < credential::MIN_PASSWORD => {
            return Err(AccountError::WeakPassword);
        }
        Some(p) => Some(credential::hash_password(p)?),
        None => None,
    };
    let role_text = role.to_string();
    let id = store.add_operator(&NewOperator {
        name,
        role: &role_text,
        password_hash: hash.as_deref(),
        created_at: now,
    })?;
    Ok(Operator {
        id,
        name: name.to_owned(),
        role: role.clone(),
        disabled: false,
        created_at: now,
    })
}

fn issue(
    store: &mut dyn Store,
    operator: Operator,
    kind: &str,
    lifetime: i64,
    now: i64,
) -> Result<Issued, AccountError> {
    let (token, hash) = credential::new_token()?;
    let expires_at = now.saturating_add(lifetime);
    store.add_token(&NewToken {
        hash: &hash,
        operator_id: operator.id,
        kind,
        created_at: now,
        expires_at,
    })?;
    Ok(Issued {
        operator,
        token,
        expires_at,
    })
}

/// Adds an operator with `role` and issues its bearer token, valid `days` days (what
/// `khaibao operator add` prints once).
pub fn add_operator(
    store: &mut dyn Store,
    name: &str,
    role: &Role,
    days: i64,
    now: i64,
) -> Result<Issued, AccountError> {
    let operator = create(store, name, role, None, now)?;
    issue(store, operator, "bearer", days.saturating_mul(86_400), now)
}

/// Adds a unit (venue owner) operator over `venues` that logs in with `password` (the
/// portal's sign-up). No token is issued; [`login`] gives sessions.
pub fn add_unit_with_password(
    store: &mut dyn Store,
    name: &str,
    venues: &[String],
    password: &str,
    now: i64,
) -> Result<Operator, AccountError> {
    create(store, name, &Role::unit(venues)?, Some(password), now)
}

/// Adds an operator of any role that logs in with `password`.
pub fn add_with_password(
    store: &mut dyn Store,
    name: &str,
    role: &Role,
    password: &str,
    now: i64,
) -> Result<Operator, AccountError> {
    create(store, name, role, Some(password), now)
}

/// Logs in with a name and password: a session token valid [`SESSION_SECONDS`].
/// Every failure is [`AccountError::BadLogin`] and costs one argon2 verification.
pub fn login(
    store: &mut dyn Store,
    name: &str,
    password: &str,
    now: i64,
) -> Result<Issued, AccountError> {
    let found = store.operator_by_name(name)?;
    let stored = found
        .as_ref()
        .and_then(|(_, hash)| hash.as_deref())
        .unwrap_or(credential::decoy_hash());
    let matches = credential::verify_password(password, stored);
    match found {
        Some((record, Some(_))) if matches && !record.disabled => {
            let operator = Operator::from_record(record)?;
            issue(store, operator, "session", SESSION_SECONDS, now)
        }
        _ => Err(AccountError::BadLogin),
    }
}

/// Ends the session (or revokes the token) `token`; `false` when it was not known.
pub fn logout(store: &mut dyn Store, token: &str) -> Result<bool, AccountError> {
    Ok(store.revoke_token(&credential::token_hash(token))?)
}

/// The enabled operator holding `token`, if it is known and has not expired.
pub fn authenticate(
    store: &dyn Store,
    token: &str,
    now: i64,
) -> Result<Option<Operator>, AccountError> {
    if !token.starts_with(credential::TOKEN_PREFIX) {
        return Ok(None);
    }
    store
        .token_operator(&credential::token_hash(token), now)?
        .map(Operator::from_record)
        .transpose()
}

/// Every operator, by id.
pub fn list_operators(store: &dyn Store) -> Result<Vec<Operator>, AccountError> {
    store
        .operators()?
        .into_iter()
        .map(Operator::from_record)
        .collect()
}

/// Disables the operator called `name`: its tokens and sessions stop working at once.
pub fn disable_operator(store: &mut dyn Store, name: &str) -> Result<(), AccountError> {
    if store.set_operator_disabled(name, true)? {
        Ok(())
    } else {
        Err(AccountError::NoSuchOperator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::SqliteStore;

    #[test]
    fn tokens_and_sessions_authenticate_until_they_expire_or_the_account_is_disabled() {
        let mut store = SqliteStore::open_in_memory().unwrap();
        let now = 1_700_000_000;
        let hcm = Role::province(&[79]).unwrap();
        let issued = add_operator(&mut store, "so-yte-79", &hcm, 1, now).unwrap();
        assert!(!format!("{issued:?}").contains(&issued.token));
        let who = authenticate(&store, &issued.token, now + 10)
            .unwrap()
            .unwrap();
        assert_eq!((who.name.as_str(), &who.role), ("so-yte-79", &hcm));
        assert_eq!(
            authenticate(&store, &issued.token, now + 86_400).unwrap(),
            None
        );
        assert_eq!(authenticate(&store, "kb_00", now).unwrap(), None);
        assert_eq!(authenticate(&store, "", now).unwrap(), None);
        assert!(matches!(
            add_operator(&mut store, "so-yte-79", &Role::Admin, 1, now),
            Err(AccountError::NameTaken)
        ));
        assert!(matches!(
            add_operator(&mut store, "Bad Name", &Role::Admin, 1, now),
            Err(AccountError::BadName)
        ));

        let venues = vec!["ab12".to_owned()];
        let owner =
            add_unit_with_password(&mut store, "pho-thin", &venues, "mật khẩu dài", now).unwrap();
        assert_eq!(owner.role, Role::Unit(venues.clone()));
        assert!(matches!(
            add_unit_with_password(&mut store, "short", &venues, "123", now),
            Err(AccountError::WeakPassword)
        ));
        assert!(matches!(
            login(&mut store, "pho-thin", "mật khẩu sai!", now),
            Err(AccountError::BadLogin)
        ));
        assert!(matches!(
            login(&mut store, "nobody", "mật khẩu dài", now),
            Err(AccountError::BadLogin)
        ));
        // A token-only account has no password to log in with.
        assert!(matches!(
            login(&mut store, "so-yte-79", "", now),
            Err(AccountError::BadLogin)
        ));
        let session = login(&mut store, "pho-thin", "mật khẩu dài", now).unwrap();
        assert_eq!(session.expires_at, now + SESSION_SECONDS);
        assert_eq!(
            authenticate(&store, &session.token, now + 60).unwrap(),
            Some(owner.clone())
        );
        assert!(logout(&mut store, &session.token).unwrap());
        assert_eq!(
            authenticate(&store, &session.token, now + 60).unwrap(),
            None
        );

        let session = login(&mut store, "pho-thin", "mật khẩu dài", now).unwrap();
        disable_operator(&mut store, "pho-thin").unwrap();
        assert_eq!(
            authenticate(&store, &session.token, now + 60).unwrap(),
            None
        );
        assert!(matches!(
            login(&mut store, "pho-thin", "mật khẩu dài", now),
            Err(AccountError::BadLogin)
        ));
        assert!(matches!(
            disable_operator(&mut store, "nobody"),
            Err(AccountError::NoSuchOperator)
        ));
        let all = list_operators(&store).unwrap();
        assert_eq!(all.len(), 2);
        assert!(all[1].disabled);
    }
}
