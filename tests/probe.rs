//! Reachability over real loopback sockets only: devices on 127.0.0.x, `probe_networks`
//! naming them. No test here holds a device outside 127.0.0.0/8 in a profile that allows
//! probing.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use vigie::probe::{Settings, State, Target};

fn target(addr: SocketAddr) -> Target {
    Target {
        device: addr.to_string(),
        host: addr.ip().to_string(),
        port: addr.port(),
    }
}

/// A listener that counts every connection it is offered.
async fn counting(ip: &str) -> (SocketAddr, Arc<AtomicUsize>) {
    let l = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
    let addr = l.local_addr().unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((c, _)) = l.accept().await {
            s.fetch_add(1, Ordering::SeqCst);
            // Accepts and never answers.
            held.push(c);
        }
    });
    (addr, seen)
}

/// A port where nothing listens.
fn closed(ip: &str) -> SocketAddr {
    let l = std::net::TcpListener::bind((ip, 0)).unwrap();
    l.local_addr().unwrap()
}

/// A listener whose accept queue is full and never drained: Linux drops the SYNs of new
/// connections, which then wait until their timeout.
async fn silent(
    ip: &str,
) -> (
    SocketAddr,
    Vec<tokio::net::TcpStream>,
    tokio::net::TcpListener,
) {
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.bind(format!("{ip}:0").parse().unwrap()).unwrap();
    let l = sock.listen(1).unwrap();
    let addr = l.local_addr().unwrap();
    let mut filling = Vec::new();
    for _ in 0..4 {
        match tokio::time::timeout(
            Duration::from_millis(200),
            tokio::net::TcpStream::connect(addr),
        )
        .await
        {
            Ok(Ok(c)) => filling.push(c),
            _ => break,
        }
    }
    (addr, filling, l)
}

/// Connections waiting for an answer (SYN sent) to `ports` on this machine, from the
/// kernel's own table.
fn syn_sent_to(ports: &[u16]) -> usize {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    table
        .lines()
        .skip(1)
        .filter(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let remote_port = f
                .get(2)
                .and_then(|r| r.split(':').nth(1))
                .and_then(|p| u16::from_str_radix(p, 16).ok());
            f.get(3) == Some(&"02") && remote_port.is_some_and(|p| ports.contains(&p))
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_refused_silent_and_not_allowed_devices_are_told_apart_and_the_last_untouched() {
    let (up, _) = counting("127.0.0.2").await;
    let refused = closed("127.0.0.3");
    let (quiet, _filling, _l) = silent("127.0.0.4").await;
    let (outside, seen_outside) = counting("127.0.0.9").await;
    let s = Settings::new(
        &[
            "127.0.0.2/32".into(),
            "127.0.0.3/32".into(),
            "127.0.0.4/32".into(),
        ],
        Some(4),
        Some(300),
    )
    .unwrap();
    let targets = [target(up), target(refused), target(quiet), target(outside)];
    let states = vigie::probe::run(&targets, &s).await;
    assert!(matches!(states[0], State::Up { .. }), "{states:?}");
    assert_eq!(states[1], State::Refused);
    assert_eq!(states[2], State::TimedOut);
    assert_eq!(states[3], State::NotAllowed);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        seen_outside.load(Ordering::SeqCst),
        0,
        "not allowed: no socket opened"
    );

    // With no network named, nothing is touched at all.
    let (addr, seen) = counting("127.0.0.2").await;
    let none = Settings::new(&[], None, None).unwrap();
    assert_eq!(
        vigie::probe::run(&[target(addr)], &none).await,
        [State::NotAllowed]
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(seen.load(Ordering::SeqCst), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn never_more_connections_at_once_than_the_setting() {
    let mut quiet = Vec::new();
    for _ in 0..6 {
        quiet.push(silent("127.0.0.5").await);
    }
    let ports: Vec<u16> = quiet.iter().map(|q| q.0.port()).collect();
    let targets: Vec<Target> = quiet.iter().map(|q| target(q.0)).collect();
    let s = Settings::new(&["127.0.0.5/32".into()], Some(2), Some(400)).unwrap();
    let run = tokio::spawn(async move { vigie::probe::run(&targets, &s).await });
    let mut most = 0;
    while !run.is_finished() {
        let now = syn_sent_to(&ports);
        // A connect closed as the next one opens may show both for an instant (the table is
        // not read atomically): a count is kept when it holds 20 ms later, far less than a
        // try's 400 ms.
        if now > most {
            tokio::time::sleep(Duration::from_millis(20)).await;
            most = most.max(now.min(syn_sent_to(&ports)));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let states = run.await.unwrap();
    assert!(states.iter().all(|s| *s == State::TimedOut), "{states:?}");
    assert!((1..=2).contains(&most), "at most 2 at once, saw {most}");
}

/// The command line: a row per address, exit 1 when one did not answer, 0 when all did;
/// the profile's networks decide.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vigie_probe_prints_a_row_per_address_and_exits_by_what_answered() {
    let dir = tempfile::tempdir().unwrap();
    let (up, _) = counting("127.0.0.2").await;
    let refused = closed("127.0.0.3");
    let config = dir.path().join("vigie.toml");
    std::fs::write(
        &config,
        "[profiles.lab]\nprobe_networks = [\"127.0.0.2/32\", \"127.0.0.3/32\"]\n\
         probe_timeout_ms = 500\n[profiles.lab.core]\nbase_url = \"http://127.0.0.1:9\"\n",
    )
    .unwrap();
    let probe = |ips: Vec<String>, out: &str| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_vigie"));
        cmd.args(["--config", config.to_str().unwrap(), "probe", "-o", out]);
        for ip in ips {
            cmd.args(["--ip", &ip]);
        }
        cmd.env("XDG_DATA_HOME", dir.path()).output().unwrap()
    };
    let out = probe(vec![up.to_string(), refused.to_string()], "json");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["state"], "up");
    assert_eq!(rows[1]["state"], "refused");
    let out = probe(vec![up.to_string()], "table");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&up.to_string()) && text.contains("up ("),
        "{text}"
    );
    let out = probe(vec!["127.0.0.9:80".into()], "csv");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("not allowed"));
}

/// `--site` and an IP alone read the equipements from the server (over loopback): a device
/// on a loopback listener the profile allows answers; the demo's 10.x devices are outside the
/// networks and never touched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vigie_probe_reads_a_sites_devices_from_the_server() {
    let srv = common::start().await;
    let (up, seen) = counting("127.0.0.2").await;
    common::site_with_device(&srv.admin(), up).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("vigie.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.lab]\nprobe_networks = [\"127.0.0.2/32\"]\nprobe_timeout_ms = 500\n\
             [profiles.lab.core]\nbase_url = \"{}\"\nusername = \"admin@vigie.local\"\n\
             password_env = \"VIGIE_TEST_PASSWORD\"\n",
            srv.url()
        ),
    )
    .unwrap();
    let probe = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_vigie"))
            .args(["--config", config.to_str().unwrap(), "probe", "-o", "json"])
            .args(args)
            .env("VIGIE_TEST_PASSWORD", "admin-demo")
            .env("XDG_DATA_HOME", dir.path())
            .env("XDG_CACHE_HOME", dir.path())
            .output()
            .unwrap()
    };
    for args in [&["--site", "banc de test"][..], &["--ip", "127.0.0.2"][..]] {
        let out = probe(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
        assert_eq!(rows[0]["state"], "up");
    }
    assert!(seen.load(Ordering::SeqCst) >= 2);
    // LOUM's devices sit on 10.100.0.x: outside the networks, reported, never touched.
    let out = probe(&["--site", "LOUM"]);
    assert_eq!(out.status.code(), Some(1));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| r["state"] == "not_allowed"),
        "{rows}"
    );
}
