//! Typed clients of the three API families, sharing one error type and one HTTP setup.

pub mod core;
pub mod error;
pub mod model;

use std::path::PathBuf;
use std::time::Duration;

pub use error::{ApiError, FieldError};

/// How to reach a server: timeouts and TLS trust, from the profile.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub ca_file: Option<PathBuf>,
    pub danger_accept_invalid_certs: bool,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            ca_file: None,
            danger_accept_invalid_certs: false,
        }
    }
}

/// One reqwest client (rustls, platform roots plus `ca_file`).
pub fn http_client(opts: &HttpOptions) -> Result<reqwest::Client, ApiError> {
    let mut b = reqwest::Client::builder()
        .user_agent(concat!("vigie/", env!("CARGO_PKG_VERSION")))
        .timeout(opts.timeout)
        .connect_timeout(opts.connect_timeout)
        .pool_idle_timeout(Duration::from_secs(60))
        .tls_danger_accept_invalid_certs(opts.danger_accept_invalid_certs);
    if let Some(path) = &opts.ca_file {
        let pem = std::fs::read(path).map_err(|e| {
            ApiError::Config(format!("cannot read ca_file {}: {e}", path.display()))
        })?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| ApiError::Config(format!("ca_file {} is not PEM: {e}", path.display())))?;
        b = b.tls_certs_merge(certs);
    }
    b.build()
        .map_err(|e| ApiError::Config(format!("cannot set up HTTP client: {e}")))
}

/// Joins a base URL and a route without doubling or dropping the slash.
pub fn join_url(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}
