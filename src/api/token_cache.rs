//! The core service's access token kept between runs (`vigie list` in a loop, the console's
//! next start): one argon2 login less per run. One file per profile, server and user, in the
//! cache dir, readable by its owner only (0600, the directory 0700); the token is used only
//! while it has more than a minute to live, dropped when the server refuses it, and never
//! logged or printed. Only the access token is kept (no refresh token, no password).
//!
//! Beside it, the last sites list this user was sent (no secret in it): `vigie list --site
//! NAME` finds the site's id there instead of reading the whole list again, and the console
//! shows it at once, with its age, while it asks for the list.

use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::model::SiteSummary;

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

    /// In the cache dir (`tokens/` and `sites/`).
    pub fn in_cache_dir(profile: &str, base_url: &str) -> Self {
        Self::new(crate::config::cache_dir(), profile, base_url)
    }

    fn path(&self, username: &str) -> PathBuf {
        self.dir.join("tokens").join(self.file_name(username))
    }

    fn sites_path(&self, username: &str) -> PathBuf {
        self.dir.join("sites").join(self.file_name(username))
    }

    fn file_name(&self, username: &str) -> String {
        // FNV-1a: stable across builds (the name only has to be the same next run; the file
        // says whom it is for, checked on reading).
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.scope.bytes().chain([0]).chain(username.bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}.json")
    }

    /// The kept token for `username`, when it is theirs and has more than a minute to live.
    pub fn load(&self, username: &str) -> Option<SecretString> {
        let text = read_private(&self.path(username), MAX_FILE)?;
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
        let _ = crate::files::write_private(&self.path(username), text.as_bytes());
    }

    /// The last sites list kept for `username`, and how long ago it was read.
    pub fn load_sites(&self, username: &str) -> Option<(Vec<SiteSummary>, std::time::Duration)> {
        let text = read_private(&self.sites_path(username), MAX_SITES_FILE)?;
        let kept: KeptSites = serde_json::from_str(&text).ok()?;
        if kept.scope != self.scope || kept.username != username {
            return None;
        }
        // A clock set back: the list is of unknown age, not from the future.
        let age = u64::try_from(chrono::Utc::now().timestamp() - kept.saved_at).ok()?;
        Some((kept.sites, std::time::Duration::from_secs(age)))
    }

    /// Keeps the sites list just read (a list past `MAX_SITES` rows is not kept).
    pub fn store_sites(&self, username: &str, sites: &[SiteSummary]) {
        if sites.len() > MAX_SITES {
            return;
        }
        let kept = KeptSitesRef {
            scope: &self.scope,
            username,
            saved_at: chrono::Utc::now().timestamp(),
            sites,
        };
        if let Ok(text) = serde_json::to_string(&kept) {
            let _ = crate::files::write_private(&self.sites_path(username), text.as_bytes());
        }
    }

    /// Drops the kept sites list (it named a site the server no longer has as it was).
    pub fn forget_sites(&self, username: &str) {
        let _ = std::fs::remove_file(self.sites_path(username));
    }

    /// Drops the kept token (refused by the server, or expired).
    pub fn forget(&self, username: &str) {
        let _ = std::fs::remove_file(self.path(username));
    }
}

/// Sites kept at most (a list bigger than this is read from the server each time).
const MAX_SITES: usize = 100_000;
const MAX_SITES_FILE: u64 = 64 << 20;

#[derive(Deserialize)]
struct KeptSites {
    scope: String,
    username: String,
    saved_at: i64,
    sites: Vec<SiteSummary>,
}

#[derive(Serialize)]
struct KeptSitesRef<'a> {
    scope: &'a str,
    username: &'a str,
    saved_at: i64,
    sites: &'a [SiteSummary],
}

/// A file of ours that only we can read, within `max` bytes.
fn read_private(path: &std::path::Path, max: u64) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > max || !owner_only(&meta) {
        return None;
    }
    std::fs::read_to_string(path).ok()
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

#[cfg(test)]
mod tests {
    use secrecy::{ExposeSecret, SecretString};

    use super::TokenCache;
    use crate::api::model::SiteSummary;

    fn jwt_exp(secs_from_now: i64) -> i64 {
        chrono::Utc::now().timestamp() + secs_from_now
    }

    #[test]
    fn a_kept_token_is_used_only_by_its_user_and_while_it_lives() {
        let dir = tempfile::tempdir().unwrap();
        let c = TokenCache::new(dir.path().to_path_buf(), "prod", "https://core/");
        c.store("admin", &SecretString::from("tok-1"), Some(jwt_exp(3600)));
        assert_eq!(c.load("admin").unwrap().expose_secret(), "tok-1");
        assert!(c.load("other").is_none(), "another user's token");
        let other_server = TokenCache::new(dir.path().to_path_buf(), "prod", "https://core2");
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

    #[test]
    fn the_sites_list_is_kept_per_user_with_its_age() {
        let dir = tempfile::tempdir().unwrap();
        let c = TokenCache::new(dir.path().to_path_buf(), "prod", "https://core");
        assert!(c.load_sites("admin").is_none());
        let sites = vec![SiteSummary {
            site_id: "s1".into(),
            name: "LOUM".into(),
            equipement_count: 3,
            ..Default::default()
        }];
        c.store_sites("admin", &sites);
        let (back, age) = c.load_sites("admin").unwrap();
        assert_eq!(back, sites);
        assert!(age.as_secs() < 5);
        assert!(c.load_sites("other").is_none());
        c.forget_sites("admin");
        assert!(c.load_sites("admin").is_none());
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private_and_a_readable_one_is_not_trusted() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let c = TokenCache::new(dir.path().to_path_buf(), "prod", "https://core");
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
