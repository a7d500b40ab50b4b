//! Device signatures and end-to-end sealing to the health authority.
//!
//! * The **device key** is an Ed25519 key made on first use; a declaration is signed as a
//!   COSE_Sign1 whose protected header carries the device key id.
//! * The signed declaration is **sealed** to the authority's X25519 public key with HPKE
//!   (RFC 9180) in base mode, suite DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 /
//!   ChaCha20-Poly1305, built from ring's X25519 agreement, HMAC/HKDF and AEAD. The HPKE
//!   `info` binds the format version; the AAD binds the upload's idempotency key, so a
//!   sealed body cannot be replayed under another key.
//!
//! Envelope bytes: `0x01 || enc (32 bytes) || ciphertext+tag`.
//!
//! Opening needs scalar multiplication with a *static* X25519 key, which ring does not
//! offer; the authority side (feature `open`) uses x25519-dalek for that one step and ring
//! for everything else.
//!
//! May import: `encoding` only.

use crate::error::{FormatError, VenueError};
pub(crate) mod error;
pub use error::SealError;

use crate::{Error, Result};
use coset::{CborSerializable, CoseSign1, iana};
use ring::rand::SystemRandom;
use ring::signature::{self, Ed25519KeyPair, KeyPair};
use ring::{aead, agreement, hkdf, hmac};

/// Envelope format version byte.
pub const ENVELOPE_VERSION: u8 = 1;
/// HPKE `info` for declarations; changing the format changes this string.
pub const DECLARATION_INFO: &[u8] = b"khaibao declaration v1";
const KEM_SUITE: &[u8] = b"KEM\x00\x20";
const HPKE_SUITE: &[u8] = b"HPKE\x00\x20\x00\x01\x00\x03";
const NENC: usize = 32;

/// An installation's Ed25519 signing key.
pub struct DeviceKey {
    pkcs8: Vec<u8>,
    pair: Ed25519KeyPair,
}

impl DeviceKey {
    /// Makes a new random key.
    pub fn generate() -> Result<Self> {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| SealError::Crypto("device key generation"))?;
        Self::from_pkcs8(pkcs8.as_ref())
    }
    /// Loads a key from its PKCS#8 bytes.
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self> {
        let pair =
            Ed25519KeyPair::from_pkcs8(pkcs8).map_err(|_| SealError::Crypto("device key"))?;
        Ok(Self {
            pkcs8: pkcs8.to_vec(),
            pair,
        })
    }
    /// The PKCS#8 bytes, for storage.
    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }
    /// The raw 32-byte public key.
    pub fn public_key(&self) -> Vec<u8> {
        self.pair.public_key().as_ref().to_vec()
    }
    /// The key id: first 4 bytes of SHA-256 of the public key ([`crate::encoding::cose::key_id`]).
    pub fn kid(&self) -> Vec<u8> {
        crate::encoding::cose::key_id(self.pair.public_key().as_ref())
    }
    /// A raw Ed25519 signature over `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.pair.sign(message).as_ref().to_vec()
    }
    /// Signs `payload` as a COSE_Sign1 (EdDSA, kid in the protected header).
    pub fn sign_cose(&self, payload: Vec<u8>) -> Result<Vec<u8>> {
        crate::encoding::cose::sign_with(
            &self.pair,
            payload,
            crate::encoding::cose::Purpose::Device,
        )
    }
}

/// Verifies a COSE_Sign1 made by [`DeviceKey::sign_cose`] against a raw Ed25519 public
/// key, checking that the kid belongs to that key, and returns the payload.
pub fn verify_cose(cose: &[u8], public_key: &[u8]) -> Result<Vec<u8>> {
    let sign1 = CoseSign1::from_slice(cose).map_err(|_| FormatError::Malformed("cose"))?;
    let alg_ok = matches!(
        sign1.protected.header.alg,
        Some(coset::RegisteredLabelWithPrivate::Assigned(
            iana::Algorithm::EdDSA
        ))
    );
    if !alg_ok || sign1.protected.header.key_id != crate::encoding::cose::key_id(public_key) {
        return Err(VenueError::BadSignature.into());
    }
    sign1
        .verify_signature(b"", |sig, data| {
            signature::UnparsedPublicKey::new(&signature::ED25519, public_key).verify(data, sig)
        })
        .map_err(|_| VenueError::BadSignature)?;
    sign1
        .payload
        .ok_or(Error::Format(FormatError::Malformed("no payload")))
}

struct Len(usize);
impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn labeled_extract(suite: &[u8], salt: &[u8], label: &[u8], ikm: &[u8]) -> [u8; 32] {
    let mut labeled = Vec::with_capacity(7 + suite.len() + label.len() + ikm.len());
    labeled.extend_from_slice(b"HPKE-v1");
    labeled.extend_from_slice(suite);
    labeled.extend_from_slice(label);
    labeled.extend_from_slice(ikm);
    // HKDF-Extract is HMAC(salt, ikm); an empty salt equals HashLen zero bytes under HMAC.
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, salt), &labeled);
    let mut out = [0u8; 32];
    out.copy_from_slice(tag.as_ref());
    out
}

fn labeled_expand(
    suite: &[u8],
    prk: &[u8; 32],
    label: &[u8],
    info: &[u8],
    out: &mut [u8],
) -> Result<()> {
    let len = u16::try_from(out.len())
        .map_err(|_| SealError::Crypto("hkdf length"))?
        .to_be_bytes();
    let parts: [&[u8]; 5] = [&len, b"HPKE-v1", suite, label, info];
    hkdf::Prk::new_less_safe(hkdf::HKDF_SHA256, prk)
        .expand(&parts, Len(out.len()))
        .and_then(|okm| okm.fill(out))
        .map_err(|_| Error::Seal(SealError::Crypto("hkdf expand")))
}

/// DHKEM ExtractAndExpand: the KEM shared secret from the DH output and `enc || pkR`.
fn kem_shared_secret(dh: &[u8], enc: &[u8], pk_r: &[u8]) -> Result<[u8; 32]> {
    let eae_prk = labeled_extract(KEM_SUITE, b"", b"eae_prk", dh);
    let mut ctx = Vec::with_capacity(64);
    ctx.extend_from_slice(enc);
    ctx.extend_from_slice(pk_r);
    let mut ss = [0u8; 32];
    labeled_expand(KEM_SUITE, &eae_prk, b"shared_secret", &ctx, &mut ss)?;
    Ok(ss)
}

/// The base-mode key schedule: AEAD key and base nonce.
fn key_schedule(shared_secret: &[u8; 32], info: &[u8]) -> Result<([u8; 32], [u8; 12])> {
    let psk_id_hash = labeled_extract(HPKE_SUITE, b"", b"psk_id_hash", b"");
    let info_hash = labeled_extract(HPKE_SUITE, b"", b"info_hash", info);
    let mut ctx = Vec::with_capacity(65);
    ctx.push(0u8); // mode_base
    ctx.extend_from_slice(&psk_id_hash);
    ctx.extend_from_slice(&info_hash);
    let secret = labeled_extract(HPKE_SUITE, shared_secret, b"secret", b"");
    let mut key = [0u8; 32];
    let mut nonce = [0u8; 12];
    labeled_expand(HPKE_SUITE, &secret, b"key", &ctx, &mut key)?;
    labeled_expand(HPKE_SUITE, &secret, b"base_nonce", &ctx, &mut nonce)?;
    Ok((key, nonce))
}

fn aead_key(key: &[u8; 32]) -> Result<aead::LessSafeKey> {
    aead::UnboundKey::new(&aead::CHACHA20_POLY1305, key)
        .map(aead::LessSafeKey::new)
        .map_err(|_| Error::Seal(SealError::Crypto("aead key")))
}

/// Seals `plaintext` to the recipient's X25519 public key (HPKE base mode, one message).
pub fn seal(recipient_public: &[u8], info: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
    if recipient_public.len() != 32 {
        return Err(SealError::Crypto("recipient key length").into());
    }
    let rng = SystemRandom::new();
    let eph = agreement::EphemeralPrivateKey::generate(&agreement::X25519, &rng)
        .map_err(|_| SealError::Crypto("ephemeral key"))?;
    let enc = eph
        .compute_public_key()
        .map_err(|_| SealError::Crypto("ephemeral public key"))?;
    let peer = agreement::UnparsedPublicKey::new(&agreement::X25519, recipient_public);
    let dh = agreement::agree_ephemeral(eph, &peer, <[u8]>::to_vec)
        .map_err(|_| SealError::Crypto("key agreement"))?;
    let ss = kem_shared_secret(&dh, enc.as_ref(), recipient_public)?;
    let (key, nonce) = key_schedule(&ss, info)?;
    let mut out = Vec::with_capacity(1 + NENC + plaintext.len() + 16);
    out.push(ENVELOPE_VERSION);
    out.extend_from_slice(enc.as_ref());
    let mut body = plaintext.to_vec();
    aead_key(&key)?
        .seal_in_place_append_tag(
            aead::Nonce::assume_unique_for_key(nonce),
            aead::Aad::from(aad),
            &mut body,
        )
        .map_err(|_| SealError::Crypto("aead seal"))?;
    out.extend_from_slice(&body);
    Ok(out)
}

/// An X25519 key pair for the recipient side (the authority).
#[cfg(feature = "open")]
pub struct SealingKey {
    secret: x25519_dalek::StaticSecret,
    /// Derived once: every `open` needs it for the KEM context.
    public: [u8; 32],
}

#[cfg(feature = "open")]
impl SealingKey {
    /// Makes a new random key.
    pub fn generate() -> Result<Self> {
        use ring::rand::SecureRandom as _;
        let mut bytes = [0u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| SealError::Crypto("random"))?;
        Ok(Self::from_secret(x25519_dalek::StaticSecret::from(bytes)))
    }
    fn from_secret(secret: x25519_dalek::StaticSecret) -> Self {
        let public = x25519_dalek::PublicKey::from(&secret).to_bytes();
        Self { secret, public }
    }
    /// Loads a key from its 32 secret bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let arr: [u8; 32] = bytes
            .try_into()
            .map_err(|_| SealError::Crypto("sealing key length"))?;
        Ok(Self::from_secret(x25519_dalek::StaticSecret::from(arr)))
    }
    /// The 32 secret bytes, for storage.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.secret.to_bytes()
    }
    /// The public key that senders seal to.
    pub fn public_key(&self) -> [u8; 32] {
        self.public
    }
    /// Opens an envelope made by [`seal`].
    pub fn open(&self, info: &[u8], aad: &[u8], envelope: &[u8]) -> Result<Vec<u8>> {
        if envelope.len() < 1 + NENC + 16 || envelope[0] != ENVELOPE_VERSION {
            return Err(SealError::CannotOpen.into());
        }
        let enc: [u8; 32] = envelope[1..=NENC]
            .try_into()
            .map_err(|_| SealError::CannotOpen)?;
        let dh = self
            .secret
            .diffie_hellman(&x25519_dalek::PublicKey::from(enc));
        if !dh.was_contributory() {
            return Err(SealError::CannotOpen.into());
        }
        let ss = kem_shared_secret(dh.as_bytes(), &enc, &self.public_key())?;
        let (key, nonce) = key_schedule(&ss, info)?;
        let mut body = envelope[1 + NENC..].to_vec();
        let plain = aead_key(&key)?
            .open_in_place(
                aead::Nonce::assume_unique_for_key(nonce),
                aead::Aad::from(aad),
                &mut body,
            )
            .map_err(|_| SealError::CannotOpen)?;
        Ok(plain.to_vec())
    }
}

/// Signs a declaration payload with the device key and seals it, bound to `idempotency_key`.
/// The sealed plaintext is the CBOR array `[device public key, COSE_Sign1]`.
pub fn sign_and_seal(
    device: &DeviceKey,
    authority_sealing_public: &[u8],
    payload: Vec<u8>,
    idempotency_key: &[u8],
) -> Result<Vec<u8>> {
    let cose = device.sign_cose(payload)?;
    let inner = ciborium::Value::Array(vec![
        ciborium::Value::Bytes(device.public_key()),
        ciborium::Value::Bytes(cose),
    ]);
    let plaintext = crate::encoding::codec::to_cbor(&inner)?;
    seal(
        authority_sealing_public,
        DECLARATION_INFO,
        idempotency_key,
        &plaintext,
    )
}

/// What the authority gets out of a sealed declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The signing device's raw public key.
    pub device_public_key: Vec<u8>,
    /// The verified, signed payload.
    pub payload: Vec<u8>,
}

/// Opens a sealed declaration and verifies the device signature inside it.
#[cfg(feature = "open")]
pub fn open_and_verify(
    key: &SealingKey,
    envelope: &[u8],
    idempotency_key: &[u8],
) -> Result<Opened> {
    let plain = key.open(DECLARATION_INFO, idempotency_key, envelope)?;
    verify_sealed_body(&plain)
}

/// Reads the plaintext of an opened declaration envelope (`[device public key,
/// COSE_Sign1]`) and verifies the device signature in it: the second half of
/// [`open_and_verify`], for a caller that has already opened the envelope.
pub fn verify_sealed_body(plain: &[u8]) -> Result<Opened> {
    let ciborium::Value::Array(items) = crate::encoding::codec::from_cbor(plain)? else {
        return Err(FormatError::Malformed("sealed body").into());
    };
    let [
        ciborium::Value::Bytes(device_public_key),
        ciborium::Value::Bytes(cose),
    ] = items.as_slice()
    else {
        return Err(FormatError::Malformed("sealed body").into());
    };
    let payload = verify_cose(cose, device_public_key)?;
    Ok(Opened {
        device_public_key: device_public_key.clone(),
        payload,
    })
}

#[cfg(all(test, feature = "open"))]
mod interop;

#[cfg(all(test, feature = "open"))]
mod tests {
    use super::*;

    #[test]
    fn seal_then_open_round_trips_and_binds_aad() {
        let sk = SealingKey::generate().unwrap();
        let env = seal(&sk.public_key(), b"info", b"aad", b"hello").unwrap();
        assert_eq!(sk.open(b"info", b"aad", &env).unwrap(), b"hello");
        assert!(matches!(
            sk.open(b"info", b"other", &env),
            Err(Error::Seal(SealError::CannotOpen))
        ));
        assert!(matches!(
            sk.open(b"other", b"aad", &env),
            Err(Error::Seal(SealError::CannotOpen))
        ));
        for i in 0..env.len() {
            let mut t = env.clone();
            t[i] ^= 0x40;
            assert!(sk.open(b"info", b"aad", &t).is_err(), "flip at {i}");
        }
        assert!(sk.open(b"info", b"aad", &env[..env.len() - 1]).is_err());
        let other = SealingKey::generate().unwrap();
        assert!(other.open(b"info", b"aad", &env).is_err());
    }

    #[test]
    fn sign_seal_open_verify() {
        let device = DeviceKey::generate().unwrap();
        let sk = SealingKey::generate().unwrap();
        let env = sign_and_seal(&device, &sk.public_key(), b"payload".to_vec(), &[7; 16]).unwrap();
        let opened = open_and_verify(&sk, &env, &[7; 16]).unwrap();
        assert_eq!(opened.payload, b"payload");
        assert_eq!(opened.device_public_key, device.public_key());
        assert!(open_and_verify(&sk, &env, &[8; 16]).is_err());
    }
}
