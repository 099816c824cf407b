//! The command line: `vigie serve`, `vigie list`, `vigie config check`, ...

#[cfg(feature = "server")]
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::app::Session;
use crate::list::ListArgs;
use crate::protocol::Service;
#[cfg(feature = "server")]
use crate::server::{self, SeedMode};
use crate::tui::ConsoleOptions;

mod connect;
mod find;
mod import;
mod man;
mod probe;
#[cfg(feature = "server")]
mod serve;
mod settings;

pub use connect::*;
pub use settings::load_config;
use settings::*;

#[derive(Debug, Parser)]
#[command(
    name = "vigie",
    version,
    about = "Terminal admin console for sites, equipements, users and roles"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct Global {
    /// Config file (default: the user config dir's vigie/config.toml).
    #[arg(long, global = true, env = "VIGIE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Profile of the config file to use.
    #[arg(long, short = 'p', global = true, env = "VIGIE_PROFILE")]
    pub profile: Option<String>,
    /// Core server URL, without any config file (password from VIGIE_PASSWORD or a prompt).
    #[arg(long, global = true)]
    pub url: Option<String>,
    /// Login (email or matricule) for --url.
    #[arg(long, global = true)]
    pub user: Option<String>,
    /// Refuse every create, edit and delete.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Log filter for the log file (e.g. debug, vigie=trace).
    #[arg(long, global = true, env = "VIGIE_LOG")]
    pub log: Option<String>,
    /// Language of the console (default: from the config, then LC_ALL / LC_MESSAGES / LANG)
    /// and of `vigie list`'s headers and dates (default: English, whatever the locale).
    #[arg(long, global = true, value_enum)]
    pub lang: Option<crate::i18n::Lang>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the reference server with demo data and open the console on it.
    #[cfg(feature = "server")]
    Demo(DemoArgs),
    /// Run the reference server alone: the core, Ocean and Maarch APIs.
    #[cfg(feature = "server")]
    Serve(ServeArgs),
    // Kept, hidden, in a console-only build: whoever follows the docs is told why, in one
    // line, rather than getting clap's "unrecognized subcommand".
    /// Not in this vigie: built without the reference server (cargo feature `server`).
    #[cfg(not(feature = "server"))]
    #[command(hide = true, disable_help_flag = true)]
    Demo(WithoutServer),
    /// Not in this vigie: built without the reference server (cargo feature `server`).
    #[cfg(not(feature = "server"))]
    #[command(hide = true, disable_help_flag = true)]
    Serve(WithoutServer),
    /// Print sites, equipements, users or roles.
    List(ListArgs),
    /// Look for a site, an equipement (IP, IP:port, brand, model…), a user or an individu
    /// across every profile of the config at once (or those --profile names, A,B…).
    Find(find::FindArgs),
    /// Is each device answering? A TCP connect to each equipement of a site (and its
    /// stream URLs), or to each IP:PORT named, only within the profile's probe_networks;
    /// exit 0 when every device answered, 1 otherwise, 2 on error.
    Probe(probe::ProbeArgs),
    /// Import equipements (or sites) from a CSV or JSON file: checked first, a dry run
    /// prints the plan, rows already on the server are skipped (safe to run twice).
    Import(crate::import::ImportArgs),
    /// Inspect the configuration.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Print a shell completion script.
    ///
    /// E.g. `vigie completions bash > ~/.local/share/bash-completion/completions/vigie`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    ///
    /// E.g. `vigie man > ~/.local/share/man/man1/vigie.1`.
    Man,
    /// Print the keys of the list screens, as remapped by the config's `[keys]`.
    Keys,
    /// Print the journal of the changes made through vigie with this profile (text: newest
    /// first; json: one entry per line, oldest first).
    Journal(JournalArgs),
}

#[derive(Debug, Args)]
pub struct JournalArgs {
    /// Output: `text` (a line per change, then what changed) or `json` (one entry per line,
    /// as kept).
    #[arg(long, short = 'o', value_enum, default_value_t = JournalFormat::Text)]
    pub output: JournalFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum JournalFormat {
    Text,
    Json,
}

#[cfg(feature = "server")]
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Demo database (default: demo.db in the user data dir; edits survive the next demo).
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Generated equipements when the demo database is created.
    #[arg(long, default_value_t = 2000)]
    pub seed_size: usize,
    /// Bad network and struggling server for the demo (same SPEC as `vigie serve --chaos`).
    #[arg(long, value_name = "SPEC")]
    pub chaos: Option<server::chaos::Chaos>,
    /// Play real services' readings (same as `vigie serve --like`).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub like: Vec<server::Like>,
    #[command(flatten)]
    pub not_for_demo: NoConnection,
}

#[cfg(feature = "server")]
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8000")]
    pub listen: SocketAddr,
    /// SQLite database (default: vigie.db in the user data dir).
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Data for an empty database: `demo` (sample records and demo accounts) or `none` (one
    /// admin with a random password, printed once).
    #[arg(long, value_enum, default_value = "none")]
    pub seed: SeedMode,
    /// Generated equipements with --seed demo.
    #[arg(long, default_value_t = 2000)]
    pub seed_size: usize,
    /// HS256 secret for tokens (default: a random one kept in the database).
    #[arg(long, env = "VIGIE_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// Access token lifetime, seconds.
    #[arg(long, default_value_t = 1800)]
    pub token_ttl: u64,
    /// Ocean X-AUTH-TOKEN lifetime, seconds (12 hours, as Ocean).
    #[arg(long, default_value_t = 12 * 3600)]
    pub ocean_token_ttl: u64,
    /// Ocean requests allowed per token and minute before 429.
    #[arg(long, default_value_t = 600)]
    pub ocean_rate_limit: u32,
    /// Maarch token lifetime, seconds (30 minutes, as Maarch Courrier).
    #[arg(long, default_value_t = 1800)]
    pub maarch_token_ttl: u64,
    /// Serve the Maarch Parapheur routes as "not enabled" (403).
    #[arg(long)]
    pub no_parapheur: bool,
    /// Simulate a bad network and a struggling server, e.g.
    /// `latency=800ms,jitter=200ms,error_rate=0.2,drop_rate=0.05,truncate_rate=0.05,rate_limit=5/s`
    /// (also `seed=N`, and `spare_login=true` to leave the login routes alone).
    #[arg(long, value_name = "SPEC")]
    pub chaos: Option<server::chaos::Chaos>,
    /// Behave like a real service where real ones differ from the docs (repeatable, or
    /// comma-separated; `--help` says what each does).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub like: Vec<server::Like>,
    #[command(flatten)]
    pub not_for_server: NoConnection,
    #[command(flatten)]
    pub not_for_a_server: NoConsole,
}

// The console's global options that mean nothing to the reference server: declared on
// `serve` (and `demo`, whose console logs in to its own server) under the same names, hidden,
// so clap does not copy the global ones there and their help does not list them.

/// Where to connect and as whom: the demo's console and the server connect nowhere.
#[cfg(feature = "server")]
#[derive(Debug, Args)]
pub struct NoConnection {
    #[arg(long, hide = true)]
    config: Option<PathBuf>,
    #[arg(long, short = 'p', hide = true)]
    profile: Option<String>,
    #[arg(long, hide = true)]
    url: Option<String>,
    #[arg(long, hide = true)]
    user: Option<String>,
}

#[cfg(feature = "server")]
impl NoConnection {
    /// The option given that means nothing here. The config and the profile may come from
    /// the environment, set for the console: those are let be.
    pub fn given(&self) -> Option<&'static str> {
        match (&self.url, &self.user) {
            (Some(_), _) => Some("--url"),
            (_, Some(_)) => Some("--user"),
            _ => None,
        }
    }
}

/// What the console is: the server has none.
#[cfg(feature = "server")]
#[derive(Debug, Args)]
pub struct NoConsole {
    #[arg(long, hide = true)]
    read_only: bool,
    #[arg(long, hide = true, value_enum)]
    lang: Option<crate::i18n::Lang>,
}

#[cfg(feature = "server")]
impl NoConsole {
    pub fn given(&self) -> Option<&'static str> {
        match (self.read_only, self.lang) {
            (true, _) => Some("--read-only"),
            (_, Some(_)) => Some("--lang"),
            _ => None,
        }
    }
}

// `demo` and `serve` of a console-only build: whatever their arguments, refused.
#[cfg(not(feature = "server"))]
#[derive(Debug, Args)]
pub struct WithoutServer {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    _args: Vec<std::ffi::OsString>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Validate the config file and every profile; never prints a secret.
    Check,
    /// Print where the config file is looked for.
    Path,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // Packaging runs these in build sandboxes: no log file, no runtime.
    match cli.command {
        Some(Command::Completions { shell }) => {
            return print_doc(|out| {
                clap_complete::generate(shell, &mut Cli::command(), "vigie", out);
                Ok(())
            });
        }
        Some(Command::Man) => return print_doc(|out| man::render(Cli::command(), out)),
        #[cfg(not(feature = "server"))]
        Some(Command::Demo(_) | Command::Serve(_)) => {
            eprintln!(
                "vigie: this vigie was built without the reference server (cargo feature `server`)"
            );
            return ExitCode::from(2);
        }
        _ => {}
    }
    let _guard = crate::logging::init(
        cli.global.log.as_deref(),
        matches!(cli.command, Some(Command::Serve(_))),
    );
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("vigie: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(run(cli));
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("vigie: {}", crate::text::sanitize(&e));
            ExitCode::FAILURE
        }
    }
}

/// Writes a generated document to stdout; rendered first, as `clap_complete` panics on a
/// failed write (`vigie man | head`).
fn print_doc(render: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> ExitCode {
    use std::io::Write;
    let mut doc = Vec::new();
    match render(&mut doc).and_then(|()| std::io::stdout().write_all(&doc)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vigie: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    crate::i18n::set_lang(cli.global.lang.unwrap_or_else(crate::i18n::Lang::from_env));
    match cli.command {
        #[cfg(feature = "server")]
        Some(Command::Serve(a)) => {
            if let Some(o) = a.not_for_server.given().or(a.not_for_a_server.given()) {
                return Err(format!(
                    "vigie serve takes no {o}: it is the console's (and vigie list's)"
                ));
            }
            serve::serve(a).await
        }
        #[cfg(feature = "server")]
        Some(Command::Demo(a)) => {
            if let Some(o) = a.not_for_demo.given() {
                return Err(format!(
                    "vigie demo takes no {o}: its console logs in to its own server"
                ));
            }
            serve::demo(&cli.global, a).await
        }
        #[cfg(not(feature = "server"))]
        Some(Command::Demo(_) | Command::Serve(_)) => unreachable!("refused by main"),
        Some(Command::List(a)) => {
            // Output for scripts: English headers and ISO dates whatever the locale and the
            // config's `lang` (the console's), so a script reads the same columns on every
            // machine; another language only when the command line asks (`--lang fr`).
            let lang = cli.global.lang.unwrap_or(crate::i18n::Lang::En);
            crate::i18n::set_lang(lang);
            if stdout_was_closed() {
                return Err("cannot write the output: standard output is closed".into());
            }
            let c = connect(&cli.global, Some(a.resource.service()))?;
            // Again: connecting read the config's `lang`.
            crate::i18n::set_lang(lang);
            crate::list::run(&c.clients, &a, &mut std::io::stdout().lock())
                .await
                .map(|_| ExitCode::SUCCESS)
        }
        Some(Command::Import(a)) => import::run(&cli.global, &a).await,
        Some(Command::Probe(a)) => probe::run(&cli.global, &a).await,
        Some(Command::Find(a)) => find::run(&cli.global, &a).await,
        Some(Command::Config(c)) => config_cmd(&cli.global, c),
        Some(Command::Keys) => keys_cmd(&cli.global),
        Some(Command::Journal(a)) => journal_cmd(&cli.global, &a),
        Some(Command::Completions { .. } | Command::Man) => unreachable!("printed by main"),
        None => console(&cli.global).await,
    }
}

/// `vigie journal`: the profile's journal, read as the console reads it (a line cut by a
/// crash is skipped); secrets were never written to it.
fn journal_cmd(g: &Global, a: &JournalArgs) -> Result<ExitCode, String> {
    crate::i18n::set_lang(crate::i18n::Lang::En);
    let (name, server) = match &g.url {
        Some(url) => ("(command line)".to_string(), url.clone()),
        None => {
            let (_, cfg) = load_config(g)?;
            let (name, p) = cfg
                .profile(g.profile.as_deref())
                .map_err(|e| e.to_string())?;
            let server = p
                .core
                .as_ref()
                .or(p.ocean.as_ref())
                .or(p.maarch.as_ref())
                .map(|s| s.base_url.clone())
                .unwrap_or_default();
            (name, server)
        }
    };
    let path = crate::journal::path_for(&crate::config::data_dir(), &name, &server);
    let entries = crate::journal::read(&path);
    let mut out = std::io::stdout().lock();
    let write = |out: &mut dyn std::io::Write, line: &str| writeln!(out, "{line}");
    let r: std::io::Result<()> = (|| {
        match a.output {
            JournalFormat::Json => {
                for e in &entries {
                    write(&mut out, &serde_json::to_string(e).unwrap_or_default())?;
                }
            }
            JournalFormat::Text => {
                let mut lines = crate::journal::lines(&entries);
                if entries.is_empty() {
                    lines = vec![format!("no change in {}", path.display())];
                }
                for l in lines {
                    write(&mut out, &l)?;
                }
            }
        }
        Ok(())
    })();
    r.map_err(|e| format!("cannot write the output: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

/// Whether the program was started with its standard output closed (`>&-`). Rust's runtime
/// opens `/dev/null` read-write in its place before `main` (a shell's `>/dev/null` opens it
/// write-only), so the writes would vanish without an error.
fn stdout_was_closed() -> bool {
    #[cfg(target_os = "linux")]
    {
        let null = std::fs::read_link("/proc/self/fd/1")
            .is_ok_and(|p| p == std::path::Path::new("/dev/null"));
        let read_write = std::fs::read_to_string("/proc/self/fdinfo/1")
            .ok()
            .and_then(|t| {
                let f = t.lines().find_map(|l| l.strip_prefix("flags:"))?;
                u32::from_str_radix(f.trim(), 8).ok()
            })
            .is_some_and(|flags| flags & 0o3 == 0o2);
        null && read_write
    }
    #[cfg(not(target_os = "linux"))]
    false
}

/// The console cannot run here: said in one line, exit 2, nothing else written.
fn no_console() -> Option<ExitCode> {
    let problem = crate::tui::terminal_problem()?;
    eprintln!("vigie: {problem}");
    Some(ExitCode::from(2))
}

async fn console(g: &Global) -> Result<ExitCode, String> {
    if let Some(code) = no_console() {
        return Ok(code);
    }
    let mut g = g.clone();
    // `:profile NAME` ends a console to start the next one on that profile (`:find` also
    // names the record it opens first).
    let mut open = None;
    while let Some(next) = console_once(&g, open).await? {
        g.profile = Some(next.profile);
        open = next.open;
    }
    Ok(ExitCode::SUCCESS)
}

/// One console on `g`'s profile, opening `open` first; `Some` when the user switched to
/// another profile.
async fn console_once(
    g: &Global,
    open: Option<crate::protocol::FoundRecord>,
) -> Result<Option<crate::app::Switch>, String> {
    let conn = connect(g, None)?;
    let p = &conn.profile;
    let mut services = Vec::new();
    for (s, present) in [
        (Service::Core, p.core.is_some()),
        (Service::Ocean, p.ocean.is_some()),
        (Service::Maarch, p.maarch.is_some()),
    ] {
        if present {
            services.push(s);
        }
    }
    let svc = p.core.clone().unwrap_or_default();
    let server = p
        .core
        .as_ref()
        .or(p.ocean.as_ref())
        .or(p.maarch.as_ref())
        .map(|s| s.base_url.clone())
        .unwrap_or_default();
    let session = Session {
        profile: conn.profile_name.clone(),
        server,
        user: svc.username.clone(),
        ocean_user: p.ocean.as_ref().and_then(|s| s.username.clone()),
        maarch_user: p.maarch.as_ref().and_then(|s| s.username.clone()),
        read_only: p.read_only,
        production: p.production,
        confirm_saves: p.confirm_saves.unwrap_or(p.production),
        insecure_tls: p.danger_accept_invalid_certs,
        services,
        color: p.color.clone(),
        ..Default::default()
    };
    // A bad probe_networks entry is said at start; nothing is probed then.
    let probe =
        crate::probe::Settings::new(&p.probe_networks, p.probe_concurrency, p.probe_timeout_ms)
            .unwrap_or_else(|e| {
                eprintln!("vigie: warning: {}", crate::text::sanitize(&e));
                crate::probe::Settings::none()
            });
    let extra_clients = svc
        .clients
        .iter()
        .map(|c| {
            let code = c.code.map(|c| format!(" ({c})")).unwrap_or_default();
            (c.client_id.clone(), format!("{}{code}", c.nom))
        })
        .collect();
    crate::tui::run(
        conn.clients,
        ConsoleOptions {
            session,
            logged_in: conn.core_logged_in,
            extra_clients,
            warnings: conn.warnings.clone(),
            aliases: conn.aliases.clone(),
            mouse: conn.mouse,
            keymap: conn.keymap.clone(),
            commands: conn.commands.clone(),
            watch_secs: conn.watch_secs,
            profiles: conn.profiles.clone(),
            probe,
            finder: Some(crate::protocol::FinderRef(std::sync::Arc::new(
                find::ConfigFinder::new(g, None),
            ))),
            open,
        },
    )
    .await
}
