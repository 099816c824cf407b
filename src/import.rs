//! Importing equipements (or sites) from a spreadsheet: CSV (UTF-8, BOM or not, `,` or `;`)
//! or the JSON `vigie list -o json` and the console's export write. Every row is checked
//! first with the form's rules, duplicates inside the file and against the server (same
//! IP:port on the same site) are found before anything is sent, and the plan says per row:
//! create, update, skip or error. Running it is safe twice: a row already on the server is
//! skipped (or updated with `--update`, sending only what differs). Passwords are never
//! echoed: no message and no report holds one.

use std::collections::BTreeMap;

use crate::change::{Change, Create, FieldChange, Kind};

/// Rows read at most (a bigger file is refused before anything is sent).
pub const MAX_ROWS: usize = 200_000;
/// Largest file read.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// The mask exports write for a password: never imported as one.
pub use crate::text::MASK;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    Equipements,
    Sites,
}

/// What the plan does with a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    Error,
    Create,
    Update,
    Skip,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Skip => "skip",
            Action::Error => "error",
        }
    }
}

/// One row of the file as read: its line (1 = the first data row's line in the file) and
/// its values by field (only the fields the file gives, empty cells left out).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    pub line: usize,
    pub values: BTreeMap<&'static str, String>,
}

/// What is sent for a row, through the change room.
#[derive(Debug, Clone)]
pub enum Send {
    Create(Create),
    /// The fields the file gives that differ from the server's, each with the server's
    /// value as planned (a row changed on the server since is a conflict, not overwritten).
    Edit {
        kind: Kind,
        id: String,
        site: Option<String>,
        fields: Vec<FieldChange>,
    },
}

impl Send {
    /// The change that sends it.
    pub fn change(&self, label: &str) -> Change {
        let c = match self {
            Send::Create(c) => Change::create(c.clone()),
            Send::Edit {
                kind,
                id,
                site,
                fields,
            } => Change::edit(*kind, id.clone(), fields.clone()).on_site(site.clone()),
        };
        c.labelled(label)
    }
}

#[derive(Debug, Clone)]
pub struct Planned {
    pub line: usize,
    pub action: Action,
    /// Why, in words (never a password).
    pub message: String,
    /// The record the row is (when it exists) or becomes.
    pub id: Option<String>,
    /// How the row is named in messages: `10.0.0.5:80 on LOUM`.
    pub label: String,
    pub send: Option<Send>,
}

mod planner;
mod read;
mod run;
#[cfg(test)]
mod tests;

pub use planner::{counts, plan_equipements, plan_sites};
pub use read::{read, split_sources};
pub use run::{Done, ImportArgs, plan, plan_file, report, run_plan};
