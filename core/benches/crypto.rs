//! Declaration crypto: signing with the device key, sealing to the authority, opening on
//! the authority, and the staff side's offline pass check.
//!
//! `cargo bench -p khaibao-core --bench crypto`

#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark code

use criterion::{Criterion, criterion_group, criterion_main};
use khaibao_core::declaration::status::HealthStatus;
use khaibao_core::declaration::{Declaration, Submission, Symptom};
use khaibao_core::pass::{self, PassInput};
use khaibao_core::seal::{self, DeviceKey, SealingKey};
use khaibao_core::venue::{TrustedKey, key_id};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::hint::black_box;

const NOW: i64 = 1_631_682_000;

fn payload() -> Vec<u8> {
    Submission {
        declaration: Declaration {
            full_name: "Nguyễn Thị Minh Khai".into(),
            birth_year: 1988,
            nationality: "VN".into(),
            phone: "+84912345678".into(),
            province: 1,
            street: "13 Lò Đúc".into(),
            symptoms: vec![Symptom::Cough],
            ..Declaration::default()
        },
        declared_at: NOW,
        venue_id: Some("00112233445566778899aabbccddeeff".into()),
    }
    .to_cbor()
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let device = DeviceKey::generate().unwrap();
    let authority_seal = SealingKey::generate().unwrap();
    let authority_pub = authority_seal.public_key();
    let body = payload();
    let idem = [7u8; 16];

    c.bench_function("sign declaration (COSE_Sign1, Ed25519)", |b| {
        b.iter(|| device.sign_cose(black_box(body.clone())).unwrap());
    });
    c.bench_function(
        "sign and seal declaration (Ed25519 + HPKE X25519/ChaCha20)",
        |b| {
            b.iter(|| {
                seal::sign_and_seal(&device, &authority_pub, black_box(body.clone()), &idem)
                    .unwrap()
            });
        },
    );
    let sealed = seal::sign_and_seal(&device, &authority_pub, body.clone(), &idem).unwrap();
    c.bench_function("open and verify declaration (authority)", |b| {
        b.iter(|| seal::open_and_verify(&authority_seal, black_box(&sealed), &idem).unwrap());
    });

    let authority = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    let pair = Ed25519KeyPair::from_pkcs8(authority.as_ref()).unwrap();
    let public_key = pair.public_key().as_ref().to_vec();
    let trusted = vec![TrustedKey {
        kid: key_id(&public_key),
        public_key,
    }];
    let cert = pass::certify_device(
        authority.as_ref(),
        &device.public_key(),
        NOW - 10,
        NOW + 86_400,
    )
    .unwrap();
    let input = PassInput {
        device: &device,
        certificate: &cert,
        status: HealthStatus::Green,
        declared_at: NOW,
        name: None,
        personal_data: &body,
        authority_sealing_key: &authority_pub,
        now: NOW,
        valid_seconds: pass::DEFAULT_PASS_SECONDS,
    };
    c.bench_function("make pass", |b| {
        b.iter(|| pass::make_pass(black_box(&input)).unwrap());
    });
    let text = pass::make_pass(&input).unwrap();
    c.bench_function("verify_pass (staff, offline)", |b| {
        b.iter(|| pass::verify_pass(black_box(&text), &trusted, NOW + 1).unwrap());
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
