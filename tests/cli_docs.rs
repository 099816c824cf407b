//! `vigie completions` and `vigie man`: the real binary prints what packagers install.

use std::process::Command;

fn vigie(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(args)
        .output()
        .expect("run vigie");
    assert!(
        out.status.success(),
        "vigie {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
#[cfg_attr(not(feature = "server"), ignore = "names the server's subcommands")]
fn bash_completions_name_the_subcommands() {
    let script = vigie(&["completions", "bash"]);
    assert!(script.contains("_vigie()"), "{script}");
    for sub in ["serve", "demo", "list", "completions"] {
        assert!(script.contains(sub), "{sub} missing from\n{script}");
    }
}

#[test]
#[cfg_attr(not(feature = "server"), ignore = "names the server's subcommands")]
fn zsh_completions_are_a_compdef() {
    let script = vigie(&["completions", "zsh"]);
    assert!(script.starts_with("#compdef vigie"), "{script}");
    assert!(script.contains("serve"), "{script}");
}

#[test]
#[cfg_attr(not(feature = "server"), ignore = "names the server's subcommands")]
fn man_page_is_roff() {
    let page = vigie(&["man"]);
    // clap_mangen opens with the groff quote-string setup, then the title header.
    let header = page
        .lines()
        .find(|l| !l.starts_with(".ie ") && !l.starts_with(".el "))
        .unwrap_or_default();
    assert!(header.starts_with(".TH vigie 1"), "{page}");
    assert!(page.contains("demo"), "{page}");
}

/// Packages install `vigie.1` alone: the page names no other page of vigie's (no
/// `vigie-list(1)`), holds every command with its options, and says what the environment
/// and the files are, with examples.
#[test]
fn man_page_holds_every_command_and_names_no_page_not_installed() {
    use clap::CommandFactory;
    let page = vigie(&["man"]);
    let plain = page.replace("\\-", "-");
    for section in ["COMMANDS", "ENVIRONMENT", "FILES", "EXAMPLES"] {
        assert!(
            page.lines().any(|l| l == format!(".SH {section}")),
            "no {section} section in\n{page}"
        );
    }
    // Every `name(N)` it cites, outside its own title line.
    let mut cited = Vec::new();
    for line in plain.lines().filter(|l| !l.starts_with(".TH ")) {
        let b = line.as_bytes();
        for (i, _) in line.match_indices('(') {
            let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 || b.get(i + 1 + digits) != Some(&b')') {
                continue;
            }
            let start = line[..i]
                .rfind(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
                .map_or(0, |j| j + 1);
            if start == i {
                continue;
            }
            cited.push(line[start..=i + digits + 1].to_string());
        }
    }
    assert!(
        cited.iter().all(|c| c == "vigie(1)"),
        "pages not installed: {cited:?}"
    );
    for sub in vigie::cli::Cli::command()
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
    {
        let heading = format!(".SS \"vigie {}\"", sub.get_name());
        assert!(plain.contains(&heading), "{heading} missing from\n{page}");
    }
    assert!(
        plain.contains("--show-secrets"),
        "a command's own options: {page}"
    );
    for said in [
        "VIGIE_CONFIG",
        "VIGIE_PROFILE",
        "VIGIE_PASSWORD",
        "VIGIE_LOG",
        "password_env",
        "token_env",
        "EDITOR",
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "XDG_STATE_HOME",
        "XDG_CACHE_HOME",
        "vigie/config.toml",
        "journal/",
        "drafts/",
        "views.json",
        "tokens/",
    ] {
        assert!(plain.contains(said), "{said} not in\n{page}");
    }
}

/// `vigie serve --help` lists the server's options only (not the console's `--url`,
/// `--user`, `--read-only`, `--lang`, `--config`, `--profile`), every `--like` reading, and
/// the three APIs it serves; the console's options given anyway are refused. `vigie demo`
/// leaves out where to connect; `vigie list -o` says what it is.
#[test]
#[cfg_attr(not(feature = "server"), ignore = "the server's subcommands")]
fn serve_help_says_the_servers_options_and_every_reading() {
    use clap::ValueEnum;
    let console = [
        "--url",
        "--user",
        "--read-only",
        "--lang",
        "--config",
        "--profile",
    ];
    for flag in ["--help", "-h"] {
        let help = vigie(&["serve", flag]);
        for o in console {
            assert!(!help.contains(o), "{o} in\n{help}");
        }
        assert!(help.contains("core, Ocean and Maarch APIs"), "{help}");
        for like in vigie::server::Like::value_variants() {
            let name = like.to_possible_value().unwrap().get_name().to_string();
            assert!(help.contains(&name), "--like {name} missing from\n{help}");
        }
        let help = vigie(&["demo", flag]);
        for o in ["--url", "--user", "--config", "--profile"] {
            assert!(!help.contains(o), "{o} in\n{help}");
        }
        assert!(
            help.contains("--read-only") && help.contains("--lang"),
            "{help}"
        );
        let help = vigie(&["list", flag]);
        let output = help
            .lines()
            .skip_while(|l| !l.contains("--output <OUTPUT>"))
            .take(2)
            .collect::<String>();
        assert!(output.contains("Output format"), "{help}");
    }
    let home = tempfile::tempdir().unwrap();
    for args in [
        &[
            "serve",
            "--url",
            "http://127.0.0.1:9",
            "--listen",
            "127.0.0.1:0",
        ][..],
        &["serve", "--read-only", "--listen", "127.0.0.1:0"],
        &["--lang", "fr", "serve", "--listen", "127.0.0.1:0"],
        &["demo", "--user", "admin"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
            .args(args)
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .output()
            .expect("run vigie");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}: {stderr}");
        let given = args.iter().find(|a| console.contains(a)).unwrap();
        assert!(
            stderr.contains(&format!("takes no {given}")),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn an_unknown_shell_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["completions", "tcsh"])
        .output()
        .expect("run vigie");
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
}

#[test]
fn keys_prints_the_active_keymap() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "[keys]\nnew = \"a\"\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["--config", cfg.to_str().unwrap(), "--lang", "en", "keys"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let new = text
        .lines()
        .find(|l| l.starts_with("new "))
        .expect("a line for new");
    let cols: Vec<&str> = new.split_whitespace().collect();
    assert_eq!(&cols[..3], ["new", "a", "n"], "{new}");
    assert!(text.contains("delete"), "{text}");
    std::fs::write(&cfg, "[keys]\nnew = \"ab\"\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["--config", cfg.to_str().unwrap(), "keys"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("keys.new"));
}

#[test]
fn keys_lists_the_row_commands_and_refuses_a_key_already_used() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    let run = |text: &str| {
        std::fs::write(&cfg, text).unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_vigie"))
            .args(["--config", cfg.to_str().unwrap(), "--lang", "en", "keys"])
            .output()
            .unwrap()
    };
    let out = run(
        "[commands.ssh]\nkey = \"ctrl-t\"\non = \"equipements\"\nrun = [\"ssh\", \"{username}@{ip}\"]\n",
    );
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with(":run ssh"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains("Ctrl-T") && line.contains("ssh {username}@{ip}"),
        "{line}"
    );
    let out = run("[commands.x]\nkey = \"d\"\non = \"equipements\"\nrun = [\"true\"]\n");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("commands.x.key") && err.contains("delete"),
        "{err}"
    );
}
