//! vigie: a keyboard-driven terminal console for the core, Ocean and Maarch admin APIs, with
//! the reference server it is tested against.

pub mod api;
pub mod app;
pub mod cli;
pub mod config;
pub mod drafts;
pub mod list;
pub mod logging;
pub mod server;
pub mod text;
pub mod tui;
pub mod ui;
pub mod worker;
