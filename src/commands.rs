//! Row commands (`[commands.NAME]` in the config): a program run on the selected row, or on
//! each marked row, with the row's values in its arguments — `ssh {username}@{ip}`,
//! `ping -c 3 {ip}`. No shell ever sees them: the template is a list of arguments and a
//! placeholder fills part of one argument, never more. A value from the server loses its
//! control characters; one that would start an argument with `-` (an option, e.g. a device
//! named `-oProxyCommand=…`) is refused unless the template put a `--` before it; secrets
//! go in only when the command says `secrets = true`.

use serde_json::Value;

use crate::keys::Key;

pub use crate::config::{CommandConfig, OneOrMany};

impl OneOrMany {
    fn list(&self) -> Vec<String> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// A checked command, ready for the console.
#[derive(Debug, Clone, PartialEq)]
pub struct RowCommand {
    pub name: String,
    pub key: Option<Key>,
    /// List kinds (`assets/columns.toml` names).
    pub on: Vec<String>,
    pub run: Vec<String>,
    pub confirm: bool,
    pub wait: bool,
    pub marked: bool,
    pub secrets: bool,
}

/// The lists a command may name.
pub const KINDS: &[&str] = &[
    "equipements",
    "sites",
    "users",
    "roles",
    "individus",
    "maarch_users",
];

impl RowCommand {
    /// Checks a config entry: a program to run, lists it knows, a key that parses.
    pub fn from_config(name: &str, c: &CommandConfig) -> Result<RowCommand, String> {
        let at = format!("commands.{name}");
        if c.run.first().is_none_or(|p| p.trim().is_empty()) {
            return Err(format!("{at}.run: name the program to run"));
        }
        if c.run[0].contains('{') {
            return Err(format!(
                "{at}.run: the program itself cannot come from a record"
            ));
        }
        let on = c.on.list();
        if on.is_empty() {
            return Err(format!(
                "{at}.on: name the lists it applies to ({})",
                KINDS.join(", ")
            ));
        }
        for k in &on {
            if !KINDS.contains(&k.as_str()) {
                return Err(format!("{at}.on: no list '{k}' ({})", KINDS.join(", ")));
            }
        }
        let key = match &c.key {
            Some(k) => Some(Key::parse(k).map_err(|e| format!("{at}.key: {e}"))?),
            None => None,
        };
        Ok(RowCommand {
            name: name.to_string(),
            key,
            on,
            run: c.run.clone(),
            confirm: c.confirm,
            wait: c.wait,
            marked: c.marked,
            secrets: c.secrets,
        })
    }

    pub fn applies_to(&self, kind: &str) -> bool {
        self.on.iter().any(|k| k == kind)
    }

    /// The arguments for one record (as JSON), or why it cannot run on it.
    pub fn expand(&self, record: &Value) -> Result<Vec<String>, String> {
        let mut out = Vec::with_capacity(self.run.len());
        let mut options_end = false;
        for (i, template) in self.run.iter().enumerate() {
            let arg = self.fill(template, record)?;
            if i > 0 && !options_end && arg.starts_with('-') && !template.starts_with('-') {
                let shown: String = crate::text::sanitize(&arg).chars().take(24).collect();
                return Err(crate::i18n::trf(
                    "argument {} starts with '-' (read as an option): '{}…' refused",
                    &[&i, &shown],
                ));
            }
            if i > 0 && template == "--" {
                options_end = true;
            }
            out.push(arg);
        }
        Ok(out)
    }

    /// One argument with its placeholders filled (`{{` is a literal brace).
    fn fill(&self, template: &str, record: &Value) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            if let Some(tail) = after.strip_prefix('{') {
                out.push('{');
                rest = tail;
                continue;
            }
            let Some(end) = after.find('}') else {
                return Err(crate::i18n::trf(
                    "'{}' has an unclosed placeholder",
                    &[&template],
                ));
            };
            let name = after[..end].trim();
            if crate::text::is_secret_key(name) && !self.secrets {
                return Err(crate::i18n::trf(
                    "{} is a secret: the command needs secrets = true",
                    &[&format!("{{{name}}}")],
                ));
            }
            let Some(v) = lookup(record, name) else {
                return Err(crate::i18n::trf(
                    "the record has no {}",
                    &[&format!("{{{name}}}")],
                ));
            };
            out.push_str(&clean(&v));
            rest = &after[end + 1..];
        }
        out.push_str(rest.replace("}}", "}").as_str());
        Ok(out)
    }
}

/// The arguments as a POSIX shell would need them written (display only: nothing is run
/// through a shell), control characters made visible.
pub fn shown(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            let a = crate::text::sanitize(a);
            let plain = !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c));
            if plain {
                a.into_owned()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A record's value by name: a key (`ip`), a path (`client_site.name`), or the singular
/// of a list key (`source`: the first of `sources`); the equipement's `marque`/`modele`
/// answer to `brand`/`model` too.
fn lookup(record: &Value, name: &str) -> Option<String> {
    let alias = match name {
        "brand" => "marque",
        "model" => "modele",
        "site" => "client_site.name",
        other => other,
    };
    let mut v = record;
    for part in alias.split('.') {
        v = match v.get(part) {
            Some(x) => x,
            None => {
                let plural = v.get(format!("{part}s"))?;
                plural.as_array()?.first()?
            }
        };
    }
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Array(a) => a.first().and_then(|x| x.as_str()).map(str::to_string),
        _ => None,
    }
}

/// A server's value as an argument: control characters (C0, C1, bidi overrides) dropped.
fn clean(s: &str) -> String {
    s.chars().filter(|c| !crate::text::is_unsafe(*c)).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{CommandConfig, OneOrMany, RowCommand};

    fn cmd(run: &[&str], secrets: bool) -> RowCommand {
        RowCommand {
            name: "t".into(),
            key: None,
            on: vec!["equipements".into()],
            run: run.iter().map(|s| s.to_string()).collect(),
            confirm: false,
            wait: false,
            marked: false,
            secrets,
        }
    }

    #[test]
    fn placeholders_fill_whole_arguments_and_never_split_them() {
        let r = json!({"ip": "10.0.0.1", "port": 554, "username": "ad min; rm -rf /",
            "sources": ["rtsp://a b", "x"], "client_site": {"name": "LOUM"}});
        let c = cmd(
            &[
                "ssh",
                "{username}@{ip}",
                "-p",
                "{port}",
                "{source}",
                "{site}",
            ],
            false,
        );
        assert_eq!(
            c.expand(&r).unwrap(),
            vec![
                "ssh",
                "ad min; rm -rf /@10.0.0.1",
                "-p",
                "554",
                "rtsp://a b",
                "LOUM"
            ]
        );
    }

    #[test]
    fn a_value_starting_with_a_dash_is_refused_unless_after_double_dash() {
        let r = json!({"ip": "-oProxyCommand=touch /tmp/x", "username": "-x"});
        assert!(cmd(&["ssh", "{ip}"], false).expand(&r).is_err());
        assert!(cmd(&["ssh", "{username}@h"], false).expand(&r).is_err());
        assert_eq!(
            cmd(&["ping", "--", "{ip}"], false).expand(&r).unwrap()[2],
            "-oProxyCommand=touch /tmp/x"
        );
        // An option the template writes itself is the administrator's.
        assert!(cmd(&["ping", "-c", "3"], false).expand(&r).is_ok());
    }

    #[test]
    fn secrets_need_the_command_to_say_so_and_controls_are_dropped() {
        let r = json!({"ip": "1.2.3.4\u{1b}[2J\u{202e}", "password": "pw"});
        assert!(cmd(&["x", "{password}"], false).expand(&r).is_err());
        assert_eq!(cmd(&["x", "{password}"], true).expand(&r).unwrap()[1], "pw");
        assert_eq!(
            cmd(&["x", "{ip}"], false).expand(&r).unwrap()[1],
            "1.2.3.4[2J"
        );
        assert!(cmd(&["x", "{nothing}"], false).expand(&r).is_err());
        assert_eq!(cmd(&["x", "{{ip}}"], false).expand(&r).unwrap()[1], "{ip}");
    }

    #[test]
    fn the_config_is_checked() {
        let c = |run: Vec<&str>, on: &str| CommandConfig {
            run: run.into_iter().map(String::from).collect(),
            on: OneOrMany::One(on.into()),
            ..Default::default()
        };
        assert!(RowCommand::from_config("a", &c(vec![], "equipements")).is_err());
        assert!(RowCommand::from_config("a", &c(vec!["{ip}"], "equipements")).is_err());
        assert!(RowCommand::from_config("a", &c(vec!["ping"], "cameras")).is_err());
        assert!(RowCommand::from_config("a", &c(vec!["ping", "{ip}"], "equipements")).is_ok());
    }
}
