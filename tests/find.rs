//! `vigie find` over real HTTP: two reference servers as two profiles (and a third whose
//! server is stopped), all on loopback.

mod common;

use vigie::api::model::NewSite;
use vigie::server::seed::BICEC_ID;

fn find(config: &std::path::Path, home: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(["--config", config.to_str().unwrap(), "find"])
        .args(args)
        .env("VIGIE_TEST_PASSWORD", "admin-demo")
        .env("XDG_DATA_HOME", home)
        .env("XDG_CACHE_HOME", home)
        .env("XDG_STATE_HOME", home)
        .output()
        .unwrap()
}

/// One profile's part of `vigie find -o json`'s answer.
fn profile_in(v: &serde_json::Value, profile: &str) -> serde_json::Value {
    v.as_array()
        .unwrap()
        .iter()
        .find(|x| x["profile"] == profile)
        .unwrap_or_else(|| panic!("no {profile} in {v}"))
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_lookup_finds_an_ip_on_two_profiles_a_site_on_one_and_names_the_one_down() {
    let bank = common::start().await;
    let port = common::start().await;
    let gone = common::start().await;
    let gone_url = gone.url();
    let _kept = gone.stop().await;
    // A site only the bank has.
    bank.admin()
        .create_site(&NewSite {
            client_id: BICEC_ID.into(),
            name: "QUAI DES BRUMES".into(),
            longitude: 9.7,
            latitude: 4.05,
            description: "entrepôt".into(),
        })
        .await
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("vigie.toml");
    let profile = |name: &str, url: &str| {
        format!(
            "[profiles.{name}]\ntimeout_secs = 5\n[profiles.{name}.core]\nbase_url = \"{url}\"\n\
             username = \"admin@vigie.local\"\npassword_env = \"VIGIE_TEST_PASSWORD\"\n"
        )
    };
    std::fs::write(
        &config,
        profile("bank", &bank.url()) + &profile("port", &port.url()) + &profile("gone", &gone_url),
    )
    .unwrap();

    // The same seed on both: an equipement's address is found on each; the stopped one is
    // named with its error, the others still answer.
    let out = find(&config, home.path(), &["10.1.0.1", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let of = |p: &str| profile_in(&v, p);
    for p in ["bank", "port"] {
        let found = of(p)["found"].as_array().unwrap().clone();
        assert!(
            found.iter().any(|h| h["kind"] == "equipement"
                && h["label"].as_str().unwrap().contains("10.1.0.1")
                && h["exact"] == true),
            "{p}: {found:?}"
        );
        // The kind is its own column: the label does not say it again.
        assert!(
            found.iter().all(|h| !h["label"]
                .as_str()
                .unwrap()
                .starts_with(h["kind"].as_str().unwrap())),
            "{p}: {found:?}"
        );
        // Text inside a cell: 10.1.0.1 is not 10.11.0.1.
        assert!(
            found
                .iter()
                .all(|h| h["label"].as_str().unwrap().contains("10.1.0.1")),
            "{p}: {found:?}"
        );
    }
    assert!(of("gone")["error"].as_str().is_some(), "{v}");

    // A site only one deployment has, accents and case aside.
    let out = find(
        &config,
        home.path(),
        &["quai des brumes", "--profile", "bank,port"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("bank:\n  site") && text.contains("QUAI DES BRUMES"),
        "{text}"
    );
    assert!(text.contains("port: nothing found"), "{text}");
    assert!(
        !text.contains("gone"),
        "--profile limits the search: {text}"
    );

    // Nothing anywhere: exit 1.
    let out = find(&config, home.path(), &["zzqqxx", "--profile", "bank"]);
    assert_eq!(out.status.code(), Some(1));
}

/// A server's text is text on every output of `vigie find`: a site named with terminal
/// escapes reaches no terminal, spreadsheet or JSON reader as a control.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_names_are_neutralised_in_every_format() {
    let srv = common::start().await;
    let hostile = "QUAI \u{1b}]2;owned\u{7}\u{1b}[2J=cmd|' /C calc'!A0 \u{202e}EVIL";
    srv.admin()
        .create_site(&NewSite {
            client_id: BICEC_ID.into(),
            name: hostile.into(),
            longitude: 9.7,
            latitude: 4.05,
            description: "x".into(),
        })
        .await
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("vigie.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.bank.core]\nbase_url = \"{}\"\nusername = \"admin@vigie.local\"\n\
             password_env = \"VIGIE_TEST_PASSWORD\"\n",
            srv.url()
        ),
    )
    .unwrap();
    for format in ["table", "csv", "json"] {
        let out = find(&config, home.path(), &["quai", "-o", format]);
        assert_eq!(out.status.code(), Some(0), "{format}: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("QUAI"), "{format}: {text}");
        for bad in ['\u{1b}', '\u{7}', '\u{202e}'] {
            assert!(!text.contains(bad), "{format}: {bad:?} in {text:?}");
        }
    }
}

/// A search matching more than 500 records of a profile lists 500 and counts the rest: a
/// lookup over a big fleet never holds, nor prints, every device.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_lists_at_most_500_records_and_counts_the_rest() {
    let big = common::start_with(|c| c.seed_size = 700).await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("vigie.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.big.core]\nbase_url = \"{}\"\nusername = \"admin@vigie.local\"\n\
             password_env = \"VIGIE_TEST_PASSWORD\"\n",
            big.url()
        ),
    )
    .unwrap();
    let out = find(&config, home.path(), &["10.", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = v[0]["found"].as_array().unwrap();
    let more = v[0]["more"].as_u64().unwrap();
    assert_eq!(found.len(), 500);
    assert!(more >= 200, "700 devices match: {more} more");
    let out = find(&config, home.path(), &["10."]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("… {more} more not listed: narrow the search")),
        "{text}"
    );
}

/// A profile that names no password can be logged in by a prompt only, which a lookup never
/// shows: its refusal says why and how to log in, and the other profiles still answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_without_a_password_says_how_to_log_in() {
    let server = common::start().await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("vigie.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.ok.core]\nbase_url = \"{0}\"\nusername = \"admin@vigie.local\"\n\
             password_env = \"VIGIE_TEST_PASSWORD\"\n\
             [profiles.asks.core]\nbase_url = \"{0}\"\nusername = \"admin@vigie.local\"\n",
            server.url()
        ),
    )
    .unwrap();
    let out = find(&config, home.path(), &["loum", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let of = |p: &str| profile_in(&v, p);
    let why = of("asks")["error"].as_str().unwrap_or_default().to_string();
    assert!(
        why.contains("names no password") && why.contains(":profile asks"),
        "{why}"
    );
    assert!(!of("ok")["found"].as_array().unwrap().is_empty());
}
