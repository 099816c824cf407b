use std::path::Path;

use super::{Config, Secret, ServiceConfig};

#[cfg(not(feature = "keyring"))]
#[test]
fn a_keyring_entry_without_keyring_support_says_how_to_get_it() {
    let s = ServiceConfig {
        base_url: "https://x".into(),
        username: Some("7586".into()),
        password_keyring: Some("vigie-prod-core".into()),
        ..Default::default()
    };
    let e = s.resolve_secret().err().expect("refused");
    assert!(e.contains("--features keyring"), "{e}");
}

#[cfg(unix)]
#[test]
fn a_readable_file_holding_a_password_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("c.toml");
    let text = "[profiles.a.core]\nbase_url = \"https://x\"\npassword = \"inline-secret\"\n";
    std::fs::write(&p, text).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    let cfg = Config::load(&p).unwrap();
    let w = cfg.warnings(Some(&p));
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("chmod 600"));
    assert!(
        !w[0].contains("inline-secret"),
        "the warning never quotes the secret"
    );
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(cfg.warnings(Some(&p)).is_empty());
}

#[test]
fn example_config_parses_and_names_bad_keys() {
    let text = include_str!("../../config.example.toml");
    let cfg = Config::parse(text, None).expect("config.example.toml parses");
    assert!(cfg.profiles.contains_key("demo"));
    let bad = "[profiles.p.core]\nbase_url = \"http://x\"\npasword_env = \"X\"\n";
    let e = Config::parse(bad, Some(Path::new("c.toml"))).unwrap_err();
    let s = e.to_string();
    assert!(
        s.contains("c.toml") && s.contains("line 3") && s.contains("pasword_env"),
        "{s}"
    );
}

#[test]
fn check_finds_semantic_problems_without_secrets() {
    let text = r#"
default_profile = "nope"
[profiles.p.core]
base_url = "ftp://x"
username = "u"
password = "hunter2-secret"
password_env = "VIGIE_TEST_UNSET_VAR"
"#;
    let cfg = Config::parse(text, None).unwrap();
    let errs = cfg.check(None);
    let all: String = errs.iter().map(|e| e.to_string() + "\n").collect();
    assert!(all.contains("default_profile"), "{all}");
    assert!(all.contains("profiles.p.core.base_url"), "{all}");
    assert!(all.contains("only one of"), "{all}");
    assert!(all.contains("VIGIE_TEST_UNSET_VAR"), "{all}");
    assert!(!all.contains("hunter2"), "{all}");
    assert!(!format!("{cfg:?}").contains("hunter2"));
}

#[test]
fn password_command_is_read_not_echoed() {
    let s = ServiceConfig {
        base_url: "http://x".into(),
        username: Some("u".into()),
        password_command: Some("printf 's3cret\\n'".into()),
        ..Default::default()
    };
    match s.resolve_secret().unwrap() {
        Secret::Password(p) => assert_eq!(secrecy::ExposeSecret::expose_secret(&p), "s3cret"),
        _ => panic!("expected a password"),
    }
    let s = ServiceConfig {
        password_command: Some("echo leaked-secret; exit 3".into()),
        ..s
    };
    let e = s.resolve_secret().err().unwrap();
    assert!(!e.contains("leaked-secret"), "{e}");
}
