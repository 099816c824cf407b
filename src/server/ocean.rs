//! The Ocean API of the reference server.

use axum::Router;
use rusqlite::Connection;

use super::fastapi::HttpResult;
use super::{AppState, SeedMode};

/// In-memory state of the Ocean routes (rate limits, simulated neighbours).
#[derive(Default)]
pub struct OceanState {}

/// Creates the Ocean tables and, when they are empty, the demo (or bootstrap) accounts.
pub fn prepare(_c: &mut Connection, _seed: SeedMode, _bootstrap: Option<&str>) -> HttpResult<()> {
    Ok(())
}

pub fn routes() -> Router<AppState> {
    Router::new()
}
