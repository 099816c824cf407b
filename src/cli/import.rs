//! `vigie import`: the plan, then the rows sent through the change room, and a report.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use super::{Global, connect_core};
use crate::import::{Action, Done, ImportArgs, Planned, plan, report, run_plan};

/// `vigie import`: the plan, then (unless `--dry-run`) the rows sent; a report on request.
/// Exit 0 only when every row of the file is on the server as asked.
pub(super) async fn run(g: &Global, a: &ImportArgs) -> Result<ExitCode, String> {
    crate::i18n::set_lang(crate::i18n::Lang::En);
    let c = connect_core(g, true)?;
    let planned = plan(&c.client, a).await?;
    let counts = crate::import::counts(&planned);
    let n = |k: Action| counts.get(&k).copied().unwrap_or(0);
    let summary = format!(
        "{} create, {} update, {} skip, {} error",
        n(Action::Create),
        n(Action::Update),
        n(Action::Skip),
        n(Action::Error)
    );
    let mut out = std::io::stdout().lock();
    let write_report = |done: Option<&[Done]>| -> Result<(), String> {
        if let Some(path) = &a.report {
            crate::files::write_private(path, &report(&planned, done))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        Ok(())
    };
    if a.dry_run {
        print_plan(&mut out, &planned, &summary);
        write_report(None)?;
        return Ok(if n(Action::Error) == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    let sends = n(Action::Create) + n(Action::Update);
    if c.profile.read_only && sends > 0 {
        return Err(format!(
            "profile {} is read-only: nothing sent ({summary}; --dry-run shows the plan)",
            c.profile_name
        ));
    }
    let tty = std::io::stderr().is_terminal();
    let (journal, who) = journal_and_who(&c.profile, &c.profile_name);
    // One import, one batch: the console's `u` undoes it whole.
    let batch = chrono::Utc::now()
        .timestamp_nanos_opt()
        .and_then(|n| u64::try_from(n).ok());
    let clients = crate::change::Clients {
        core: Some(c.client.clone()),
        ..Default::default()
    };
    let done = run_plan(
        &clients,
        &planned,
        a.concurrency,
        &who,
        batch,
        |k, total| {
            if tty {
                eprint!("\rimporting {k}/{total}");
                if k == total {
                    eprintln!();
                }
            }
        },
    )
    .await;
    let failed = journal_and_say(&planned, &done, &journal);
    let ok = done.iter().filter(|d| d.result == "ok").count();
    let _ = writeln!(
        out,
        "done: {ok} sent, {failed} failed, {} skipped, {} errors (plan: {summary})",
        n(Action::Skip),
        n(Action::Error)
    );
    write_report(Some(&done))?;
    Ok(if failed == 0 && n(Action::Error) == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `--dry-run`: the plan, a line per row, and its summary.
fn print_plan(out: &mut impl Write, planned: &[Planned], summary: &str) {
    let _ = writeln!(out, "{:<6} {:<7} MESSAGE", "ROW", "ACTION");
    for p in planned {
        let sep = if p.message.is_empty() { "" } else { ": " };
        let _ = writeln!(
            out,
            "{:<6} {:<7} {}{sep}{}",
            p.line,
            p.action.name(),
            p.label,
            p.message
        );
    }
    let _ = writeln!(out, "plan: {summary} (dry run: nothing sent)");
}

/// Each row created or updated goes to the profile's journal, as from the console: its
/// path, and who the entries name.
fn journal_and_who(profile: &crate::config::Profile, name: &str) -> (PathBuf, String) {
    let base = profile
        .core
        .as_ref()
        .map(|s| s.base_url.clone())
        .unwrap_or_default();
    let journal = crate::journal::path_for(&crate::config::data_dir(), name, &base);
    let who = profile
        .core
        .as_ref()
        .and_then(|s| s.username.clone())
        .unwrap_or_default();
    (journal, who)
}

/// Journals what each row did and says on stderr the rows that failed or were not sent;
/// the count of failed rows.
fn journal_and_say(planned: &[Planned], done: &[Done], journal: &std::path::Path) -> usize {
    let mut failed = 0;
    for (p, d) in planned.iter().zip(done) {
        if let Some(e) = &d.entry
            && let Err(err) = crate::journal::append(journal, e)
        {
            eprintln!("journal not written: {err}");
        }
        match d.result {
            "failed" => {
                failed += 1;
                eprintln!("line {}: {}: {}", p.line, p.label, d.message);
            }
            _ if p.action == Action::Error => {
                eprintln!("line {}: {}: {}", p.line, p.label, p.message);
            }
            _ => {}
        }
    }
    failed
}
