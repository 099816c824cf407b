//! The Maarch API of the reference server.

use axum::Router;
use rusqlite::Connection;

use super::fastapi::HttpResult;
use super::{AppState, SeedMode};

/// In-memory state of the Maarch routes (rate limits, simulated neighbours).
#[derive(Default)]
pub struct MaarchState {}

/// Creates the Maarch tables and, when they are empty, the demo (or bootstrap) accounts.
pub fn prepare(_c: &mut Connection, _seed: SeedMode, _bootstrap: Option<&str>) -> HttpResult<()> {
    Ok(())
}

pub fn routes() -> Router<AppState> {
    Router::new()
}
