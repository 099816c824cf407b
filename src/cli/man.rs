//! `vigie man`: one page that holds every command (packages install `vigie.1` alone, so it
//! names no `vigie-list(1)`), and the environment, files and examples clap does not know.

use std::io::Write;

/// The page of `cmd` (the command line as defined, before clap adds its help flags).
pub(super) fn render(cmd: clap::Command, out: &mut Vec<u8>) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(out)?;
    out.extend(part(|w| man.render_name_section(w), true)?);
    out.extend(part(|w| man.render_synopsis_section(w), true)?);
    out.extend(part(|w| man.render_description_section(w), true)?);
    out.extend(part(|w| man.render_options_section(w), true)?);
    writeln!(out, ".SH COMMANDS")?;
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        command(sub, &format!("vigie {}", sub.get_name()), out)?;
    }
    out.write_all(ENVIRONMENT_FILES_EXAMPLES.as_bytes())?;
    out.extend(part(|w| man.render_version_section(w), true)?);
    Ok(())
}

/// One command: its heading, what it does, its own options, and its own commands.
fn command(sub: &clap::Command, name: &str, out: &mut Vec<u8>) -> std::io::Result<()> {
    writeln!(out, ".SS \"{}\"", name.replace('-', "\\-"))?;
    if let Some(about) = sub.get_long_about().or_else(|| sub.get_about()) {
        for line in about.to_string().lines() {
            match line.trim() {
                "" => writeln!(out, ".PP")?,
                l => writeln!(out, "{}", text(l))?,
            }
        }
    }
    let own: Vec<clap::Arg> = sub
        .get_arguments()
        .filter(|a| !a.is_hide_set() && !a.is_global_set())
        .cloned()
        .collect();
    if !own.is_empty() {
        // clap_mangen's options, under this command's heading rather than OPTIONS.
        let alone = clap::Command::new("vigie")
            .disable_help_flag(true)
            .disable_version_flag(true)
            .args(own);
        let man = clap_mangen::Man::new(alone);
        out.extend(part(|w| man.render_options_section(w), false)?);
    }
    for s in sub.get_subcommands().filter(|s| !s.is_hide_set()) {
        command(s, &format!("{name} {}", s.get_name()), out)?;
    }
    Ok(())
}

/// A section clap_mangen writes, without roff's preamble (written once, with the title)
/// and, unless `heading`, without its `.SH` line.
fn part(
    render: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>,
    heading: bool,
) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    render(&mut buf)?;
    let text = String::from_utf8_lossy(&buf);
    Ok(text
        .lines()
        .filter(|l| !l.starts_with(".ie ") && !l.starts_with(".el "))
        .filter(|l| heading || !l.starts_with(".SH "))
        .flat_map(|l| [l, "\n"])
        .collect::<String>()
        .into_bytes())
}

/// Plain text as roff reads it: a backslash is itself, a line never starts a request.
fn text(s: &str) -> String {
    let s = s.replace('\\', "\\e").replace('-', "\\-");
    if s.starts_with('.') || s.starts_with('\'') {
        format!("\\&{s}")
    } else {
        s
    }
}

const ENVIRONMENT_FILES_EXAMPLES: &str = r#".SH ENVIRONMENT
.TP
\fBVIGIE_CONFIG\fR, \fBVIGIE_PROFILE\fR, \fBVIGIE_LOG\fR
The config file, the profile and the log filter, as \fB\-\-config\fR, \fB\-\-profile\fR and \fB\-\-log\fR.
.TP
\fBVIGIE_PASSWORD\fR
The password of \fB\-\-url\fR \fB\-\-user\fR (else it is asked).
.TP
The variables a profile names
A service's secret: \fBpassword_env\fR (a password) or \fBtoken_env\fR (a ready token) in the config file name the variable that holds it (e.g. \fBVIGIE_PROD_CORE_PASSWORD\fR); \fBpassword_command\fR runs a command instead. No secret is ever printed.
.TP
\fBVIGIE_JWT_SECRET\fR
\fBvigie serve\fR: the secret its tokens are signed with, as \fB\-\-jwt\-secret\fR.
.TP
\fBVISUAL\fR, \fBEDITOR\fR
The editor \fBE\fR opens a record in, as JSON (default: vi).
.TP
\fBLC_ALL\fR, \fBLC_MESSAGES\fR, \fBLANG\fR
The console's language (fr...: French) unless the config or \fB\-\-lang\fR says; a locale that is not UTF\-8 gets ASCII lines. \fBvigie list\fR stays in English unless \fB\-\-lang\fR says.
.TP
\fBTERM\fR, \fBCOLORTERM\fR, \fBNO_COLOR\fR, \fBTMUX\fR
The terminal's colours and what it understands (\fBTERM=dumb\fR: no console); \fBNO_COLOR\fR: no colour; inside tmux, copies go through its own clipboard setting.
.TP
\fBXDG_CONFIG_HOME\fR, \fBXDG_DATA_HOME\fR, \fBXDG_STATE_HOME\fR, \fBXDG_CACHE_HOME\fR
Move the files below.
.TP
\fBTMPDIR\fR
Where the record \fB$EDITOR\fR edits is written.
.SH FILES
The journal, drafts, views, history and kept tokens are written readable by their owner only (0600).
.TP
\fI$XDG_CONFIG_HOME/vigie/config.toml\fR (\fI~/.config/vigie/config.toml\fR)
The config file: profiles, keys, theme, language (\fBvigie config path\fR, \fBvigie config check\fR).
.TP
\fI$XDG_DATA_HOME/vigie/\fR (\fI~/.local/share/vigie/\fR)
\fIjournal/PROFILE\-HASH.jsonl\fR: the journal of the changes made with a profile on a server (\fBvigie journal\fR; \fBu\fR undoes), never a password.
.br
\fIdrafts/PROFILE\-HASH.json\fR: an unfinished form, offered back at the next start, without passwords.
.br
\fIvigie.DATE.log\fR: the log, five days kept.
.br
\fIpalette_history.json\fR: the palette's recent commands.
.br
\fIdemo.db\fR: \fBvigie demo\fR's database; \fIvigie.db\fR: \fBvigie serve\fR's, unless \fB\-\-db\fR.
.TP
\fI$XDG_STATE_HOME/vigie/views.json\fR (\fI~/.local/state/vigie/views.json\fR)
The columns chosen with \fBC\fR and the views saved with \fB:save\fR.
.TP
\fI$XDG_CACHE_HOME/vigie/\fR (\fI~/.cache/vigie/\fR)
\fItokens/\fR: the core access token of a password login, while it lives; \fIsites/\fR: the last sites list read. Safe to remove.
.TP
\fI$TMPDIR/vigie\-PID\-NAME.json\fR
The record \fB$EDITOR\fR edits, removed when it is read back.
.SH EXAMPLES
.TP
\fBvigie demo\fR
The reference server with demo data, and the console logged in to it.
.TP
\fBvigie \-\-profile prod\fR
The console on the config's profile \fIprod\fR.
.TP
\fBvigie list equipements \-\-site LOUM \-o csv > loum.csv\fR
A site's every equipement, passwords masked (\fB\-\-show\-secrets\fR shows them).
.TP
\fBVIGIE_PASSWORD=... vigie \-\-url https://core.example.cm \-\-user 7586 list sites \-o json\fR
Without a config file.
.TP
\fBvigie import equipements cams.csv \-\-site LOUM \-\-dry\-run\fR
The plan of an import, nothing sent; without \fB\-\-dry\-run\fR, safe to run twice.
.TP
\fBvigie journal \-o json\fR
The changes made through vigie with the profile, one per line.
.TP
\fBvigie serve \-\-seed demo \-\-listen 127.0.0.1:8000\fR
The reference server alone, for tests.
"#;
