//! Logs go to a file in the data dir (stdout belongs to the console); `vigie serve` also logs
//! to stderr. Nothing secret is ever logged: credentials are kept in redacting types.

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Log lines waiting for the writer thread at most.
const LOG_QUEUE: usize = 4_096;

/// Installs the subscriber; keep the guard alive until exit so the file is flushed.
pub fn init(filter: Option<&str>, to_stderr: bool) -> Option<WorkerGuard> {
    let filter =
        EnvFilter::try_new(filter.unwrap_or("info")).unwrap_or_else(|_| EnvFilter::new("info"));
    let dir = crate::config::data_dir();
    let file = std::fs::create_dir_all(&dir).ok().and_then(|_| {
        tracing_appender::rolling::Builder::new()
            .filename_prefix("vigie")
            .filename_suffix("log")
            .max_log_files(5)
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .build(&dir)
            .ok()
    });
    let (writer, guard) = match file {
        Some(f) => {
            // The default queue holds 128,000 lines, made (and its pages touched) at every
            // start: a few MB and milliseconds a `vigie list` pays for nothing. A line that
            // finds the queue full is dropped, as before.
            let (w, g) = tracing_appender::non_blocking::NonBlockingBuilder::default()
                .buffered_lines_limit(LOG_QUEUE)
                .lossy(true)
                .finish(f);
            (Some(w), Some(g))
        }
        None => (None, None),
    };
    let file_layer = writer.map(|w| {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(w)
    });
    let stderr_layer = to_stderr.then(|| {
        tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(std::io::stderr)
    });
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(file_layer)
        .with(stderr_layer)
        .try_init();
    guard
}
