//! Encryption at rest: the host's master key, per-day data keys, and sealed fields.
//!
//! * The **master key** (32 bytes) is supplied by the host app, which keeps it in the
//!   Android Keystore or the iOS Keychain; the core never writes it anywhere. A
//!   [`KeyProvider`] is the seam the bindings implement as a foreign trait; a plain
//!   [`MasterKey`] is itself a provider.
//! * Every **local day** (Asia/Ho_Chi_Minh) that has diary data gets its own random 32-byte
//!   data key, stored in `day_keys` wrapped (sealed) by the master key with the day number
//!   in the AAD. Deleting a day's row is crypto-shredding: every field sealed under it, in
//!   this file or in any copy of the rows, can no longer be opened.
//! * Fields are sealed with ChaCha20-Poly1305 (ring) under a random 96-bit nonce:
//!   `nonce || ciphertext || tag`. The AAD names the table, the column and the row
//!   identity, so a sealed value moved to another row or column does not open.
//!
//! A wrong master key, a swapped wrapped key or a tampered field is [`SealError::CannotOpen`] or
//! [`StorageError::WrongMasterKey`], never garbage.

use crate::encoding::time::VIETNAM_OFFSET;
use crate::error::{FormatError, SealError};
use crate::{Error, Result, UnixTime};
use ring::aead::{self, Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

/// Length of the master key and of each day key.
pub const KEY_LEN: usize = 32;

/// The local calendar day (days since 1970-01-01 in Asia/Ho_Chi_Minh) that `t` falls on.
pub fn local_day(t: UnixTime) -> i64 {
    t.saturating_add(VIETNAM_OFFSET).div_euclid(86_400)
}

/// The first second of local day `day`.
pub fn day_start(day: i64) -> UnixTime {
    day.saturating_mul(86_400).saturating_sub(VIETNAM_OFFSET)
}

/// Supplies the master key. The host implements it over its platform keystore; the core
/// asks for the key once per store opening and keeps it in memory while the store is open.
pub trait KeyProvider {
    /// The 32-byte master key.
    fn master_key(&self) -> Result<MasterKey>;
}

/// A 256-bit master key held in memory.
#[derive(Clone)]
pub struct MasterKey([u8; KEY_LEN]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    /// Wraps 32 key bytes; any other length is [`FormatError::InvalidField`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let arr: [u8; KEY_LEN] = bytes
            .try_into()
            .map_err(|_| FormatError::InvalidField("master key length"))?;
        Ok(Self(arr))
    }

    /// A fresh random key (for hosts generating one on first run, and for tests).
    pub fn generate() -> Result<Self> {
        Ok(Self(random_key()?))
    }

    pub(crate) fn cipher(&self) -> Result<Cipher> {
        Cipher::new(&self.0)
    }
}

impl KeyProvider for MasterKey {
    fn master_key(&self) -> Result<MasterKey> {
        Ok(self.clone())
    }
}

pub(crate) fn random_key() -> Result<[u8; KEY_LEN]> {
    let mut k = [0u8; KEY_LEN];
    SystemRandom::new()
        .fill(&mut k)
        .map_err(|_| SealError::Crypto("random"))?;
    Ok(k)
}

/// An AEAD key with the field format above.
pub(crate) struct Cipher(LessSafeKey);

impl Cipher {
    pub(crate) fn new(key: &[u8; KEY_LEN]) -> Result<Self> {
        UnboundKey::new(&CHACHA20_POLY1305, key)
            .map(|k| Self(LessSafeKey::new(k)))
            .map_err(|_| Error::Seal(SealError::Crypto("aead key")))
    }

    /// Seals `plain` bound to `aad`.
    pub(crate) fn seal(&self, aad: &[u8], plain: &[u8]) -> Result<Vec<u8>> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| SealError::Crypto("random"))?;
        let mut body = plain.to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad),
                &mut body,
            )
            .map_err(|_| SealError::Crypto("aead seal"))?;
        let mut out = Vec::with_capacity(NONCE_LEN + body.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Opens a value made by [`Cipher::seal`] with the same `aad`.
    pub(crate) fn open(&self, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>> {
        if sealed.len() < NONCE_LEN + aead::MAX_TAG_LEN {
            return Err(SealError::CannotOpen.into());
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::CannotOpen)?;
        let mut body = body.to_vec();
        let plain = self
            .0
            .open_in_place(nonce, Aad::from(aad), &mut body)
            .map_err(|_| SealError::CannotOpen)?;
        Ok(plain.to_vec())
    }
}

/// The AAD for a field: `khaibao/<table>/<column>/<row id>/<day>`.
pub(crate) fn field_aad(table: &str, column: &str, row: i64, day: i64) -> Vec<u8> {
    format!("khaibao/{table}/{column}/{row}/{day}").into_bytes()
}

/// The AAD of a wrapped day key.
pub(crate) fn day_key_aad(day: i64) -> Vec<u8> {
    format!("khaibao/day_keys/{day}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_day_turns_at_vietnam_midnight() {
        // 2021-07-19T17:00:00Z is 2021-07-20 00:00 in Ho Chi Minh City.
        let midnight = 1_626_714_000;
        assert_eq!(local_day(midnight) - local_day(midnight - 1), 1);
        assert_eq!(day_start(local_day(midnight)), midnight);
        assert_eq!(day_start(local_day(midnight - 1)), midnight - 86_400);
    }

    #[test]
    fn sealed_fields_bind_their_aad_and_key() {
        let k = Cipher::new(&random_key().unwrap()).unwrap();
        let s = k.seal(b"a", "Phở Hòa".as_bytes()).unwrap();
        assert_eq!(k.open(b"a", &s).unwrap(), "Phở Hòa".as_bytes());
        assert!(matches!(
            k.open(b"b", &s),
            Err(Error::Seal(SealError::CannotOpen))
        ));
        let other = Cipher::new(&random_key().unwrap()).unwrap();
        assert!(matches!(
            other.open(b"a", &s),
            Err(Error::Seal(SealError::CannotOpen))
        ));
        assert!(matches!(
            k.open(b"a", &s[..10]),
            Err(Error::Seal(SealError::CannotOpen))
        ));
        let mut t = s.clone();
        t[13] ^= 1;
        assert!(matches!(
            k.open(b"a", &t),
            Err(Error::Seal(SealError::CannotOpen))
        ));
    }

    #[test]
    fn master_key_must_be_32_bytes() {
        assert!(MasterKey::from_bytes(&[0; 31]).is_err());
        assert!(MasterKey::from_bytes(&[0; 32]).is_ok());
        assert_eq!(
            format!("{:?}", MasterKey::from_bytes(&[7; 32]).unwrap()),
            "MasterKey(..)"
        );
    }
}
