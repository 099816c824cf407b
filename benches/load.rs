//! Loading every equipement over loopback: the console's bounded concurrent loader
//! (`worker::load_all`) against the same pages fetched one after another (what
//! `CoreClient::all_pages` does), from `vigie serve --seed demo --seed-size 100000` run as a
//! child process (or the server at `VIGIE_BENCH_URL`).
//!
//! `cargo bench --bench load` prints one line per figure; `VIGIE_BENCH_RUNS` (default 3)
//! runs of each, alternated, the best and the median kept. The server's and this process's
//! CPU time during each run tell which side was the bottleneck (`VIGIE_BENCH_SERVER_PID`
//! names the server at `VIGIE_BENCH_URL`). `VIGIE_BENCH_SWEEP=1` adds other concurrencies.
//! With its own server, the same figures follow against the same database served with 1 ms
//! of latency per request (`VIGIE_BENCH_LATENCY=5ms` for another, `0` for none).
//! `cargo bench --bench load -- cost` (also run with no filter): where a load's client CPU
//! goes, the transfer alone against decoding and preparing the same pages held in memory.

mod common;

// The binary's allocator (src/main.rs), so the figures are the console's.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::{Duration, Instant};

use vigie::api::core::MAX_PAGE_SIZE;

fn cpu_of(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces): utime is the 14th field.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on Linux.
    Some(Duration::from_millis(ticks * 10))
}

fn own_cpu() -> Duration {
    cpu_of(std::process::id()).unwrap_or_default()
}

#[derive(Clone, Copy)]
enum How {
    /// `CoreClient::all_pages`: one page after another.
    Sequential,
    /// `worker::load_all` as the console runs it.
    Console,
    Concurrency(usize),
}

impl How {
    fn name(self) -> String {
        match self {
            How::Sequential => "sequential (all_pages)".into(),
            How::Console => format!(
                "concurrent (load_all, {} in flight)",
                vigie::worker::LOAD_ALL_CONCURRENCY
            ),
            How::Concurrency(n) => format!("sweep: {n} in flight"),
        }
    }
}

struct Run {
    wall: Duration,
    server_cpu: Duration,
    client_cpu: Duration,
    rows: usize,
}

async fn run(url: &str, server_pid: Option<u32>, how: How) -> Run {
    // A fresh client per run (no warm pool), logged in before the clock starts: the login is
    // the same for both ways.
    let core = common::client(url);
    core.login().await.expect("login");
    let s0 = server_pid.and_then(cpu_of).unwrap_or_default();
    let c0 = own_cpu();
    let t = Instant::now();
    let items = match how {
        How::Sequential => core
            .all_pages(|p| core.list_equipements(p, MAX_PAGE_SIZE))
            .await
            .expect("sequential"),
        How::Console => {
            let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
            vigie::worker::load_all(&core, 1, &tx)
                .await
                .expect("load_all")
        }
        How::Concurrency(n) => {
            let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
            vigie::worker::load_all_with(&core, 1, &tx, n)
                .await
                .expect("load_all_with")
        }
    };
    let wall = t.elapsed();
    Run {
        wall,
        server_cpu: server_pid.and_then(cpu_of).unwrap_or_default() - s0,
        client_cpu: own_cpu() - c0,
        rows: items.len(),
    }
}

fn main() {
    // `cargo test --benches` runs this without `--bench`: measure only under `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("{}: run it with `cargo bench`", env!("CARGO_CRATE_NAME"));
        return;
    }
    // `cargo bench` passes `--bench`; a name filter would be the other argument.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let runs: usize = std::env::var("VIGIE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    let (url, pid, child) = match std::env::var("VIGIE_BENCH_URL") {
        // The server's pid, when given, for its CPU time.
        Ok(u) => (
            u,
            std::env::var("VIGIE_BENCH_SERVER_PID")
                .ok()
                .and_then(|p| p.parse().ok()),
            None,
        ),
        Err(_) => {
            let n = common::seed_size();
            let t = Instant::now();
            let c = common::spawn_serve(n);
            eprintln!(
                "vigie serve --seed-size {n}: listening after {:.1} s",
                t.elapsed().as_secs_f64()
            );
            (c.url.clone(), Some(c.child.id()), Some(c))
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut plan = vec![How::Sequential, How::Console];
    if std::env::var_os("VIGIE_BENCH_SWEEP").is_some() {
        plan.extend([1, 2, 4, 6, 8, 12, 16].map(How::Concurrency));
    }
    plan.retain(|h| {
        filter
            .as_ref()
            .is_none_or(|f| h.name().contains(f.as_str()))
    });
    measure(&rt, &url, pid, &plan, runs, "");
    if filter.as_ref().is_none_or(|f| "cost".contains(f.as_str())) {
        costs(&rt, &url, runs);
    }
    // The same database served with a delay before each answer, as a server reached over a
    // network is (`VIGIE_BENCH_LATENCY=0` skips it): what bounded concurrency is for. Over
    // loopback both ends only share the same two cores.
    let latency = std::env::var("VIGIE_BENCH_LATENCY").unwrap_or_else(|_| "1ms".into());
    if let Some(c) = child.as_ref().filter(|_| latency != "0") {
        let db = c.dir.path().join("serve.db");
        let spec = ["--chaos".to_string(), format!("latency={latency}")];
        let far = common::spawn_serve_on(tempfile::tempdir().expect("temp dir"), &db, &spec);
        let label = format!(" +{latency}");
        measure(&rt, &far.url, Some(far.child.id()), &plan, runs, &label);
    }
}

/// Where a load's client CPU goes: the transfer of every page alone (the client's HTTP, 6 in
/// flight, the bodies dropped), then, on one thread over the same pages held in memory,
/// serde_json only reading them (its floor), decoding them into records, and decoding and
/// preparing them as the console does (searchable, packed, appended).
fn costs(rt: &tokio::runtime::Runtime, url: &str, runs: usize) {
    let token = common::token(url);
    let pages = common::equipements_total(url).div_ceil(u64::from(MAX_PAGE_SIZE)) as u32;
    let http = reqwest::Client::new();
    let get = |p: u32| {
        http.get(format!(
            "{url}/equipements/all?page={p}&size={MAX_PAGE_SIZE}"
        ))
        .bearer_auth(&token)
        // As the console asks over loopback.
        .header("accept-encoding", "identity")
    };
    // Every page, `LOAD_ALL_CONCURRENCY` in flight, each body kept or dropped.
    let fetch = |keep: bool| async move {
        let mut set = tokio::task::JoinSet::new();
        let (mut next, mut bodies) = (1, vec![bytes::Bytes::new(); pages as usize]);
        loop {
            while set.len() < vigie::worker::LOAD_ALL_CONCURRENCY && next <= pages {
                let req = get(next);
                let p = next;
                set.spawn(async move {
                    let mut resp = req.send().await.expect("a page");
                    let mut body = Vec::new();
                    while let Some(chunk) = resp.chunk().await.expect("its body") {
                        if keep {
                            body.extend_from_slice(&chunk);
                        }
                    }
                    (p, bytes::Bytes::from(body))
                });
                next += 1;
            }
            let Some(done) = set.join_next().await else {
                break;
            };
            let (p, body) = done.expect("a page task");
            bodies[p as usize - 1] = body;
        }
        bodies
    };
    let mut transfer = Vec::new();
    for _ in 0..runs {
        let (c0, t) = (own_cpu(), Instant::now());
        rt.block_on(fetch(false));
        transfer.push((t.elapsed(), own_cpu() - c0));
    }
    let bodies = rt.block_on(fetch(true));
    let (wall, cpu): (Vec<_>, Vec<_>) = transfer.into_iter().unzip();
    println!(
        "cost: the transfer alone ({pages} pages, {} in flight, bodies dropped): median {:>6.0} ms, client CPU {:>5.0} ms",
        vigie::worker::LOAD_ALL_CONCURRENCY,
        common::summary(wall).1,
        common::summary(cpu).1,
    );
    let rows: usize = bodies.iter().map(|b| decode(b).len()).sum();
    let time = |name: &str, step: &dyn Fn() -> usize| {
        let times = (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(step());
                t.elapsed()
            })
            .collect();
        println!(
            "cost: {name:<55} {:>6.0} ms (one thread, {rows} rows)",
            common::summary(times).1
        );
    };
    time("serde_json reading the pages, keeping nothing", &|| {
        for b in &bodies {
            serde_json::from_slice::<serde::de::IgnoredAny>(b).expect("JSON");
        }
        bodies.len()
    });
    time("decoding them into records (items::decode_rows)", &|| {
        bodies.iter().map(|b| decode(b).len()).sum()
    });
    time(
        "decoding and preparing them (Prepared::page, append)",
        &|| {
            let mut all = vigie::rows::Prepared::<vigie::api::model::Equipement>::default();
            for b in &bodies {
                all.append(vigie::rows::Prepared::page(decode(b)), rows);
            }
            vigie::rows::store::Rows::len(&all.items)
        },
    );
}

/// A page's rows decoded as the client decodes them.
fn decode(body: &[u8]) -> Vec<vigie::api::model::Equipement> {
    vigie::api::items::decode_rows(200, body, &["items"], usize::MAX)
        .expect("a page")
        .items
}

/// Runs each way of `plan` `runs` times (alternated, after one warm-up load) and prints one
/// line each: median and best wall time, CPU of both ends, ratio to the sequential median.
fn measure(
    rt: &tokio::runtime::Runtime,
    url: &str,
    pid: Option<u32>,
    plan: &[How],
    runs: usize,
    label: &str,
) {
    // Warm the server's caches once (the page cache, SQLite's own).
    rt.block_on(run(url, pid, How::Console));
    let mut results: Vec<Vec<Run>> = plan.iter().map(|_| Vec::new()).collect();
    for _ in 0..runs {
        for (i, how) in plan.iter().enumerate() {
            results[i].push(rt.block_on(run(url, pid, *how)));
        }
    }
    let mut seq_median = None;
    for (how, mut rs) in plan.iter().zip(results) {
        rs.sort_by_key(|r| r.wall);
        let med = &rs[rs.len() / 2];
        let best = &rs[0];
        let ratio = match (how, seq_median) {
            (How::Sequential, _) => {
                seq_median = Some(med.wall);
                String::new()
            }
            (_, Some(s)) => format!(
                "  {:.2}x faster than sequential",
                s.as_secs_f64() / med.wall.as_secs_f64()
            ),
            _ => String::new(),
        };
        println!(
            "load{label} {:<40} {} rows: median {:>7.0} ms, best {:>7.0} ms; CPU server {:>5.0} ms, client {:>5.0} ms{ratio}",
            how.name(),
            med.rows,
            med.wall.as_secs_f64() * 1000.0,
            best.wall.as_secs_f64() * 1000.0,
            med.server_cpu.as_secs_f64() * 1000.0,
            med.client_cpu.as_secs_f64() * 1000.0,
        );
    }
}
