//! vigie: a keyboard-driven terminal console for the core, Ocean and Maarch admin APIs, with
//! the reference server it is tested against (cargo feature `server`, on by default).

pub mod api;
pub mod app;
mod catalogue_fr;
pub mod change;
pub mod cli;
pub mod commands;
pub mod config;
pub mod files;
pub mod i18n;
pub mod import;
pub mod journal;
pub mod keys;
pub mod list;
pub mod logging;
pub mod probe;
pub mod protocol;
pub mod rows;
#[cfg(feature = "server")]
pub mod server;
pub mod term;
pub mod text;
pub mod tui;
pub mod ui;
pub mod views;
pub mod worker;
