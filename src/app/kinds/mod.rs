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
pub(crate) use registry::with_list;
pub use registry::{Kind, ListKind, columns_of};
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
