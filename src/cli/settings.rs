//! `vigie keys` and `vigie config`: the active key table, the config file checked and where it is looked for.

use crate::cli::ConfigCmd;
use crate::cli::Global;
use crate::config;
use crate::config::Config;
use crate::config::ServiceConfig;
use std::path::PathBuf;
use std::process::ExitCode;

/// `vigie keys`: every action, its key now, and its default.
pub(super) fn keys_cmd(g: &Global) -> Result<ExitCode, String> {
    let (_, cfg) = load_config(g)?;
    let map = crate::app::keymap::KeyMap::from_config(&cfg.key_bindings())?;
    let mut out = map.listing();
    let commands = map.row_commands(&cfg.commands)?;
    if !commands.is_empty() {
        out.push_str("\nROW COMMAND              KEY      ON       RUNS\n");
        for c in &commands {
            let key = c.key.map(|k| k.label()).unwrap_or_else(|| "-".into());
            out.push_str(&format!(
                "{:<24} {key:<8} {:<8} {}{}\n",
                format!(":run {}", c.name),
                c.on.join(","),
                c.run.join(" "),
                if c.marked { "  (each marked row)" } else { "" }
            ));
        }
    }
    out.push_str(
        "\nRemap in the config file: [keys] new = \"a\" for the lists, [keys.detail] edit = \"E\" \
         for another screen (forms: f2… or a ctrl- key the fields do not edit with). Fixed keys: Enter open, Esc back, \
         Tab / 1-5 tabs, arrows move, Ctrl-C quit.\n",
    );
    use std::io::Write as _;
    std::io::stdout()
        .write_all(out.as_bytes())
        .map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn config_path(g: &Global) -> Option<PathBuf> {
    g.config.clone().or_else(config::default_config_path)
}

/// The config file, if one is named or exists at the default place.
pub fn load_config(g: &Global) -> Result<(Option<PathBuf>, Config), String> {
    match &g.config {
        Some(p) => Config::load(p)
            .map(|c| (Some(p.clone()), c))
            .map_err(|e| e.to_string()),
        None => match config::default_config_path() {
            Some(p) if p.is_file() => Config::load(&p)
                .map(|c| (Some(p), c))
                .map_err(|e| e.to_string()),
            _ => Ok((None, Config::default())),
        },
    }
}

pub(super) fn config_cmd(g: &Global, c: ConfigCmd) -> Result<ExitCode, String> {
    match c {
        ConfigCmd::Path => {
            match config_path(g) {
                Some(p) => println!("{}", p.display()),
                None => println!("(no config directory on this system)"),
            }
            Ok(ExitCode::SUCCESS)
        }
        ConfigCmd::Check => {
            let Some(path) = config_path(g) else {
                return Err("no config directory on this system: pass --config".into());
            };
            if g.config.is_none() && !path.is_file() {
                return Err(format!(
                    "{}: no config file (copy config.example.toml there, or pass --config)",
                    path.display()
                ));
            }
            let cfg = Config::load(&path).map_err(|e| e.to_string())?;
            for w in cfg.warnings(Some(&path)) {
                println!("warning: {w}");
            }
            let mut errors = cfg.check(Some(&path));
            if let Err(why) = crate::app::keymap::KeyMap::from_config(&cfg.key_bindings()) {
                errors.insert(
                    0,
                    crate::config::ConfigError {
                        file: Some(path.clone()),
                        key: String::new(),
                        why,
                    },
                );
            }
            for (name, p) in &cfg.profiles {
                let mut services = Vec::new();
                for (svc, s) in [
                    ("core", &p.core),
                    ("ocean", &p.ocean),
                    ("maarch", &p.maarch),
                ] {
                    if let Some(s) = s {
                        services.push(format!("{svc} {} ({})", s.base_url, secret_source(s)));
                    }
                }
                let ro = if p.read_only { " [read-only]" } else { "" };
                let def = if cfg.default_profile.as_deref() == Some(name) {
                    " (default)"
                } else {
                    ""
                };
                println!("profile {name}{def}{ro}: {}", services.join("; "));
            }
            if errors.is_empty() {
                println!("{}: OK", path.display());
                Ok(ExitCode::SUCCESS)
            } else {
                for e in &errors {
                    println!("error: {e}");
                }
                Ok(ExitCode::FAILURE)
            }
        }
    }
}

/// Where a secret comes from, without the secret.
pub(super) fn secret_source(s: &ServiceConfig) -> String {
    let user = s
        .username
        .as_deref()
        .map(|u| format!("user {u}, "))
        .unwrap_or_default();
    let src = if let Some(v) = &s.token_env {
        format!("token from env {v}")
    } else if let Some(v) = &s.password_env {
        let set = if std::env::var_os(v).is_some() {
            "set"
        } else {
            "NOT SET"
        };
        format!("password from env {v}: {set}")
    } else if s.password_command.is_some() {
        "password from password_command".into()
    } else if let Some(k) = &s.password_keyring {
        format!("password from the OS keyring entry {k}")
    } else if s.password.is_some() {
        "password written in the file".into()
    } else {
        "no secret: asked at login".into()
    };
    format!("{user}{src}")
}
