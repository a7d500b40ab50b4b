//! The authority's keys, one per purpose, stored as files in a keys folder.
//!
//! | file | key | where it is used |
//! |---|---|---|
//! | `root.pk8` | Ed25519, signs keyset updates ([`crate::trust`]) | offline: the CLI |
//! | `venue.pk8` | Ed25519, signs venue codes and the venue registry | offline: the CLI |
//! | `exposure.pk8` | Ed25519, signs exposure lists | online: `serve` |
//! | `device.pk8` | Ed25519, signs device certificates | online: `serve` |
//! | `sealing.key` | X25519, opens what citizens seal to the authority | online: `serve`, exports |
//! | `public.txt` | the public halves, as `name=hex` lines | what apps are configured with |
//!
//! Secret files are created with mode 0600 on Unix. `khaibao serve` loads [`OnlineKeys`]
//! only ([`OnlineKeys::load`] never opens `venue.pk8` or `root.pk8`), so a server folder
//! holds the online keys, `public.txt` and the published trust files, and stealing the
//! internet-facing machine gives no way to forge a poster or a keyset. The CLI loads
//! [`AuthorityKeys`] (every key but the root) to issue venue codes.
//!
//! `public.txt` lines: `kid=` and `signing_public=` (the venue key, under the names of the
//! first format), `sealing_public=`, `exposure_public=`, `device_public=`, and
//! `root_public=` once the root exists.
//!
//! A folder of the first format held one `signing.pk8` for every purpose;
//! [`migrate_legacy`] (run by `khaibao keygen`) keeps it as the venue key.

use khaibao_core::encoding::codec::{hex, unhex};
use khaibao_core::seal::SealingKey;
use khaibao_core::venue::keyset::{USAGE_DEVICE, USAGE_EXPOSURE, USAGE_VENUE};
use khaibao_core::venue::{TrustedKey, key_id};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The venue-signing key's file (secret, offline).
pub const VENUE_FILE: &str = "venue.pk8";
/// The exposure-list key's file (secret, online).
pub const EXPOSURE_FILE: &str = "exposure.pk8";
/// The device-certificate key's file (secret, online).
pub const DEVICE_FILE: &str = "device.pk8";
/// The sealing key's file (secret, online).
pub const SEALING_FILE: &str = "sealing.key";
/// The public halves.
pub const PUBLIC_FILE: &str = "public.txt";
/// The one signing key of a folder of the first format.
pub const LEGACY_SIGNING_FILE: &str = "signing.pk8";

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

/// What a signing key of the authority is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyPurpose {
    /// Venue codes and the venue registry (offline).
    Venue,
    /// Exposure lists (online).
    Exposure,
    /// Device certificates (online).
    Device,
}

impl KeyPurpose {
    /// Every purpose.
    pub const ALL: [Self; 3] = [Self::Venue, Self::Exposure, Self::Device];

    /// The key's file in a keys folder.
    pub const fn file(self) -> &'static str {
        match self {
            Self::Venue => VENUE_FILE,
            Self::Exposure => EXPOSURE_FILE,
            Self::Device => DEVICE_FILE,
        }
    }

    /// The keyset usage its entries carry.
    pub const fn usage(self) -> u32 {
        match self {
            Self::Venue => USAGE_VENUE,
            Self::Exposure => USAGE_EXPOSURE,
            Self::Device => USAGE_DEVICE,
        }
    }

    /// Its name on the command line: `venue`, `exposure` or `device`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Venue => "venue",
            Self::Exposure => "exposure",
            Self::Device => "device",
        }
    }

    /// Whether `serve` holds this key.
    pub const fn online(self) -> bool {
        !matches!(self, Self::Venue)
    }
}

impl std::str::FromStr for KeyPurpose {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| "expected venue, exposure or device".into())
    }
}

/// An Ed25519 signing key: its PKCS#8 document and public key.
#[derive(Clone)]
pub struct SigningKey {
    pkcs8: Vec<u8>,
    public: Vec<u8>,
}

impl SigningKey {
    /// A new random key.
    pub fn generate() -> Result<Self, KeyError> {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| KeyError::Invalid("new key"))?;
        Self::from_pkcs8(pkcs8.as_ref().to_vec(), "new key")
    }

    /// The key of a PKCS#8 document (`name` says which file, in errors).
    pub fn from_pkcs8(pkcs8: Vec<u8>, name: &'static str) -> Result<Self, KeyError> {
        let pair = Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|_| KeyError::Invalid(name))?;
        let public = pair.public_key().as_ref().to_vec();
        Ok(Self { pkcs8, public })
    }

    /// The key of `purpose` read from its file in `dir`.
    pub fn load(dir: &Path, purpose: KeyPurpose) -> Result<Self, KeyError> {
        let name = purpose.file();
        let pkcs8 = std::fs::read(dir.join(name)).map_err(|e| KeyError::Io(name, e))?;
        Self::from_pkcs8(pkcs8, name)
    }

    /// The PKCS#8 document.
    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The public half as apps trust it.
    pub fn trusted(&self) -> TrustedKey {
        TrustedKey {
            kid: key_id(&self.public),
            public_key: self.public.clone(),
        }
    }
}

/// The keys `khaibao serve` holds: the exposure-list and device-certificate signing keys
/// and the sealing key, with the venue key's public half (from `public.txt`) to publish.
pub struct OnlineKeys {
    exposure: SigningKey,
    device: SigningKey,
    sealing: SealingKey,
    venue_public: TrustedKey,
    /// The folder the keys were loaded from, where the server also finds the published
    /// trust files ([`crate::trust`]); `None` for keys made in memory.
    dir: Option<PathBuf>,
}

/// What apps are configured with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKeys {
    /// Venue codes and the venue registry.
    pub venue_key: TrustedKey,
    /// Exposure lists.
    pub exposure_key: TrustedKey,
    /// Device certificates.
    pub device_key: TrustedKey,
    pub sealing_public: Vec<u8>,
}

impl OnlineKeys {
    /// Reads the online keys from `dir`: `exposure.pk8`, `device.pk8`, `sealing.key` and
    /// the venue key's public half from `public.txt`. Never opens `venue.pk8` or
    /// `root.pk8`.
    pub fn load(dir: &Path) -> Result<Self, KeyError> {
        let sealing =
            std::fs::read(dir.join(SEALING_FILE)).map_err(|e| KeyError::Io(SEALING_FILE, e))?;
        let public = std::fs::read_to_string(dir.join(PUBLIC_FILE))
            .map_err(|e| KeyError::Io(PUBLIC_FILE, e))?;
        Ok(Self {
            exposure: SigningKey::load(dir, KeyPurpose::Exposure)?,
            device: SigningKey::load(dir, KeyPurpose::Device)?,
            sealing: SealingKey::from_bytes(&sealing)
                .map_err(|_| KeyError::Invalid(SEALING_FILE))?,
            venue_public: PublicKeys::parse(&public)?.venue_key,
            dir: Some(dir.to_path_buf()),
        })
    }

    /// The folder the keys were loaded from, if they were.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The exposure-list key's PKCS#8 bytes.
    pub fn exposure_pkcs8(&self) -> &[u8] {
        self.exposure.pkcs8()
    }

    /// The device-certificate key's PKCS#8 bytes.
    pub fn device_pkcs8(&self) -> &[u8] {
        self.device.pkcs8()
    }

    /// The sealing key.
    pub fn sealing(&self) -> &SealingKey {
        &self.sealing
    }

    /// The public halves.
    pub fn public(&self) -> PublicKeys {
        PublicKeys {
            venue_key: self.venue_public.clone(),
            exposure_key: self.exposure.trusted(),
            device_key: self.device.trusted(),
            sealing_public: self.sealing.public_key().to_vec(),
        }
    }
}

/// Every key of the authority but the root: the offline venue key and the online keys.
pub struct AuthorityKeys {
    venue: SigningKey,
    online: OnlineKeys,
}

impl AuthorityKeys {
    /// New random keys.
    pub fn generate() -> Result<Self, KeyError> {
        let sealing = SealingKey::generate().map_err(|_| KeyError::Invalid("sealing"))?;
        Ok(Self::from_parts(
            SigningKey::generate()?,
            SigningKey::generate()?,
            SigningKey::generate()?,
            sealing,
        ))
    }

    /// Keys from their secret bytes: each signing key's PKCS#8 (venue, exposure, device)
    /// and the 32 sealing bytes, as the files hold them.
    pub fn from_secrets(
        venue_pkcs8: Vec<u8>,
        exposure_pkcs8: Vec<u8>,
        device_pkcs8: Vec<u8>,
        sealing_secret: &[u8],
    ) -> Result<Self, KeyError> {
        let sealing =
            SealingKey::from_bytes(sealing_secret).map_err(|_| KeyError::Invalid(SEALING_FILE))?;
        Ok(Self::from_parts(
            SigningKey::from_pkcs8(venue_pkcs8, VENUE_FILE)?,
            SigningKey::from_pkcs8(exposure_pkcs8, EXPOSURE_FILE)?,
            SigningKey::from_pkcs8(device_pkcs8, DEVICE_FILE)?,
            sealing,
        ))
    }

    fn from_parts(
        venue: SigningKey,
        exposure: SigningKey,
        device: SigningKey,
        sealing: SealingKey,
    ) -> Self {
        let venue_public = venue.trusted();
        Self {
            venue,
            online: OnlineKeys {
                exposure,
                device,
                sealing,
                venue_public,
                dir: None,
            },
        }
    }

    /// Writes the keys and `public.txt` into `dir`, refusing to overwrite any key.
    pub fn save(&self, dir: &Path) -> Result<(), KeyError> {
        std::fs::create_dir_all(dir).map_err(|e| KeyError::Io("folder", e))?;
        let files = [
            VENUE_FILE,
            EXPOSURE_FILE,
            DEVICE_FILE,
            SEALING_FILE,
            LEGACY_SIGNING_FILE,
        ];
        if files.iter().any(|f| dir.join(f).exists()) {
            return Err(KeyError::Exists);
        }
        for (name, bytes) in [
            (VENUE_FILE, self.venue.pkcs8()),
            (EXPOSURE_FILE, self.online.exposure.pkcs8()),
            (DEVICE_FILE, self.online.device.pkcs8()),
            (SEALING_FILE, &self.online.sealing.to_bytes()[..]),
        ] {
            write_secret(&dir.join(name), bytes).map_err(|e| KeyError::Io(name, e))?;
        }
        write_public(dir, &self.public())
    }

    /// Reads every key but the root from `dir` (the CLI's offline work).
    pub fn load(dir: &Path) -> Result<Self, KeyError> {
        let venue = SigningKey::load(dir, KeyPurpose::Venue)?;
        let mut online = OnlineKeys::load(dir)?;
        // The file is the truth for the venue key; `public.txt` only repeats it.
        online.venue_public = venue.trusted();
        Ok(Self { venue, online })
    }

    /// The folder the keys were loaded from, if they were.
    pub fn dir(&self) -> Option<&Path> {
        self.online.dir()
    }

    /// The venue key's PKCS#8 bytes (venue codes and registries).
    pub fn venue_pkcs8(&self) -> &[u8] {
        self.venue.pkcs8()
    }

    /// The exposure-list key's PKCS#8 bytes.
    pub fn exposure_pkcs8(&self) -> &[u8] {
        self.online.exposure_pkcs8()
    }

    /// The device-certificate key's PKCS#8 bytes.
    pub fn device_pkcs8(&self) -> &[u8] {
        self.online.device_pkcs8()
    }

    /// The sealing key.
    pub fn sealing(&self) -> &SealingKey {
        self.online.sealing()
    }

    /// The online keys, as `serve` holds them.
    pub fn online(&self) -> &OnlineKeys {
        &self.online
    }

    /// The public halves.
    pub fn public(&self) -> PublicKeys {
        self.online.public()
    }
}

impl From<AuthorityKeys> for OnlineKeys {
    /// The online keys alone: the venue key is dropped.
    fn from(keys: AuthorityKeys) -> Self {
        keys.online
    }
}

impl PublicKeys {
    /// Parses the `public.txt` format.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let get = |name: &'static str, len: usize| {
            text.lines()
                .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
                .and_then(|v| unhex(v.trim(), len).ok())
                .ok_or(KeyError::Invalid(PUBLIC_FILE))
        };
        let trusted = |name: &'static str| {
            get(name, 32).map(|public_key| TrustedKey {
                kid: key_id(&public_key),
                public_key,
            })
        };
        let venue_public = get("signing_public", 32)?;
        if get("kid", khaibao_core::encoding::cose::KID_LEN)? != key_id(&venue_public) {
            return Err(KeyError::Invalid(PUBLIC_FILE));
        }
        Ok(Self {
            venue_key: TrustedKey {
                kid: key_id(&venue_public),
                public_key: venue_public,
            },
            exposure_key: trusted("exposure_public")?,
            device_key: trusted("device_public")?,
            sealing_public: get("sealing_public", 32)?,
        })
    }

    /// The `public.txt` text, with the root's line when given.
    pub fn text(&self, root_public: Option<&[u8]>) -> String {
        let mut text = format!(
            "kid={}\nsigning_public={}\nsealing_public={}\nexposure_public={}\ndevice_public={}\n",
            hex(&self.venue_key.kid),
            hex(&self.venue_key.public_key),
            hex(&self.sealing_public),
            hex(&self.exposure_key.public_key),
            hex(&self.device_key.public_key),
        );
        if let Some(root) = root_public {
            text.push_str("root_public=");
            text.push_str(&hex(root));
            text.push('\n');
        }
        text
    }
}

/// The root public key `public.txt` in `dir` names, if any.
pub fn listed_root(dir: &Path) -> Option<Vec<u8>> {
    let text = std::fs::read_to_string(dir.join(PUBLIC_FILE)).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("root_public="))
        .and_then(|v| unhex(v.trim(), 32).ok())
}

/// Rewrites `public.txt` in `dir` with `public`, keeping its root line.
pub fn write_public(dir: &Path, public: &PublicKeys) -> Result<(), KeyError> {
    let text = public.text(listed_root(dir).as_deref());
    replace_file(&dir.join(PUBLIC_FILE), text.as_bytes()).map_err(|e| KeyError::Io(PUBLIC_FILE, e))
}

/// Turns a folder of the first format (one `signing.pk8` for every purpose) into one of
/// this format: the old key becomes the venue key (posters already printed stay valid),
/// and the caller creates the missing online keys. `false` when there was nothing to do.
pub fn migrate_legacy(dir: &Path) -> Result<bool, KeyError> {
    let legacy = dir.join(LEGACY_SIGNING_FILE);
    if !legacy.exists() || dir.join(VENUE_FILE).exists() {
        return Ok(false);
    }
    std::fs::rename(&legacy, dir.join(VENUE_FILE)).map_err(|e| KeyError::Io(VENUE_FILE, e))?;
    Ok(true)
}

/// Creates whichever of the key files `dir` lacks (a fresh folder gets them all; a migrated
/// one its online keys) and rewrites `public.txt`. Returns the purposes of the signing keys
/// created and whether the sealing key was.
pub fn fill(dir: &Path) -> Result<(Vec<KeyPurpose>, bool), KeyError> {
    std::fs::create_dir_all(dir).map_err(|e| KeyError::Io("folder", e))?;
    let mut created = Vec::new();
    for purpose in KeyPurpose::ALL {
        let path = dir.join(purpose.file());
        if !path.exists() {
            write_secret(&path, SigningKey::generate()?.pkcs8())
                .map_err(|e| KeyError::Io(purpose.file(), e))?;
            created.push(purpose);
        }
    }
    let sealing = dir.join(SEALING_FILE);
    let sealing_created = !sealing.exists();
    if sealing_created {
        let key = SealingKey::generate().map_err(|_| KeyError::Invalid(SEALING_FILE))?;
        write_secret(&sealing, &key.to_bytes()).map_err(|e| KeyError::Io(SEALING_FILE, e))?;
    }
    if !created.is_empty() || sealing_created || !dir.join(PUBLIC_FILE).exists() {
        let venue = SigningKey::load(dir, KeyPurpose::Venue)?;
        let public = PublicKeys {
            venue_key: venue.trusted(),
            exposure_key: SigningKey::load(dir, KeyPurpose::Exposure)?.trusted(),
            device_key: SigningKey::load(dir, KeyPurpose::Device)?.trusted(),
            sealing_public: SealingKey::from_bytes(
                &std::fs::read(&sealing).map_err(|e| KeyError::Io(SEALING_FILE, e))?,
            )
            .map_err(|_| KeyError::Invalid(SEALING_FILE))?
            .public_key()
            .to_vec(),
        };
        write_public(dir, &public)?;
    }
    Ok((created, sealing_created))
}

/// Writes a new secret file (mode 0600 on Unix), refusing to replace one.
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

/// Writes `bytes` to `path` through a temporary file and a rename, so a reader never sees
/// half a file.
pub(crate) fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
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
        let text = std::fs::read_to_string(dir.path().join(PUBLIC_FILE)).unwrap();
        let public = PublicKeys::parse(&text).unwrap();
        assert_eq!(public, keys.public());
        // One key per purpose.
        let kids = [&public.venue_key, &public.exposure_key, &public.device_key].map(|k| &k.kid);
        assert!(kids[0] != kids[1] && kids[1] != kids[2] && kids[0] != kids[2]);
        assert!(matches!(keys.save(dir.path()), Err(KeyError::Exists)));
    }

    #[test]
    fn online_keys_load_without_the_offline_keys() {
        let (dir, keys) = saved_keys();
        std::fs::remove_file(dir.path().join(VENUE_FILE)).unwrap();
        let online = OnlineKeys::load(dir.path()).unwrap();
        assert_eq!(online.public(), keys.public());
        // The full set needs the venue key.
        assert!(matches!(
            AuthorityKeys::load(dir.path()),
            Err(KeyError::Io(VENUE_FILE, _))
        ));
    }

    #[test]
    fn a_first_format_folder_keeps_its_key_for_venues_and_gets_online_keys() {
        let dir = tempfile::tempdir().unwrap();
        let old = SigningKey::generate().unwrap();
        std::fs::write(dir.path().join(LEGACY_SIGNING_FILE), old.pkcs8()).unwrap();
        let sealing = SealingKey::generate().unwrap();
        std::fs::write(dir.path().join(SEALING_FILE), sealing.to_bytes()).unwrap();
        assert!(migrate_legacy(dir.path()).unwrap());
        assert!(!migrate_legacy(dir.path()).unwrap());
        let (created, sealing_created) = fill(dir.path()).unwrap();
        assert_eq!(created, vec![KeyPurpose::Exposure, KeyPurpose::Device]);
        assert!(!sealing_created);
        let keys = AuthorityKeys::load(dir.path()).unwrap();
        assert_eq!(keys.public().venue_key, old.trusted());
        assert_eq!(keys.public().sealing_public, sealing.public_key().to_vec());
        assert_ne!(keys.public().exposure_key, old.trusted());
        let (again, _) = fill(dir.path()).unwrap();
        assert!(again.is_empty());
    }

    #[test]
    fn purposes_parse_from_their_names() {
        for p in KeyPurpose::ALL {
            assert_eq!(p.name().parse::<KeyPurpose>().unwrap(), p);
        }
        assert!("root".parse::<KeyPurpose>().is_err());
        assert!(!KeyPurpose::Venue.online() && KeyPurpose::Exposure.online());
    }
}
