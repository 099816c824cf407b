//! The chaos spec: what to inflict, read from its `key=value` list and written back the same
//! way.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A chaos spec: what to inflict on the requests. The default inflicts nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chaos {
    /// Waited before every request reaches its handler.
    pub latency: Duration,
    /// Up to this much more, drawn uniformly per request (the latency is a lower bound).
    pub jitter: Duration,
    /// Share of requests answered 500, 502 or 503 without reaching the handler.
    pub error_rate: f64,
    /// Share of requests whose connection is closed without a complete answer.
    pub drop_rate: f64,
    /// Share of requests whose answer body is cut short.
    pub truncate_rate: f64,
    /// At most this many requests (all clients together) per window; beyond, 429.
    pub rate_limit: Option<(u32, Duration)>,
    /// Seed of the random draws, for reproducible runs.
    pub seed: Option<u64>,
    /// Leaves the three login routes alone (for tests).
    pub spare_login: bool,
    /// Bytes a second of answer bodies, all connections together.
    pub bandwidth: Option<u64>,
}

impl Chaos {
    /// Whether this spec changes anything at all.
    pub fn is_noop(&self) -> bool {
        self.latency.is_zero()
            && self.jitter.is_zero()
            && self.error_rate == 0.0
            && self.drop_rate == 0.0
            && self.truncate_rate == 0.0
            && self.rate_limit.is_none()
            && self.bandwidth.is_none()
    }
}

fn parse_duration(key: &str, v: &str) -> Result<Duration, String> {
    let bad = || format!("{key}: '{v}' is not a duration (use 800ms or 2s)");
    let (num, unit) = if let Some(n) = v.strip_suffix("ms") {
        (n, 1)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000)
    } else {
        return Err(bad());
    };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: u64 = num.parse().map_err(|_| bad())?;
    let ms = n.checked_mul(unit).ok_or_else(bad)?;
    if ms > 3_600_000 {
        return Err(format!("{key} must be at most 1 hour"));
    }
    Ok(Duration::from_millis(ms))
}

fn parse_rate(key: &str, v: &str) -> Result<f64, String> {
    let r: f64 = v
        .parse()
        .map_err(|_| format!("{key}: '{v}' is not a number (use e.g. 0.2)"))?;
    if !(0.0..=1.0).contains(&r) {
        return Err(format!("{key} must be between 0 and 1"));
    }
    Ok(r)
}

fn parse_rate_limit(v: &str) -> Result<(u32, Duration), String> {
    let bad = || format!("rate_limit: '{v}' is not a rate (use 5/s or 100/min)");
    let (n, per) = v.split_once('/').ok_or_else(bad)?;
    let window = match per {
        "s" | "sec" => Duration::from_secs(1),
        "min" => Duration::from_secs(60),
        // Any other window, as a duration: 10/30s, 1/500ms.
        _ => match parse_duration("rate_limit", per) {
            Ok(d) if !d.is_zero() => d,
            _ => return Err(bad()),
        },
    };
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: u32 = n.parse().map_err(|_| bad())?;
    if n == 0 {
        return Err("rate_limit must allow at least 1 request".into());
    }
    Ok((n, window))
}

/// `2.5MB/s`, `300KB/s`, `20Mbit/s`, `1000B/s` (decimal units, as links are sold).
fn parse_bandwidth(v: &str) -> Result<u64, String> {
    let bad = || format!("bandwidth: '{v}' is not a speed (use 2.5MB/s, 300KB/s or 20Mbit/s)");
    let per_sec = v.strip_suffix("/s").ok_or_else(bad)?;
    let split = per_sec
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(bad)?;
    let (num, unit) = per_sec.split_at(split);
    let factor = match unit {
        "B" => 1.0,
        "KB" | "kB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "kbit" | "Kbit" => 1e3 / 8.0,
        "Mbit" => 1e6 / 8.0,
        "Gbit" => 1e9 / 8.0,
        _ => return Err(bad()),
    };
    let n: f64 = num.parse().map_err(|_| bad())?;
    let bytes = n * factor;
    if !(bytes.is_finite() && bytes >= 1.0) {
        return Err("bandwidth must be at least 1B/s".into());
    }
    Ok(bytes.min(1e12) as u64)
}

fn fmt_bandwidth(b: u64) -> String {
    if b % 1_000_000 == 0 {
        format!("{}MB/s", b / 1_000_000)
    } else if b % 1000 == 0 {
        format!("{}KB/s", b / 1000)
    } else {
        format!("{b}B/s")
    }
}

fn parse_bool(key: &str, v: &str) -> Result<bool, String> {
    match v {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(format!("{key}: '{v}' is not true or false")),
    }
}

impl FromStr for Chaos {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let mut c = Chaos::default();
        let mut seen: Vec<&str> = Vec::new();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (key, value) = match item.split_once('=') {
                Some((k, v)) => (k.trim(), v.trim()),
                // A bare flag means true.
                None if item == "spare_login" => (item, "true"),
                None => return Err(format!("'{item}' has no value (use key=value)")),
            };
            if seen.contains(&key) {
                return Err(format!("key '{key}' is given twice"));
            }
            seen.push(key);
            match key {
                "latency" => c.latency = parse_duration(key, value)?,
                "jitter" => c.jitter = parse_duration(key, value)?,
                "error_rate" => c.error_rate = parse_rate(key, value)?,
                "drop_rate" => c.drop_rate = parse_rate(key, value)?,
                "truncate_rate" => c.truncate_rate = parse_rate(key, value)?,
                "rate_limit" => c.rate_limit = Some(parse_rate_limit(value)?),
                "seed" => {
                    c.seed = Some(value.parse().map_err(|_| {
                        format!("seed: '{value}' is not a whole number between 0 and 2^64-1")
                    })?)
                }
                "spare_login" => c.spare_login = parse_bool(key, value)?,
                "bandwidth" => c.bandwidth = Some(parse_bandwidth(value)?),
                _ => {
                    return Err(format!(
                        "unknown key '{key}' (known: latency, jitter, error_rate, drop_rate, \
                         truncate_rate, rate_limit, bandwidth, seed, spare_login)"
                    ));
                }
            }
        }
        if seen.is_empty() {
            return Err(
                "empty chaos spec (e.g. latency=800ms,error_rate=0.2,rate_limit=5/s)".into(),
            );
        }
        Ok(c)
    }
}

pub(super) fn fmt_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms > 0 && ms % 1000 == 0 {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

impl fmt::Display for Chaos {
    /// The spec syntax, with only the keys that differ from the default (`latency=0ms` when
    /// none does), so that parsing it back gives the same value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if !self.latency.is_zero() {
            parts.push(format!("latency={}", fmt_duration(self.latency)));
        }
        if !self.jitter.is_zero() {
            parts.push(format!("jitter={}", fmt_duration(self.jitter)));
        }
        for (key, rate) in [
            ("error_rate", self.error_rate),
            ("drop_rate", self.drop_rate),
            ("truncate_rate", self.truncate_rate),
        ] {
            if rate != 0.0 {
                parts.push(format!("{key}={rate}"));
            }
        }
        if let Some((n, window)) = self.rate_limit {
            let per = if window == Duration::from_secs(1) {
                "s".to_string()
            } else if window == Duration::from_secs(60) {
                "min".to_string()
            } else {
                fmt_duration(window)
            };
            parts.push(format!("rate_limit={n}/{per}"));
        }
        if let Some(b) = self.bandwidth {
            parts.push(format!("bandwidth={}", fmt_bandwidth(b)));
        }
        if let Some(seed) = self.seed {
            parts.push(format!("seed={seed}"));
        }
        if self.spare_login {
            parts.push("spare_login=true".into());
        }
        if parts.is_empty() {
            parts.push("latency=0ms".into());
        }
        f.write_str(&parts.join(","))
    }
}
