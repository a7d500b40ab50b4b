//! Secrets and what is stored of them.
//!
//! * Passwords (for the portal's logins) are hashed with argon2id (the crate's default
//!   parameters: 19 MiB, 2 passes) under a random 16-byte salt, kept as a PHC string.
//! * Tokens (printed once by `khaibao operator add`, or returned by a login) are `kb_`
//!   followed by 64 hex digits of system randomness. Only their SHA-256 is stored: with
//!   256 bits of entropy a slow hash adds nothing, and a fast one keeps every request cheap
//!   (a slow hash on each request would be a denial-of-service lever).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use khaibao_core::encoding::codec::hex;
use ring::rand::{SecureRandom, SystemRandom};

/// The prefix of every token.
pub const TOKEN_PREFIX: &str = "kb_";

/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 10;

/// The system's randomness failed (no secret was made).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the system's random number generator failed")]
pub struct RandomFailed;

/// A new token: its text (to hand out once) and the hash to store.
pub fn new_token() -> Result<(String, Vec<u8>), RandomFailed> {
    let mut b = [0u8; 32];
    SystemRandom::new().fill(&mut b).map_err(|_| RandomFailed)?;
    let token = format!("{TOKEN_PREFIX}{}", hex(&b));
    let hash = token_hash(&token);
    Ok((token, hash))
}

/// What is stored of a token: the SHA-256 of its text.
pub fn token_hash(token: &str) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, token.as_bytes())
        .as_ref()
        .to_vec()
}

/// The argon2id PHC string of `password` under a fresh salt.
pub fn hash_password(password: &str) -> Result<String, RandomFailed> {
    let mut salt = [0u8; 16];
    SystemRandom::new()
        .fill(&mut salt)
        .map_err(|_| RandomFailed)?;
    let salt = SaltString::encode_b64(&salt).map_err(|_| RandomFailed)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| RandomFailed)
}

/// Whether `password` matches the stored PHC string (`false` for an unreadable one).
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A stored hash that no password matches, verified against when the name is unknown so
/// that a login takes as long whether or not the account exists.
pub fn decoy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$rpQ6ixWlF2IWHb/2zMcxxS5bdGGOvaqgAwr1Si4Y9Z0"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves_and_tokens_hash_stably() {
        let stored = hash_password("correct horse battery").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(!stored.contains("correct"));
        assert!(verify_password("correct horse battery", &stored));
        assert!(!verify_password("correct horse batterz", &stored));
        assert!(PasswordHash::new(decoy_hash()).is_ok());
        assert!(!verify_password("anything", decoy_hash()));
        assert!(!verify_password("anything", "not a hash"));
        let (token, hash) = new_token().unwrap();
        assert!(token.starts_with(TOKEN_PREFIX) && token.len() == 67);
        assert_eq!(token_hash(&token), hash);
        assert_ne!(new_token().unwrap().0, token);
    }
}
