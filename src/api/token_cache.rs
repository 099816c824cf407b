//! The core service's access token kept between runs (`vigie list` in a loop, the console's
//! next start): one argon2 login less per run. One file per profile, server and user, in the
//! cache dir, readable by its owner only (0600, the directory 0700); the token is used only
//! while it has more than a minute to live, dropped when the server refuses it, and never
//! logged or printed. Only the access token is kept (no refresh token, no password).

use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// A token with less than this left is not used (renewing beats a 401 half way through).
const MARGIN_SECS: i64 = 60;

/// Largest file read back (a token is a few hundred bytes).
const MAX_FILE: u64 = 64 * 1024;

#[derive(Debug, Clone)]
pub struct TokenCache {
    dir: PathBuf,
    /// What the token is for besides the user: the profile and the server's address.
    scope: String,
}

#[derive(Serialize, Deserialize)]
struct Kept {
    scope: String,
    username: String,
    access_token: String,
    exp: i64,
}

impl TokenCache {
    pub fn new(dir: PathBuf, profile: &str, base_url: &str) -> Self {
        TokenCache {
            dir,
            scope: format!("{profile}\n{}", base_url.trim_end_matches('/')),
        }
    }

    /// The cache dir's `tokens` folder.
    pub fn in_cache_dir(profile: &str, base_url: &str) -> Self {
        Self::new(crate::config::cache_dir().join("tokens"), profile, base_url)
    }

    fn path(&self, username: &str) -> PathBuf {
        // FNV-1a: stable across builds (the name only has to be the same next run; the file
        // says whom it is for, checked on reading).
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.scope.bytes().chain([0]).chain(username.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.dir.join(format!("{h:016x}.json"))
    }

    /// The kept token for `username`, when it is theirs and has more than a minute to live.
    pub fn load(&self, username: &str) -> Option<SecretString> {
        let path = self.path(username);
        let meta = std::fs::metadata(&path).ok()?;
        if !meta.is_file() || meta.len() > MAX_FILE || !owner_only(&meta) {
            return None;
        }
        let text = std::fs::read_to_string(&path).ok()?;
        let kept: Kept = serde_json::from_str(&text).ok()?;
        if kept.scope != self.scope || kept.username != username {
            return None;
        }
        if kept.exp - chrono::Utc::now().timestamp() <= MARGIN_SECS {
            self.forget(username);
            return None;
        }
        Some(SecretString::from(kept.access_token))
    }

    /// Keeps `token` (with its expiry) for `username`; a token without one is not kept.
    /// Written to a new file renamed over the old one, created 0600.
    pub fn store(&self, username: &str, token: &SecretString, exp: Option<i64>) {
        let Some(exp) = exp else {
            return;
        };
        let kept = Kept {
            scope: self.scope.clone(),
            username: username.to_string(),
            access_token: token.expose_secret().to_string(),
            exp,
        };
        let Ok(text) = serde_json::to_string(&kept) else {
            return;
        };
        // Failing to keep a token only costs a login next time: nothing is said.
        let _ = self.write(username, text.as_bytes());
    }

    fn write(&self, username: &str, bytes: &[u8]) -> std::io::Result<()> {
        use std::io::Write;
        create_private_dir(&self.dir)?;
        let path = self.path(username);
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let mut f = private_file(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, &path).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    }

    /// Drops the kept token (refused by the server, or expired).
    pub fn forget(&self, username: &str) {
        let _ = std::fs::remove_file(self.path(username));
    }
}

#[cfg(unix)]
fn owner_only(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    // Someone else's file, or one others can read, is not trusted (nor used).
    meta.mode() & 0o077 == 0 && meta.uid() == euid()
}

#[cfg(unix)]
fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

#[cfg(not(unix))]
fn owner_only(_: &std::fs::Metadata) -> bool {
    true
}

#[cfg(unix)]
fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

#[cfg(not(unix))]
fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn private_file(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt_exp(secs_from_now: i64) -> i64 {
        chrono::Utc::now().timestamp() + secs_from_now
    }

    #[test]
    fn a_kept_token_is_used_only_by_its_user_and_while_it_lives() {
        let dir = tempfile::tempdir().unwrap();
        let c = TokenCache::new(dir.path().join("tokens"), "prod", "https://core/");
        c.store("admin", &SecretString::from("tok-1"), Some(jwt_exp(3600)));
        assert_eq!(c.load("admin").unwrap().expose_secret(), "tok-1");
        assert!(c.load("other").is_none(), "another user's token");
        let other_server = TokenCache::new(dir.path().join("tokens"), "prod", "https://core2");
        assert!(
            other_server.load("admin").is_none(),
            "another server's token"
        );
        // Nearly expired: not used, and dropped.
        c.store("admin", &SecretString::from("tok-2"), Some(jwt_exp(30)));
        assert!(c.load("admin").is_none());
        assert!(!c.path("admin").exists());
        c.store("admin", &SecretString::from("tok-3"), Some(jwt_exp(3600)));
        c.forget("admin");
        assert!(c.load("admin").is_none());
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private_and_a_readable_one_is_not_trusted() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let c = TokenCache::new(dir.path().join("tokens"), "prod", "https://core");
        c.store("admin", &SecretString::from("tok"), Some(jwt_exp(3600)));
        let path = c.path("admin");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let dmode = std::fs::metadata(dir.path().join("tokens"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(dmode & 0o777, 0o700);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(
            c.load("admin").is_none(),
            "a file others can read is not used"
        );
    }
}
