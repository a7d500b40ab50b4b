//! The authority's keys: an Ed25519 signing key for venue codes and an X25519 sealing key
//! that citizens' declarations are sealed to, stored as files in a keys folder.
//!
//! `signing.pk8` and `sealing.key` are secret (created with mode 0600 on Unix);
//! `public.txt` holds what apps are configured with: the signing key id, the signing public
//! key and the sealing public key, as `name=hex` lines.

use khaibao_core::encoding::codec::{hex, unhex};
use khaibao_core::seal::SealingKey;
use khaibao_core::venue::{TrustedKey, key_id};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Errors reading or writing keys.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("key file {0}: {1}")]
    Io(&'static str, std::io::Error),
    #[error("key file {0} is not valid")]
    Invalid(&'static str),
    #[error("keys already exist in that folder; refusing to overwrite them")]
    Exists,
}

/// The authority's key material.
pub struct AuthorityKeys {
    signing_pkcs8: Vec<u8>,
    signing_public: Vec<u8>,
    sealing: SealingKey,
    /// The folder the keys were loaded from, where the server also finds the published
    /// trust files ([`crate::trust`]); `None` for keys made in memory.
    dir: Option<PathBuf>,
}

/// What apps are configured with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeys {
    pub venue_key: TrustedKey,
    pub sealing_public: Vec<u8>,
}

impl AuthorityKeys {
    /// New random keys.
    pub fn generate() -> Result<Self, KeyError> {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| KeyError::Invalid("signing"))?;
        let sealing = SealingKey::generate().map_err(|_| KeyError::Invalid("sealing"))?;
        Self::from_parts(pkcs8.as_ref().to_vec(), sealing)
    }

    /// Keys from their secret bytes: the signing key's PKCS#8 and the 32 sealing bytes (as
    /// [`AuthorityKeys::load`] reads them from files).
    pub fn from_secrets(signing_pkcs8: Vec<u8>, sealing_secret: &[u8]) -> Result<Self, KeyError> {
        let sealing =
            SealingKey::from_bytes(sealing_secret).map_err(|_| KeyError::Invalid("sealing.key"))?;
        Self::from_parts(signing_pkcs8, sealing)
    }

    fn from_parts(signing_pkcs8: Vec<u8>, sealing: SealingKey) -> Result<Self, KeyError> {
        let pair = Ed25519KeyPair::from_pkcs8(&signing_pkcs8)
            .map_err(|_| KeyError::Invalid("signing.pk8"))?;
        let signing_public = pair.public_key().as_ref().to_vec();
        Ok(Self {
            signing_pkcs8,
            signing_public,
            sealing,
            dir: None,
        })
    }

    /// Writes the keys into `dir`, refusing to overwrite existing keys.
    pub fn save(&self, dir: &Path) -> Result<(), KeyError> {
        std::fs::create_dir_all(dir).map_err(|e| KeyError::Io("folder", e))?;
        if dir.join("signing.pk8").exists() || dir.join("sealing.key").exists() {
            return Err(KeyError::Exists);
        }
        write_secret(&dir.join("signing.pk8"), &self.signing_pkcs8)
            .map_err(|e| KeyError::Io("signing.pk8", e))?;
        write_secret(&dir.join("sealing.key"), &self.sealing.to_bytes())
            .map_err(|e| KeyError::Io("sealing.key", e))?;
        std::fs::write(dir.join("public.txt"), self.public_text())
            .map_err(|e| KeyError::Io("public.txt", e))?;
        Ok(())
    }

    /// Reads the keys from `dir`.
    pub fn load(dir: &Path) -> Result<Self, KeyError> {
        let pkcs8 =
            std::fs::read(dir.join("signing.pk8")).map_err(|e| KeyError::Io("signing.pk8", e))?;
        let sealing =
            std::fs::read(dir.join("sealing.key")).map_err(|e| KeyError::Io("sealing.key", e))?;
        let sealing =
            SealingKey::from_bytes(&sealing).map_err(|_| KeyError::Invalid("sealing.key"))?;
        let mut keys = Self::from_parts(pkcs8, sealing)?;
        keys.dir = Some(dir.to_path_buf());
        Ok(keys)
    }

    /// The folder the keys were loaded from, if they were.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The signing key's PKCS#8 bytes.
    pub fn signing_pkcs8(&self) -> &[u8] {
        &self.signing_pkcs8
    }

    /// The sealing key.
    pub fn sealing(&self) -> &SealingKey {
        &self.sealing
    }

    /// The public half.
    pub fn public(&self) -> PublicKeys {
        PublicKeys {
            venue_key: TrustedKey {
                kid: key_id(&self.signing_public),
                public_key: self.signing_public.clone(),
            },
            sealing_public: self.sealing.public_key().to_vec(),
        }
    }

    fn public_text(&self) -> String {
        let p = self.public();
        format!(
            "kid={}\nsigning_public={}\nsealing_public={}\n",
            hex(&p.venue_key.kid),
            hex(&p.venue_key.public_key),
            hex(&p.sealing_public)
        )
    }
}

impl PublicKeys {
    /// Parses the `public.txt` format.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let get = |name: &'static str, len: usize| {
            text.lines()
                .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
                .and_then(|v| unhex(v.trim(), len).ok())
                .ok_or(KeyError::Invalid("public.txt"))
        };
        Ok(Self {
            venue_key: TrustedKey {
                kid: get("kid", khaibao_core::encoding::cose::KID_LEN)?,
                public_key: get("signing_public", 32)?,
            },
            sealing_public: get("sealing_public", 32)?,
        })
    }
}

pub(crate) fn write_secret(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// New keys saved into a fresh temporary folder and loaded back from it (so they know
/// their folder), for tests; the folder lives as long as the returned guard.
#[cfg(test)]
pub(crate) fn saved_keys() -> (tempfile::TempDir, AuthorityKeys) {
    let dir = tempfile::tempdir().unwrap();
    AuthorityKeys::generate().unwrap().save(dir.path()).unwrap();
    let keys = AuthorityKeys::load(dir.path()).unwrap();
    (dir, keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_load_and_public_text_agree() {
        let (dir, keys) = saved_keys();
        assert_eq!(keys.dir(), Some(dir.path()));
        let text = std::fs::read_to_string(dir.path().join("public.txt")).unwrap();
        assert_eq!(PublicKeys::parse(&text).unwrap(), keys.public());
        assert!(matches!(keys.save(dir.path()), Err(KeyError::Exists)));
    }
}
