//! End to end: the real `vigie` binary in a pseudo-terminal against a real `vigie serve`,
//! read from the screen as a person would.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const BIN: &str = env!("CARGO_BIN_EXE_vigie");

/// One scenario at a time: each runs a server and a console, and a 2-core CI box running
/// ten of them at once makes timings meaningless.
static SERIAL: Mutex<()> = Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn start_server(dir: &Path) -> Server {
    start_server_with(dir, &[])
}

fn start_server_with(dir: &Path, extra: &[&str]) -> Server {
    let port = free_port();
    let child = Command::new(BIN)
        .args(["serve", "--seed", "demo", "--seed-size", "60", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .args(extra)
        .arg("--db")
        .arg(dir.join("e2e.db"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("vigie serve starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "vigie serve did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    Server {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

/// The console in a pty, its screen kept by a vt100 parser.
struct Console {
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
}

impl Console {
    fn start(args: &[&str], env: &[(&str, &str)], rows: u16, cols: u16) -> Console {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pty");
        let mut cmd = CommandBuilder::new(BIN);
        for a in args {
            cmd.arg(a);
        }
        cmd.env("TERM", "xterm-256color");
        // What a run keeps (token, sites) stays beside the test's data, never in ~/.cache.
        if let Some((_, data)) = env.iter().find(|(k, _)| *k == "XDG_DATA_HOME") {
            cmd.env(
                "XDG_CACHE_HOME",
                std::path::Path::new(data).with_file_name("vigie-test-cache"),
            );
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair
            .slave
            .spawn_command(cmd)
            .expect("vigie starts in the pty");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(rows).unwrap(),
            std::num::NonZeroU16::new(cols).unwrap(),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let (p, r) = (parser.clone(), raw.clone());
        std::thread::spawn(move || {
            let _master = pair.master;
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Console {
            parser,
            raw,
            writer,
            child,
        }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            let s = self.screen();
            if s.contains(text) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "never saw {text:?} on screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    fn keys(&mut self, s: &str) {
        let before = self.screen();
        self.writer.write_all(s.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        if s == "\x1b" {
            // A lone ESC read together with the next key is Alt+key: wait until it was seen
            // (it changes the screen), however slow the console is under load.
            let deadline = Instant::now() + Duration::from_secs(5);
            while self.screen() == before && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        // Let the console take each burst apart (a lone ESC must not merge with the next key).
        std::thread::sleep(Duration::from_millis(150));
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                return st;
            }
            assert!(
                Instant::now() < deadline,
                "the console did not exit:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(40));
        }
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

fn core_client(url: &str) -> vigie::api::core::CoreClient {
    vigie::api::core::CoreClient::new(
        url,
        vigie::api::core::CoreAuth::Password {
            username: "admin@vigie.local".into(),
            password: secrecy::SecretString::from("admin-demo"),
        },
        &vigie::api::HttpOptions::default(),
    )
    .unwrap()
}

fn loum_ips(url: &str) -> Vec<String> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = core_client(url);
        c.site_equipements(vigie::server::seed::LOUM_ID, 1, 100)
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|e| e.ip.into())
            .collect()
    })
}

#[test]
fn find_loum_create_and_delete_an_equipement_then_quit_cleanly() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let data = dir.path().join("data");
    let config = dir.path().join("config");
    let mut c = Console::start(
        &["--url", &server.url, "--user", "admin@vigie.local"],
        &[
            ("VIGIE_PASSWORD", "admin-demo"),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
            ("XDG_CONFIG_HOME", config.to_str().unwrap()),
        ],
        35,
        120,
    );
    // The Sites tab opens with the doc's sites; the status bar shows who is logged in.
    c.wait_for("LOUM");
    c.wait_for("admin@vigie.local (admin)");

    // Find LOUM and open it: its devices are listed, its entrance camera first.
    c.keys("/");
    c.keys("LOUM");
    c.keys("\r");
    c.keys("\r");
    c.wait_for("Site LOUM");
    c.wait_for("10.100.0.11");
    c.wait_for("DS-7616NI-K2/16P");

    // Create an equipement through the form (the site is preselected).
    c.keys("n");
    c.wait_for("New equipement");
    c.keys("\t");
    c.keys("10.77.0.5\t8081\tAxis\tP3245-LVE\tevents, rtsp");
    c.keys("\x13"); // Ctrl-S
    c.wait_for("Saved equipement 10.77.0.5:8081");
    assert!(
        loum_ips(&server.url).contains(&"10.77.0.5".to_string()),
        "the API has it"
    );

    // Open it from the site's list (the last row, after LOUM's five) and delete it.
    c.keys("G");
    c.keys("\r");
    c.wait_for("Equipement 10.77.0.5");
    c.keys("d");
    c.wait_for("Delete equipement 10.77.0.5:8081");
    c.keys("y");
    c.wait_for("equipement deleted");
    assert!(
        !loum_ips(&server.url).contains(&"10.77.0.5".to_string()),
        "the API lost it"
    );

    // Back to the list, quit: the terminal is given back as it was.
    c.keys("\x1b");
    std::thread::sleep(Duration::from_millis(300));
    c.keys("q");
    let status = c.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    std::thread::sleep(Duration::from_millis(200));
    let parser = c.parser.lock().unwrap();
    assert!(
        !parser.screen().alternate_screen(),
        "left the alternate screen"
    );
    assert!(!parser.screen().hide_cursor(), "cursor shown again");
    let raw = c.raw.lock().unwrap();
    let out = String::from_utf8_lossy(&raw);
    assert!(
        out.contains("\u{1b}[?1049l"),
        "alternate screen left explicitly"
    );
}

/// A mistaken delete is undone with `u`: the equipement comes back with every field but its
/// password, which the console asks for; the journal on disk holds no password.
#[test]
fn u_brings_back_a_deleted_equipement_and_asks_for_its_password() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let data = dir.path().join("data");
    let config = dir.path().join("config");
    let mut c = Console::start(
        &["--url", &server.url, "--user", "admin@vigie.local"],
        &[
            ("VIGIE_PASSWORD", "admin-demo"),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
            ("XDG_CONFIG_HOME", config.to_str().unwrap()),
        ],
        35,
        120,
    );
    c.wait_for("LOUM");
    // The site's detail lists its entrance camera first: open it and delete it.
    c.keys("/");
    c.keys("LOUM");
    c.keys("\r");
    c.keys("\r");
    c.wait_for("Site LOUM");
    c.wait_for("10.100.0.11");
    c.keys("\r");
    c.wait_for("Equipement 10.100.0.11");
    c.keys("d");
    c.wait_for("Delete equipement 10.100.0.11");
    c.keys("y");
    c.wait_for("equipement deleted");
    assert!(!loum_ips(&server.url).contains(&"10.100.0.11".to_string()));
    c.keys("\x1b");
    std::thread::sleep(Duration::from_millis(200));
    c.keys("\x1b");
    std::thread::sleep(Duration::from_millis(200));

    // u: the creation form, filled, asks for the password.
    c.keys("u");
    c.wait_for("as it was before");
    c.wait_for("type it, then save");
    let screen = c.screen();
    for v in [
        "10.100.0.11",
        "Hikvision",
        "DS-2CD2143G2-I",
        "Caméra entrée principale 1",
    ] {
        assert!(screen.contains(v), "{v} is back: {screen}");
    }
    c.keys("\x13"); // Ctrl-S: refused, the password is required
    std::thread::sleep(Duration::from_millis(300));
    assert!(!loum_ips(&server.url).contains(&"10.100.0.11".to_string()));
    c.keys("Typed-Again-1");
    c.keys("\x13");
    c.wait_for("Re-created, new id");
    assert!(
        loum_ips(&server.url).contains(&"10.100.0.11".to_string()),
        "back on the server"
    );

    c.keys("q");
    let status = c.wait_exit();
    assert!(status.success(), "exit status {status:?}");
    let journal: Vec<_> = std::fs::read_dir(data.join("vigie").join("journal"))
        .expect("a journal dir")
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(journal.len(), 1);
    assert_eq!(journal[0].lines().count(), 2, "{}", journal[0]);
    for secret in ["Lm-4c7e-011", "Typed-Again-1", "admin-demo"] {
        assert!(!journal[0].contains(secret), "{secret} in the journal");
    }
}

#[test]
fn sigterm_restores_the_terminal() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let data = dir.path().join("data");
    let mut c = Console::start(
        &["--url", &server.url, "--user", "1000"],
        &[
            ("VIGIE_PASSWORD", "admin-demo"),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
        ],
        24,
        80,
    );
    c.wait_for("LOUM");
    let pid = c.child.process_id().expect("a pid");
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    c.wait_exit();
    std::thread::sleep(Duration::from_millis(200));
    let parser = c.parser.lock().unwrap();
    assert!(!parser.screen().alternate_screen());
    assert!(!parser.screen().hide_cursor());
}

/// A profile declaring the three services of one reference server.
fn three_service_config(dir: &Path, url: &str) -> std::path::PathBuf {
    let path = dir.join("vigie.toml");
    let text = format!(
        r#"default_profile = "e2e"
[profiles.e2e.core]
base_url = "{url}"
username = "admin@vigie.local"
password_env = "VIGIE_E2E_PASSWORD"
[profiles.e2e.ocean]
base_url = "{url}/ocean"
username = "admin"
password_env = "VIGIE_E2E_PASSWORD"
customer_id = 1
[profiles.e2e.maarch]
base_url = "{url}"
username = "admin"
password_env = "VIGIE_E2E_PASSWORD"
"#
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn admin(login: &str) -> vigie::api::Credentials {
    vigie::api::Credentials::Password {
        username: login.into(),
        password: secrecy::SecretString::from("admin-demo"),
    }
}

#[test]
fn create_an_individu_assign_it_then_add_a_maarch_group() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let config = three_service_config(dir.path(), &server.url);
    let data = dir.path().join("data");
    let mut c = Console::start(
        &["--config", config.to_str().unwrap()],
        &[
            ("VIGIE_E2E_PASSWORD", "admin-demo"),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
        ],
        35,
        120,
    );
    c.wait_for("LOUM");

    // Individus: create one through the sectioned form.
    c.keys("5");
    c.wait_for("Individus · Ocean");
    c.wait_for("Mbarga");
    c.keys("n");
    c.wait_for("New individu");
    c.keys("\t");
    c.keys("Zambo\tLucie\tM0777");
    c.keys("\x13"); // Ctrl-S
    c.wait_for("créé");
    c.wait_for("M0777");

    // Find it and assign it to entity 4 from today.
    c.keys("/");
    c.keys("M0777");
    c.keys("\r");
    c.keys("a");
    c.wait_for("Assign to an entity");
    c.keys("4");
    c.keys("\x13");
    c.wait_for("assigned to entity 4");
    c.wait_for("Atelier Bonabéri");

    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = server.url.clone();
    let created = rt.block_on(async {
        let o = vigie::api::ocean::OceanClient::new(
            &format!("{url}/ocean"),
            admin("admin"),
            Some(1),
            &vigie::api::HttpOptions::default(),
        )
        .unwrap();
        o.list_individus(None)
            .await
            .unwrap()
            .into_iter()
            .find(|i| i.matricule() == "M0777")
    });
    let created = created.expect("Ocean has the new individu");
    assert_eq!(created.nom(), "Zambo");
    assert_eq!(created.entite_id(), Some(4), "assigned through the API");

    // Maarch: add group ELU to bwayne and see it in the detail.
    c.keys("\x1b");
    c.keys("3");
    c.keys("U");
    c.wait_for("Users · Maarch Courrier");
    c.wait_for("bwayne");
    c.keys("/");
    c.keys("bwayne");
    c.keys("\r");
    c.keys("\r");
    c.wait_for("Maarch user bwayne");
    c.wait_for("Groups (1)");
    c.keys("g");
    c.wait_for("Add to a group");
    c.keys("ELU");
    c.keys("\x13");
    c.wait_for("bwayne added to group ELU");
    c.wait_for("Groups (2)");
    assert!(c.screen().contains("ELU "), "ELU listed:\n{}", c.screen());
    let groups = rt.block_on(async {
        let m = vigie::api::maarch::MaarchClient::new(
            &url,
            admin("admin"),
            vigie::api::maarch::MaarchAuthMode::Basic,
            &vigie::api::HttpOptions::default(),
        )
        .unwrap();
        m.user_details(21).await.unwrap().unwrap().groups
    });
    assert!(groups.iter().any(|g| g.group_id == "ELU"), "{groups:?}");

    c.keys("\x1b");
    c.keys("\x1b");
    c.keys("q");
    assert!(c.wait_exit().success());
}

#[test]
fn a_dropped_session_keeps_the_form_as_a_draft_without_its_password() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let data = dir.path().join("data");
    let env = [
        ("VIGIE_PASSWORD", "admin-demo"),
        ("XDG_DATA_HOME", data.to_str().unwrap()),
    ];
    let args = ["--url", server.url.as_str(), "--user", "admin@vigie.local"];
    let mut c = Console::start(&args, &env, 30, 100);
    c.wait_for("LOUM");
    c.keys("3");
    c.wait_for("Users · core");
    c.keys("n");
    c.wait_for("New user");
    c.keys("4242\tMbida Ernest\temb@example.cm\thunter2-secret");
    c.wait_for("emb@example.cm");
    // A fixed mask, whatever the password's length.
    c.wait_for("••••••••");
    // The SSH session drops.
    let pid = c.child.process_id().expect("a pid");
    Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .unwrap();
    c.wait_exit();
    let drafts: Vec<_> = std::fs::read_dir(data.join("vigie").join("drafts"))
        .expect("a drafts dir")
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    let text = std::fs::read_to_string(&drafts[0]).unwrap();
    assert!(text.contains("Mbida Ernest"), "{text}");
    assert!(!text.contains("hunter2"), "no password in a draft");

    // The next start offers it back, with everything but the password.
    let mut c = Console::start(&args, &env, 30, 100);
    c.wait_for("Unfinished form");
    c.wait_for("New user");
    c.keys("y");
    c.wait_for("Restored from");
    c.wait_for("Mbida Ernest");
    assert!(c.screen().contains("emb@example.cm"), "{}", c.screen());
    // Abandoning it removes the draft.
    c.keys("\x1b");
    c.wait_for("Discard your changes?");
    c.keys("y");
    std::thread::sleep(Duration::from_millis(400));
    assert!(!drafts[0].exists(), "a discarded form leaves no draft");
    c.keys("q");
    assert!(c.wait_exit().success());
}

/// The column where `text` starts on screen row `row`, counted in cells.
fn cell_col(screen: &vt100::Screen, row: u16, text: &str) -> Option<u16> {
    let (_, cols) = screen.size();
    let first = text.chars().next()?.to_string();
    (0..u16::from(cols)).find(|&c| {
        screen
            .cell(row, c)
            .is_some_and(|cell| cell.contents() == first)
            && text.chars().enumerate().all(|(i, ch)| {
                screen
                    .cell(row, c + i as u16)
                    .is_some_and(|cell| cell.contents() == ch.to_string())
            })
    })
}

#[test]
fn hostile_names_are_drawn_as_text_and_wide_ones_keep_columns() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let evil = "\u{1b}]2;owned\u{7}\u{1b}[2J\u{202e}evil";
    let wide = "東京 Bonabe\u{301}ri 📷";
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = core_client(&server.url);
        for name in [evil, wide] {
            c.create_site(&vigie::api::model::NewSite {
                client_id: vigie::server::seed::BICEC_ID.into(),
                name: name.into(),
                longitude: 9.7,
                latitude: 4.05,
                description: "hostile".into(),
            })
            .await
            .unwrap();
        }
    });
    let sites = rt.block_on(async {
        core_client(&server.url)
            .list_site_summaries()
            .await
            .unwrap()
            .len()
    });
    let data = dir.path().join("data");
    let mut c = Console::start(
        &["--url", &server.url, "--user", "admin@vigie.local"],
        &[
            ("VIGIE_PASSWORD", "admin-demo"),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
        ],
        30,
        120,
    );
    c.wait_for("LOUM");
    // Every site in (a slow answer shows its first rows before the rest); the two new sites
    // are the last rows.
    c.wait_for(&format!("{sites} items"));
    c.keys("G");
    c.wait_for("␛]2;owned␇␛[2J");
    c.wait_for("東京");
    {
        let raw = c.raw.lock().unwrap();
        let out = String::from_utf8_lossy(&raw);
        assert!(
            !out.contains("\u{1b}]2;owned") && !out.contains("\u{1b}]0;"),
            "the terminal title was set by a server string"
        );
        assert!(
            !out.contains('\u{202e}'),
            "a bidi override reached the terminal"
        );
    }
    let parser = c.parser.lock().unwrap();
    let screen = parser.screen();
    let rows: Vec<u16> = (0..30)
        .filter(|&r| {
            let line = screen.contents_between(r, 0, r, 119);
            line.contains("BICEC Bank")
        })
        .collect();
    assert!(rows.len() >= 3, "{}", screen.contents());
    let cols: Vec<Option<u16>> = rows
        .iter()
        .map(|&r| cell_col(screen, r, "BICEC Bank"))
        .collect();
    assert!(
        cols.iter().all(|c| c.is_some() && *c == cols[0]),
        "the client column moved with wide or combining characters: {cols:?}\n{}",
        screen.contents()
    );
    drop(parser);
    c.keys("q");
    assert!(c.wait_exit().success());
}

/// Every log file under `dir`, concatenated.
fn logs(dir: &Path) -> String {
    let mut out = String::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().contains(".log") {
                out.push_str(&std::fs::read_to_string(&p).unwrap_or_default());
            }
        }
    }
    out
}

#[test]
fn a_trace_logged_session_leaks_no_password_or_token() {
    let _serial = one_at_a_time();
    use base64::Engine;
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let config = three_service_config(dir.path(), &server.url);
    let data = dir.path().join("data");
    let mut c = Console::start(
        &["--config", config.to_str().unwrap(), "--log", "trace"],
        &[
            ("VIGIE_E2E_PASSWORD", "admin-demo"),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
        ],
        30,
        120,
    );
    c.wait_for("LOUM");
    c.keys("2");
    c.wait_for("1.1.1.1");
    c.keys("5");
    c.wait_for("Mbarga");
    c.keys("3");
    c.keys("U");
    c.wait_for("bwayne");
    // A wrong password typed in a login form must not be logged either.
    c.keys("@");
    c.wait_for("My Ocean account");
    c.keys("p");
    c.wait_for("Change my Ocean password");
    c.keys("admin-demo\tnew-secret-123\tnew-secret-123");
    // Trace logging slows the console: each key waits for the screen, or ESC and the next
    // key would arrive together and read as Alt.
    c.wait_for("New password again* ••••••••");
    c.keys("\x1b");
    c.wait_for("Discard your changes?");
    c.keys("y");
    c.wait_for("Rights by element type");
    c.keys("\x1b");
    c.wait_for("Users · Maarch Courrier");
    c.keys("q");
    assert!(c.wait_exit().success());
    std::thread::sleep(Duration::from_millis(300));
    let log = logs(&data);
    assert!(log.len() > 1000, "trace logging wrote something:\n{log}");
    let basic = base64::engine::general_purpose::STANDARD.encode("admin:admin-demo");
    for secret in ["admin-demo", "new-secret-123", basic.as_str(), "eyJ"] {
        assert!(!log.contains(secret), "{secret:?} found in the log");
    }
    // Ocean tokens are long hex strings.
    let hex_run = log
        .split(|c: char| !c.is_ascii_hexdigit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(hex_run < 64, "a token-like hex string is in the log");
}

#[test]
fn keys_are_handled_while_a_request_hangs() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    // Every answer takes 3 s.
    let server = start_server_with(dir.path(), &["--chaos", "latency=3s"]);
    let data = dir.path().join("data");
    let mut c = Console::start(
        &["--url", &server.url, "--user", "admin@vigie.local"],
        &[
            ("VIGIE_PASSWORD", "admin-demo"),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
        ],
        30,
        100,
    );
    c.wait_for("Loading");
    c.keys("?");
    c.wait_for("Help — keys of this screen");
    assert!(
        !c.screen().contains("BICEC Bank"),
        "the help came before the slow answer"
    );
    c.keys("\x1b");
    c.keys("4");
    c.wait_for("Roles");
    // The slow answers still arrive and are shown.
    c.keys("1");
    c.wait_for("BICEC Bank");
    c.keys("q");
    assert!(c.wait_exit().success());
}

#[test]
fn a_server_killed_mid_form_loses_nothing_typed() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let mut server = start_server(dir.path());
    let data = dir.path().join("data");
    let mut c = Console::start(
        &["--url", &server.url, "--user", "admin@vigie.local"],
        &[
            ("VIGIE_PASSWORD", "admin-demo"),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
        ],
        30,
        100,
    );
    c.wait_for("LOUM");
    c.keys("4");
    c.wait_for("lecteur");
    c.keys("n");
    c.wait_for("New role");
    c.keys("auditeur\tLecture seule des sites");
    c.wait_for("Lecture seule des sites");
    let _ = server.child.kill();
    let _ = server.child.wait();
    c.keys("\x13");
    c.wait_for("cannot reach the server");
    let s = c.screen();
    assert!(s.contains("New role"), "the form stays open:\n{s}");
    assert!(
        s.contains("auditeur") && s.contains("Lecture seule des sites"),
        "{s}"
    );
    c.keys("\x03");
    assert!(c.wait_exit().success());
}

#[test]
fn y_copies_through_osc52_so_it_works_over_ssh() {
    let _serial = one_at_a_time();
    use base64::Engine;
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let data = dir.path().join("data");
    let mut c = Console::start(
        &["--url", &server.url, "--user", "admin@vigie.local"],
        &[
            ("VIGIE_PASSWORD", "admin-demo"),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
            // As over SSH: no local clipboard tool is tried.
            ("SSH_TTY", "/dev/pts/9"),
        ],
        30,
        110,
    );
    c.wait_for("LOUM");
    c.keys("/");
    c.keys("LOUM");
    c.keys("\r");
    c.keys("y");
    c.wait_for("Copied");
    let raw = c.raw.lock().unwrap();
    let out = String::from_utf8_lossy(&raw);
    let b64 = base64::engine::general_purpose::STANDARD.encode("LOUM");
    assert!(
        out.contains(&format!("\u{1b}]52;c;{b64}")),
        "no OSC 52 sequence carrying the cell"
    );
    drop(raw);
    c.keys("q");
    assert!(c.wait_exit().success());
}

#[test]
fn capital_e_edits_a_record_in_the_editor_and_saves_it() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let data = dir.path().join("data");
    // An "editor" that changes the port, as a person would in vi.
    let editor = dir.path().join("editor.sh");
    std::fs::write(
        &editor,
        "#!/bin/sh\nsed -i 's/\"port\": 554,/\"port\": 8443,/' \"$1\"\n",
    )
    .unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(&editor)
        .status()
        .unwrap();
    let mut c = Console::start(
        &["--url", &server.url, "--user", "admin@vigie.local"],
        &[
            ("VIGIE_PASSWORD", "admin-demo"),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
            ("EDITOR", editor.to_str().unwrap()),
        ],
        30,
        110,
    );
    c.wait_for("LOUM");
    c.keys("/");
    c.keys("LOUM");
    c.keys("\r");
    c.keys("\r");
    c.wait_for("10.100.0.11");
    c.keys("\r");
    c.wait_for("Equipement 10.100.0.11");
    c.keys("E");
    // The status line is cut at 110 columns: the port is checked on the server below.
    c.wait_for("Saved equipement 10.100.0.11");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let port = rt.block_on(async {
        core_client(&server.url)
            .site_equipements(vigie::server::seed::LOUM_ID, 1, 100)
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|e| e.ip == "10.100.0.11")
            .and_then(|e| e.port)
    });
    assert_eq!(port, Some(8443));
    c.keys("\x1b");
    c.keys("\x1b");
    c.keys("q");
    assert!(c.wait_exit().success());
}

/// Without a terminal (`ssh host vigie` without `-t`, cron): one line saying so, exit 2,
/// nothing written to stdout (no stray escape sequence), no panic.
#[test]
fn without_a_terminal_the_console_says_so_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["--url", "http://127.0.0.1:9", "--user", "admin"])
        .env("VIGIE_PASSWORD", "x")
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "{:?}", out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("needs a terminal") && stderr.contains("ssh -t"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
}

/// `TERM=dumb` cannot draw: refused like no terminal, before anything is drawn.
#[test]
fn a_dumb_terminal_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut c = Console::start(
        &["--url", "http://127.0.0.1:9", "--user", "admin"],
        &[
            ("TERM", "dumb"),
            ("VIGIE_PASSWORD", "x"),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
        ],
        24,
        80,
    );
    let status = c.wait_exit();
    assert_eq!(status.exit_code(), 2);
    std::thread::sleep(Duration::from_millis(200));
    let raw = c.raw.lock().unwrap().clone();
    assert!(!raw.contains(&0x1b), "no escape sequence: {raw:?}");
    assert!(c.screen().contains("TERM=dumb"), "{}", c.screen());
}

/// At 80x24 the footer keeps `?` and `q`, the help scrolls to its last line, and the
/// console clears the screen it enters (terminals without an alternate screen).
#[test]
fn at_80x24_the_main_keys_stay_and_the_help_scrolls() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let data = dir.path().join("data");
    let mut c = Console::start(
        &["--url", &server.url, "--user", "1000"],
        &[
            ("VIGIE_PASSWORD", "admin-demo"),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
        ],
        24,
        80,
    );
    c.wait_for("LOUM");
    let footer = c.screen().lines().nth(22).unwrap_or_default().to_string();
    assert!(
        footer.contains("? help") && footer.contains("q quit"),
        "{footer}"
    );
    let raw = c.raw.lock().unwrap().clone();
    let text = String::from_utf8_lossy(&raw);
    let alt = text.find("\u{1b}[?1049h").expect("alternate screen");
    assert!(
        text[alt..].contains("\u{1b}[2J"),
        "the screen is cleared when entering"
    );
    c.keys("?");
    c.wait_for("more (j/PgDn)");
    assert!(
        !c.screen().contains("In forms"),
        "the end of the help is below:\n{}",
        c.screen()
    );
    for _ in 0..3 {
        c.keys("\x1b[6~"); // PgDn
    }
    c.wait_for("In forms");
    c.wait_for("▲ more");
    c.keys("q");
    c.keys("q");
    c.wait_exit();
}

/// Pickers match like `/` does (accents and case folded) and never pick one of several
/// candidates for the user: `bepanda` offers both BÉPANDA sites and chooses neither.
#[test]
fn pickers_are_accent_blind_and_choose_only_what_is_named() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let data = dir.path().join("data");
    let mut c = Console::start(
        &["--url", &server.url, "--user", "1000"],
        &[
            ("VIGIE_PASSWORD", "admin-demo"),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
        ],
        35,
        120,
    );
    c.wait_for("LOUM");
    c.keys("2");
    c.wait_for("Equipements");
    c.keys("n");
    c.wait_for("New equipement");
    c.keys("bepanda");
    c.wait_for("BEPANDA OMNISPORT");
    c.wait_for("BÉPANDA —");
    let picked = c
        .screen()
        .lines()
        .find(|l| l.contains("Site*"))
        .unwrap_or_default()
        .to_string();
    assert!(
        picked.contains("(none)"),
        "nothing chosen for the user: {picked}"
    );
    // Typing the whole name chooses it.
    c.keys(" omnisport");
    c.wait_for("Site* BEPANDA OMNISPORT");
}

/// TERM and the locale are honoured: `vt100` gets no colour, an 8-colour `linux` console
/// gets the codes it knows (never `38;5;N`), a non-UTF-8 locale gets ASCII lines and
/// transliterated text.
#[test]
fn the_terminal_and_the_locale_are_honoured() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let data = dir.path().join("data");
    let run = |term: &str, lang: &str| {
        let mut c = Console::start(
            &["--url", &server.url, "--user", "1000"],
            &[
                ("TERM", term),
                ("LANG", lang),
                ("LC_ALL", lang),
                ("VIGIE_PASSWORD", "admin-demo"),
                ("XDG_DATA_HOME", data.to_str().unwrap()),
            ],
            30,
            110,
        );
        c.wait_for("LOUM");
        let screen = c.screen();
        c.keys("q");
        c.wait_exit();
        let raw = String::from_utf8_lossy(&c.raw.lock().unwrap()).into_owned();
        (raw, screen)
    };
    // A colour set: `ESC[` then a parameter list holding 3N, 4N, 9N, 10N or 38;/48; (39 and
    // 49, the default colours, are no colour).
    let colours = |raw: &str| -> Vec<String> {
        raw.split("\u{1b}[")
            .skip(1)
            .filter_map(|s| s.split_once('m').map(|(p, _)| p.to_string()))
            .filter(|p| p.chars().all(|c| c.is_ascii_digit() || c == ';'))
            .filter(|p| {
                p.split(';').any(|n| {
                    matches!(
                        n.parse::<u32>(),
                        Ok(30..=38 | 40..=48 | 90..=97 | 100..=107)
                    )
                })
            })
            .collect()
    };
    let (raw, _) = run("vt100", "C.UTF-8");
    assert_eq!(colours(&raw), Vec::<String>::new(), "no colour on vt100");
    assert!(
        !raw.contains("\u{1b}[?2026h"),
        "no synchronized output on vt100"
    );
    // Only what its entry has: no alternate screen, no half-bright, no underline colour.
    for (t, raw) in [("vt100", raw), ("vt220", run("vt220", "C.UTF-8").0)] {
        for junk in ["\u{1b}[?1049h", "\u{1b}[2m", "\u{1b}[59m", ";2m", ";59m"] {
            assert!(!raw.contains(junk), "{t} got {junk:?}");
        }
    }
    let (raw, _) = run("linux", "C.UTF-8");
    assert!(!raw.contains("38;5;"), "8-colour codes only");
    let (raw, screen) = run("xterm-256color", "fr_FR.ISO-8859-1");
    assert!(!raw.contains('┌') && !raw.contains('│'), "ASCII lines");
    assert!(screen.contains("+-") || screen.contains('|'), "{screen}");
}

/// Keys remapped in the config reach the real console: the footer and the help show them,
/// and a form saves with its remapped key.
#[test]
fn remapped_keys_show_and_work_in_the_real_console() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let data = dir.path().join("data");
    let config = dir.path().join("vigie.toml");
    std::fs::write(
        &config,
        "[keys]\nedit = \"o\"\n\n[keys.form]\nsave = \"f2\"\n",
    )
    .unwrap();
    let mut c = Console::start(
        &[
            "--config",
            config.to_str().unwrap(),
            "--url",
            &server.url,
            "--user",
            "1000",
        ],
        &[
            ("VIGIE_PASSWORD", "admin-demo"),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
        ],
        35,
        120,
    );
    c.wait_for("LOUM");
    c.wait_for("n/o/d new/edit/delete");
    c.keys("?");
    c.wait_for("n / o / d");
    c.keys("\x1b");
    c.keys("/");
    c.keys("LOUM");
    c.keys("\r");
    c.keys("e");
    assert!(!c.screen().contains("Edit site"), "e was given away");
    c.keys("o");
    c.wait_for("Edit site");
    c.wait_for("F2 save");
    c.keys("\x1b[F"); // End
    c.keys(" 2");
    c.keys("\x1bOQ"); // F2
    c.wait_for("Saved site");
    c.keys("q");
    c.wait_exit();
}

/// A row command runs the configured program with exactly its arguments (no shell: a value
/// with spaces or `;` stays one argument), waits for Enter, and gives the console back; a
/// device whose username starts with `-` is refused before anything runs.
#[test]
fn a_row_command_gets_exactly_its_arguments_and_the_terminal_comes_back() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let data = dir.path().join("data");
    let out = dir.path().join("argv.txt");
    let script = dir.path().join("record.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> '{}'; done\necho recorded-run\n",
            out.display()
        ),
    )
    .unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(&script)
        .status()
        .unwrap();
    let config = dir.path().join("vigie.toml");
    std::fs::write(
        &config,
        format!(
            "[commands.rec]\nkey = \"ctrl-t\"\non = \"equipements\"\nwait = true\n\
             run = [\"{}\", \"{{username}}@{{ip}}\", \"-p\", \"{{port}}\", \"{{description}}\", \"--\", \"{{ip}}\"]\n\
             [commands.missing]\nkey = \"ctrl-g\"\non = \"equipements\"\nrun = [\"/nonexistent/vigie-test-program\"]\n",
            script.display()
        ),
    )
    .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let api = core_client(&server.url);
        for (ip, username) in [
            ("10.55.0.7", "cam user"),
            ("10.66.0.1", "-oProxyCommand=touch /tmp/pwned"),
        ] {
            api.create_equipement(&vigie::api::model::NewEquipement {
                ip: ip.into(),
                site_id: vigie::server::seed::LOUM_ID.into(),
                marque: "Axis".into(),
                sources: vec![],
                port: 8554,
                username: username.into(),
                password: "pw".into(),
                description: "porte; rm -rf ~".into(),
                modele: "P3245".into(),
            })
            .await
            .unwrap();
        }
    });
    let mut c = Console::start(
        &[
            "--config",
            config.to_str().unwrap(),
            "--url",
            &server.url,
            "--user",
            "admin@vigie.local",
        ],
        &[
            ("VIGIE_PASSWORD", "admin-demo"),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
        ],
        30,
        110,
    );
    c.wait_for("LOUM");
    c.keys("2");
    c.keys("/");
    c.keys("10.55.0.7");
    c.keys("\r");
    c.wait_for("10.55.0.7");
    c.keys("\x14"); // Ctrl-T
    c.wait_for("Enter returns to the console");
    assert!(
        c.screen().contains("recorded-run"),
        "its output is on screen"
    );
    let argv = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        argv.lines().collect::<Vec<_>>(),
        [
            "cam user@10.55.0.7",
            "-p",
            "8554",
            "porte; rm -rf ~",
            "--",
            "10.55.0.7"
        ],
        "argv exactly as configured"
    );
    c.keys("\r");
    c.wait_for("rec ran");
    // The hostile row: refused, nothing runs.
    c.keys("\x1b");
    c.keys("/");
    c.keys("10.66.0.1");
    c.keys("\r");
    c.wait_for("10.66.0.1");
    c.keys("\x14");
    // Cut to the status line (with a mark): the whole reads in :messages.
    c.wait_for("argument 1 starts with");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        argv,
        "the program did not run again"
    );
    assert!(!Path::new("/tmp/pwned").exists());
    // A program that is not there: said, and the console is back.
    c.keys("\x07"); // Ctrl-G
    c.wait_for("missing: cannot run /nonex");
    c.wait_for("10.66.0.1");
    c.keys("q");
    assert!(c.wait_exit().success());
    std::thread::sleep(Duration::from_millis(200));
    let parser = c.parser.lock().unwrap();
    assert!(!parser.screen().alternate_screen(), "terminal given back");
}

/// `:profile NAME` switches profile inside the console (k9s' `:ctx`): the status bar names
/// the new one, tinted with its colour; quitting then quits.
#[test]
fn profile_switches_inside_the_console_and_its_colour_tints_the_status_bar() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let data = dir.path().join("data");
    let config = dir.path().join("vigie.toml");
    let core = |name: &str| {
        format!(
            "[profiles.{name}.core]\nbase_url = \"{}\"\nusername = \"admin@vigie.local\"\npassword_env = \"VIGIE_E2E_PASSWORD\"\n",
            server.url
        )
    };
    std::fs::write(
        &config,
        format!(
            "[profiles.alpha]\n{}\n[profiles.beta]\nproduction = true\ncolor = \"yellow\"\n{}",
            core("alpha"),
            core("beta")
        ),
    )
    .unwrap();
    let mut c = Console::start(
        &["--config", config.to_str().unwrap(), "--profile", "alpha"],
        &[
            ("VIGIE_E2E_PASSWORD", "admin-demo"),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
        ],
        30,
        110,
    );
    c.wait_for("LOUM");
    c.wait_for(" alpha ");
    c.keys(":");
    c.keys("profile beta");
    c.keys("\r");
    c.wait_for("PRODUCTION");
    c.wait_for(" beta ");
    c.wait_for("LOUM");
    {
        let parser = c.parser.lock().unwrap();
        let screen = parser.screen();
        let cell = screen.cell(29, 100).expect("a status bar cell");
        assert_eq!(
            cell.bgcolor(),
            vt100::Color::Idx(3),
            "the status bar is tinted yellow"
        );
    }
    c.keys("q");
    assert!(c.wait_exit().success());
}

/// `I` in a site's detail, in the real console: Tab completes the file's name, the plan
/// is shown, `y` imports it; the API has the rows.
#[test]
fn i_imports_a_csv_into_a_site_from_the_console() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let data = dir.path().join("data");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join("devices-loum.csv"),
        "ip;port;marque;modele\n10.44.0.1;80;Axis;Q1\n10.44.0.2;80;Axis;Q1\nbad;80;Axis;Q1\n",
    )
    .unwrap();
    let mut c = Console::start(
        &["--url", &server.url, "--user", "admin@vigie.local"],
        &[
            ("VIGIE_PASSWORD", "admin-demo"),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
            ("HOME", home.to_str().unwrap()),
        ],
        30,
        110,
    );
    c.wait_for("LOUM");
    c.keys("/");
    c.keys("LOUM");
    c.keys("\r");
    c.keys("\r");
    c.wait_for("Site LOUM");
    c.wait_for("10.100.0.11");
    c.keys("I");
    c.wait_for("Import equipements into this site");
    c.keys("dev");
    c.keys("\t");
    c.wait_for("devices-loum.csv");
    c.keys("\r");
    // An IP that is not one is advice, as in the form: planned, and the server refuses it.
    c.wait_for("3 to create");
    c.wait_for("does not look like an IP address");
    c.keys("y");
    c.wait_for("2 done, 1 failed");
    let ips = loum_ips(&server.url);
    assert!(ips.contains(&"10.44.0.1".to_string()) && ips.contains(&"10.44.0.2".to_string()));
    c.keys("q");
    c.keys("\x1b");
    c.keys("q");
    assert!(c.wait_exit().success());
}

/// `vigie demo` takes a new port each run but keeps its database: it stays one deployment,
/// so a second run offers the draft left by the first, and its journal (and `u`) knows the
/// first run's save.
#[test]
fn a_demo_run_twice_keeps_its_draft_and_its_journal() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let home = |d: &str| dir.path().join(d).to_str().unwrap().to_string();
    let (data, state, config) = (home("data"), home("state"), home("config"));
    let env = [
        ("XDG_DATA_HOME", data.as_str()),
        ("XDG_STATE_HOME", state.as_str()),
        ("XDG_CONFIG_HOME", config.as_str()),
    ];
    let args = ["demo", "--seed-size", "40"];
    let mut c = Console::start(&args, &env, 30, 110);
    c.wait_for("LOUM");
    c.keys(":site LOUM\r");
    c.wait_for("Equipements · page");
    c.keys("e");
    c.wait_for("Edit site");
    c.keys("-NORD\x13");
    // The form shows the name as typed: the save is done when the status says so.
    c.wait_for("Saved site LOUM-NORD");
    c.keys("e");
    c.wait_for("Edit site");
    c.keys("-SUD");
    c.wait_for("LOUM-NORD-SUD");
    std::thread::sleep(Duration::from_millis(300));
    let pid = c.child.process_id().expect("a pid");
    Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .unwrap();
    c.wait_exit();

    let mut c = Console::start(&args, &env, 30, 110);
    c.wait_for("Unfinished form");
    c.keys("n");
    c.wait_for("Draft discarded");
    c.keys(":journal\r");
    c.wait_for("Journal of changes");
    let screen = c.screen();
    assert!(
        !screen.contains("No change made through vigie yet") && screen.contains("LOUM"),
        "{screen}"
    );
    c.keys("\x1b");
    c.keys("q");
    assert!(c.wait_exit().success());
}

/// `P` in a site's detail fills the Reach column in the real console: a device on a loopback
/// listener the profile's `probe_networks` names answers; nothing else is touched.
#[test]
fn p_in_a_sites_detail_fills_the_reach_column() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    let data = dir.path().join("data");
    // The device: a listener on 127.0.0.2 that accepts and never answers.
    let device = std::net::TcpListener::bind("127.0.0.2:0").unwrap();
    let addr = device.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in device.incoming().flatten() {
            held.push(c);
        }
    });
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(common::site_with_device(&core_client(&server.url), addr));
    let config = dir.path().join("vigie.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.lab]\nprobe_networks = [\"127.0.0.2/32\"]\nprobe_timeout_ms = 800\n\
             [profiles.lab.core]\nbase_url = \"{}\"\nusername = \"admin@vigie.local\"\n\
             password_env = \"VIGIE_E2E_PASSWORD\"\n",
            server.url
        ),
    )
    .unwrap();
    let mut c = Console::start(
        &["--config", config.to_str().unwrap()],
        &[
            ("VIGIE_E2E_PASSWORD", "admin-demo"),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
        ],
        30,
        140,
    );
    c.wait_for("LOUM");
    c.keys(":site BANC DE TEST\r");
    c.wait_for("Site BANC DE TEST");
    c.wait_for(&addr.ip().to_string());
    assert!(!c.screen().contains("Reach"), "no column before a probe");
    c.keys("P");
    c.wait_for("Reach");
    c.wait_for("up (");
    c.wait_for("1 of 1 addresses answered");
    c.keys("q");
    c.keys("q");
    assert!(c.wait_exit().success());
}

/// `:find` in the real console searches both profiles of the config; Enter on the record of
/// the other profile lands in that profile (its name in the status bar) with the record's
/// detail open.
#[test]
fn find_then_enter_lands_in_the_other_profiles_record() {
    let _serial = one_at_a_time();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (alpha, beta) = (start_server(a.path()), start_server(b.path()));
    // A site only beta's server has.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        core_client(&beta.url)
            .create_site(&vigie::api::model::NewSite {
                client_id: vigie::server::seed::BICEC_ID.into(),
                name: "QUAI DES BRUMES".into(),
                longitude: 9.7,
                latitude: 4.05,
                description: "entrepôt".into(),
            })
            .await
            .unwrap()
    });
    let data = a.path().join("data");
    let config = a.path().join("vigie.toml");
    let core = |name: &str, url: &str| {
        format!(
            "[profiles.{name}.core]\nbase_url = \"{url}\"\nusername = \"admin@vigie.local\"\npassword_env = \"VIGIE_E2E_PASSWORD\"\n"
        )
    };
    std::fs::write(
        &config,
        format!(
            "[profiles.alpha]\n{}\n[profiles.beta]\n{}",
            core("alpha", &alpha.url),
            core("beta", &beta.url)
        ),
    )
    .unwrap();
    let mut c = Console::start(
        &["--config", config.to_str().unwrap(), "--profile", "alpha"],
        &[
            ("VIGIE_E2E_PASSWORD", "admin-demo"),
            ("XDG_DATA_HOME", data.to_str().unwrap()),
        ],
        30,
        110,
    );
    c.wait_for("LOUM");
    c.wait_for(" alpha ");
    c.keys(":find brumes\r");
    c.wait_for("alpha (this console): nothing found");
    c.wait_for("beta: 1 found");
    c.keys("\r");
    c.wait_for(" beta ");
    c.wait_for("Site QUAI DES BRUMES");
    c.keys("q");
    c.keys("q");
    assert!(c.wait_exit().success());
}
