//! Configuration: one TOML file, one profile per deployment, secrets from the environment or a
//! command (never stored in memory longer than needed, never printed).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::Deserialize;

pub const APP: &str = "vigie";

/// Where vigie keeps its files; `XDG_CONFIG_HOME`/`XDG_DATA_HOME` move them.
pub fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", APP)
}

pub fn default_config_path() -> Option<PathBuf> {
    project_dirs().map(|d| d.config_dir().join("config.toml"))
}

pub fn data_dir() -> PathBuf {
    project_dirs()
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| std::env::temp_dir().join(APP))
}

/// What can be thrown away and made again (`$XDG_CACHE_HOME/vigie`): kept tokens, the
/// last answers shown at start.
pub fn cache_dir() -> PathBuf {
    project_dirs()
        .map(|d| d.cache_dir().to_path_buf())
        .unwrap_or_else(|| std::env::temp_dir().join(APP).join("cache"))
}

/// Where the console keeps how the administrator arranged it (columns, saved views):
/// `$XDG_STATE_HOME/vigie` on Linux, the data directory elsewhere.
pub fn state_dir() -> PathBuf {
    project_dirs()
        .and_then(|d| d.state_dir().map(|p| p.to_path_buf()))
        .unwrap_or_else(data_dir)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Profile used when `--profile` is not given.
    pub default_profile: Option<String>,
    /// `fr` or `en` (default: from LC_ALL / LC_MESSAGES / LANG).
    pub lang: Option<crate::i18n::Lang>,
    /// `dark` (default), `light` or `mono`; `NO_COLOR` always means mono.
    pub theme: Option<ThemeName>,
    /// Mouse on from the start (`m` toggles it; off keeps the terminal's text selection).
    #[serde(default)]
    pub mouse: bool,
    /// Keys: `new = "a"` for the lists, `[keys.detail] edit = "E"` for another screen
    /// (`vigie keys` lists the actions).
    #[serde(default)]
    pub keys: BTreeMap<String, KeyEntry>,
    /// Palette aliases: `cam = "equipements /camera"` (a palette command, then a filter).
    #[serde(default)]
    pub aliases: BTreeMap<String, String>,
    /// Seconds between two reads of a watched list (`W`; 10 by default, 2 at least).
    pub watch_secs: Option<u64>,
    /// Row commands: `[commands.ssh] key = "S", on = "equipements", run = ["ssh", "{ip}"]`.
    #[serde(default)]
    pub commands: BTreeMap<String, CommandConfig>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// A `[keys]` entry: a list action's key, or a screen's table of them.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum KeyEntry {
    Key(String),
    Screen(BTreeMap<String, String>),
}

impl Config {
    /// The `[keys]` bindings by name: `new`, `detail.edit`…
    pub fn key_bindings(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (name, entry) in &self.keys {
            match entry {
                KeyEntry::Key(k) => {
                    out.insert(name.clone(), k.clone());
                }
                KeyEntry::Screen(m) => {
                    for (action, k) in m {
                        out.insert(format!("{name}.{action}"), k.clone());
                    }
                }
            }
        }
        out
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Refuse every create/edit/delete (production).
    #[serde(default)]
    pub read_only: bool,
    /// A production deployment: the status bar says so in red, and saves are reviewed
    /// before they are sent unless `confirm_saves = false`.
    #[serde(default)]
    pub production: bool,
    /// Tints the status bar (`red`, `yellow`, `#005f87`…); production is red unless set.
    pub color: Option<String>,
    /// Show what an edit will send (field: old → new) and ask before sending it (default:
    /// `production`).
    pub confirm_saves: Option<bool>,
    /// Whole-request timeout, seconds: every attempt and retry of a request, its body
    /// included, ends within it.
    pub timeout_secs: Option<u64>,
    /// Most an answer holds in memory at once, in MB (256 by default): a whole answer's
    /// body, or the row of a list decoded as it streams (such a list is bounded by
    /// `max_rows`, not by its bytes).
    pub max_body_mb: Option<u64>,
    /// Most rows a list walk keeps (2,000,000 by default).
    pub max_rows: Option<usize>,
    /// Most pages a list walk asks for (50,000 by default).
    pub max_pages: Option<u32>,
    pub connect_timeout_secs: Option<u64>,
    /// Extra attempts of a read after a network error, 429 or 5xx (writes are never retried).
    pub retries: Option<u32>,
    /// Extra PEM roots for on-premise certificates.
    pub ca_file: Option<PathBuf>,
    /// Accept any certificate (shown in red for the whole session).
    #[serde(default)]
    pub danger_accept_invalid_certs: bool,
    /// Ask for compressed answers (default: yes, but not from a server on this machine).
    pub compress: Option<bool>,
    /// The networks `P` and `vigie probe` may open TCP connections to (`10.13.0.0/16`, a
    /// single address…). Empty by default: nothing is probed until they are named.
    #[serde(default)]
    pub probe_networks: Vec<String>,
    /// Connections a probe run opens at once (16 by default).
    pub probe_concurrency: Option<usize>,
    /// How long a probe waits for a device, milliseconds (1,000 by default).
    pub probe_timeout_ms: Option<u64>,
    pub core: Option<ServiceConfig>,
    pub ocean: Option<ServiceConfig>,
    pub maarch: Option<ServiceConfig>,
}

#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    pub base_url: String,
    /// Login: email or matricule for core, login for Ocean and Maarch.
    pub username: Option<String>,
    /// Name of an environment variable holding the password.
    pub password_env: Option<String>,
    /// A command printing the password on its standard output (e.g. `pass show vigie/core`).
    pub password_command: Option<String>,
    /// The OS keyring entry (service name; the account is `username`) holding the password.
    /// Needs a vigie built with `--features keyring`.
    pub password_keyring: Option<String>,
    /// Name of an environment variable holding a ready token.
    pub token_env: Option<String>,
    /// A password written in the file itself: discouraged, warned about when others can read it.
    pub password: Option<String>,
    /// Ocean: customer id, required for multi-client accounts.
    pub customer_id: Option<i64>,
    /// Maarch: `basic` (HTTP Basic on each request, users of mode `rest`) or `token`.
    pub auth: Option<MaarchAuthMode>,
    /// Core: clients that have no site yet (site forms offer the ones seen on sites too).
    #[serde(default)]
    pub clients: Vec<ClientEntry>,
}

impl fmt::Debug for ServiceConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceConfig")
            .field("base_url", &self.base_url)
            .field("username", &self.username)
            .field("password_env", &self.password_env)
            .field(
                "password_command",
                &self.password_command.as_ref().map(|_| "<set>"),
            )
            .field("password_keyring", &self.password_keyring)
            .field("token_env", &self.token_env)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("customer_id", &self.customer_id)
            .field("auth", &self.auth)
            .finish()
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ClientEntry {
    pub client_id: String,
    pub nom: String,
    pub code: Option<i64>,
}

/// A configuration problem, located precisely.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    pub file: Option<PathBuf>,
    pub key: String,
    pub why: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.key.is_empty()) {
            (Some(p), false) => write!(f, "{}: {}: {}", p.display(), self.key, self.why),
            (Some(p), true) => write!(f, "{}: {}", p.display(), self.why),
            (None, false) => write!(f, "{}: {}", self.key, self.why),
            (None, true) => f.write_str(&self.why),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Parses a config text; errors name the key and line.
    pub fn parse(text: &str, file: Option<&Path>) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            let msg = e.message().trim().to_string();
            ConfigError {
                file: file.map(Path::to_path_buf),
                key: line.map(|l| format!("line {l}")).unwrap_or_default(),
                why: msg,
            }
        })
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: Some(path.to_path_buf()),
            key: String::new(),
            why: format!("cannot read: {e}"),
        })?;
        Config::parse(&text, Some(path))
    }

    /// Semantic checks of every profile (what parsing alone cannot see).
    pub fn check(&self, file: Option<&Path>) -> Vec<ConfigError> {
        let mut out = Vec::new();
        let err = |key: String, why: String| ConfigError {
            file: file.map(Path::to_path_buf),
            key,
            why,
        };
        if let Some(d) = &self.default_profile
            && !self.profiles.contains_key(d)
        {
            out.push(err(
                "default_profile".into(),
                format!("names profile '{d}', which is not defined"),
            ));
        }
        for (name, p) in &self.profiles {
            let base = format!("profiles.{name}");
            if p.core.is_none() && p.ocean.is_none() && p.maarch.is_none() {
                out.push(err(
                    base.clone(),
                    "declares no service (core, ocean or maarch)".into(),
                ));
            }
            if let Some(ca) = &p.ca_file
                && !ca.is_file()
            {
                out.push(err(
                    format!("{base}.ca_file"),
                    format!("{} does not exist", ca.display()),
                ));
            }
            if p.timeout_secs == Some(0) {
                out.push(err(
                    format!("{base}.timeout_secs"),
                    "must be at least 1".into(),
                ));
            }
            for (svc, s) in [
                ("core", &p.core),
                ("ocean", &p.ocean),
                ("maarch", &p.maarch),
            ] {
                let Some(s) = s else { continue };
                let key = format!("{base}.{svc}");
                match reqwest::Url::parse(&s.base_url) {
                    Ok(u) if matches!(u.scheme(), "http" | "https") => {
                        if !u.username().is_empty() || u.password().is_some() {
                            out.push(err(
                                format!("{key}.base_url"),
                                "must not carry credentials: use username and password_env".into(),
                            ));
                        }
                    }
                    Ok(u) => out.push(err(
                        format!("{key}.base_url"),
                        format!("scheme '{}' is not http or https", u.scheme()),
                    )),
                    Err(e) => out.push(err(format!("{key}.base_url"), format!("not a URL: {e}"))),
                }
                let sources = [
                    s.password_env.is_some(),
                    s.password_command.is_some(),
                    s.password_keyring.is_some(),
                    s.token_env.is_some(),
                    s.password.is_some(),
                ]
                .iter()
                .filter(|b| **b)
                .count();
                if sources > 1 {
                    out.push(err(
                        key.clone(),
                        "give only one of password_env, password_command, password_keyring, token_env, password"
                            .into(),
                    ));
                }
                if s.token_env.is_none() && sources > 0 && s.username.is_none() {
                    out.push(err(
                        format!("{key}.username"),
                        "is required with a password".into(),
                    ));
                }
                if let Some(v) = &s.password_env
                    && std::env::var_os(v).is_none()
                {
                    out.push(err(
                        format!("{key}.password_env"),
                        format!("environment variable {v} is not set"),
                    ));
                }
                if let Some(v) = &s.token_env
                    && std::env::var_os(v).is_none()
                {
                    out.push(err(
                        format!("{key}.token_env"),
                        format!("environment variable {v} is not set"),
                    ));
                }
            }
        }
        out
    }

    /// Warnings that do not stop anything (a secret in a file others can read).
    pub fn warnings(&self, file: Option<&Path>) -> Vec<String> {
        let mut out = Vec::new();
        let has_inline = self.profiles.values().any(|p| {
            [&p.core, &p.ocean, &p.maarch]
                .iter()
                .any(|s| s.as_ref().is_some_and(|s| s.password.is_some()))
        });
        if has_inline
            && let Some(path) = file
            && readable_by_others(path)
        {
            out.push(format!(
                "{} holds a password and can be read by other users: chmod 600 it, or use password_env / password_command",
                path.display()
            ));
        }
        for (name, p) in &self.profiles {
            if p.danger_accept_invalid_certs {
                out.push(format!(
                    "profile {name} accepts invalid TLS certificates: anyone on the network path can read its traffic"
                ));
            }
        }
        out
    }

    pub fn profile(&self, name: Option<&str>) -> Result<(String, Profile), ConfigError> {
        let name = name
            .map(str::to_string)
            .or_else(|| self.default_profile.clone())
            .or_else(|| {
                (self.profiles.len() == 1)
                    .then(|| self.profiles.keys().next().cloned())
                    .flatten()
            });
        let Some(name) = name else {
            return Err(ConfigError {
                file: None,
                key: "--profile".into(),
                why: format!(
                    "no profile chosen and no default_profile set (defined: {})",
                    self.profile_names()
                ),
            });
        };
        match self.profiles.get(&name) {
            Some(p) => Ok((name, p.clone())),
            None => Err(ConfigError {
                file: None,
                key: "--profile".into(),
                why: format!(
                    "no profile named '{name}' (defined: {})",
                    self.profile_names()
                ),
            }),
        }
    }

    fn profile_names(&self) -> String {
        if self.profiles.is_empty() {
            "none".into()
        } else {
            self.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
        }
    }
}

#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o044 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn readable_by_others(_: &Path) -> bool {
    false
}

/// Where a service's secret comes from, resolved.
pub enum Secret {
    Password(SecretString),
    Token(SecretString),
    None,
}

impl ServiceConfig {
    /// Whether the section names a secret to log in with (else only a prompt could).
    pub fn names_a_secret(&self) -> bool {
        self.token_env.is_some()
            || self.password_env.is_some()
            || self.password_command.is_some()
            || self.password_keyring.is_some()
            || self.password.is_some()
    }

    /// Reads the secret from the environment, the command, or the file. The command's output
    /// is never echoed, even when it fails.
    pub fn resolve_secret(&self) -> Result<Secret, String> {
        if let Some(v) = &self.token_env {
            return std::env::var(v)
                .map(|t| Secret::Token(SecretString::from(t.trim().to_string())))
                .map_err(|_| format!("environment variable {v} (token_env) is not set"));
        }
        if let Some(v) = &self.password_env {
            return std::env::var(v)
                .map(|p| Secret::Password(SecretString::from(p)))
                .map_err(|_| format!("environment variable {v} (password_env) is not set"));
        }
        if let Some(cmd) = &self.password_command {
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(cmd)
                .stdin(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .output()
                .map_err(|e| format!("password_command could not run: {e}"))?;
            if !out.status.success() {
                return Err(format!("password_command failed ({})", out.status));
            }
            let text = String::from_utf8(out.stdout)
                .map_err(|_| "password_command printed something that is not UTF-8".to_string())?;
            let first = text.lines().next().unwrap_or("").to_string();
            if first.is_empty() {
                return Err("password_command printed nothing".into());
            }
            return Ok(Secret::Password(SecretString::from(first)));
        }
        if let Some(service) = &self.password_keyring {
            return keyring_password(service, self.username.as_deref().unwrap_or_default());
        }
        if let Some(p) = &self.password {
            return Ok(Secret::Password(SecretString::from(p.clone())));
        }
        Ok(Secret::None)
    }
}

#[cfg(feature = "keyring")]
fn keyring_password(service: &str, user: &str) -> Result<Secret, String> {
    keyring::Entry::new(service, user)
        .and_then(|e| e.get_password())
        .map(|p| Secret::Password(SecretString::from(p)))
        .map_err(|e| format!("keyring entry {service}/{user}: {e}"))
}

#[cfg(not(feature = "keyring"))]
fn keyring_password(service: &str, _user: &str) -> Result<Secret, String> {
    Err(format!(
        "password_keyring = {service:?} needs a vigie built with `--features keyring`; \
         use password_env or password_command instead"
    ))
}

/// A command as written in the config.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandConfig {
    /// The key that runs it on a list (`vigie keys` shows which are free).
    pub key: Option<String>,
    /// The lists it applies to: `equipements`, `sites`, `users`, `roles`, `individus`,
    /// `maarch_users` (one name or a list).
    #[serde(default)]
    pub on: OneOrMany,
    /// The program and its arguments, `{field}` placeholders inside.
    pub run: Vec<String>,
    /// Ask before running it (the arguments shown).
    #[serde(default)]
    pub confirm: bool,
    /// Keep its output on screen until a key is pressed.
    #[serde(default)]
    pub wait: bool,
    /// Once per marked row (else on the selected row).
    #[serde(default)]
    pub marked: bool,
    /// `{password}` and other secrets may be put in its arguments.
    #[serde(default)]
    pub secrets: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ThemeName {
    #[default]
    Dark,
    Light,
    /// No colour at all (also chosen by `NO_COLOR`).
    Mono,
}

/// How requests are authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MaarchAuthMode {
    /// HTTP Basic on every request (users of mode `rest`).
    #[default]
    Basic,
    /// `POST /rest/authenticate`, then Bearer tokens renewed with the refresh token.
    Token,
}

#[cfg(test)]
mod tests;
