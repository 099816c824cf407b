//! Equipements, and what creating or changing one sends.

use crate::api::model::lenient_i64;
use crate::api::model::lenient_string;
use crate::api::model::null_default;

use crate::api::model::Credential;
use crate::api::model::SITES;
use crate::api::model::SiteRef;
use crate::api::model::Sources;
use crate::api::model::Timestamp;
use compact_str::CompactString;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::fmt;
use std::sync::Arc;

/// Rows decoded on this thread lately, by site: every equipement of `/equipements/all` carries
/// a copy of its site, and 100,000 rows name about as many sites as a client has.
const SHARED_SITES: usize = 4096;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Equipement {
    #[serde(default, deserialize_with = "lenient_string", alias = "id")]
    pub equipement_id: String,
    #[serde(default, deserialize_with = "null_default")]
    pub ip: CompactString,
    #[serde(default, deserialize_with = "null_default")]
    pub marque: CompactString,
    #[serde(default)]
    pub sources: Sources,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub port: Option<i64>,
    #[serde(default, deserialize_with = "null_default")]
    pub username: CompactString,
    #[serde(default)]
    pub password: Credential,
    #[serde(default, deserialize_with = "null_default")]
    pub description: CompactString,
    #[serde(default, deserialize_with = "null_default")]
    pub modele: CompactString,
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_id: Option<String>,
    /// Shared by every row of the site (see `shared_site`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "shared_site"
    )]
    pub client_site: Option<Arc<SiteRef>>,
    /// What is odd about this row as the server sent it (kept and marked, never dropped).
    #[serde(skip)]
    pub problem: Option<Box<str>>,
    /// Whether it answered the last probe, as said (`P` in a site's detail); never sent.
    #[serde(skip)]
    pub reach: Option<Box<str>>,
}

/// An equipement's site, one allocation for all the rows that carry the same one. Rows of a
/// site carry it as the same text: a site met before is found by its text, without decoding
/// it again (a listing meets the same few dozen sites a hundred thousand times, and decoding
/// each was a fifth of its work); a new one is decoded as any `SiteRef`.
fn shared_site<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Arc<SiteRef>>, D::Error> {
    let Some(raw) = Option::<Box<RawValue>>::deserialize(d)? else {
        return Ok(None);
    };
    SITES.with(|sites| {
        let mut sites = sites.borrow_mut();
        if let Some(known) = sites.get(raw.get()) {
            return Ok(Some(known.clone()));
        }
        let site: SiteRef = serde_json::from_str(raw.get()).map_err(|e| {
            // Said as the decoder says it; the position is the row's, added around it.
            let said = e.to_string();
            let at = format!(" at line {} column {}", e.line(), e.column());
            de::Error::custom(said.strip_suffix(&at).unwrap_or(&said))
        })?;
        if sites.len() >= SHARED_SITES {
            sites.clear();
        }
        let shared = Arc::new(site);
        sites.insert(raw.get().into(), shared.clone());
        Ok(Some(shared))
    })
}

impl Equipement {
    pub fn site_id(&self) -> Option<&str> {
        self.site_id
            .as_deref()
            .or(self.client_site.as_ref().map(|s| s.site_id.as_str()))
            .filter(|s| !s.is_empty())
    }
}

#[derive(Clone, Serialize, Default, PartialEq)]
pub struct NewEquipement {
    pub ip: String,
    pub site_id: String,
    pub marque: String,
    pub sources: Vec<String>,
    pub port: i64,
    pub username: String,
    pub password: String,
    pub description: String,
    pub modele: String,
}

impl fmt::Debug for NewEquipement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewEquipement")
            .field("ip", &self.ip)
            .field("site_id", &self.site_id)
            .field("marque", &self.marque)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Serialize, Default, PartialEq)]
pub struct EquipementUpdate {
    pub equipement_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Not in the doc: moving an equipement to another site (reference server only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marque: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modele: Option<String>,
}

impl fmt::Debug for EquipementUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EquipementUpdate")
            .field("equipement_id", &self.equipement_id)
            .field("ip", &self.ip)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

// A row a server sent that could not be read: its text as sent (already cut and cleaned by
// `items::rows`) stands in its first text cell.

impl crate::api::items::Marked for Equipement {
    fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }
}

impl crate::api::items::Tolerant for Equipement {
    fn undecodable(raw: &str, problem: String) -> Self {
        Equipement {
            ip: raw.into(),
            problem: Some(problem.into()),
            ..Default::default()
        }
    }
    fn check(&mut self) {
        if let Some(p) = self.port
            && !(1..=65535).contains(&p)
            && self.problem.is_none()
        {
            self.problem = Some(format!("port {p} is out of 1–65535").into());
        }
    }
}
