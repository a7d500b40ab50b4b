//! The one COSE_Sign1 profile every signed khaibao object uses: Ed25519 (alg -8), the
//! signer's 4-byte key id in the protected header, untagged on write, and the object's
//! [`Purpose`] as external data (the Sig_structure's `external_aad`).
//!
//! The purpose is not on the wire (a venue code's QR stays as small as before), but it is
//! under the signature: a signature made for one kind of object never verifies as another,
//! even under the same key, so a device certificate cannot pass for a venue code, nor a
//! registry for an exposure list.
//!
//! Reading accepts the tagged form too, and a key id found only in the unprotected header
//! (signed-QR verifiers elsewhere broke on exactly that). The algorithm must sit in the
//! protected header, so it is covered by the signature.

use crate::error::{FormatError, SealError, VenueError};
use crate::{Error, Result};
use coset::{
    CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder, RegisteredLabelWithPrivate,
    TaggedCborSerializable, iana,
};
use ring::signature::{self, Ed25519KeyPair, KeyPair};

/// Length of a key id.
pub const KID_LEN: usize = 4;

/// The key id of an Ed25519 public key: the first 4 bytes of its SHA-256.
///
/// Four bytes name a key among the at most 64 of a keyset (two keys share an id with
/// probability about 64²/2³³ ≈ 5·10⁻⁷), and a shared id costs nothing but a second
/// signature check: venue codes are tried against every key with their id.
pub fn key_id(public_key: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, public_key).as_ref()[..KID_LEN].to_vec()
}

/// What a signed object is, bound into its signature as external data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A venue code (the poster's QR).
    VenueCode,
    /// The signed venue registry.
    Registry,
    /// A root-signed keyset update.
    KeysetUpdate,
    /// The authority's certificate of a device key.
    DeviceCertificate,
    /// An exposure list.
    ExposureList,
    /// The authority's attestation of a device's health status (carried in a pass).
    StatusAttestation,
    /// What a device signs with its own key (sealed declarations, passes). Device keys sign
    /// nothing else, so these keep the empty external data of the first format.
    Device,
}

impl Purpose {
    /// The external data of this purpose.
    pub const fn external_aad(self) -> &'static [u8] {
        match self {
            Self::VenueCode => b"khaibao venue code v1",
            Self::Registry => b"khaibao venue registry v1",
            Self::KeysetUpdate => b"khaibao keyset update v1",
            Self::DeviceCertificate => b"khaibao device certificate v1",
            Self::ExposureList => b"khaibao exposure list v1",
            Self::StatusAttestation => b"khaibao status attestation v1",
            Self::Device => b"",
        }
    }
}

/// Signs `payload` for `purpose` with an Ed25519 key (PKCS#8) into untagged COSE_Sign1 bytes.
pub fn sign(payload: Vec<u8>, signing_key_pkcs8: &[u8], purpose: Purpose) -> Result<Vec<u8>> {
    let key = Ed25519KeyPair::from_pkcs8(signing_key_pkcs8)
        .map_err(|_| SealError::Crypto("signing key"))?;
    sign_with(&key, payload, purpose)
}

/// Signs `payload` for `purpose` with an Ed25519 key pair already parsed into untagged
/// COSE_Sign1 bytes.
pub fn sign_with(key: &Ed25519KeyPair, payload: Vec<u8>, purpose: Purpose) -> Result<Vec<u8>> {
    let protected = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(key_id(key.public_key().as_ref()))
        .build();
    CoseSign1Builder::new()
        .protected(protected)
        .payload(payload)
        .create_signature(purpose.external_aad(), |data| {
            key.sign(data).as_ref().to_vec()
        })
        .build()
        .to_vec()
        .map_err(|_| Error::Format(FormatError::Malformed("cose encode")))
}

/// A parsed, not yet verified COSE_Sign1.
pub struct Signed {
    sign1: CoseSign1,
    kid: Vec<u8>,
}

impl Signed {
    /// Parses COSE_Sign1 bytes (tagged or not) and checks the algorithm is Ed25519.
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let sign1 = CoseSign1::from_slice(bytes)
            .or_else(|_| CoseSign1::from_tagged_slice(bytes))
            .map_err(|_| FormatError::Malformed("cose"))?;
        let alg_ok = matches!(
            sign1.protected.header.alg,
            Some(RegisteredLabelWithPrivate::Assigned(iana::Algorithm::EdDSA))
        );
        if !alg_ok {
            return Err(FormatError::Malformed("algorithm").into());
        }
        let kid = if sign1.protected.header.key_id.is_empty() {
            sign1.unprotected.key_id.clone()
        } else {
            sign1.protected.header.key_id.clone()
        };
        if kid.is_empty() {
            return Err(FormatError::Malformed("no key id").into());
        }
        Ok(Self { sign1, kid })
    }

    /// The signer's key id, from the protected header or else the unprotected one.
    pub fn kid(&self) -> &[u8] {
        &self.kid
    }

    /// Verifies the signature, made for `purpose`, with a raw Ed25519 public key and
    /// returns the payload.
    pub fn verify(&self, public_key: &[u8], purpose: Purpose) -> Result<Vec<u8>> {
        self.sign1
            .verify_signature(purpose.external_aad(), |sig, data| {
                signature::UnparsedPublicKey::new(&signature::ED25519, public_key).verify(data, sig)
            })
            .map_err(|_| VenueError::BadSignature)?;
        self.sign1
            .payload
            .clone()
            .ok_or(Error::Format(FormatError::Malformed("no payload")))
    }
}
