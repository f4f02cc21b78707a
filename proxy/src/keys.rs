//! The master key: 32 random bytes, written as 64 hex characters, given to the proxy (and
//! its command line) in a file (`--master-key-file`) or the environment
//! (`PINGPONG_QR_MASTER_KEY`). It never seals anything itself: [`crate::seal`] derives the
//! sealing key from it with HKDF-SHA256.
//!
//! With no key given, the key file beside the database (`{database}.key`) is used if it
//! exists; demo mode creates it (mode 0600) on its first start and says so. There is no
//! default key.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretBox};

use crate::util::random_bytes;

/// The environment variable that may hold the master key (hex).
pub const MASTER_KEY_ENV: &str = "PINGPONG_QR_MASTER_KEY";

/// The master key. No `Debug` of its bytes, no `Display`; zeroed when dropped.
pub struct MasterKey(SecretBox<[u8; 32]>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl MasterKey {
    /// Reads 64 hex characters (surrounding whitespace ignored). The error never holds the
    /// text.
    pub fn from_hex(text: &str) -> Result<MasterKey, String> {
        let mut bytes = Box::new([0u8; 32]);
        hex::decode_to_slice(text.trim(), bytes.as_mut_slice()).map_err(|_| {
            "a master key is 64 hex characters (32 bytes), e.g. from `openssl rand -hex 32`"
                .to_owned()
        })?;
        if bytes.iter().all(|b| *b == 0) {
            return Err("an all-zero master key is refused: generate a random one".into());
        }
        Ok(MasterKey(SecretBox::new(bytes)))
    }

    /// A new random key.
    pub fn generate() -> MasterKey {
        MasterKey(SecretBox::new(Box::new(random_bytes::<32>())))
    }

    /// The key's bytes, to derive keys from.
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        self.0.expose_secret()
    }

    /// Reads a key file: its first line is the key in hex.
    pub fn read_file(path: &Path) -> Result<MasterKey, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the master key file {}: {e}", path.display()))?;
        MasterKey::from_hex(text.lines().next().unwrap_or(""))
            .map_err(|e| format!("the master key file {}: {e}", path.display()))
    }

    /// Writes a new key file readable by its owner only; refuses to replace a file.
    pub fn write_file(&self, path: &Path) -> Result<(), String> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options
            .open(path)
            .map_err(|e| format!("cannot create the key file {}: {e}", path.display()))?;
        let text = zeroize::Zeroizing::new(hex::encode(self.bytes()));
        file.write_all(text.as_bytes())
            .and_then(|()| file.write_all(b"\n"))
            .and_then(|()| file.sync_all())
            .map_err(|e| format!("cannot write the key file {}: {e}", path.display()))
    }
}

/// The key file kept beside `database` when no key is given: `{database}.key`.
pub fn beside(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".key");
    PathBuf::from(name)
}

/// Where a master key was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// `--master-key-file`.
    File(PathBuf),
    /// `PINGPONG_QR_MASTER_KEY`.
    Environment,
    /// The key file beside the database (made by demo mode).
    Beside(PathBuf),
    /// Just created beside the database (demo mode's first start).
    Created(PathBuf),
}

impl std::fmt::Display for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::File(p) => write!(f, "the key file {}", p.display()),
            KeySource::Environment => write!(f, "{MASTER_KEY_ENV}"),
            KeySource::Beside(p) => write!(f, "the key file beside the database, {}", p.display()),
            KeySource::Created(p) => write!(f, "a new random key written to {}", p.display()),
        }
    }
}

/// How the master key is given.
#[derive(Clone, Debug, Default)]
pub enum KeyChoice {
    /// Not given: use the key file beside the database if there is one.
    #[default]
    Unset,
    /// A key file.
    File(PathBuf),
    /// The key itself (from the environment).
    Key(Arc<MasterKey>),
}

impl KeyChoice {
    /// The key and where it came from; `None` when none is given and there is no key file
    /// beside `database` (then one is created if `create` is set).
    pub fn resolve(
        &self,
        database: &Path,
        create: bool,
    ) -> Result<Option<(Arc<MasterKey>, KeySource)>, String> {
        match self {
            KeyChoice::File(path) => MasterKey::read_file(path)
                .map(|k| Some((Arc::new(k), KeySource::File(path.clone())))),
            KeyChoice::Key(key) => Ok(Some((key.clone(), KeySource::Environment))),
            KeyChoice::Unset => {
                let path = beside(database);
                if path.exists() {
                    return MasterKey::read_file(&path)
                        .map(|k| Some((Arc::new(k), KeySource::Beside(path))));
                }
                if !create {
                    return Ok(None);
                }
                let key = MasterKey::generate();
                key.write_file(&path)?;
                Ok(Some((Arc::new(key), KeySource::Created(path))))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_hex_and_refuses_the_rest() {
        let hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        assert_eq!(
            MasterKey::from_hex(&format!(" {hex}\n")).unwrap().bytes()[1],
            0x11
        );
        for bad in [
            "",
            "00",
            &hex[..62],
            &format!("{hex}00"),
            &hex.replace('a', "g"),
        ] {
            let e = MasterKey::from_hex(bad).unwrap_err();
            assert!(!e.contains(hex), "{e}");
        }
        assert!(
            MasterKey::from_hex(&"0".repeat(64))
                .unwrap_err()
                .contains("all-zero")
        );
        assert!(!format!("{:?}", MasterKey::from_hex(hex).unwrap()).contains("0011"));
    }

    #[test]
    fn a_key_file_is_created_once_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("j.sqlite");
        assert!(KeyChoice::Unset.resolve(&db, false).unwrap().is_none());
        let (key, source) = KeyChoice::Unset.resolve(&db, true).unwrap().unwrap();
        assert_eq!(source, KeySource::Created(dir.path().join("j.sqlite.key")));
        let (again, source) = KeyChoice::Unset.resolve(&db, true).unwrap().unwrap();
        assert_eq!(source, KeySource::Beside(dir.path().join("j.sqlite.key")));
        assert_eq!(key.bytes(), again.bytes());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(beside(&db)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(key.write_file(&beside(&db)).is_err(), "never replaced");
        assert_ne!(MasterKey::generate().bytes(), key.bytes());
    }
}
