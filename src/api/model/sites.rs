//! Client sites, their clients, and what creating or changing one sends.

use crate::api::model::lenient_f64;
use crate::api::model::lenient_i64;
use crate::api::model::lenient_string;
use crate::api::model::list_or_page;
use crate::api::model::null_default;

use crate::api::model::Equipement;
use crate::api::model::Timestamp;
use serde::Serializer;
use serde::de;
use serde::de::Deserializer;
use serde::de::IgnoredAny;
use serde::de::SeqAccess;
use serde::de::Visitor;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Client {
    #[serde(default, deserialize_with = "lenient_string", alias = "id")]
    pub client_id: String,
    #[serde(default, deserialize_with = "null_default")]
    pub nom: String,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub code: Option<i64>,
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SiteRef {
    #[serde(default, deserialize_with = "lenient_string")]
    pub site_id: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub client_id: String,
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient_f64", alias = "lonitude")]
    pub longitude: Option<f64>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub latitude: Option<f64>,
    #[serde(default, deserialize_with = "null_default")]
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Site {
    #[serde(default, deserialize_with = "lenient_string", alias = "id")]
    pub site_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient_f64", alias = "lonitude")]
    pub longitude: Option<f64>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub latitude: Option<f64>,
    #[serde(default, deserialize_with = "null_default")]
    pub description: String,
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    #[serde(default)]
    pub client: Option<Client>,
    #[serde(default, deserialize_with = "list_or_page")]
    pub equipements: Vec<Equipement>,
}

impl Site {
    pub fn client_id(&self) -> Option<&str> {
        self.client
            .as_ref()
            .map(|c| c.client_id.as_str())
            .or(self.client_id.as_deref())
            .filter(|s| !s.is_empty())
    }
}

/// A site without its embedded equipements: they are only counted while decoding, so a
/// console holding 100,000 equipements does not keep them twice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SiteSummary {
    #[serde(default, deserialize_with = "lenient_string", alias = "id")]
    pub site_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient_f64", alias = "lonitude")]
    pub longitude: Option<f64>,
    #[serde(default, deserialize_with = "lenient_f64")]
    pub latitude: Option<f64>,
    #[serde(default, deserialize_with = "null_default")]
    pub description: String,
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    #[serde(default)]
    pub client: Option<Client>,
    #[serde(
        default,
        rename = "equipements",
        deserialize_with = "count_seq",
        serialize_with = "ser_count"
    )]
    pub equipement_count: usize,
    /// What is odd about this row as the server sent it (kept and marked, never dropped).
    #[serde(skip)]
    pub problem: Option<Box<str>>,
}

impl SiteSummary {
    pub fn client_id(&self) -> Option<&str> {
        self.client
            .as_ref()
            .map(|c| c.client_id.as_str())
            .or(self.client_id.as_deref())
            .filter(|s| !s.is_empty())
    }
}

impl From<&Site> for SiteSummary {
    fn from(s: &Site) -> Self {
        SiteSummary {
            site_id: s.site_id.clone(),
            client_id: s.client_id.clone(),
            name: s.name.clone(),
            longitude: s.longitude,
            latitude: s.latitude,
            description: s.description.clone(),
            timestamp: s.timestamp.clone(),
            client: s.client.clone(),
            equipement_count: s.equipements.len(),
            problem: None,
        }
    }
}

impl From<&SiteSummary> for SiteRef {
    fn from(s: &SiteSummary) -> Self {
        SiteRef {
            site_id: s.site_id.clone(),
            client_id: s.client_id().unwrap_or_default().to_string(),
            name: s.name.clone(),
            longitude: s.longitude,
            latitude: s.latitude,
            description: s.description.clone(),
        }
    }
}

fn ser_count<S: Serializer>(n: &usize, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(*n as u64)
}

fn count_seq<'de, D: Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    struct Count;
    impl<'de> Visitor<'de> for Count {
        type Value = usize;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<usize, A::Error> {
            let mut n = 0;
            while seq.next_element::<IgnoredAny>()?.is_some() {
                n += 1;
            }
            Ok(n)
        }
        fn visit_unit<E: de::Error>(self) -> Result<usize, E> {
            Ok(0)
        }
        fn visit_none<E: de::Error>(self) -> Result<usize, E> {
            Ok(0)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<usize, E> {
            Ok(v as usize)
        }
        fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<usize, A::Error> {
            // A page object: count its `items`.
            let mut n = 0;
            while let Some(k) = map.next_key::<String>()? {
                if k == "items" {
                    n = map.next_value::<Vec<IgnoredAny>>()?.len();
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(n)
        }
    }
    d.deserialize_any(Count)
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct NewSite {
    pub client_id: String,
    pub name: String,
    pub longitude: f64,
    pub latitude: f64,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct SiteUpdate {
    pub site_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub longitude: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latitude: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl crate::api::items::Marked for SiteSummary {
    fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }
}

impl crate::api::items::Tolerant for SiteSummary {
    // A site embeds every equipement it holds: counted as they come, never held.
    const COUNTED: &'static [&'static str] = &["equipements"];
    fn undecodable(raw: &str, problem: String) -> Self {
        SiteSummary {
            name: raw.to_string(),
            problem: Some(problem.into()),
            ..Default::default()
        }
    }
    fn check(&mut self) {
        let odd = |v: Option<f64>, lim: f64| v.is_some_and(|x| !(-lim..=lim).contains(&x));
        if self.problem.is_none() && (odd(self.latitude, 90.0) || odd(self.longitude, 180.0)) {
            self.problem = Some("coordinates out of range".into());
        }
    }
}
