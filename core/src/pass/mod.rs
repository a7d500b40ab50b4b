//! The personal pass: a short-lived signed QR that staff scan at the door.
//!
//! Vietnam's earlier personal QR was static and carried a partly masked ID, name and date
//! of birth, so any venue could harvest it. This pass instead carries
//! * a pseudonymous id that rotates every (Vietnam-local) day,
//! * the health status colour, the declaration time, and an expiry a few minutes away,
//! * the visitor's name only if they choose to show it,
//! * the personal data sealed to the authority (HPKE, as declarations are), so a venue cannot
//!   read it but contact tracing can,
//! * a random nonce, so staff can refuse the same pass shown twice,
//!
//! signed by the device key, with the authority's certificate of that key attached so staff
//! can verify it offline.
//!
//! Text form: `KBP1:` + base64url(CBOR `[certificate, COSE_Sign1(pass)]`).
//!
//! The staff side lives in [`stafflog`]: the door log of passes seen, which refuses replays.
//!
//! May import: `encoding`, `declaration` (the health status), `seal` (the device key),
//! `venue` (trusted keys), `storage` (the staff log), `net` (device registration) and
//! `upload` (the ingest format the staff log uploads its passages in).

use crate::error::{FormatError, NetError, SealError, VenueError};
pub(crate) mod error;
pub use error::PassError;

pub mod stafflog;

use crate::declaration::status::HealthStatus;
use crate::encoding::codec::{
    MapBuilder, MapReader, base64url_decode, base64url_encode, from_cbor, hex, to_cbor,
};
use crate::encoding::cose;
use crate::net::transport::{HttpClient, HttpRequest, endpoint, send_limited};
use crate::seal::{DeviceKey, verify_cose};
use crate::venue::keyset::TrustedKey;
use crate::{Result, UnixTime};
use ciborium::Value;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{self, Ed25519KeyPair};
use ring::{hkdf, hmac};

/// Prefix of a pass's text.
pub const PASS_PREFIX: &str = "KBP1:";
/// HPKE `info` for the sealed personal data inside a pass.
pub const PASS_INFO: &[u8] = b"khaibao pass v1";
/// How long a pass is valid by default.
pub const DEFAULT_PASS_SECONDS: i64 = 5 * 60;
/// Shortest validity a pass is made with.
pub const MIN_PASS_SECONDS: i64 = 30;
/// Longest validity a pass has: applied when it is made and again when it is verified, so
/// a pass signed with a far expiry (by a modified app) still expires this long after it
/// was issued.
pub const MAX_PASS_SECONDS: i64 = 3600;
const MAX_PASS_TEXT: usize = 4096;
const CERT_VERSION: u64 = 1;
const PASS_VERSION: u64 = 1;
const ATTESTATION_VERSION: u64 = 1;

/// Signs a device certificate: the authority vouches for `device_public_key` from
/// `not_before` to `not_after`.
pub fn certify_device(
    authority_pkcs8: &[u8],
    device_public_key: &[u8],
    not_before: UnixTime,
    not_after: UnixTime,
) -> Result<Vec<u8>> {
    if device_public_key.len() != 32 || not_after < not_before {
        return Err(FormatError::InvalidField("device certificate").into());
    }
    let key = Ed25519KeyPair::from_pkcs8(authority_pkcs8)
        .map_err(|_| SealError::Crypto("authority key"))?;
    let payload = to_cbor(
        &MapBuilder::new()
            .put(1, CERT_VERSION)
            .put(2, Value::Bytes(device_public_key.to_vec()))
            .put(3, not_before)
            .put(4, not_after)
            .build(),
    )?;
    cose::sign_with(&key, payload, cose::Purpose::DeviceCertificate)
}

/// Checks a device certificate against the authority's keys and returns the device key.
///
/// The algorithm must be EdDSA in the protected header, and every trusted key with the
/// certificate's key id is tried (4-byte ids can collide, and a keyset may hold an old and
/// a new key under one id while it rotates).
pub fn verify_certificate(
    cert: &[u8],
    authority_keys: &[TrustedKey],
    now: UnixTime,
) -> Result<Vec<u8>> {
    let payload = verify_by_authority(cert, authority_keys, cose::Purpose::DeviceCertificate)?;
    let mut r = MapReader::new(from_cbor(&payload)?, "certificate")?;
    if r.u64(1, "certificate version")? != CERT_VERSION {
        return Err(PassError::DeviceUncertified.into());
    }
    let device = r.bytes(2, "device key", 32)?;
    let (nbf, exp) = (r.i64(3, "not before")?, r.i64(4, "not after")?);
    if device.len() != 32 || now < nbf || now > exp {
        return Err(PassError::DeviceUncertified.into());
    }
    Ok(device)
}

/// The payload of a COSE_Sign1 made by one of the authority's keys (EdDSA, any key with
/// its key id), or [`PassError::DeviceUncertified`].
fn verify_by_authority(
    signed: &[u8],
    authority_keys: &[TrustedKey],
    purpose: cose::Purpose,
) -> Result<Vec<u8>> {
    let signed = cose::Signed::parse(signed).map_err(|_| PassError::DeviceUncertified)?;
    authority_keys
        .iter()
        .filter(|k| k.kid == signed.kid())
        .find_map(|k| signed.verify(&k.public_key, purpose).ok())
        .ok_or(PassError::DeviceUncertified.into())
}

/// The authority's attestation of a device's health status: signed `{1: version, 2: device
/// public key, 3: status, 4: not after}`. A pass that carries one (key 10) shows staff a
/// status the authority vouches for ([`PassCheck::status_attested`]); without one the
/// colour is what the person's own app derived from their own answers.
pub fn attest_status(
    authority_pkcs8: &[u8],
    device_public_key: &[u8],
    status: HealthStatus,
    not_after: UnixTime,
) -> Result<Vec<u8>> {
    if device_public_key.len() != 32 {
        return Err(FormatError::InvalidField("device key").into());
    }
    let payload = to_cbor(
        &MapBuilder::new()
            .put(1, ATTESTATION_VERSION)
            .put(2, Value::Bytes(device_public_key.to_vec()))
            .put(3, status.to_wire())
            .put(4, not_after)
            .build(),
    )?;
    cose::sign(payload, authority_pkcs8, cose::Purpose::StatusAttestation)
}

/// The status an attestation vouches for `device` at `now`, or an error when it does not
/// verify, names another device or has run out.
fn attested_status(
    attestation: &[u8],
    device: &[u8],
    authority_keys: &[TrustedKey],
    now: UnixTime,
) -> Result<HealthStatus> {
    let payload = verify_by_authority(
        attestation,
        authority_keys,
        cose::Purpose::StatusAttestation,
    )?;
    let mut r = MapReader::new(from_cbor(&payload)?, "status attestation")?;
    if r.u64(1, "attestation version")? != ATTESTATION_VERSION
        || r.bytes(2, "device key", 32)? != device
        || now > r.i64(4, "not after")?
    {
        return Err(PassError::DeviceUncertified.into());
    }
    HealthStatus::from_wire(r.u64(3, "status")?)
}

/// Path of the authority's device registration endpoint.
pub const REGISTER_PATH: &str = "/v1/devices";
/// Largest registration answer (a device certificate, about 150 bytes) the phone reads.
pub const MAX_CERTIFICATE_BYTES: usize = 4 << 10;
/// How long a device certificate from registration is valid.
pub const CERTIFICATE_SECONDS: i64 = 30 * 86_400;
const REGISTRATION_CONTEXT: &[u8] = b"khaibao device registration v1";
/// How far a registration request's time may be from the authority's clock.
const REGISTRATION_SKEW: i64 = 600;

/// A registration request: the device public key, a time, and a signature over both that
/// proves the device holds the private key.
pub fn registration_request(device: &DeviceKey, now: UnixTime) -> Result<Vec<u8>> {
    let public = device.public_key();
    let mut signed = REGISTRATION_CONTEXT.to_vec();
    signed.extend_from_slice(&public);
    signed.extend_from_slice(&now.to_be_bytes());
    to_cbor(
        &MapBuilder::new()
            .put(1, Value::Bytes(public))
            .put(2, now)
            .put(3, Value::Bytes(device.sign(&signed)))
            .build(),
    )
}

/// Device registration, the use case: sends `device`'s [`registration_request`] to the
/// authority at `authority_url` through `client` and returns the certificate it answers,
/// which the app keeps (it is public) and puts in every pass it makes.
pub fn register_device(
    device: &DeviceKey,
    client: &dyn HttpClient,
    authority_url: &str,
    now: UnixTime,
) -> Result<Vec<u8>> {
    let url = endpoint(authority_url, REGISTER_PATH);
    let response = send_limited(
        client,
        HttpRequest::post_cbor(url, registration_request(device, now)?),
        MAX_CERTIFICATE_BYTES,
    )?;
    if response.status != 200 {
        return Err(NetError::Server {
            status: response.status,
        }
        .into());
    }
    Ok(response.body)
}

/// The authority's check of a registration request: returns the device public key.
pub fn verify_registration(request: &[u8], now: UnixTime) -> Result<Vec<u8>> {
    let mut r = MapReader::new(from_cbor(request)?, "registration")?;
    let public = r.bytes(1, "device key", 32)?;
    let at = r.i64(2, "time")?;
    let sig = r.bytes(3, "signature", 64)?;
    if (at - now).abs() > REGISTRATION_SKEW {
        return Err(FormatError::InvalidField("registration time").into());
    }
    let mut signed = REGISTRATION_CONTEXT.to_vec();
    signed.extend_from_slice(&public);
    signed.extend_from_slice(&at.to_be_bytes());
    signature::UnparsedPublicKey::new(&signature::ED25519, &public)
        .verify(&signed, &sig)
        .map_err(|_| VenueError::BadSignature)?;
    Ok(public)
}

/// The day-rotating pseudonym of a device: HMAC of the local day number under a key derived
/// from the device's secret, so passes of different days cannot be matched by their id.
pub fn pseudonym(device: &DeviceKey, now: UnixTime) -> [u8; 16] {
    let day = (now + crate::encoding::time::VIETNAM_OFFSET).div_euclid(86_400);
    let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"khaibao pass pseudonym").extract(device.pkcs8());
    let mut k = [0u8; 32];
    // A 32-byte expand of HKDF-SHA256 cannot fail (it is far below 255 × 32 bytes).
    let _ = prk
        .expand(&[b"v1"], hkdf::HKDF_SHA256)
        .and_then(|okm| okm.fill(&mut k));
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &k), &day.to_be_bytes());
    let mut out = [0u8; 16];
    out.copy_from_slice(&tag.as_ref()[..16]);
    out
}

/// What a citizen's app puts in a pass.
pub struct PassInput<'a> {
    pub device: &'a DeviceKey,
    /// The authority's certificate of this device key.
    pub certificate: &'a [u8],
    pub status: HealthStatus,
    pub declared_at: UnixTime,
    /// Shown only when the person chooses to.
    pub name: Option<&'a str>,
    /// Personal data (a declaration's CBOR), sealed to the authority inside the pass.
    pub personal_data: &'a [u8],
    pub authority_sealing_key: &'a [u8],
    pub now: UnixTime,
    pub valid_seconds: i64,
}

/// Makes a pass's text, valid from `now` for `valid_seconds` (kept within
/// [`MIN_PASS_SECONDS`]–[`MAX_PASS_SECONDS`]).
pub fn make_pass(input: &PassInput<'_>) -> Result<String> {
    make_pass_attested(input, None)
}

/// [`make_pass`] carrying the authority's attestation of the status ([`attest_status`]).
pub fn make_pass_attested(input: &PassInput<'_>, attestation: Option<&[u8]>) -> Result<String> {
    let valid = input
        .valid_seconds
        .clamp(MIN_PASS_SECONDS, MAX_PASS_SECONDS);
    encode_pass(input, input.now.saturating_add(valid), attestation)
}

/// A pass expiring at `expires_at`, as given.
fn encode_pass(
    input: &PassInput<'_>,
    expires_at: UnixTime,
    attestation: Option<&[u8]>,
) -> Result<String> {
    let id = pseudonym(input.device, input.now);
    let mut nonce = [0u8; 8];
    SystemRandom::new()
        .fill(&mut nonce)
        .map_err(|_| SealError::Crypto("random"))?;
    let mut aad = id.to_vec();
    aad.extend_from_slice(&nonce);
    let sealed = crate::seal::seal(
        input.authority_sealing_key,
        PASS_INFO,
        &aad,
        input.personal_data,
    )?;
    let payload = to_cbor(
        &MapBuilder::new()
            .put(1, PASS_VERSION)
            .put(2, Value::Bytes(id.to_vec()))
            .put(3, input.status.to_wire())
            .put(4, input.declared_at)
            .put(5, input.now)
            .put(6, expires_at)
            .put_opt(7, input.name)
            .put(8, Value::Bytes(sealed))
            .put(9, Value::Bytes(nonce.to_vec()))
            .put_opt(10, attestation.map(|a| Value::Bytes(a.to_vec())))
            .build(),
    )?;
    let cose = input.device.sign_cose(payload)?;
    let outer = to_cbor(&Value::Array(vec![
        Value::Bytes(input.certificate.to_vec()),
        Value::Bytes(cose),
    ]))?;
    Ok(format!("{PASS_PREFIX}{}", base64url_encode(&outer)))
}

/// What staff learn from a valid pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassCheck {
    /// The day's pseudonymous id, hex.
    pub pseudonym: String,
    /// The status colour. Self-declared (derived by the person's own app from their own
    /// answers) unless `status_attested`: staff screens must say which.
    pub status: HealthStatus,
    /// Whether the authority vouches for `status` (a valid attestation for this device in
    /// the pass); otherwise the colour is self-declared.
    pub status_attested: bool,
    pub declared_at: UnixTime,
    /// When the pass stops being accepted: the expiry it carries, but never more than
    /// [`MAX_PASS_SECONDS`] after it was issued.
    pub expires_at: UnixTime,
    /// The visitor's name, if they chose to show it.
    pub name: Option<String>,
    /// The pass's nonce, hex: the same pass shown twice has the same nonce.
    pub nonce: String,
    /// Personal data sealed to the authority (opaque to staff).
    pub sealed_personal_data: Vec<u8>,
}

/// Verifies a pass offline: certificate, signature, expiry. Replay is the staff log's job.
pub fn verify_pass(text: &str, authority_keys: &[TrustedKey], now: UnixTime) -> Result<PassCheck> {
    let body = text
        .strip_prefix(PASS_PREFIX)
        .ok_or(FormatError::Malformed("not a pass"))?;
    if body.len() > MAX_PASS_TEXT {
        return Err(FormatError::InvalidField("pass length").into());
    }
    let Value::Array(items) = from_cbor(&base64url_decode(body)?)? else {
        return Err(FormatError::Malformed("pass").into());
    };
    let [Value::Bytes(cert), Value::Bytes(cose)] = items.as_slice() else {
        return Err(FormatError::Malformed("pass").into());
    };
    let device = verify_certificate(cert, authority_keys, now)?;
    let payload = verify_cose(cose, &device)?;
    let mut r = MapReader::new(from_cbor(&payload)?, "pass")?;
    let version = r.u64(1, "pass version")?;
    if version != PASS_VERSION {
        return Err(FormatError::UnsupportedVersion(version).into());
    }
    let pseudonym = hex(&r.bytes(2, "pseudonym", 16)?);
    let declared_status = HealthStatus::from_wire(r.u64(3, "status")?)?;
    let declared_at = r.i64(4, "declared at")?;
    let issued = r.i64(5, "issued at")?;
    let exp = r.i64(6, "expires at")?;
    if now.saturating_add(60) < issued {
        return Err(VenueError::NotYetValid.into());
    }
    if exp < issued {
        return Err(FormatError::InvalidField("pass expiry").into());
    }
    let name = r.opt_text(7, "name", 400)?;
    let sealed_personal_data = r.bytes(8, "sealed data", 8192)?;
    let nonce = hex(&r.bytes(9, "nonce", 8)?);
    let attested = match r.opt_bytes(10, "status attestation", 1024)? {
        Some(a) => Some(attested_status(&a, &device, authority_keys, now)?),
        None => None,
    };
    let check = PassCheck {
        pseudonym,
        status: attested.unwrap_or(declared_status),
        status_attested: attested.is_some(),
        declared_at,
        expires_at: exp.min(issued.saturating_add(MAX_PASS_SECONDS)),
        name,
        sealed_personal_data,
        nonce,
    };
    if now > check.expires_at {
        return Err(PassError::Expired.into());
    }
    Ok(check)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::Error;
    use crate::seal::SealingKey;

    const NOW: UnixTime = 1_631_682_000;

    pub(crate) struct Fixture {
        pub authority: Vec<u8>,
        pub trusted: TrustedKey,
        pub sealing: SealingKey,
        pub device: DeviceKey,
        pub cert: Vec<u8>,
    }

    pub(crate) fn fixture() -> Fixture {
        let (authority, trusted) = crate::test_support::signing_key();
        let device = DeviceKey::generate().unwrap();
        let cert = certify_device(
            &authority,
            &device.public_key(),
            NOW - 86_400,
            NOW + 86_400 * 30,
        )
        .unwrap();
        Fixture {
            authority,
            trusted,
            sealing: SealingKey::generate().unwrap(),
            device,
            cert,
        }
    }

    pub(crate) fn pass(f: &Fixture, now: UnixTime, name: Option<&str>) -> String {
        make_pass(&PassInput {
            device: &f.device,
            certificate: &f.cert,
            status: HealthStatus::Green,
            declared_at: now - 600,
            name,
            personal_data: "Nguyễn Văn An, 001090012345".as_bytes(),
            authority_sealing_key: &f.sealing.public_key(),
            now,
            valid_seconds: DEFAULT_PASS_SECONDS,
        })
        .unwrap()
    }

    #[test]
    fn pass_verifies_offline_and_hides_identity() {
        let f = fixture();
        let text = pass(&f, NOW, None);
        let check = verify_pass(&text, std::slice::from_ref(&f.trusted), NOW + 60).unwrap();
        assert_eq!(check.status, HealthStatus::Green);
        assert_eq!(check.name, None);
        assert_eq!(check.expires_at, NOW + DEFAULT_PASS_SECONDS);
        // No identity in the clear anywhere in the pass bytes.
        let raw = base64url_decode(&text[PASS_PREFIX.len()..]).unwrap();
        for secret in ["Nguyễn", "001090012345"] {
            assert!(
                !raw.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} in clear"
            );
        }
        // The authority can open the sealed personal data.
        let mut aad = crate::encoding::codec::unhex(&check.pseudonym, 16).unwrap();
        aad.extend(crate::encoding::codec::unhex(&check.nonce, 8).unwrap());
        let opened = f
            .sealing
            .open(PASS_INFO, &aad, &check.sealed_personal_data)
            .unwrap();
        assert_eq!(opened, "Nguyễn Văn An, 001090012345".as_bytes());
    }

    #[test]
    fn name_only_when_chosen() {
        let f = fixture();
        let check = verify_pass(
            &pass(&f, NOW, Some("An")),
            std::slice::from_ref(&f.trusted),
            NOW,
        )
        .unwrap();
        assert_eq!(check.name.as_deref(), Some("An"));
    }

    #[test]
    fn expired_forged_and_uncertified_passes_are_refused() {
        let f = fixture();
        let keys = std::slice::from_ref(&f.trusted);
        let text = pass(&f, NOW, None);
        assert!(matches!(
            verify_pass(&text, keys, NOW + DEFAULT_PASS_SECONDS + 1),
            Err(Error::Pass(PassError::Expired))
        ));
        // Forged: a byte of the signed part flipped.
        let mut raw = base64url_decode(&text[PASS_PREFIX.len()..]).unwrap();
        let n = raw.len();
        raw[n - 10] ^= 1;
        let forged = format!("{PASS_PREFIX}{}", base64url_encode(&raw));
        assert!(matches!(
            verify_pass(&forged, keys, NOW),
            Err(Error::Venue(VenueError::BadSignature))
        ));
        // A device the authority never certified (self-made certificate).
        let rogue = fixture();
        let mut f2 = fixture();
        f2.cert = rogue.cert;
        f2.device = rogue.device;
        assert!(matches!(
            verify_pass(&pass(&f2, NOW, None), keys, NOW),
            Err(Error::Pass(PassError::DeviceUncertified))
        ));
        // An expired certificate.
        let old =
            certify_device(&f.authority, &f.device.public_key(), NOW - 100, NOW - 10).unwrap();
        let f3 = Fixture {
            cert: old,
            ..fixture_with(&f)
        };
        assert!(matches!(
            verify_pass(&pass(&f3, NOW, None), keys, NOW),
            Err(Error::Pass(PassError::DeviceUncertified))
        ));
        assert!(verify_pass("KBP1:!!", keys, NOW).is_err());
        assert!(verify_pass("hello", keys, NOW).is_err());
    }

    fn fixture_with(f: &Fixture) -> Fixture {
        Fixture {
            authority: f.authority.clone(),
            trusted: f.trusted.clone(),
            sealing: SealingKey::from_bytes(&f.sealing.to_bytes()).unwrap(),
            device: DeviceKey::from_pkcs8(f.device.pkcs8()).unwrap(),
            cert: f.cert.clone(),
        }
    }

    fn input<'a>(f: &'a Fixture, sealing: &'a [u8], now: UnixTime) -> PassInput<'a> {
        PassInput {
            device: &f.device,
            certificate: &f.cert,
            status: HealthStatus::Green,
            declared_at: now,
            name: None,
            personal_data: b"x",
            authority_sealing_key: sealing,
            now,
            valid_seconds: DEFAULT_PASS_SECONDS,
        }
    }

    #[test]
    fn pass_expiry_clamped_at_verify() {
        let f = fixture();
        let keys = std::slice::from_ref(&f.trusted);
        let sealing = f.sealing.public_key();
        // A modified app signs a pass valid for a week: it is accepted only for the hour
        // any pass may live, counted from its issue time.
        let week = encode_pass(&input(&f, &sealing, NOW), NOW + 7 * 86_400, None).unwrap();
        let check = verify_pass(&week, keys, NOW + 10).unwrap();
        assert_eq!(check.expires_at, NOW + MAX_PASS_SECONDS);
        assert!(verify_pass(&week, keys, NOW + MAX_PASS_SECONDS).is_ok());
        assert!(matches!(
            verify_pass(&week, keys, NOW + MAX_PASS_SECONDS + 1),
            Err(Error::Pass(PassError::Expired))
        ));
        // An expiry before the issue time is malformed, not "valid for a negative while".
        let backwards = encode_pass(&input(&f, &sealing, NOW), NOW - 1, None).unwrap();
        assert!(matches!(
            verify_pass(&backwards, keys, NOW - 5),
            Err(Error::Format(FormatError::InvalidField(_)))
        ));
        // Making a pass keeps the validity within bounds too.
        let mut long = input(&f, &sealing, NOW);
        long.valid_seconds = i64::MAX;
        let made = verify_pass(&make_pass(&long).unwrap(), keys, NOW).unwrap();
        assert_eq!(made.expires_at, NOW + MAX_PASS_SECONDS);
        long.valid_seconds = 0;
        let made = verify_pass(&make_pass(&long).unwrap(), keys, NOW).unwrap();
        assert_eq!(made.expires_at, NOW + MIN_PASS_SECONDS);
    }

    #[test]
    fn certificate_algorithm_checked_and_every_kid_tried() {
        let f = fixture();
        let pair = Ed25519KeyPair::from_pkcs8(&f.authority).unwrap();
        let payload = to_cbor(
            &MapBuilder::new()
                .put(1, CERT_VERSION)
                .put(2, Value::Bytes(f.device.public_key()))
                .put(3, NOW - 10)
                .put(4, NOW + 10)
                .build(),
        )
        .unwrap();
        // The authority's genuine Ed25519 signature under a header claiming another
        // algorithm: refused (the header is what a verifier dispatches on).
        let with_alg = |alg: coset::iana::Algorithm| {
            use coset::CborSerializable;
            coset::CoseSign1Builder::new()
                .protected(
                    coset::HeaderBuilder::new()
                        .algorithm(alg)
                        .key_id(f.trusted.kid.clone())
                        .build(),
                )
                .payload(payload.clone())
                .create_signature(
                    crate::encoding::cose::Purpose::DeviceCertificate.external_aad(),
                    |d| pair.sign(d).as_ref().to_vec(),
                )
                .build()
                .to_vec()
                .unwrap()
        };
        let keys = std::slice::from_ref(&f.trusted);
        assert!(verify_certificate(&with_alg(coset::iana::Algorithm::EdDSA), keys, NOW).is_ok());
        for alg in [coset::iana::Algorithm::ES256, coset::iana::Algorithm::PS256] {
            assert!(matches!(
                verify_certificate(&with_alg(alg), keys, NOW),
                Err(Error::Pass(PassError::DeviceUncertified))
            ));
        }
        // Another key sharing the kid, listed first (a collision, or a rotation in
        // progress): the right key is still found.
        let (_, other) = crate::test_support::signing_key();
        let shadow = TrustedKey {
            kid: f.trusted.kid.clone(),
            public_key: other.public_key,
        };
        let both = [shadow.clone(), f.trusted.clone()];
        assert_eq!(
            verify_certificate(&f.cert, &both, NOW).unwrap(),
            f.device.public_key()
        );
        assert!(verify_pass(&pass(&f, NOW, None), &both, NOW).is_ok());
        // Only the impostor under that kid: refused.
        assert!(matches!(
            verify_certificate(&f.cert, &[shadow], NOW),
            Err(Error::Pass(PassError::DeviceUncertified))
        ));
    }

    #[test]
    fn status_is_self_declared_unless_the_authority_attests_it() {
        let f = fixture();
        let keys = std::slice::from_ref(&f.trusted);
        let sealing = f.sealing.public_key();
        let plain = verify_pass(&pass(&f, NOW, None), keys, NOW).unwrap();
        assert!(!plain.status_attested);
        // The person's app says green; the authority attests yellow: staff see yellow,
        // marked as attested.
        let att = attest_status(
            &f.authority,
            &f.device.public_key(),
            HealthStatus::Yellow,
            NOW + 86_400,
        )
        .unwrap();
        let text = make_pass_attested(&input(&f, &sealing, NOW), Some(&att)).unwrap();
        let check = verify_pass(&text, keys, NOW).unwrap();
        assert_eq!(
            (check.status, check.status_attested),
            (HealthStatus::Yellow, true)
        );
        // An attestation for another device, out of date, or signed by someone else is
        // refused, never shown as attested.
        let other = fixture();
        let bad = [
            attest_status(
                &f.authority,
                &other.device.public_key(),
                HealthStatus::Green,
                NOW + 86_400,
            )
            .unwrap(),
            attest_status(
                &f.authority,
                &f.device.public_key(),
                HealthStatus::Green,
                NOW - 1,
            )
            .unwrap(),
            attest_status(
                &other.authority,
                &f.device.public_key(),
                HealthStatus::Green,
                NOW + 86_400,
            )
            .unwrap(),
        ];
        for a in bad {
            let text = make_pass_attested(&input(&f, &sealing, NOW), Some(&a)).unwrap();
            assert!(verify_pass(&text, keys, NOW).is_err());
        }
    }

    #[test]
    fn registration_proves_possession() {
        let device = DeviceKey::generate().unwrap();
        let req = registration_request(&device, NOW).unwrap();
        assert_eq!(
            verify_registration(&req, NOW + 5).unwrap(),
            device.public_key()
        );
        assert!(
            verify_registration(&req, NOW + 3600).is_err(),
            "stale request"
        );
        let mut tampered = req.clone();
        let n = tampered.len();
        tampered[n - 1] ^= 1;
        assert!(matches!(
            verify_registration(&tampered, NOW),
            Err(Error::Venue(VenueError::BadSignature))
        ));
    }

    #[test]
    fn pseudonym_rotates_daily_and_differs_per_device() {
        let f = fixture();
        let other = fixture();
        // 2021-09-15 10:00 and 23:59 local are the same day; 00:01 the next is not.
        let morning = 1_631_674_800;
        assert_eq!(
            pseudonym(&f.device, morning),
            pseudonym(&f.device, morning + 50_340)
        );
        assert_ne!(
            pseudonym(&f.device, morning),
            pseudonym(&f.device, morning + 50_460)
        );
        assert_ne!(
            pseudonym(&f.device, morning),
            pseudonym(&other.device, morning)
        );
    }
}
