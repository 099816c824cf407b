//! `vigie list`: the library entry point and the real binary, against the reference server.

mod common;

use std::process::Stdio;

use serde_json::Value;
use vigie::list::{ListArgs, Output, Resource};
use vigie::server::seed::{LOUM_CAMERA_ID, LOUM_EQUIPEMENTS, LOUM_ID};
use vigie::worker::Clients;

fn loum_equipements(output: Output, show_secrets: bool) -> ListArgs {
    ListArgs {
        resource: Resource::Equipements,
        site: Some("LOUM".into()),
        output,
        show_secrets,
    }
}

fn core_only(client: &vigie::api::core::CoreClient) -> Clients {
    Clients {
        core: Some(client.clone()),
        ..Default::default()
    }
}

async fn list(client: &vigie::api::core::CoreClient, args: &ListArgs) -> String {
    let mut buf = Vec::new();
    vigie::list::run(&core_only(client), args, &mut buf)
        .await
        .expect("vigie list");
    String::from_utf8(buf).expect("utf-8 output")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_site_equipements_as_table_and_json() {
    let srv = common::start().await;
    let admin = srv.admin();

    // LOUM's five devices, its entrance camera first.
    let table = list(&admin, &loum_equipements(Output::Table, false)).await;
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 1 + LOUM_EQUIPEMENTS, "{table}");
    assert!(lines[0].starts_with("IP"), "{table}");
    assert!(lines[1].starts_with("10.100.0.11"), "{table}");
    assert!(lines[1].contains("LOUM"), "{table}");
    assert!(lines[1].contains(LOUM_CAMERA_ID), "{table}");
    assert!(!table.contains("Lm-4c7e-011"), "{table}");

    let json = list(&admin, &loum_equipements(Output::Json, false)).await;
    let v: Value = serde_json::from_str(&json).expect("JSON output");
    let items = v.as_array().expect("a JSON list");
    assert_eq!(items.len(), LOUM_EQUIPEMENTS, "{json}");
    assert_eq!(items[0]["ip"], "10.100.0.11");
    assert_eq!(items[0]["equipement_id"], LOUM_CAMERA_ID);
    // The mask of the table and the CSV, and of the console's detail.
    assert_eq!(items[0]["password"], "••••••••");
    assert!(lines[1].contains("••••••••"), "{table}");
    assert!(!json.contains("Lm-4c7e-011"));

    // Secrets only on request.
    let shown = list(&admin, &loum_equipements(Output::Json, true)).await;
    assert!(shown.contains("Lm-4c7e-011"));

    // The site by id, and the sites listing.
    let by_id = ListArgs {
        site: Some(LOUM_ID.into()),
        ..loum_equipements(Output::Csv, false)
    };
    let csv = list(&admin, &by_id).await;
    assert_eq!(csv.lines().count(), 1 + LOUM_EQUIPEMENTS, "{csv}");
    assert!(
        csv.lines().nth(1).unwrap().starts_with("10.100.0.11,554,"),
        "{csv}"
    );
    let sites = ListArgs {
        resource: Resource::Sites,
        site: Some("loum".into()),
        output: Output::Table,
        show_secrets: false,
    };
    let out = list(&admin, &sites).await;
    assert!(out.contains("LOUM") && out.contains("BICEC Bank"), "{out}");

    // An unknown site is an error message, not an empty list.
    let mut buf = Vec::new();
    let err = vigie::list::run(
        &core_only(&admin),
        &ListArgs {
            site: Some("NULLE-PART".into()),
            ..loum_equipements(Output::Table, false)
        },
        &mut buf,
    )
    .await
    .unwrap_err();
    assert!(err.contains("NULLE-PART"), "{err}");
    assert!(buf.is_empty());
}

/// The real binary with an isolated environment: no config, data or log outside `home`.
/// `vigie list equipements --site SITE -o csv` against `url` as the demo's admin.
fn site_csv(
    home: &std::path::Path,
    url: &str,
    password: &str,
    site: &str,
) -> tokio::process::Command {
    let args = [
        "--url",
        url,
        "--user",
        "admin@vigie.local",
        "list",
        "equipements",
        "--site",
        site,
        "-o",
        "csv",
    ];
    vigie(home, password, &args)
}

fn vigie(home: &std::path::Path, password: &str, args: &[&str]) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_vigie"));
    cmd.args(args)
        .env("VIGIE_PASSWORD", password)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env_remove("XDG_CACHE_HOME")
        .env("HOME", home)
        .env_remove("VIGIE_CONFIG")
        .env_remove("VIGIE_PROFILE")
        .env_remove("VIGIE_LOG")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_lists_csv_and_fails_with_one_line() {
    let srv = common::start().await;
    let url = srv.url();
    let home = tempfile::tempdir().unwrap();
    let run = |password: &str, site: &str| site_csv(home.path(), &url, password, site).output();

    let out = run("admin-demo", "LOUM").await.expect("run vigie");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "status {:?}, stderr: {stderr}",
        out.status
    );
    let mut reader = csv::Reader::from_reader(stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(
        headers.iter().collect::<Vec<_>>(),
        [
            "IP", "PORT", "BRAND", "MODEL", "SITE", "SOURCES", "USERNAME", "PASSWORD", "CREATED",
            "ID"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), LOUM_EQUIPEMENTS, "{stdout}");
    let row: Vec<&str> = rows[0].iter().collect();
    assert_eq!(
        row,
        [
            "10.100.0.11",
            "554",
            "Hikvision",
            "DS-2CD2143G2-I",
            "LOUM",
            "rtsp://10.100.0.11:554/Streaming/Channels/101, rtsp://10.100.0.11:554/Streaming/Channels/102",
            "admin",
            "••••••••",
            "2025-08-25 09:12",
            LOUM_CAMERA_ID,
        ]
    );
    assert!(!stdout.contains("Lm-4c7e-011"));
    assert!(!stderr.contains("admin-demo"), "{stderr}");

    // An unknown site: non-zero exit, one line on stderr, nothing on stdout.
    let out = run("admin-demo", "NULLE-PART").await.expect("run vigie");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("vigie: "), "{stderr}");
    assert!(stderr.contains("NULLE-PART"), "{stderr}");
    assert!(out.stdout.is_empty());

    // A wrong password (and no token kept from the runs above): the same, with the
    // server's words.
    std::fs::remove_dir_all(home.path().join(".cache")).expect("tokens kept in the cache dir");
    let out = run("not-the-password", "LOUM").await.expect("run vigie");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("Incorrect username or password"),
        "{stderr}"
    );
    assert!(!stderr.contains("not-the-password"), "{stderr}");
    assert!(out.stdout.is_empty());
}

/// The CLI --site accent test: a site is named as the console finds it, accents and case
/// aside (the demo's BONABÉRI and BÉPANDA beside BONABERI 2 and BEPANDA OMNISPORT); a part of
/// names is an error that names every site it fits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_finds_a_site_whatever_its_accents() {
    let srv = common::start().await;
    let url = srv.url();
    let home = tempfile::tempdir().unwrap();
    let run = |site: &str| site_csv(home.path(), &url, "admin-demo", site).output();
    for (typed, site) in [("bonaberi", "BONABÉRI"), ("bepanda", "BÉPANDA")] {
        let out = run(typed).await.expect("run vigie");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "--site {typed}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut reader = csv::Reader::from_reader(stdout.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert!(!rows.is_empty(), "--site {typed}: {stdout}");
        for r in &rows {
            assert_eq!(&r[4], site, "--site {typed}: {stdout}");
        }
    }
    let out = run("bonab").await.expect("run vigie");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("BONABERI 2") && stderr.contains("BONABÉRI"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

/// The kept token: one file, 0600, holding neither password nor refresh token; the next run
/// logs in no more (a wrong password goes unnoticed while the token lives); a token the
/// server refuses is dropped and the password logs in again; refused with a wrong password,
/// the file is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_keeps_the_access_token_between_runs() {
    let srv = common::start().await;
    let url = srv.url();
    let home = tempfile::tempdir().unwrap();
    let run = |password: &str| {
        vigie(
            home.path(),
            password,
            &[
                "--url",
                &url,
                "--user",
                "admin@vigie.local",
                "list",
                "equipements",
                "--site",
                "LOUM",
                "-o",
                "json",
            ],
        )
        .output()
    };
    let tokens = home.path().join(".cache/vigie/tokens");
    let kept = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(&tokens)
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default()
    };
    let out = run("admin-demo").await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files = kept();
    assert_eq!(files.len(), 1, "one kept token: {files:?}");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(!text.contains("admin-demo"), "no password in {text}");
    assert!(!text.contains("refresh"), "no refresh token in {text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // No login: the wrong password is never sent.
    let out = run("not-the-password").await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(LOUM_CAMERA_ID));

    // A token the server refuses: dropped, the password logs in, a new one is kept.
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["access_token"] = Value::from("eyJhbGciOiJIUzI1NiJ9.e30.forged");
    std::fs::write(&files[0], v.to_string()).unwrap();
    let out = run("admin-demo").await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let renewed = std::fs::read_to_string(&files[0]).unwrap();
    assert!(!renewed.contains("forged"), "{renewed}");

    // Refused, with a wrong password: an error, and nothing kept.
    std::fs::write(&files[0], v.to_string()).unwrap();
    let out = run("not-the-password").await.unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Incorrect username or password"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(kept().is_empty(), "{:?}", kept());
}

/// `vigie list maarch-users` and `vigie list individus` with a profile that declares only that
/// service, in every output format.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_lists_maarch_users_and_individus_from_their_service_alone() {
    let srv = common::start().await;
    let url = srv.url();
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/vigie");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "[profiles.courrier.maarch]\nbase_url = \"{url}\"\nusername = \"admin\"\npassword_env = \"VIGIE_LIVE_PW\"\n\n\
             [profiles.badges.ocean]\nbase_url = \"{url}/ocean\"\nusername = \"admin\"\npassword_env = \"VIGIE_LIVE_PW\"\ncustomer_id = 1\n"
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            dir.join("config.toml"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
    }
    let run = |profile: &'static str, what: &'static str, format: &'static str| {
        let mut cmd = vigie(
            home.path(),
            "unused",
            &["--profile", profile, "list", what, "-o", format],
        );
        cmd.env("VIGIE_LIVE_PW", "admin-demo");
        cmd.output()
    };
    for format in ["table", "csv", "json"] {
        let out = run("courrier", "maarch-users", format).await.unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("bwayne"), "{format}: {stdout}");
        assert!(
            !stdout.contains("ppetit"),
            "deleted users are not listed: {stdout}"
        );
        let out = run("badges", "individus", format).await.unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.lines().count() > 2, "{format}: {stdout}");
        if format == "json" {
            let v: Value = serde_json::from_str(&stdout).unwrap();
            assert!(
                v.as_array()
                    .is_some_and(|a| a.iter().all(|i| i["individu"].is_object()))
            );
        }
    }
    let out = run("courrier", "maarch-users", "csv").await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().next(),
        Some("ID,LOGIN,FIRSTNAME,LASTNAME,EMAIL,STATUS,MODE")
    );
    // A list of a service the profile does not declare: one line naming the section.
    let out = run("courrier", "individus", "table").await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("ocean"), "{stderr}");
    assert!(out.stdout.is_empty());
}

/// `vigie list … | head`: a closed pipe ends every format quietly, with success; a closed
/// stdout (`>&-`) is an error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_pipe_ends_every_format_quietly() {
    use tokio::io::AsyncReadExt;
    let srv = common::start_with(|c| c.seed_size = 3000).await;
    let url = srv.url();
    let home = tempfile::tempdir().unwrap();
    for format in ["table", "csv", "json"] {
        let mut child = vigie(
            home.path(),
            "admin-demo",
            &[
                "--url",
                &url,
                "--user",
                "admin@vigie.local",
                "list",
                "equipements",
                "-o",
                format,
            ],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
        let mut out = child.stdout.take().unwrap();
        let mut head = [0u8; 200];
        out.read_exact(&mut head).await.unwrap();
        drop(out);
        let done = child.wait_with_output().await.unwrap();
        assert!(done.status.success(), "{format}: {:?}", done.status);
        assert!(
            done.stderr.is_empty(),
            "{format}: {}",
            String::from_utf8_lossy(&done.stderr)
        );
    }
    let done = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "\"$0\" --url {url} --user admin@vigie.local list sites >&-"
        ))
        .arg(env!("CARGO_BIN_EXE_vigie"))
        .env("VIGIE_PASSWORD", "admin-demo")
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .output()
        .unwrap();
    assert!(!done.status.success(), "a closed stdout is an error");
    assert!(String::from_utf8_lossy(&done.stderr).contains("cannot write"));
}

/// Output for scripts is in English whatever the config's `lang` (which is the console's),
/// with a profile or with `--url`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_output_stays_english_with_a_french_config() {
    let srv = common::start().await;
    let url = srv.url();
    let home = tempfile::tempdir().unwrap();
    let args = [
        "--url",
        url.as_str(),
        "--user",
        "admin@vigie.local",
        "list",
        "sites",
        "-o",
        "csv",
    ];
    let english = vigie(home.path(), "admin-demo", &args)
        .output()
        .await
        .unwrap();
    assert!(english.status.success());
    let dir = home.path().join("config").join("vigie");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), "lang = \"fr\"\n").unwrap();
    let with_fr = vigie(home.path(), "admin-demo", &args)
        .output()
        .await
        .unwrap();
    assert!(
        with_fr.status.success(),
        "{}",
        String::from_utf8_lossy(&with_fr.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&with_fr.stdout),
        String::from_utf8_lossy(&english.stdout)
    );
}

/// Headers in one language: English (BRAND, MODEL beside NAME, CREATED) with a French
/// locale too, French with `--lang fr` — headers and dates; the password's mask the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_headers_speak_one_language_french_when_asked() {
    let srv = common::start().await;
    let url = srv.url();
    let home = tempfile::tempdir().unwrap();
    let run = |lang: Option<&'static str>| {
        let mut args = vec!["--url", url.as_str(), "--user", "admin@vigie.local"];
        if let Some(l) = lang {
            args.extend(["--lang", l]);
        }
        args.extend(["list", "equipements", "--site", "LOUM", "-o", "csv"]);
        let mut cmd = vigie(home.path(), "admin-demo", &args);
        cmd.env("LANG", "fr_FR.UTF-8")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES");
        cmd.output()
    };
    let lines = |out: std::process::Output| -> Vec<String> {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    };
    let english = lines(run(None).await.unwrap());
    assert_eq!(
        english[0],
        "IP,PORT,BRAND,MODEL,SITE,SOURCES,USERNAME,PASSWORD,CREATED,ID"
    );
    assert!(
        english[1].contains(",••••••••,2025-08-25 09:12,"),
        "{english:?}"
    );
    let french = lines(run(Some("fr")).await.unwrap());
    assert_eq!(
        french[0],
        "IP,PORT,MARQUE,MODÈLE,SITE,SOURCES,UTILISATEUR,MOT DE PASSE,CRÉÉ LE,ID"
    );
    assert!(
        french[1].contains(",••••••••,25/08/2025 09:12,"),
        "{french:?}"
    );
}

/// `vigie journal` prints the profile's journal: as text (newest first, what changed) and as
/// JSON lines (as kept); a line cut by a crash is skipped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_prints_the_journal_as_text_and_json() {
    use vigie::journal::{Entry, Op, append, path_for};
    let home = tempfile::tempdir().unwrap();
    let url = "http://127.0.0.1:9/api";
    let path = path_for(
        &home.path().join("data").join("vigie"),
        "(command line)",
        url,
    );
    let e = Entry::now("core", "sites", "s-1", Op::Update).with_states(
        Some(serde_json::json!({"name": "LOUM", "description": "old"})),
        Some(serde_json::json!({"name": "LOUM", "description": "new\u{1b}[2J"})),
    );
    append(&path, &e).unwrap();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    std::io::Write::write_all(&mut f, br#"{"seq":9,"at":"20"#).unwrap();

    let out = vigie(home.path(), "", &["--url", url, "journal"])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("sites edited  (core sites s-1)"), "{text}");
    assert!(text.contains("description: old → new"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "no escape reaches the terminal: {text:?}"
    );

    let out = vigie(home.path(), "", &["--url", url, "journal", "-o", "json"])
        .output()
        .await
        .unwrap();
    let lines: Vec<Entry> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines, [e]);
}

/// `--site NAME` finds the site in the list kept from an earlier run (no second read of the
/// whole sites list), and a kept list that no longer says what the server has is dropped:
/// a site renamed and its name given to another lists the other; a site deleted is said.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_is_found_in_the_kept_list_and_a_stale_one_is_read_again() {
    use vigie::api::model::SiteUpdate;
    use vigie::api::token_cache::TokenCache;
    let srv = common::start().await;
    let cache = tempfile::tempdir().unwrap();
    let client =
        srv.admin()
            .with_token_cache(TokenCache::new(cache.path().to_path_buf(), "t", &srv.url()));
    // The rows of a site's route do not name their site: told by their ids.
    let ids = |out: &str| -> Vec<String> {
        serde_json::from_str::<Vec<Value>>(out)
            .expect("a JSON list")
            .iter()
            .map(|r| r["equipement_id"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let site_rows = |id: &'static str| {
        let admin = srv.admin();
        async move {
            vigie::list::site_equipements(&admin, id)
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.equipement_id)
                .collect::<Vec<String>>()
        }
    };
    let loum = loum_equipements(Output::Json, false);
    let loum_ids = site_rows(LOUM_ID).await;
    assert_eq!(loum_ids.len(), LOUM_EQUIPEMENTS);
    // First run: the sites list is read and kept.
    let out = list(&client, &loum).await;
    assert_eq!(ids(&out), loum_ids);
    let (kept, _) = client.kept_sites().expect("the sites list kept");
    assert!(kept.iter().any(|s| s.name == "LOUM"));

    // Renamed, its name given to another site with equipements.
    let admin = srv.admin();
    let other: &'static str = admin
        .list_site_summaries()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.site_id != LOUM_ID && s.equipement_count > 0)
        .map(|s| &*s.site_id.leak())
        .expect("another site with equipements");
    for (id, name) in [(LOUM_ID, "OLD-LOUM"), (other, "LOUM")] {
        admin
            .update_site(&SiteUpdate {
                site_id: id.into(),
                name: Some(name.into()),
                longitude: None,
                latitude: None,
                description: None,
            })
            .await
            .unwrap();
    }
    // Within `KEPT_SITES_FOR` the kept list is trusted (the per-site route does not say which
    // site it lists); older, it is read again.
    let file = std::fs::read_dir(cache.path().join("sites"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut kept_file: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let older =
        kept_file["saved_at"].as_i64().unwrap() - vigie::list::KEPT_SITES_FOR.as_secs() as i64 - 1;
    kept_file["saved_at"] = Value::from(older);
    std::fs::write(&file, kept_file.to_string()).unwrap();
    let yassa = site_rows(other).await;
    assert!(!yassa.is_empty());
    let out = list(&client, &loum).await;
    assert_eq!(ids(&out), yassa, "{out}");
    let (kept, _) = client.kept_sites().unwrap();
    assert!(
        kept.iter().any(|s| s.name == "LOUM" && s.site_id == other),
        "the list read again is kept"
    );

    // Deleted on the server while kept: said as an unknown site, not an empty list.
    let gone = ListArgs {
        site: Some("OLD-LOUM".into()),
        ..loum_equipements(Output::Json, false)
    };
    assert_eq!(ids(&list(&client, &gone).await), loum_ids, "kept now");
    // A site with equipements cannot be deleted: its devices go first.
    for id in &loum_ids {
        admin.delete_equipement(id).await.unwrap();
    }
    admin.delete_site(LOUM_ID).await.unwrap();
    let mut buf = Vec::new();
    let err = vigie::list::run(&core_only(&client), &gone, &mut buf)
        .await
        .unwrap_err();
    assert!(err.contains("OLD-LOUM"), "{err}");
    assert!(buf.is_empty(), "{}", String::from_utf8_lossy(&buf));
}

/// A fleet whose sites list (every equipement embedded) is several times `max_body_mb`: it is
/// decoded as it streams, held without its equipements (counted), and not refused for its
/// size — the quick lookup of a site keeps working as the fleet grows. What a streamed list
/// holds at once is its row being read, not its bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sites_list_bigger_than_max_body_is_streamed_not_refused() {
    let srv = common::start_with(|c| c.seed_size = 8_000).await;
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("config").join("vigie");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(
        cfg.join("config.toml"),
        format!(
            "default_profile = \"big\"\n[profiles.big]\nmax_body_mb = 1\n[profiles.big.core]\nbase_url = \"{}\"\nusername = \"admin@vigie.local\"\npassword_env = \"VIGIE_PASSWORD\"\n",
            srv.url()
        ),
    )
    .unwrap();
    // The answer is bigger than the limit.
    let token = common::raw_token(&srv.url(), common::ADMIN).await;
    let bytes = reqwest::Client::new()
        .get(format!("{}/client_site/all", srv.url()))
        .bearer_auth(&token)
        .header("accept-encoding", "identity")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .len();
    assert!(
        bytes > 2 << 20,
        "{bytes} bytes: the list must be bigger than the limit"
    );
    let out = vigie(home.path(), "admin-demo", &["list", "sites", "-o", "json"])
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let counted: u64 = v
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["equipements"].as_u64().expect("a count, not the list"))
        .sum();
    assert_eq!(
        counted,
        8_000 + 1 + LOUM_EQUIPEMENTS as u64,
        "every equipement counted (the generated ones, the sample and LOUM's)"
    );
    let out = vigie(
        home.path(),
        "admin-demo",
        &["list", "equipements", "--site", "LOUM"],
    )
    .output()
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("10.100.0.11"));
    // Held as it streams: the rows being read, never the list (a decoder fed the whole
    // answer in chunks holds a few kilobytes at most).
    let mut s =
        vigie::api::items::RowStream::<vigie::api::model::SiteSummary>::new(&["items"], 1000)
            .held_at_most(1 << 20);
    let body = reqwest::Client::new()
        .get(format!("{}/client_site/all", srv.url()))
        .bearer_auth(&token)
        .header("accept-encoding", "identity")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let mut most = 0;
    for chunk in body.chunks(16 << 10) {
        s.feed(chunk).unwrap();
        most = most.max(s.held());
    }
    assert_eq!(s.finish().unwrap().items.len(), 44);
    assert!(most < 64 << 10, "{most} bytes held at once");
}
