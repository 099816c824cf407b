//! Typed clients of the three API families, sharing one error type and one HTTP setup.

pub mod core;
pub mod error;
pub mod maarch;
pub mod model;
pub mod ocean;

use std::path::PathBuf;
use std::time::Duration;

use reqwest::StatusCode;
use secrecy::SecretString;
use serde::de::DeserializeOwned;

pub use error::{ApiError, FieldError};
use error::{Family, classify, excerpt};

/// How a client logs in.
#[derive(Clone)]
pub enum Credentials {
    /// A login (email or matricule for core) and its password.
    Password {
        username: String,
        password: SecretString,
    },
    /// A ready token (no renewal possible).
    Token(SecretString),
    /// Not logged in yet: the console will ask.
    None,
}

impl Credentials {
    pub fn username(&self) -> Option<&str> {
        match self {
            Credentials::Password { username, .. } => Some(username),
            _ => None,
        }
    }
}

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

/// A path segment, percent-encoded so an id cannot change the route.
pub fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A whole answer, read once, with the family that words its errors.
pub(crate) struct Raw {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: bytes::Bytes,
    pub family: Family,
}

impl Raw {
    pub async fn read(resp: reqwest::Response, family: Family) -> Result<Raw, ApiError> {
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(ApiError::from_reqwest)?;
        Ok(Raw {
            status,
            headers,
            body,
            family,
        })
    }

    pub fn error(&self) -> ApiError {
        classify(self.family, self.status, &self.headers, &self.body)
    }

    /// Success with no body worth reading, or the classified failure.
    pub fn ok(&self) -> Result<(), ApiError> {
        if self.status.is_success() {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    /// Decodes a success body, or classifies the failure.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        self.ok()?;
        serde_json::from_slice(&self.body).map_err(|e| ApiError::Decode {
            status: self.status.as_u16(),
            message: e.to_string(),
            excerpt: excerpt(&self.body),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn segments_are_encoded() {
        assert_eq!(super::seg("a/b c"), "a%2Fb%20c");
        assert_eq!(super::seg("0c5c5381-c357"), "0c5c5381-c357");
    }
}
