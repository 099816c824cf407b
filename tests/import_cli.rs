//! `vigie import`, the real binary against the reference server over real HTTP: a French
//! 1,000-row CSV with bad rows and duplicates (dry run exact, real run, a second run that
//! creates nothing), an import killed half way then run again, and an export imported into
//! a new site that exports back the same rows.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use vigie::api::core::CoreClient;
use vigie::api::model::NewSite;
use vigie::server::seed::LOUM_ID;

const BIN: &str = env!("CARGO_BIN_EXE_vigie");

fn vigie(url: &str, data: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(["--url", url, "--user", "admin@vigie.local"])
        .args(args)
        .env("VIGIE_PASSWORD", "admin-demo")
        .env("XDG_DATA_HOME", data)
        .env("XDG_STATE_HOME", data)
        .env("XDG_CONFIG_HOME", data)
        .env("XDG_CACHE_HOME", data.join("cache"))
        .output()
        .expect("vigie runs")
}

async fn count(api: &CoreClient, site: &str) -> usize {
    vigie::list::site_equipements(api, site)
        .await
        .unwrap()
        .len()
}

/// 992 good rows, 5 bad ones and 3 duplicates, `;`-separated, French headers.
fn french_csv(path: &Path) {
    let mut s = String::from(
        "adresse IP;Port;Marque;Modèle;Sources;Utilisateur;Mot de passe;Description\n",
    );
    for i in 0..992 {
        s.push_str(&format!(
            "10.200.{}.{};{};Hikvision;DS-2CD;rtsp://cam/{i}|http://cam/{i};admin;S3cret-{i};caméra {i}\n",
            i / 200,
            i % 200 + 1,
            80 + (i % 3)
        ));
        match i {
            100 => s.push_str("10.200.0.999;80;Axis;P1;;;S3cret-bad;bad ip\n"),
            200 => s.push_str("10.201.0.1;0;Axis;P1;;;;port zero\n"),
            300 => s.push_str("10.201.0.2;80;;P1;;;;no brand\n"),
            400 => s.push_str("10.201.0.3;http;Axis;P1;;;;port not a number\n"),
            500 => s.push_str(";80;Axis;P1;;;;no ip\n"),
            // The same IP:port as an earlier row.
            600 | 700 | 800 => s.push_str(&format!(
                "10.200.0.{};{};Axis;P1;;;;dup\n",
                i % 7 + 1,
                80 + (i % 7) % 3
            )),
            _ => {}
        }
    }
    std::fs::write(path, s).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_french_csv_dry_run_then_run_then_run_again() {
    let srv = common::start().await;
    let api = srv.admin();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("devices.csv");
    french_csv(&file);
    let before = count(&api, LOUM_ID).await;
    let url = srv.url();
    let f = file.to_str().unwrap();

    let dry = vigie(
        &url,
        dir.path(),
        &["import", "equipements", f, "--site", "loum", "--dry-run"],
    );
    let out = String::from_utf8_lossy(&dry.stdout);
    assert_eq!(dry.status.code(), Some(1), "errors in the plan: {out}");
    let actions = |action: &str| {
        out.lines()
            .filter(|l| l.split_whitespace().nth(1) == Some(action))
            .count()
    };
    // An IP that is not one and a port out of range are advice, as in the form: planned,
    // said, and refused by the server itself; what cannot be sent (no brand, no IP, a port
    // that is no number) and duplicates are errors.
    assert_eq!(actions("create"), 994, "{out}");
    assert_eq!(actions("error"), 6, "{out}");
    assert_eq!(
        out.lines()
            .filter(|l| l.contains("duplicate of line"))
            .count(),
        3
    );
    assert!(
        out.contains("does not look like an IP address") && out.contains("outside 1–65535"),
        "{out}"
    );
    assert!(
        out.contains("994 create, 0 update, 0 skip, 6 error"),
        "{out}"
    );
    assert!(!out.contains("S3cret"), "no password echoed");
    assert_eq!(
        count(&api, LOUM_ID).await,
        before,
        "a dry run sends nothing"
    );

    let report = dir.path().join("report.csv");
    let run = vigie(
        &url,
        dir.path(),
        &[
            "import",
            "equipements",
            f,
            "--site",
            "LOUM",
            "--report",
            report.to_str().unwrap(),
        ],
    );
    let (out, err) = (
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr),
    );
    assert_eq!(
        run.status.code(),
        Some(1),
        "8 rows not imported: {out}{err}"
    );
    assert!(out.contains("992 sent, 2 failed"), "{out}");
    assert_eq!(count(&api, LOUM_ID).await, before + 992);
    let text = std::fs::read_to_string(&report).unwrap();
    assert_eq!(text.lines().count(), 1001, "a line per row and the header");
    assert_eq!(text.lines().filter(|l| l.contains(",not sent,")).count(), 6);
    assert_eq!(text.lines().filter(|l| l.contains(",ok,")).count(), 992);
    // The server's own refusal, in its words.
    assert_eq!(
        text.lines().filter(|l| l.contains(",failed,")).count(),
        2,
        "{text}"
    );
    assert!(err.contains("10.200.0.999"), "{err}");
    assert!(
        !text.contains("S3cret") && !err.contains("S3cret"),
        "no password in the report"
    );
    let one = vigie::list::site_equipements(&api, LOUM_ID)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.ip == "10.200.0.1")
        .unwrap();
    assert_eq!(one.password.expose(), "S3cret-0");
    assert_eq!(one.sources.0, ["rtsp://cam/0", "http://cam/0"]);
    assert_eq!(one.description, "caméra 0");

    let again = vigie(
        &url,
        dir.path(),
        &["import", "equipements", f, "--site", "LOUM"],
    );
    let out = String::from_utf8_lossy(&again.stdout);
    assert!(
        out.contains("0 sent") && out.contains("992 skipped"),
        "{out}"
    );
    assert_eq!(count(&api, LOUM_ID).await, before + 992, "nothing twice");
    // Each created row is in the journal, as from the console (and never a password).
    let jdir = dir.path().join("vigie").join("journal");
    let journal: String = std::fs::read_dir(&jdir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    assert_eq!(journal.lines().count(), 992);
    assert!(!journal.contains("S3cret"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_killed_half_way_and_run_again_ends_with_each_row_once() {
    // Each request a little slow, so the kill lands in the middle.
    let srv = common::start_with(|c| {
        c.chaos = Some(vigie::server::chaos::Chaos {
            latency: std::time::Duration::from_millis(8),
            spare_login: true,
            ..Default::default()
        })
    })
    .await;
    let api = srv.admin();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("devices.csv");
    let mut s = String::from("ip,port,brand,model\n");
    for i in 0..600 {
        s.push_str(&format!(
            "10.210.{}.{},554,Axis,Q{i}\n",
            i / 200,
            i % 200 + 1
        ));
    }
    std::fs::write(&file, s).unwrap();
    let site = api
        .create_site(&NewSite {
            client_id: api.list_site_summaries().await.unwrap()[0]
                .client_id
                .clone()
                .unwrap(),
            name: "Kill Test".into(),
            longitude: 9.7,
            latitude: 4.0,
            description: String::new(),
        })
        .await
        .unwrap();
    let mut child = Command::new(BIN)
        .args(["--url", &srv.url(), "--user", "admin@vigie.local"])
        .args([
            "import",
            "equipements",
            file.to_str().unwrap(),
            "--site",
            "Kill Test",
        ])
        .env("VIGIE_PASSWORD", "admin-demo")
        .env("XDG_DATA_HOME", dir.path())
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let n = count(&api, &site.site_id).await;
        if n >= 300 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "only {n} after a minute"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let at_kill = count(&api, &site.site_id).await;
    assert!(at_kill < 600, "killed before the end ({at_kill})");
    let again = vigie(
        &srv.url(),
        dir.path(),
        &[
            "import",
            "equipements",
            file.to_str().unwrap(),
            "--site",
            "Kill Test",
        ],
    );
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let items = vigie::list::site_equipements(&api, &site.site_id)
        .await
        .unwrap();
    assert_eq!(items.len(), 600, "each row once");
    let mut ips: Vec<&str> = items.iter().map(|e| e.ip.as_str()).collect();
    ips.sort();
    ips.dedup();
    assert_eq!(ips.len(), 600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_imports_into_a_new_site_and_exports_back_the_same() {
    let srv = common::start().await;
    let api = srv.admin();
    let dir = tempfile::tempdir().unwrap();
    let url = srv.url();
    let export = |site: &str| {
        let o = vigie(
            &url,
            dir.path(),
            &[
                "list",
                "equipements",
                "--site",
                site,
                "-o",
                "json",
                "--show-secrets",
            ],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let first = export("LOUM");
    let file = dir.path().join("loum.json");
    std::fs::write(&file, &first).unwrap();
    api.create_site(&NewSite {
        client_id: api.list_site_summaries().await.unwrap()[0]
            .client_id
            .clone()
            .unwrap(),
        name: "LOUM copie".into(),
        longitude: 9.7,
        latitude: 4.0,
        description: String::new(),
    })
    .await
    .unwrap();
    let run = vigie(
        &url,
        dir.path(),
        &[
            "import",
            "equipements",
            file.to_str().unwrap(),
            "--site",
            "LOUM copie",
        ],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let second = export("LOUM copie");
    // The same rows, ids, timestamps and the site aside.
    let rows = |text: &str| {
        let v: Vec<serde_json::Value> = serde_json::from_str(text).unwrap();
        let mut rows: Vec<String> = v
            .into_iter()
            .map(|mut r| {
                for k in ["equipement_id", "timestamp", "site_id", "client_site"] {
                    r.as_object_mut().unwrap().remove(k);
                }
                r.to_string()
            })
            .collect();
        rows.sort();
        rows
    };
    assert!(!rows(&first).is_empty());
    assert_eq!(rows(&first), rows(&second));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sites_import_skips_an_existing_one_and_names_an_unknown_client() {
    let srv = common::start().await;
    let api = srv.admin();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sites.csv");
    let client = api.list_site_summaries().await.unwrap()[1]
        .client
        .clone()
        .unwrap();
    std::fs::write(
        &file,
        format!(
            "nom;client;longitude;latitude;description\n\
             Nouveau Site;{};9,70;4,05;ouvert en 2026\n\
             loum;{};26.45;43.56;\n\
             Ailleurs;Client Inconnu;1;1;\n",
            client.nom, client.client_id
        ),
    )
    .unwrap();
    let before = api.list_site_summaries().await.unwrap().len();
    let o = vigie(
        &srv.url(),
        dir.path(),
        &["import", "sites", file.to_str().unwrap()],
    );
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(out.contains("1 sent") && out.contains("1 skipped"), "{out}");
    assert!(err.contains("no client 'Client Inconnu'"), "{err}");
    let after = api.list_site_summaries().await.unwrap();
    assert_eq!(after.len(), before + 1);
    let s = after.iter().find(|s| s.name == "Nouveau Site").unwrap();
    assert_eq!(s.longitude, Some(9.7), "a French decimal comma read");
}

/// `--update` on a row already there sends only what the file gives and differs: a file
/// without username, password, description or sources columns leaves them as the server
/// has them (values vigie never read from the file are not values to clear); without
/// `--update` the row is skipped. Against every core reading the reference server plays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_sends_only_what_the_file_gives_and_differs() {
    use vigie::server::Like;
    for like in [
        vec![],
        vec![Like::CoreNoMove],
        vec![Like::CoreMorePermissions],
        vec![Like::NoCompression],
    ] {
        let srv = common::start_with(|c| c.like = like.clone()).await;
        let api = srv.admin();
        let dir = tempfile::tempdir().unwrap();
        let site = api
            .create_site(&NewSite {
                client_id: vigie::server::seed::BICEC_ID.into(),
                name: "Update Test".into(),
                longitude: 9.7,
                latitude: 4.0,
                description: String::new(),
            })
            .await
            .unwrap();
        let before = api
            .create_equipement(&vigie::api::model::NewEquipement {
                ip: "10.9.0.1".into(),
                site_id: site.site_id.clone(),
                marque: "Axis".into(),
                sources: vec!["rtsp://cam/1".into()],
                port: 80,
                username: "keep-user".into(),
                password: "keep-pass".into(),
                description: "keep-desc".into(),
                modele: "Q1".into(),
            })
            .await
            .unwrap();
        let file = dir.path().join("update.csv");
        std::fs::write(&file, "ip;port;marque;modele\n10.9.0.1;80;Axis;Q2\n").unwrap();
        let run = |extra: &[&str]| {
            let mut args = vec![
                "import",
                "equipements",
                file.to_str().unwrap(),
                "--site",
                "Update Test",
            ];
            args.extend_from_slice(extra);
            vigie(&srv.url(), dir.path(), &args)
        };
        let skipped = run(&[]);
        assert!(
            skipped.status.success(),
            "{like:?}: {}",
            String::from_utf8_lossy(&skipped.stderr)
        );
        let now = vigie::list::site_equipements(&api, &site.site_id)
            .await
            .unwrap();
        assert_eq!(now.len(), 1);
        assert_eq!(now[0].modele, "Q1", "{like:?}: skipped without --update");

        let updated = run(&["--update"]);
        assert!(
            updated.status.success(),
            "{like:?}: {}",
            String::from_utf8_lossy(&updated.stderr)
        );
        let now = vigie::list::site_equipements(&api, &site.site_id)
            .await
            .unwrap();
        assert_eq!(now.len(), 1, "{like:?}: updated, not created again");
        let e = &now[0];
        assert_eq!(e.equipement_id, before.equipement_id);
        assert_eq!(e.modele, "Q2", "{like:?}");
        assert_eq!(
            (
                e.username.as_str(),
                e.password.expose(),
                e.description.as_str(),
                e.sources.0.clone()
            ),
            (
                "keep-user",
                "keep-pass",
                "keep-desc",
                vec!["rtsp://cam/1".to_string()]
            ),
            "{like:?}: what the file does not give is kept"
        );
    }
}
