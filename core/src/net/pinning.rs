//! Optional SPKI pinning of the authority's TLS certificate.
//!
//! The certificate chain is first verified as usual (platform roots, or the extra roots the
//! app configures for a private authority CA); then the SHA-256 of the **server's own
//! certificate** (the leaf, whose key signs the TLS handshake) SubjectPublicKeyInfo must
//! equal one of the pins. Pinning the key rather than the certificate survives certificate
//! renewal with the same key; apps ship a backup pin for key rotation.
//!
//! Only the leaf counts. The other certificates a server presents are unauthenticated
//! extras: an earlier version accepted a pin matching *any* of them, so an attacker with a
//! mis-issued certificate for the authority's name passed by appending the (public) pinned
//! certificate to its chain. Intermediates and roots cannot be pinned: the platform
//! verifier does not say which path it built, and a path built here could differ from it.

use crate::error::{FormatError, NetError};
use crate::{Error, Result};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::sync::Arc;

/// SHA-256 of the DER SubjectPublicKeyInfo of a DER certificate: the value to pin.
pub fn spki_sha256(certificate_der: &[u8]) -> Result<[u8; 32]> {
    let der = CertificateDer::from(certificate_der);
    let cert = webpki::EndEntityCert::try_from(&der)
        .map_err(|_| FormatError::InvalidField("certificate"))?;
    let digest = ring::digest::digest(
        &ring::digest::SHA256,
        cert.subject_public_key_info().as_ref(),
    );
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    Ok(out)
}

/// Normal verification, then the pin check.
#[derive(Debug)]
struct PinnedVerifier {
    inner: Arc<dyn ServerCertVerifier>,
    pins: Vec<[u8; 32]>,
}

impl ServerCertVerifier for PinnedVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        let verified = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )?;
        // The leaf only: `intermediates` are whatever the server chose to send.
        let pinned = spki_sha256(end_entity.as_ref()).is_ok_and(|h| self.pins.contains(&h));
        if pinned {
            Ok(verified)
        } else {
            Err(rustls::Error::General("server key is not pinned".into()))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// A rustls client configuration (ring provider) that verifies against the bundled roots
/// plus `extra_roots` when `bundled` (always on Android), else against `extra_roots` when
/// given, else the platform's roots; and, when `pins` is not empty, requires a pinned key.
pub(crate) fn client_config(
    pins: &[Vec<u8>],
    extra_roots: &[Vec<u8>],
    bundled: bool,
) -> Result<rustls::ClientConfig> {
    let provider = Arc::new(crate::net::tls_provider::provider());
    let pins = pins
        .iter()
        .map(|p| {
            <[u8; 32]>::try_from(p.as_slice())
                .map_err(|_| Error::Format(FormatError::InvalidField("spki pin")))
        })
        .collect::<Result<Vec<_>>>()?;
    let bundled = bundled || cfg!(target_os = "android");
    let base: Arc<dyn ServerCertVerifier> = if extra_roots.is_empty() && !bundled {
        Arc::new(
            rustls_platform_verifier::Verifier::new(provider.clone())
                .map_err(|_| NetError::Network("tls setup".into()))?,
        )
    } else {
        let mut roots = rustls::RootCertStore::empty();
        if bundled {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        for der in extra_roots {
            roots
                .add(CertificateDer::from(der.clone()))
                .map_err(|_| FormatError::InvalidField("root certificate"))?;
        }
        rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            provider.clone(),
        )
        .build()
        .map_err(|_| FormatError::InvalidField("root certificate"))?
    };
    let verifier: Arc<dyn ServerCertVerifier> = if pins.is_empty() {
        base
    } else {
        Arc::new(PinnedVerifier { inner: base, pins })
    };
    Ok(
        rustls::ClientConfig::builder_with_provider(provider as Arc<CryptoProvider>)
            .with_safe_default_protocol_versions()
            .map_err(|_| NetError::Network("tls setup".into()))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth(),
    )
}
