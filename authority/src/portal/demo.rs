//! Demo accounts for `khaibao serve --demo-data`: a venue owner with a venue awaiting
//! approval in Hà Nội, and the health departments of Hà Nội and Hồ Chí Minh City, each with
//! a fresh random password that the command prints once.

use super::venue::{self as pv, PortalVenue, VenueForm};
use crate::ops::{self, AccountError, Role};
use crate::store::Store;

/// One demo account: login, what it is, password.
#[derive(Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub login: String,
    pub what: String,
    pub password: String,
}

impl std::fmt::Debug for DemoAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoAccount")
            .field("login", &self.login)
            .field("what", &self.what)
            .finish_non_exhaustive()
    }
}

fn password() -> Result<String, AccountError> {
    let key =
        khaibao_core::upload::outbox::new_idempotency_key().map_err(|_| AccountError::BadLogin)?;
    Ok(format!(
        "demo-{}",
        &khaibao_core::encoding::codec::hex(&key)[..16]
    ))
}

/// Creates the demo accounts; an account that already exists is left as it is (and not
/// listed: its password was printed when it was made).
pub fn seed(store: &mut dyn Store, now: i64) -> Result<Vec<DemoAccount>, AccountError> {
    let mut made = Vec::new();
    for (login, province, what) in [
        (
            "demo.hanoi",
            1,
            "Sở Y tế Hà Nội / Hà Nội health department (province 1)",
        ),
        (
            "demo.hcm",
            79,
            "Sở Y tế TP. Hồ Chí Minh / Hồ Chí Minh City health department (province 79)",
        ),
    ] {
        let pw = password()?;
        match ops::add_with_password(store, login, &Role::province(&[province])?, &pw, now) {
            Ok(_) => made.push(DemoAccount {
                login: login.into(),
                what: what.into(),
                password: pw,
            }),
            Err(AccountError::NameTaken) => {}
            Err(e) => return Err(e),
        }
    }
    let form = VenueForm {
        name: "Quán cà phê Phố Cổ (demo)".into(),
        address: "12 Hàng Bạc".into(),
        province: "1".into(),
        commune: "70".into(),
        category: "cafe".into(),
        contact: "0912345678".into(),
        stay: "45".into(),
    };
    let Ok(app) = form.validate() else {
        return Ok(made);
    };
    let mut v =
        PortalVenue::new(&app, "demo.owner", false, now).map_err(|_| AccountError::BadLogin)?;
    let pw = password()?;
    match ops::add_unit_with_password(store, "demo.owner", std::slice::from_ref(&v.id), &pw, now) {
        Ok(_) => {
            let name = v.name.clone();
            pv::save_recorded(store, &mut v, now, "demo.owner", "registered", &name)?;
            made.push(DemoAccount {
                login: "demo.owner".into(),
                what: "Chủ địa điểm / venue owner (a café in Hà Nội awaiting approval)".into(),
                password: pw,
            });
        }
        Err(AccountError::NameTaken) => {}
        Err(e) => return Err(e),
    }
    Ok(made)
}
