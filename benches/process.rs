//! Whole-process figures of the real `vigie` binary in a 200x50 pseudo-terminal against
//! `vigie serve --seed demo --seed-size N` (a child, or the server at `VIGIE_BENCH_URL`):
//!
//! - start: exec to the first frame, and to the first frame showing data (a site's row),
//!   read from the screen as it arrives (timestamped by the pty reader);
//! - idle: CPU time and wake-ups (context switches of every thread) over 10 s with nothing
//!   happening, before and after every equipement is loaded;
//! - memory: resident size (VmRSS, and its peak VmHWM) with every equipement loaded, and the
//!   time from the key that asks for them to the frame that says they are all there;
//! - site: with the default settings and nothing kept, exec to the first frame with data, and
//!   `:site LOUM` to the frame showing its equipements;
//! - load (only when named): every equipement loaded, key to the frame saying so, alone;
//! - keystroke: from a filter key written to the pty to the frame that shows its result.
//!
//! `cargo bench --bench process [start|site|idle|memory|load]`; `VIGIE_BENCH_RUNS` starts (default 10),
//! `VIGIE_BENCH_IDLE_SECS` (default 10).

mod common;

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const ROWS: u16 = 50;
const COLS: u16 = 200;
/// On a data row of the Sites tab (the sites' client).
const DATA_MARK: &str = "BICEC Bank";
/// In the tab bar of every frame.
const FRAME_MARK: &str = "Equipements";

struct Shared {
    parser: vt100::Parser,
    /// (text, first time seen) for the texts watched.
    seen: Vec<(String, Option<Instant>)>,
    /// Bytes written by the console so far.
    bytes: usize,
}

/// The console in a pty; the reader thread keeps the screen and timestamps watched texts the
/// moment they appear.
struct Console {
    shared: Arc<Mutex<Shared>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    started: Instant,
    _dir: tempfile::TempDir,
}

impl Console {
    fn start(args: &[&str], env: &[(&str, &str)], watch: &[&str]) -> Console {
        Self::start_in(None, args, env, watch)
    }

    /// `home`: the same home for several starts (what one start keeps, the next one finds).
    fn start_in(
        home: Option<&std::path::Path>,
        args: &[&str],
        env: &[(&str, &str)],
        watch: &[&str],
    ) -> Console {
        let dir = tempfile::tempdir().expect("temp dir");
        let home = home.unwrap_or(dir.path()).to_path_buf();
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pty");
        let mut cmd = CommandBuilder::new(common::vigie_bin());
        for a in args {
            cmd.arg(a);
        }
        cmd.env("TERM", "xterm-256color");
        cmd.env("XDG_DATA_HOME", home.join("data"));
        cmd.env("XDG_CONFIG_HOME", home.join("config"));
        cmd.env("XDG_CACHE_HOME", home.join("cache"));
        cmd.env("HOME", &home);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let shared = Arc::new(Mutex::new(Shared {
            parser: vt100::Parser::new(
                std::num::NonZeroU16::new(ROWS).unwrap(),
                std::num::NonZeroU16::new(COLS).unwrap(),
                0,
            ),
            seen: watch.iter().map(|w| (w.to_string(), None)).collect(),
            bytes: 0,
        }));
        let started = Instant::now();
        let child = pair.slave.spawn_command(cmd).expect("vigie starts");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let s = shared.clone();
        std::thread::spawn(move || {
            let _master = pair.master;
            let mut buf = vec![0u8; 1 << 16];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let now = Instant::now();
                let mut g = s.lock().unwrap();
                g.parser.process(&buf[..n]);
                g.bytes += n;
                if g.seen.iter().any(|(_, t)| t.is_none()) {
                    let screen = g.parser.screen().contents();
                    for (text, at) in g.seen.iter_mut() {
                        if at.is_none() && screen.contains(text.as_str()) {
                            *at = Some(now);
                        }
                    }
                }
            }
        });
        Console {
            shared,
            writer,
            child,
            started,
            _dir: dir,
        }
    }

    fn pid(&self) -> u32 {
        self.child.process_id().expect("pid")
    }

    fn screen(&self) -> String {
        self.shared.lock().unwrap().parser.screen().contents()
    }

    fn watch(&self, text: &str) {
        self.shared
            .lock()
            .unwrap()
            .seen
            .push((text.to_string(), None));
    }

    /// When `text` first appeared, waiting for it up to `limit`.
    fn seen_at(&self, text: &str, limit: Duration) -> Instant {
        let deadline = Instant::now() + limit;
        loop {
            {
                let g = self.shared.lock().unwrap();
                if let Some((_, Some(t))) = g.seen.iter().find(|(w, _)| w == text) {
                    return *t;
                }
            }
            assert!(
                Instant::now() < deadline,
                "never saw {text:?} on screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    fn send(&mut self, s: &str) -> Instant {
        let t = Instant::now();
        self.writer.write_all(s.as_bytes()).expect("write");
        self.writer.flush().expect("flush");
        t
    }

    fn quit(mut self) {
        let _ = self.send("q");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
    }
}

/// CPU time (user + system) of a process, all threads.
fn cpu(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let Some(close) = stat.rfind(')') else {
        return Duration::ZERO;
    };
    let f: Vec<&str> = stat[close + 2..].split_whitespace().collect();
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| f.get(i).and_then(|v| v.parse::<u64>().ok()))
        .sum();
    Duration::from_millis(ticks * 10)
}

/// Context switches of every thread: each is a wake-up (or a preemption).
fn switches(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("status")).ok())
        .map(|s| {
            s.lines()
                .filter(|l| l.contains("ctxt_switches"))
                .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum::<u64>()
        })
        .sum()
}

fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

/// Resident size: total, anonymous (the heap: data) and file-backed (the binary's pages).
fn rss(pid: u32) -> String {
    format!(
        "VmRSS {} kB (anonymous {} kB, file {} kB), peak VmHWM {} kB",
        status_kb(pid, "VmRSS:"),
        status_kb(pid, "RssAnon:"),
        status_kb(pid, "RssFile:"),
        status_kb(pid, "VmHWM:")
    )
}

fn threads(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|d| d.count())
        .unwrap_or(0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn stats(mut v: Vec<f64>) -> String {
    v.sort_by(f64::total_cmp);
    format!(
        "median {:.1} ms, min {:.1}, max {:.1} ({} runs)",
        v[v.len() / 2],
        v[0],
        v[v.len() - 1],
        v.len()
    )
}

fn password_console(url: &str, watch: &[&str]) -> Console {
    password_console_in(None, url, watch)
}

fn password_console_in(home: Option<&std::path::Path>, url: &str, watch: &[&str]) -> Console {
    Console::start_in(
        home,
        &["--url", url, "--user", common::ADMIN.0],
        &[("VIGIE_PASSWORD", common::ADMIN.1)],
        watch,
    )
}

fn token_console(url: &str, config: &std::path::Path, tok: &str, watch: &[&str]) -> Console {
    let _ = url;
    Console::start(
        &["--config", config.to_str().unwrap(), "-p", "bench"],
        &[("VIGIE_BENCH_TOKEN", tok)],
        watch,
    )
}

/// `VIGIE_BENCH_RUNS`, 10 unless said.
fn runs() -> usize {
    std::env::var("VIGIE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
        .max(1)
}

/// The first of LOUM's equipements (the doc's sample, at every seed size).
const LOUM_MARK: &str = "10.100.0.11 ";

/// A new user's lookup with the default settings (no profile, nothing kept; at a million
/// equipements the sites list is 320 MB, past the default `max_body_mb`): exec to the first
/// frame with data, then `:site LOUM` and Enter to the frame with its equipements.
fn site_figures(url: &str) {
    let (mut data, mut site) = (Vec::new(), Vec::new());
    for _ in 0..runs() {
        let mut c = password_console(url, &[DATA_MARK]);
        let d = c.seen_at(DATA_MARK, Duration::from_secs(120));
        data.push(ms(d - c.started));
        std::thread::sleep(Duration::from_millis(300));
        c.watch(LOUM_MARK);
        c.send(":site LOUM");
        std::thread::sleep(Duration::from_millis(300));
        let enter = c.send("\r");
        let shown = c.seen_at(LOUM_MARK, Duration::from_secs(60));
        site.push(ms(shown - enter));
        c.send("\u{1b}");
        std::thread::sleep(Duration::from_millis(100));
        c.quit();
        std::thread::sleep(Duration::from_millis(100));
    }
    println!(
        "default settings, nothing kept: exec to first data frame: {}",
        stats(data)
    );
    println!(
        "default settings: `:site LOUM` Enter to its equipements: {}",
        stats(site)
    );
}

/// Every equipement loaded, key to the frame saying so, `runs()` consoles one after another
/// (nothing else asked meanwhile), each figure printed as it comes: `scripts/bench.sh
/// loadratio` alternates single runs with curl's transfer of the same pages.
fn load_figures(url: &str) {
    let config = bench_config(url);
    let loaded = format!(
        "All {} equipements loaded",
        group(common::equipements_total(url))
    );
    let mut took = Vec::new();
    for _ in 0..runs() {
        let mut c = Console::start(
            &["--config", config.1.to_str().unwrap(), "-p", "bench"],
            &[("VIGIE_PASSWORD", common::ADMIN.1)],
            &[DATA_MARK],
        );
        c.seen_at(DATA_MARK, Duration::from_secs(120));
        c.send("2");
        std::thread::sleep(Duration::from_millis(500));
        c.watch(&loaded);
        let asked = c.send("A");
        let done = c.seen_at(&loaded, Duration::from_secs(600));
        println!("load all: key to \"{loaded}\": {:.0} ms", ms(done - asked));
        took.push(ms(done - asked));
        c.quit();
    }
    println!(
        "load all: key to the frame saying they are: {}",
        stats(took)
    );
}

/// A profile for `url` whose answers may be as big as a million equipements make the sites
/// list (317 MB; the default max_body_mb is 256), and its directory.
fn bench_config(url: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.bench]\nmax_body_mb = 4096\n[profiles.bench.core]\nbase_url = \"{url}\"\n\
             username = \"{}\"\npassword_env = \"VIGIE_PASSWORD\"\n",
            common::ADMIN.0
        ),
    )
    .unwrap();
    (dir, config)
}

fn start_figures(url: &str) {
    let runs = runs();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "default_profile = \"bench\"\n[profiles.bench.core]\nbase_url = \"{url}\"\n\
             token_env = \"VIGIE_BENCH_TOKEN\"\n"
        ),
    )
    .unwrap();
    let tok = common::token(url);
    // The same user starting again: the token and the sites the first start kept.
    let home = tempfile::tempdir().unwrap();
    let warm = password_console_in(Some(home.path()), url, &[DATA_MARK]);
    warm.seen_at(DATA_MARK, Duration::from_secs(60));
    // Until the whole sites list is in and kept (seconds over a slow link).
    let kept = home.path().join("cache/vigie/sites");
    let deadline = Instant::now() + Duration::from_secs(120);
    while std::fs::read_dir(&kept).map_or(true, |mut d| d.next().is_none())
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    warm.quit();
    for case in 0..3 {
        let (mut first, mut data) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            let c = match case {
                0 => password_console(url, &[FRAME_MARK, DATA_MARK]),
                1 => token_console(url, &config, &tok, &[FRAME_MARK, DATA_MARK]),
                _ => password_console_in(Some(home.path()), url, &[FRAME_MARK, DATA_MARK]),
            };
            let d = c.seen_at(DATA_MARK, Duration::from_secs(60));
            let f = c.seen_at(FRAME_MARK, Duration::from_secs(1));
            first.push(ms(f - c.started));
            data.push(ms(d - c.started));
            c.quit();
            std::thread::sleep(Duration::from_millis(100));
        }
        let how = match case {
            0 => "password (login at start)",
            1 => "token profile",
            _ => "password, started before (kept token and sites)",
        };
        println!("start, {how}: exec to first frame: {}", stats(first));
        println!("start, {how}: exec to first data frame: {}", stats(data));
    }
}

fn idle(c: &Console, what: &str) {
    let secs: u64 = std::env::var("VIGIE_BENCH_IDLE_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let pid = c.pid();
    let bytes0 = c.shared.lock().unwrap().bytes;
    let (c0, s0) = (cpu(pid), switches(pid));
    let t = Instant::now();
    std::thread::sleep(Duration::from_secs(secs));
    let (c1, s1) = (cpu(pid), switches(pid));
    let wall = t.elapsed().as_secs_f64();
    let bytes = c.shared.lock().unwrap().bytes - bytes0;
    println!(
        "idle, {what}: {:.2}% of a core ({:.0} ms CPU in {:.0} s), {:.1} wake-ups/s over {} threads, {} bytes drawn",
        100.0 * (c1 - c0).as_secs_f64() / wall,
        ms(c1 - c0),
        wall,
        (s1 - s0) as f64 / wall,
        threads(pid),
        bytes
    );
}

fn session_figures(url: &str, do_idle: bool, do_memory: bool) {
    let (_dir, config) = bench_config(url);
    let mut c = Console::start(
        &["--config", config.to_str().unwrap(), "-p", "bench"],
        &[("VIGIE_PASSWORD", common::ADMIN.1)],
        &[DATA_MARK],
    );
    c.seen_at(DATA_MARK, Duration::from_secs(60));
    // Let what follows the first frame (nothing, normally) settle.
    std::thread::sleep(Duration::from_millis(500));
    let pid = c.pid();
    println!("memory, sites shown: {}", rss(pid));
    if do_idle {
        idle(&c, "sites shown");
    }
    if !do_memory {
        c.quit();
        return;
    }
    let loaded = format!(
        "All {} equipements loaded",
        group(common::equipements_total(url))
    );
    c.watch(&loaded);
    c.send("2");
    std::thread::sleep(Duration::from_millis(500));
    c.watch("close help");
    let asked = c.send("A");
    // A key while the rows come and are landed: the help window opens (and closes).
    std::thread::sleep(Duration::from_millis(300));
    let key = c.send("?");
    let shown = c.seen_at("close help", Duration::from_secs(120));
    c.send("\u{1b}");
    let done = c.seen_at(&loaded, Duration::from_secs(600));
    println!(
        "a key while loading ({} ms after asking): key to its frame {:.1} ms",
        ms(key - asked) as u64,
        ms(shown - key)
    );
    println!(
        "load all in the console: key to the frame saying \"{loaded}\": {:.0} ms",
        ms(done - asked)
    );
    std::thread::sleep(Duration::from_millis(500));
    println!("memory, every equipement loaded: {}", rss(pid));
    if do_idle {
        idle(&c, "every equipement loaded");
    }
    // Filter keystrokes, key to frame through the pty.
    c.send("/");
    std::thread::sleep(Duration::from_millis(300));
    let mut lat = Vec::new();
    for (typed, shows) in [("h", "/h"), ("i", "/hi"), ("k", "/hik")] {
        c.watch(shows);
        let t = c.send(typed);
        let at = c.seen_at(shows, Duration::from_secs(10));
        lat.push(format!("{typed:?} {:.1} ms", ms(at - t)));
        std::thread::sleep(Duration::from_millis(200));
    }
    println!(
        "filter keystroke to frame through the pty: {}",
        lat.join(", ")
    );
    c.quit();
}

fn group(n: u64) -> String {
    vigie::app::group(n)
}

fn main() {
    // `cargo test --benches` runs this without `--bench`: measure only under `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("{}: run it with `cargo bench`", env!("CARGO_CRATE_NAME"));
        return;
    }
    let what: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let on = |w: &str| what.is_empty() || what.iter().any(|x| x == w);
    let seed = common::seed_size();
    let (url, _child) = match std::env::var("VIGIE_BENCH_URL") {
        Ok(u) => (u, None),
        Err(_) => {
            let c = common::spawn_serve(seed);
            (c.url.clone(), Some(c))
        }
    };
    println!(
        "console: {} at {COLS}x{ROWS}, server {url} ({seed} generated equipements)",
        common::vigie_bin().display()
    );
    if on("start") {
        start_figures(&url);
    }
    if on("site") {
        site_figures(&url);
    }
    if what.iter().any(|x| x == "load") {
        load_figures(&url);
    }
    if on("idle") || on("memory") {
        session_figures(&url, on("idle"), on("memory"));
    }
}
