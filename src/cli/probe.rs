//! `vigie probe`: is each device of a site (or each address named) answering? Plain TCP
//! connects, only to the profile's `probe_networks`; exit 0 when every device answered, 1
//! otherwise, 2 on error.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;

use super::{Global, connect};
use crate::list::Output;
use crate::probe::{Settings, State, Target};
use crate::protocol::Service;
use crate::text::sanitize;

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["site", "ip"])))]
pub struct ProbeArgs {
    /// Every equipement of this site (its id, or its whole name, accents and case aside).
    #[arg(long)]
    pub site: Option<String>,
    /// An address to try: IP:PORT as it is, or an IP alone for every equipement the server
    /// holds at that address (repeat it for several).
    #[arg(long)]
    pub ip: Vec<String>,
    /// Output format: a table for a person, JSON or CSV for a program.
    #[arg(short = 'o', long, value_enum, default_value = "table")]
    pub output: Output,
}

/// Runs the probe `a` asks for and prints a row per address tried.
pub(super) async fn run(g: &Global, a: &ProbeArgs) -> Result<ExitCode, String> {
    crate::i18n::set_lang(g.lang.unwrap_or(crate::i18n::Lang::En));
    // An IP alone is looked up among the server's equipements.
    let bare: Vec<std::net::IpAddr> =
        a.ip.iter()
            .filter_map(|ip| ip.trim().parse::<std::net::IpAddr>().ok())
            .collect();
    let needs_core = a.site.is_some() || !bare.is_empty();
    let c = connect(g, needs_core.then_some(Service::Core))?;
    let p = &c.profile;
    let settings = Settings::new(&p.probe_networks, p.probe_concurrency, p.probe_timeout_ms)?;
    let mut targets: Vec<Target> = Vec::new();
    if let Some(key) = &a.site {
        let core = c.clients.core().map_err(|e| e.to_string())?;
        let sites = core
            .list_site_summaries()
            .await
            .map_err(|e| e.to_string())?;
        let site = crate::list::find_site(&sites, key)?;
        let devices = crate::list::site_equipements(core, &site.site_id)
            .await
            .map_err(|e| e.to_string())?;
        targets.extend(devices.iter().flat_map(crate::probe::targets_of));
    }
    if !bare.is_empty() {
        let core = c.clients.core().map_err(|e| e.to_string())?;
        let sites = core.list_sites().await.map_err(|e| e.to_string())?;
        for ip in &bare {
            let held: Vec<Target> = sites
                .iter()
                .flat_map(|s| &s.equipements)
                .filter(|e| e.ip.trim().parse::<std::net::IpAddr>().ok() == Some(*ip))
                .flat_map(crate::probe::targets_of)
                .collect();
            if held.is_empty() {
                return Err(format!("--ip {ip}: no equipement at that address"));
            }
            targets.extend(held);
        }
    }
    for ip in
        a.ip.iter()
            .filter(|ip| ip.trim().parse::<std::net::IpAddr>().is_err())
    {
        let addr: std::net::SocketAddr = ip
            .trim()
            .parse()
            .map_err(|_| format!("--ip {}: not an IP or an IP:PORT", sanitize(ip)))?;
        targets.push(Target {
            device: addr.to_string(),
            host: addr.ip().to_string(),
            port: addr.port(),
        });
    }
    if settings.networks.is_empty() && !targets.is_empty() {
        eprintln!(
            "vigie: warning: profile {} names no probe_networks: nothing is probed",
            sanitize(&c.profile_name)
        );
    }
    let states = crate::probe::run(&targets, &settings).await;
    write(&mut std::io::stdout().lock(), a.output, &targets, &states)
        .map_err(|e| format!("cannot write the output: {e}"))?;
    Ok(if states.iter().all(|s| matches!(s, State::Up { .. })) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn write(
    out: &mut dyn Write,
    how: Output,
    targets: &[Target],
    states: &[State],
) -> std::io::Result<()> {
    let rows = targets.iter().zip(states);
    match how {
        Output::Json => {
            let v: Vec<serde_json::Value> = rows
                .map(|(t, s)| {
                    let mut v = serde_json::json!({
                        "device": t.device, "host": t.host, "port": t.port,
                    });
                    if let (Some(o), Ok(serde_json::Value::Object(st))) =
                        (v.as_object_mut(), serde_json::to_value(s))
                    {
                        o.extend(st);
                    }
                    v
                })
                .collect();
            let text = serde_json::to_string_pretty(&v).map_err(std::io::Error::other)?;
            writeln!(out, "{}", crate::text::json_safe(text))
        }
        Output::Csv => {
            writeln!(out, "device,address,state")?;
            for (t, s) in rows {
                writeln!(
                    out,
                    "{},{},{}",
                    crate::text::csv_cell(&t.device),
                    crate::text::csv_cell(&format!("{}:{}", t.host, t.port)),
                    crate::text::csv_cell(&s.words())
                )?;
            }
            Ok(())
        }
        Output::Table => {
            let w = targets
                .iter()
                .map(|t| sanitize(&t.device).len())
                .chain([6])
                .max()
                .unwrap_or(6);
            let a = targets
                .iter()
                .map(|t| t.host.len() + 6)
                .chain([7])
                .max()
                .unwrap_or(7);
            writeln!(out, "{:<w$}  {:<a$}  STATE", "DEVICE", "ADDRESS")?;
            for (t, s) in rows {
                writeln!(
                    out,
                    "{:<w$}  {:<a$}  {}",
                    sanitize(&t.device),
                    format!("{}:{}", sanitize(&t.host), t.port),
                    s.words()
                )?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Output, State, Target, write};

    /// A server's address text is text on every output: no control reaches a terminal, a
    /// spreadsheet or a JSON reader.
    #[test]
    fn hostile_addresses_are_neutralised_in_every_format() {
        let t = Target {
            device: "10.0.0.1\u{1b}]2;owned\u{7}:554".into(),
            host: "10.0.0.1\u{1b}[2J\u{202e}".into(),
            port: 554,
        };
        let s = State::Unreachable {
            why: "no route\u{1b}[31m".into(),
        };
        for how in [Output::Table, Output::Csv, Output::Json] {
            let mut out = Vec::new();
            write(
                &mut out,
                how,
                std::slice::from_ref(&t),
                std::slice::from_ref(&s),
            )
            .unwrap();
            let text = String::from_utf8_lossy(&out);
            assert!(text.contains("10.0.0.1"), "{how:?}: {text}");
            for bad in ['\u{1b}', '\u{7}', '\u{202e}'] {
                assert!(!text.contains(bad), "{how:?}: {bad:?} in {text:?}");
            }
        }
    }
}
