//! Fixed key material and valid sample inputs shared by the fuzz targets (`fuzz/`) and the
//! seed writer (`examples/fuzz_seeds.rs`).
//!
//! The fuzzers must verify what the seeds were signed with, so every key here comes from a
//! fixed seed instead of the system RNG. These keys are public test values: never use them
//! outside tests and fuzzing. Seeds are made by the same round-trip code the apps use
//! (`make_pass`, `seal_declaration`, `build_list`, `encode_request`), so each fuzz run starts
//! from inputs that reach the end of the parser.

use khaibao_authority::keys::AuthorityKeys;
use khaibao_core::declaration::status::HealthStatus;
use khaibao_core::declaration::{self, Declaration, Submission, Symptom};
use khaibao_core::diary::checkin;
use khaibao_core::error::{FormatError, SealError};
use khaibao_core::exposure::{self, ExposureEntry, Recommendation};
use khaibao_core::pass::{self, PassInput};
use khaibao_core::seal::{self, DeviceKey, SealingKey};
use khaibao_core::test_support;
use khaibao_core::upload::protocol::{self, IngestItem};
use khaibao_core::venue::{self, TrustedKey, Venue, VenueCategory, key_id};
use khaibao_core::{Result, UnixTime};
use ring::signature::{Ed25519KeyPair, KeyPair};

/// The clock every fuzz target and seed uses: 2026-01-01T00:00:00Z.
pub const NOW: UnixTime = 1_767_225_600;

/// The fuzz targets, by name, as `fuzz/Cargo.toml` lists them.
pub const TARGETS: [&str; 6] = [
    "scan_frame",
    "venue_payload",
    "personal_pass",
    "seal_open",
    "exposure_list",
    "ingest_body",
];

/// An Ed25519 key's PKCS#8 v2 document (the layout ring itself writes) from a fixed seed.
pub fn ed25519_pkcs8(seed: [u8; 32]) -> Vec<u8> {
    let public = Ed25519KeyPair::from_seed_unchecked(&seed)
        .map(|pair| pair.public_key().as_ref().to_vec())
        .unwrap_or_default();
    let mut der = vec![
        0x30, 0x53, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(&seed);
    der.extend_from_slice(&[0xa1, 0x23, 0x03, 0x21, 0x00]);
    der.extend_from_slice(&public);
    der
}

/// The authority's signing key (venue codes, device certificates, exposure lists).
pub fn authority_pkcs8() -> Vec<u8> {
    ed25519_pkcs8([0x11; 32])
}

/// The authority's sealing secret.
pub const SEALING_SECRET: [u8; 32] = [0x33; 32];

/// The authority's sealing key.
pub fn sealing() -> Result<SealingKey> {
    SealingKey::from_bytes(&SEALING_SECRET)
}

/// The authority's keys as the server holds them. The fuzzers verify everything with one
/// trusted key, so here the one fixed key stands for the venue, exposure-list and
/// device-certificate keys (a real folder has one key per purpose).
pub fn authority_keys() -> std::result::Result<AuthorityKeys, khaibao_authority::keys::KeyError> {
    AuthorityKeys::from_secrets(
        authority_pkcs8(),
        authority_pkcs8(),
        authority_pkcs8(),
        &SEALING_SECRET,
    )
}

/// The authority's public signing key, as apps and staff trust it.
pub fn trusted() -> Result<TrustedKey> {
    let pair = Ed25519KeyPair::from_pkcs8(&authority_pkcs8())
        .map_err(|_| khaibao_core::Error::Seal(SealError::Crypto("fixture key")))?;
    let public_key = pair.public_key().as_ref().to_vec();
    Ok(TrustedKey {
        kid: key_id(&public_key),
        public_key,
    })
}

/// The citizen's device key.
pub fn device() -> Result<DeviceKey> {
    DeviceKey::from_pkcs8(&ed25519_pkcs8([0x22; 32]))
}

/// A made-up citizen (no real person).
pub fn declaration() -> Declaration {
    Declaration {
        full_name: "Trần Thị Thử".into(),
        birth_year: 1990,
        phone: "0912 000 111".into(),
        province: 79,
        symptoms: vec![Symptom::Cough],
        ..Declaration::default()
    }
}

/// A made-up venue.
pub fn venue() -> Venue {
    Venue {
        name: "Quán thử nghiệm".into(),
        address: "1 Đường Thử, Quận 1".into(),
        not_before: NOW - 86_400,
        not_after: NOW + 86_400 * 30,
        issuer: "fuzz".into(),
        ..test_support::venue("00112233445566778899aabbccddeeff")
    }
}

/// A made-up bus, with plate and route.
pub fn transport_venue() -> Venue {
    Venue {
        name: "Xe buýt thử số 99 Bến Thành – Chợ Lớn".into(),
        address: "Tuyến 99".into(),
        category: VenueCategory::Transport,
        vehicle_plate: Some("51B-000.99".into()),
        route: Some("99".into()),
        ..venue()
    }
}

/// The signed submission payload of [`declaration`].
pub fn submission() -> Result<Vec<u8>> {
    let declaration = declaration::validate(&declaration(), NOW).map_err(|_| {
        khaibao_core::Error::Format(FormatError::InvalidField("fixture declaration"))
    })?;
    Submission {
        declaration,
        declared_at: NOW,
        venue_id: Some(venue().id),
    }
    .to_cbor()
}

/// The fixture device's certificate from the fixture authority (valid around [`NOW`]).
pub fn certificate() -> Result<Vec<u8>> {
    pass::certify_device(
        &authority_pkcs8(),
        &device()?.public_key(),
        NOW - 86_400,
        NOW + 30 * 86_400,
    )
}

/// A pass whose signed payload is `payload`, whatever it is: what the holder of any
/// certified device key can show to staff.
pub fn pass_with_payload(
    device: &DeviceKey,
    certificate: &[u8],
    payload: Vec<u8>,
) -> Result<String> {
    let outer = khaibao_core::encoding::codec::to_cbor(&ciborium::Value::Array(vec![
        ciborium::Value::Bytes(certificate.to_vec()),
        ciborium::Value::Bytes(device.sign_cose(payload)?),
    ]))?;
    Ok(format!(
        "{}{}",
        pass::PASS_PREFIX,
        khaibao_core::encoding::codec::base64url_encode(&outer)
    ))
}

/// A COSE_Sign1 of `payload` under the authority's signing key, as exposure lists are
/// signed (EdDSA, key id in the protected header).
pub fn authority_signed(payload: Vec<u8>) -> Result<Vec<u8>> {
    khaibao_core::encoding::cose::sign(
        payload,
        &authority_pkcs8(),
        khaibao_core::encoding::cose::Purpose::ExposureList,
    )
}

/// A valid personal pass's text, with or without the name shown.
pub fn pass_text(name: Option<&str>) -> Result<String> {
    let device = device()?;
    let cert = certificate()?;
    pass::make_pass(&PassInput {
        device: &device,
        certificate: &cert,
        status: HealthStatus::Green,
        declared_at: NOW - 600,
        name,
        personal_data: &submission()?,
        authority_sealing_key: &sealing()?.public_key(),
        now: NOW,
        valid_seconds: pass::DEFAULT_PASS_SECONDS,
    })
}

/// The `seal_open` target's input layout: `[mode, aad length, aad.., rest..]`. Mode bit 0:
/// the pass `info` instead of the declaration's; bit 1: `rest` is a plaintext to seal first
/// rather than an envelope.
pub const SEAL_PASS_INFO: u8 = 1;
/// See [`SEAL_PASS_INFO`].
pub const SEAL_PLAINTEXT: u8 = 2;

/// A `seal_open` input.
pub fn seal_input(mode: u8, aad: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut out = vec![mode, aad.len() as u8];
    out.extend_from_slice(aad);
    out.extend_from_slice(rest);
    out
}

/// The payload of a COSE_Sign1 (its third element), for seeds of the re-signing modes.
fn cose_payload(cose: &[u8]) -> Result<Vec<u8>> {
    match khaibao_core::encoding::codec::from_cbor(cose)? {
        ciborium::Value::Array(items) => match items.into_iter().nth(2) {
            Some(ciborium::Value::Bytes(b)) => Ok(b),
            _ => Err(khaibao_core::Error::Format(FormatError::Malformed(
                "cose payload",
            ))),
        },
        _ => Err(khaibao_core::Error::Format(FormatError::Malformed("cose"))),
    }
}

/// The fixture declaration as a phone seals it (core's use case), under a fresh key.
pub fn sealed_item() -> Result<IngestItem> {
    let venue_id = venue().id;
    let sealed = checkin::seal_declaration(
        &device()?,
        &sealing()?.public_key(),
        &declaration(),
        Some(&venue_id),
        NOW,
    )
    .map_err(|_| FormatError::InvalidField("fixture declaration"))?;
    Ok(IngestItem {
        idempotency_key: sealed.item.idempotency_key.to_vec(),
        kind: sealed.item.kind,
        body: sealed.item.body,
    })
}

/// Exposure entries at the fixture venue.
pub fn exposure_entries() -> Vec<ExposureEntry> {
    vec![
        ExposureEntry {
            venue_id: venue().id,
            start: NOW - 3600,
            end: NOW,
            recommendation: Recommendation::GetTested,
        },
        ExposureEntry {
            venue_id: "ffeeddccbbaa99887766554433221100".into(),
            start: NOW - 7200,
            end: NOW - 3600,
            recommendation: Recommendation::Isolate,
        },
    ]
}

/// The `scan_frame` target's input for a QR of `text` at `scale` pixels per module: the 9
/// header bytes (width, height as u16 LE; no stride padding, no region) then the luma plane.
pub fn scan_input(text: &str, scale: u32) -> Result<Vec<u8>> {
    let img = khaibao_authority::poster::qr_image(text, scale)
        .map_err(|_| khaibao_core::Error::Format(FormatError::InvalidField("fixture qr")))?;
    let (w, h) = (img.width() as u16, img.height() as u16);
    let mut out = Vec::with_capacity(9 + img.as_raw().len());
    out.extend_from_slice(&w.to_le_bytes());
    out.extend_from_slice(&h.to_le_bytes());
    out.extend_from_slice(&[0; 5]);
    out.extend_from_slice(img.as_raw());
    Ok(out)
}

/// Valid seed inputs for each target, as `(target, file name, bytes)`.
pub fn seeds() -> Result<Vec<(&'static str, String, Vec<u8>)>> {
    let mut out = Vec::new();
    let code = venue::issue(&venue(), &authority_pkcs8())?;
    out.push((
        "venue_payload",
        "payload".into(),
        venue::encode_payload(&venue())?,
    ));
    out.push((
        "venue_payload",
        "code_text".into(),
        code.clone().into_bytes(),
    ));
    // The target also reads its input as the COSE inside a code and as coded text.
    out.push((
        "venue_payload",
        "cose".into(),
        khaibao_core::encoding::decimal::decode(&code[venue::URL_PREFIX.len()..])?,
    ));
    out.push((
        "venue_payload",
        "payload_transport".into(),
        venue::encode_payload(&transport_venue())?,
    ));
    out.push((
        "venue_payload",
        "coded_text".into(),
        khaibao_core::encoding::vntext::encode(&venue().name).ok_or(
            khaibao_core::Error::Format(FormatError::InvalidField("fixture name")),
        )?,
    ));
    // Both fit the target's 4,608-byte cap (`fuzz/run.sh`): a venue code (version 10) at
    // one pixel per module, and a short code at two.
    out.push(("scan_frame", "venue_qr".into(), scan_input(&code, 1)?));
    out.push(("scan_frame", "short_qr".into(), scan_input("KB-1042", 2)?));

    for (file, name) in [("pass_anonymous", None), ("pass_named", Some("Thử"))] {
        let text = pass_text(name)?;
        let raw =
            khaibao_core::encoding::codec::base64url_decode(&text[pass::PASS_PREFIX.len()..])?;
        out.push(("personal_pass", format!("{file}_text"), text.into_bytes()));
        let ciborium::Value::Array(outer) = khaibao_core::encoding::codec::from_cbor(&raw)? else {
            return Err(khaibao_core::Error::Format(FormatError::Malformed("pass")));
        };
        if let Some(ciborium::Value::Bytes(cose)) = outer.get(1) {
            out.push((
                "personal_pass",
                format!("{file}_payload"),
                cose_payload(cose)?,
            ));
        }
        out.push(("personal_pass", format!("{file}_cbor"), raw));
    }

    let item = sealed_item()?;
    out.push((
        "seal_open",
        "declaration".into(),
        seal_input(0, &item.idempotency_key, &item.body),
    ));
    let signed_body = khaibao_core::encoding::codec::to_cbor(&ciborium::Value::Array(vec![
        ciborium::Value::Bytes(device()?.public_key()),
        ciborium::Value::Bytes(device()?.sign_cose(submission()?)?),
    ]))?;
    out.push((
        "seal_open",
        "declaration_plaintext".into(),
        seal_input(SEAL_PLAINTEXT, &[7; 16], &signed_body),
    ));
    out.push((
        "seal_open",
        "submission".into(),
        seal_input(SEAL_PLAINTEXT, &[], &submission()?),
    ));
    let aad = [5u8; 24];
    let sealed_pass = seal::seal(&sealing()?.public_key(), pass::PASS_INFO, &aad, b"personal")?;
    out.push((
        "seal_open",
        "pass_data".into(),
        seal_input(SEAL_PASS_INFO, &aad, &sealed_pass),
    ));

    let list = exposure::build_list(&authority_pkcs8(), 3, 1, NOW, &exposure_entries())?;
    out.push((
        "exposure_list",
        "two_entries_payload".into(),
        cose_payload(&list)?,
    ));
    out.push(("exposure_list", "two_entries".into(), list));
    let empty = exposure::build_list(&authority_pkcs8(), 1, 0, NOW, &[])?;
    out.push(("exposure_list", "empty".into(), empty));

    let batch = vec![sealed_item()?, sealed_item()?, {
        let mut bad = sealed_item()?;
        bad.idempotency_key = vec![4; 16];
        bad
    }];
    out.push((
        "ingest_body",
        "batch".into(),
        protocol::encode_request(&batch)?,
    ));
    out.push((
        "ingest_body",
        "empty".into(),
        protocol::encode_request(&[])?,
    ));
    Ok(out)
}
