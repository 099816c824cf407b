//! One module per record kind: what the console does with a site, an equipement, a core user,
//! a role, an Ocean individu, a Maarch user (its list columns and cells, its form and what
//! saving it sends), and the Ocean account's forms.

mod account;
mod equipement;
mod individu;
mod maarch_user;
mod registry;
mod role;
mod site;
mod user;

pub use individu::entity_choices;
pub use registry::{
    DetailTarget, FormKind, Kind, ListKind, Tab, columns_of, deleted_things, land_deleted,
    land_saved,
};
pub(crate) use registry::{with_kind, with_list};
pub use role::permission_cells;

use std::borrow::Cow;

use chrono::Local;
use secrecy::SecretString;
use serde_json::{Value, json};

use super::form::*;
use super::list::*;
use crate::api::maarch::{MODES, MaarchUser, MaarchUserDetails, MaarchUserUpdate, NewMaarchUser};
use crate::api::model::*;
use crate::api::ocean::{Individu, iso_date};
use crate::i18n::tr;
use crate::protocol::Mutation;

use crate::api::model::Timestamp;
use crate::app::{App, form::show_date};
use crate::protocol::{DeleteOp, Payload, Request};

/// What a detail shows and does with its record, whatever its kind: each kind's file
/// implements it, the registry's `DetailTarget::item` hands out the one shown.
pub trait Item {
    /// Its id as text (empty for a row that could not be read).
    fn id_text(&self) -> String;
    /// The detail's title, its values made safe for a terminal.
    fn heading(&self) -> String;
    /// (label, value) pairs; `reveal`: `None` shows a password, `Some(key)` masks it and
    /// names the key that shows it.
    fn fields(&self, reveal: Option<&str>) -> Vec<(&'static str, String)>;
    /// As JSON, as received (the caller masks secrets).
    fn json(&self) -> serde_json::Value;
    /// What is odd about it, as the server sent it.
    fn problem(&self) -> Option<&str>;
    /// The API's name for its kind (403 wording).
    fn things(&self) -> &'static str;
    /// The question before deleting it and the operation, or why it cannot be deleted.
    fn deletion(&self) -> Result<(String, DeleteOp), &'static str>;
    /// A row with no id to act on (kept as the server sent it, marked).
    fn unreadable(&self) -> bool {
        self.id_text().is_empty()
    }
    /// The form that edits it; `None` when something must be read first (asked here).
    fn edit_form(&self, app: &mut App) -> Option<Form>;
}

/// As the list shows it, in the language shown (`13/08/2025 09:48` in French); `v` shows
/// the value as sent.
fn ts(t: &Option<Timestamp>) -> String {
    t.as_ref().map(Timestamp::short).unwrap_or_default()
}

fn num(v: Option<f64>) -> String {
    v.map(|f| f.to_string()).unwrap_or_default()
}

fn to_json<T: serde::Serialize>(t: &T) -> serde_json::Value {
    serde_json::to_value(t).unwrap_or_default()
}

fn safe(s: &str) -> String {
    crate::text::sanitize(s).into_owned()
}
