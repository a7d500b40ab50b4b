//! The portal's commands: the ministry's signing run over approved venue
//! applications (`venue sign-approved`) and the demo accounts of `serve --demo-data`.

use crate::error::CliError;
use khaibao_authority::db::AuthorityDb;
use khaibao_authority::keys::AuthorityKeys;
use khaibao_authority::portal::{demo, venue};
use khaibao_authority::unix_now;
use std::path::Path;

/// `venue sign-approved`: signs every approved application in the database `db` with the
/// venue key of the folder `keys`.
pub fn sign_approved(db: &Path, keys: &Path) -> Result<(), CliError> {
    let k = AuthorityKeys::load(keys)?;
    let mut db = AuthorityDb::open(db)?;
    let run = venue::sign_approved(db.store_mut(), &k, keys, unix_now())?;
    for (id, manual) in &run.signed {
        println!("signed {id} manual code {manual}");
    }
    for id in &run.collisions {
        eprintln!("skipped {id}: its manual code is taken; the owner should re-register");
    }
    eprintln!(
        "{} venues signed, {} skipped",
        run.signed.len(),
        run.collisions.len()
    );
    Ok(())
}

/// `serve --demo-data`: the demo accounts, printed after the portal's URL.
pub fn demo_data(db: &Path, base_url: &str) -> Result<(), CliError> {
    let mut db = AuthorityDb::open(db)?;
    let made = demo::seed(db.store_mut(), unix_now())?;
    println!("portal {base_url}/portal");
    if made.is_empty() {
        println!("demo accounts already exist (their passwords were printed when they were made)");
    }
    for a in made {
        println!(
            "demo login {} password {}  ({})",
            a.login, a.password, a.what
        );
    }
    Ok(())
}
