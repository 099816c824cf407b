//! Reachability: is a device answering? Plain TCP connects from tokio — no shell, no ICMP,
//! no raw sockets, so it works unprivileged over SSH — at most `concurrency` at once, each
//! bounded by `timeout`, and only to the networks the profile names: an address outside them
//! is "not allowed" and no socket is opened for it. Nothing is probed until a network is
//! named (consent by network).

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use futures::StreamExt;
use ipnet::IpNet;
use serde::Serialize;

use crate::api::model::Equipement;

/// At most this many connects at once unless the profile says otherwise.
pub const DEFAULT_CONCURRENCY: usize = 16;
/// Each connect bounded by this unless the profile says otherwise.
pub const DEFAULT_TIMEOUT_MS: u64 = 1_000;

/// What a run may touch and how.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The networks the profile names (`probe_networks`); empty: nothing is probed.
    pub networks: Vec<IpNet>,
    pub concurrency: usize,
    pub timeout: Duration,
}

impl Settings {
    /// From the profile's words: `probe_networks` as CIDR (`10.13.0.0/16`) or single
    /// addresses; an entry that is neither is an error naming it.
    pub fn new(
        networks: &[String],
        concurrency: Option<usize>,
        timeout_ms: Option<u64>,
    ) -> Result<Settings, String> {
        let networks = networks
            .iter()
            .map(|n| {
                let n = n.trim();
                n.parse::<IpNet>()
                    .or_else(|_| n.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("probe_networks: {n:?} is not a network (10.13.0.0/16)"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Settings {
            networks,
            concurrency: concurrency.unwrap_or(DEFAULT_CONCURRENCY).clamp(1, 256),
            timeout: Duration::from_millis(
                timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS).clamp(1, 60_000),
            ),
        })
    }

    /// No network named: nothing is probed.
    pub fn none() -> Settings {
        Settings {
            networks: Vec::new(),
            concurrency: DEFAULT_CONCURRENCY,
            timeout: Duration::from_millis(DEFAULT_TIMEOUT_MS),
        }
    }

    /// Whether the profile consents to `ip` being probed.
    pub fn allows(&self, ip: IpAddr) -> bool {
        self.networks.iter().any(|n| n.contains(&ip))
    }
}

/// One address to try, and the record it is for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    /// The equipement (its label: `ip:port`, or the source's URL).
    pub device: String,
    pub host: String,
    pub port: u16,
}

/// What a connect found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    /// Connected, in this many milliseconds.
    Up { ms: u64 },
    /// The host answered that nothing listens there.
    Refused,
    /// No answer within the timeout.
    TimedOut,
    /// The network said no route, or the address is not one.
    Unreachable { why: String },
    /// Outside the profile's `probe_networks`: not touched.
    NotAllowed,
}

impl State {
    /// As a person reads it.
    pub fn words(&self) -> String {
        use crate::i18n::{tr, trf};
        match self {
            State::Up { ms } => trf("up ({} ms)", &[ms]),
            State::Refused => tr("refused").into(),
            State::TimedOut => tr("timed out").into(),
            State::Unreachable { why } => trf("unreachable: {}", &[&crate::text::sanitize(why)]),
            State::NotAllowed => tr("not allowed (outside probe_networks)").into(),
        }
    }
}

/// How a target names its equipement (`ip:port`): the key a run's answers are found by.
pub fn device(e: &Equipement) -> String {
    match e.port {
        Some(p) => format!("{}:{p}", e.ip),
        None => e.ip.to_string(),
    }
}

/// An equipement's addresses: `ip:port`, then each `rtsp://` or `http(s)://` source's host
/// and port (554, 80, 443 when the URL names none), each once.
pub fn targets_of(e: &Equipement) -> Vec<Target> {
    let device = device(e);
    let mut out: Vec<Target> = Vec::new();
    let mut add = |host: &str, port: u16| {
        let host = host.trim_matches(['[', ']']).to_string();
        if !host.is_empty() && !out.iter().any(|t| t.host == host && t.port == port) {
            out.push(Target {
                device: device.clone(),
                host,
                port,
            });
        }
    };
    // A port the server holds out of range is no port to try.
    if let Some(p) = e.port.and_then(|p| u16::try_from(p).ok()) {
        add(&e.ip, p);
    }
    for s in e.sources.0.iter() {
        let Ok(url) = reqwest::Url::parse(s.trim()) else {
            continue;
        };
        let default = match url.scheme() {
            "rtsp" => 554,
            "http" => 80,
            "https" => 443,
            _ => continue,
        };
        if let Some(h) = url.host_str() {
            add(h, url.port().unwrap_or(default));
        }
    }
    out
}

/// Tries every target, at most `s.concurrency` at once, each within `s.timeout`; results in
/// the targets' order. A host that is not an IP address is not looked up (no DNS from a
/// probe): it is unreachable.
pub async fn run(targets: &[Target], s: &Settings) -> Vec<State> {
    // Each try owns what it needs: the run's future can then move between threads.
    let tries: Vec<_> = targets
        .iter()
        .map(|t| {
            let (host, port, s) = (t.host.clone(), t.port, s.clone());
            async move { probe(&host, port, &s).await }
        })
        .collect();
    futures::stream::iter(tries)
        .buffered(s.concurrency.max(1))
        .collect()
        .await
}

async fn probe(host: &str, port: u16, s: &Settings) -> State {
    let Ok(ip) = host.parse::<IpAddr>() else {
        return State::Unreachable {
            why: "not an IP address (not looked up)".into(),
        };
    };
    if !s.allows(ip) {
        return State::NotAllowed;
    }
    let started = Instant::now();
    match tokio::time::timeout(
        s.timeout,
        tokio::net::TcpStream::connect(SocketAddr::new(ip, port)),
    )
    .await
    {
        Ok(Ok(_)) => State::Up {
            ms: started.elapsed().as_millis().try_into().unwrap_or(u64::MAX),
        },
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => State::Refused,
        Ok(Err(e)) => State::Unreachable { why: e.to_string() },
        Err(_) => State::TimedOut,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Settings, targets_of};
    use crate::api::model::Equipement;

    #[test]
    fn networks_are_read_and_nothing_is_allowed_by_default() {
        let none = Settings::new(&[], None, None).unwrap();
        assert!(!none.allows("127.0.0.1".parse().unwrap()));
        let s = Settings::new(
            &["127.0.0.2/32".into(), "10.13.0.0/16".into(), "::1".into()],
            Some(4),
            Some(200),
        )
        .unwrap();
        assert!(s.allows("127.0.0.2".parse().unwrap()));
        assert!(!s.allows("127.0.0.9".parse().unwrap()));
        assert!(s.allows("10.13.200.1".parse().unwrap()));
        assert!(s.allows("::1".parse().unwrap()));
        assert_eq!((s.concurrency, s.timeout), (4, Duration::from_millis(200)));
        let e = Settings::new(&["10.13.0.0/40".into()], None, None).unwrap_err();
        assert!(e.contains("10.13.0.0/40"), "{e}");
    }

    #[test]
    fn an_equipement_is_tried_on_its_port_and_its_sources() {
        let e = Equipement {
            ip: "127.0.0.2".into(),
            port: Some(8554),
            sources: crate::api::model::Sources(vec![
                "rtsp://127.0.0.2:8554/live".into(),
                "http://127.0.0.3/snap.jpg".into(),
                "snmp".into(),
            ]),
            ..Default::default()
        };
        let t: Vec<(String, u16)> = targets_of(&e)
            .into_iter()
            .map(|t| (t.host, t.port))
            .collect();
        assert_eq!(
            t,
            [
                ("127.0.0.2".to_string(), 8554),
                ("127.0.0.3".to_string(), 80)
            ]
        );
    }
}
