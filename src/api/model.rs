//! Typed records of the core API, decoded tolerantly: unknown fields are ignored, `null` is
//! accepted for every optional value, `sources` may be a string or a list, timestamps may carry a
//! zone or not, and the page counters may be `null` (old fastapi-pagination).

use std::fmt;
use std::sync::Arc;

use compact_str::CompactString;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

/// `null` or absent becomes the default value.
pub fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// An integer that may arrive as a number or as a numeric string (`"7586"` in JWT `sub`).
/// A number that is not a 64-bit integer (`1.5`, `18446744073709551616`) is refused rather
/// than truncated or saturated: its row is kept as the server sent it, marked.
pub fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => Some(
            n.as_i64()
                .ok_or_else(|| de::Error::custom(format!("{n} is not a whole number")))?,
        ),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// A float that may arrive as a number or a numeric string.
pub fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// Any JSON value as text: strings as they are, other scalars and structures as JSON, `null`
/// as nothing. A visitor rather than a `Value` first: a loaded list decodes a dozen a row.
struct ScalarText;

impl<'de> Visitor<'de> for ScalarText {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(Value::from(v).to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(ScalarText)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
        let v = Value::deserialize(de::value::SeqAccessDeserializer::new(a))?;
        Ok(Some(v.to_string()))
    }
    fn visit_map<A: de::MapAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
        let v = Value::deserialize(de::value::MapAccessDeserializer::new(a))?;
        Ok(Some(v.to_string()))
    }
}

/// `ScalarText` as a type, for the elements of a list.
struct Scalar(Option<String>);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarText).map(Scalar)
    }
}

/// Any scalar as a string (ids are strings in the doc, but a server may send numbers).
pub fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(d.deserialize_any(ScalarText)?.unwrap_or_default())
}

/// A server timestamp: parsed when it can be (with or without a zone; a zoneless one is read
/// as UTC), and the text as sent kept only when the parsed value would not give it back: most
/// are `2025-08-22T16:38:51`, and a loaded list holds one a row.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Timestamp {
    pub parsed: Option<DateTime<Utc>>,
    raw: Option<Box<str>>,
}

/// The form most servers send, rebuilt from `parsed` when no other text was kept.
const CANONICAL: &str = "%Y-%m-%dT%H:%M:%S";

/// `t` read as `CANONICAL`'s output (`dddd-dd-ddTdd:dd:dd`, a valid date and time), digit by
/// digit: `parse_from_str` read its format string again for each of 100,000 rows.
fn canonical(t: &str) -> Option<NaiveDateTime> {
    let b = t.as_bytes();
    let shape = b.len() == 19
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            _ => c.is_ascii_digit(),
        });
    if !shape {
        return None;
    }
    let num = |from: usize, to: usize| {
        b[from..to]
            .iter()
            .fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'))
    };
    chrono::NaiveDate::from_ymd_opt(num(0, 4) as i32, num(5, 7), num(8, 10))?.and_hms_opt(
        num(11, 13),
        num(14, 16),
        num(17, 19),
    )
}

impl Timestamp {
    pub fn parse(raw: &str) -> Self {
        let t = raw.trim();
        if let Some(n) = canonical(raw) {
            return Timestamp {
                parsed: Some(n.and_utc()),
                raw: None,
            };
        }
        let parsed = DateTime::parse_from_rfc3339(t)
            .map(|d| d.with_timezone(&Utc))
            .ok()
            .or_else(|| {
                [
                    "%Y-%m-%dT%H:%M:%S%.f",
                    "%Y-%m-%d %H:%M:%S%.f",
                    "%Y-%m-%dT%H:%M",
                ]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
                .map(|n| n.and_utc())
            });
        Timestamp {
            parsed,
            raw: Some(raw.into()),
        }
    }

    pub fn now() -> Self {
        let now = Utc::now();
        Timestamp::parse(&now.format(CANONICAL).to_string())
    }

    /// The text as the server sent it.
    pub fn raw(&self) -> std::borrow::Cow<'_, str> {
        match (&self.raw, self.parsed) {
            (Some(r), _) => std::borrow::Cow::Borrowed(r),
            (None, Some(d)) => std::borrow::Cow::Owned(d.format(CANONICAL).to_string()),
            (None, None) => std::borrow::Cow::Borrowed(""),
        }
    }

    /// `2025-08-13 09:49` when parsed, the raw text otherwise.
    pub fn short(&self) -> String {
        match self.parsed {
            Some(d) => d.format(crate::i18n::datetime_format()).to_string(),
            None => self.raw().into_owned(),
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.raw())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date and time")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Ok(Timestamp::parse(v))
            }
            fn visit_f64<E: de::Error>(self, secs: f64) -> Result<Timestamp, E> {
                Ok(Timestamp {
                    parsed: DateTime::from_timestamp(secs as i64, 0),
                    raw: Some(secs.to_string().into()),
                })
            }
            fn visit_i64<E: de::Error>(self, secs: i64) -> Result<Timestamp, E> {
                Ok(Timestamp {
                    parsed: DateTime::from_timestamp(secs, 0),
                    raw: Some(secs.to_string().into()),
                })
            }
            fn visit_u64<E: de::Error>(self, secs: u64) -> Result<Timestamp, E> {
                self.visit_i64(i64::try_from(secs).unwrap_or(i64::MAX))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Timestamp, E> {
                Ok(Timestamp::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Timestamp, E> {
                Ok(Timestamp::default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Timestamp, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Timestamp::default())
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut a: A) -> Result<Timestamp, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Timestamp::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// Equipement data sources: the doc shows both `"sources": "string"` and a list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sources(pub Vec<String>);

impl Sources {
    pub fn joined(&self) -> String {
        self.0.join(", ")
    }
}

impl Serialize for Sources {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Sources {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<String>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of sources or a string")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Vec<String>, A::Error> {
                let mut out = Vec::new();
                while let Some(Scalar(s)) = a.next_element()? {
                    out.extend(s);
                }
                // Kept for the session with every row: no spare capacity.
                out.shrink_to_fit();
                Ok(out)
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Vec<String>, E> {
                if s.trim().is_empty() {
                    return Ok(Vec::new());
                }
                // A JSON list sent as a string by a sloppy serializer.
                if s.trim_start().starts_with('[')
                    && let Ok(Sources(items)) = serde_json::from_str(s)
                {
                    return Ok(items);
                }
                Ok(vec![s.to_string()])
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Vec<String>, D::Error> {
                d.deserialize_any(V)
            }
            // Any other value is one source, as `ScalarText` writes it (`null`: none).
            fn visit_unit<E: de::Error>(self) -> Result<Vec<String>, E> {
                ScalarText.visit_unit().map(one)
            }
            fn visit_none<E: de::Error>(self) -> Result<Vec<String>, E> {
                ScalarText.visit_none().map(one)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Vec<String>, E> {
                ScalarText.visit_i64(v).map(one)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Vec<String>, E> {
                ScalarText.visit_u64(v).map(one)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Vec<String>, E> {
                ScalarText.visit_f64(v).map(one)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Vec<String>, E> {
                ScalarText.visit_bool(v).map(one)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, a: A) -> Result<Vec<String>, A::Error> {
                ScalarText.visit_map(a).map(one)
            }
        }
        fn one(s: Option<String>) -> Vec<String> {
            s.into_iter().collect()
        }
        d.deserialize_any(V).map(Sources)
    }
}

/// A credential from the server (equipement password): its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Credential(#[serde(deserialize_with = "lenient_string")] pub String);

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "\"\""
        } else {
            "\"********\""
        })
    }
}

impl Credential {
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn masked(&self) -> &'static str {
        if self.0.is_empty() {
            ""
        } else {
            "••••••••"
        }
    }
}

/// A fastapi-pagination page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct Page<T> {
    #[serde(default = "Vec::new", deserialize_with = "null_default")]
    pub items: Vec<T>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub total: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub page: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub size: Option<u64>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub pages: Option<u64>,
}

fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(lenient_i64(d)?.and_then(|v| u64::try_from(v).ok()))
}

impl<T> Page<T> {
    /// Whether page number `page` ends a walk, `rows` rows read with it: it is empty or
    /// shorter than its size, or the last announced, or the announced rows are all read.
    pub fn is_last(&self, page: u32, rows: usize) -> bool {
        let n = self.items.len() as u64;
        n == 0
            || self.size.is_some_and(|s| n < s)
            || self.page_count().is_some_and(|pc| u64::from(page) >= pc)
            || self.total.is_some_and(|t| rows as u64 >= t)
    }

    /// Number of pages, derived from total and size when the server sent `null`.
    pub fn page_count(&self) -> Option<u64> {
        self.pages.or_else(|| match (self.total, self.size) {
            (Some(t), Some(s)) if s > 0 => Some(t.div_ceil(s)),
            _ => None,
        })
    }
}

/// A list answer that may be a bare array or a page (the doc says `items` for
/// `/client_site/all` but its sample is an array).
pub fn list_or_page<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    // A visitor, not an untagged enum: serde buffers an untagged enum's whole input as a
    // generic tree before trying each shape, which for `/client_site/all` at 100,000
    // equipements meant 1.3 s and 120 MB to count them.
    struct ListOrPage<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for ListOrPage<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list, or a page with items")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
            while let Some(x) = seq.next_element()? {
                v.push(x);
            }
            Ok(v)
        }
        fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Vec<T>, A::Error> {
            let mut items = None;
            while let Some(key) = map.next_key::<String>()? {
                if key == "items" && items.is_none() {
                    // `null` items: none.
                    items = Some(map.next_value::<Option<Vec<T>>>()?.unwrap_or_default());
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(items.unwrap_or_default())
        }
    }
    d.deserialize_any(ListOrPage(std::marker::PhantomData))
}

/// Wrapper to decode either a bare list or a page into a `Vec`.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct AnyList<T: for<'a> Deserialize<'a>>(
    #[serde(deserialize_with = "list_or_page")] pub Vec<T>,
);

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
}

/// Rows decoded on this thread lately, by site: every equipement of `/equipements/all` carries
/// a copy of its site, and 100,000 rows name about as many sites as a client has.
const SHARED_SITES: usize = 4096;

thread_local! {
    static SITES: std::cell::RefCell<std::collections::HashMap<String, Arc<SiteRef>>> =
        Default::default();
}

/// An equipement's site, one allocation for all the rows that carry the same one.
fn shared_site<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Arc<SiteRef>>, D::Error> {
    let Some(site) = Option::<SiteRef>::deserialize(d)? else {
        return Ok(None);
    };
    Ok(Some(SITES.with(|sites| {
        let mut sites = sites.borrow_mut();
        if let Some(known) = sites.get(&site.site_id)
            && **known == site
        {
            return known.clone();
        }
        if sites.len() >= SHARED_SITES {
            sites.clear();
        }
        let shared = Arc::new(site);
        sites.insert(shared.site_id.clone(), shared.clone());
        shared
    })))
}

impl Equipement {
    pub fn site_id(&self) -> Option<&str> {
        self.site_id
            .as_deref()
            .or(self.client_site.as_ref().map(|s| s.site_id.as_str()))
            .filter(|s| !s.is_empty())
    }
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

/// A permission. Servers send objects; `add_permissions` answers with bare strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default, Hash, PartialOrd, Ord)]
pub struct Permission {
    pub ressource: String,
    pub action: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub permission_id: String,
}

impl Permission {
    pub fn new(ressource: &str, action: &str) -> Self {
        Permission {
            ressource: ressource.into(),
            action: action.into(),
            permission_id: String::new(),
        }
    }
    pub fn key(&self) -> String {
        format!("{}:{}", self.ressource, self.action)
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::String(s) => match s.split_once(':') {
                Some((r, a)) => Permission::new(r, a),
                None => Permission {
                    permission_id: s,
                    ..Default::default()
                },
            },
            Value::Object(m) => {
                let get = |k: &str| {
                    m.get(k)
                        .map(|v| match v {
                            Value::String(s) => s.clone(),
                            Value::Null => String::new(),
                            o => o.to_string(),
                        })
                        .unwrap_or_default()
                };
                Permission {
                    ressource: {
                        let r = get("ressource");
                        if r.is_empty() { get("resource") } else { r }
                    },
                    action: get("action"),
                    permission_id: {
                        let p = get("permission_id");
                        if p.is_empty() { get("id") } else { p }
                    },
                }
            }
            // A bare id, numeric or not.
            Value::Number(n) => Permission {
                permission_id: n.to_string(),
                ..Default::default()
            },
            _ => Permission::default(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Role {
    #[serde(default, deserialize_with = "lenient_string", alias = "id")]
    pub role_id: String,
    #[serde(default, deserialize_with = "null_default")]
    pub name: String,
    #[serde(default, deserialize_with = "null_default")]
    pub description: String,
    #[serde(default, deserialize_with = "null_default")]
    pub permissions: Vec<Permission>,
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// What is odd about this row as the server sent it (kept and marked, never dropped).
    #[serde(skip)]
    pub problem: Option<Box<str>>,
}

/// A core user. The server's `password` key is ignored on purpose: the client never keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct User {
    #[serde(default, deserialize_with = "lenient_string", alias = "id")]
    pub user_id: String,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub matricule: Option<i64>,
    #[serde(default, deserialize_with = "null_default")]
    pub nom: String,
    #[serde(default, deserialize_with = "null_default")]
    pub email: String,
    #[serde(default, deserialize_with = "null_default")]
    pub role_name: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub role_id: String,
    #[serde(default, deserialize_with = "null_default")]
    pub status: String,
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// What is odd about this row as the server sent it (kept and marked, never dropped).
    #[serde(skip)]
    pub problem: Option<Box<str>>,
}

impl User {
    pub fn is_active(&self) -> bool {
        !matches!(
            self.status.to_ascii_lowercase().as_str(),
            "deactivated" | "disabled" | "inactive"
        )
    }
}

#[derive(Clone, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub token_type: Option<String>,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Tokens(<redacted>)")
    }
}

/// The claims a console needs from the access token (read without verifying it).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Claims {
    #[serde(default, deserialize_with = "lenient_string")]
    pub sub: String,
    #[serde(default, deserialize_with = "null_default")]
    pub email: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub user_id: String,
    #[serde(default, deserialize_with = "null_default")]
    pub role_name: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub role_id: String,
    #[serde(default, deserialize_with = "lenient_i64")]
    pub exp: Option<i64>,
}

impl Claims {
    /// Decodes the payload part of a JWT; `None` if it is not one.
    pub fn from_jwt(token: &str) -> Option<Self> {
        use base64::Engine;
        let payload = token.split('.').nth(1)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

// ---- request bodies -------------------------------------------------------------------------

#[derive(Clone, Serialize, Default, PartialEq)]
pub struct NewUser {
    pub matricule: i64,
    pub nom: String,
    pub email: String,
    pub password: String,
    pub role_id: String,
}

impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("matricule", &self.matricule)
            .field("nom", &self.nom)
            .field("email", &self.email)
            .field("role_id", &self.role_id)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Serialize, Default, PartialEq)]
pub struct UserUpdate {
    pub user_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matricule: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nom: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Not in the doc: honoured by the reference server, ignored by a strict one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_id: Option<String>,
}

impl fmt::Debug for UserUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserUpdate")
            .field("user_id", &self.user_id)
            .field("matricule", &self.matricule)
            .field("nom", &self.nom)
            .field("email", &self.email)
            .field("password", &self.password.as_ref().map(|_| "********"))
            .field("role_id", &self.role_id)
            .finish()
    }
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct PermissionRef {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub ressource: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub action: String,
    /// Sent alone for a permission the server gave by its id only.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub permission_id: String,
}

impl From<&Permission> for PermissionRef {
    fn from(p: &Permission) -> Self {
        if p.ressource.is_empty() || p.action.is_empty() {
            PermissionRef {
                permission_id: p.permission_id.clone(),
                ..Default::default()
            }
        } else {
            PermissionRef {
                ressource: p.ressource.clone(),
                action: p.action.clone(),
                permission_id: String::new(),
            }
        }
    }
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct NewRole {
    pub name: String,
    pub description: String,
    pub permissions: Vec<PermissionRef>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq)]
pub struct RoleUpdate {
    pub role_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<PermissionRef>>,
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

impl crate::api::items::Tolerant for Equipement {
    fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }
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

impl crate::api::items::Tolerant for SiteSummary {
    fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }
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

impl crate::api::items::Tolerant for User {
    fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }
    fn undecodable(raw: &str, problem: String) -> Self {
        User {
            nom: raw.to_string(),
            problem: Some(problem.into()),
            ..Default::default()
        }
    }
}

impl crate::api::items::Tolerant for Role {
    fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }
    fn undecodable(raw: &str, problem: String) -> Self {
        Role {
            name: raw.to_string(),
            problem: Some(problem.into()),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_give_back_the_text_sent() {
        for raw in [
            "2025-08-22T16:38:51",
            "2025-08-22T16:38:51.250",
            "2025-08-22T16:38:51Z",
            "2025-08-22 16:38:51",
            " 2025-08-22T16:38:51",
            "2025-13-40T99:99:99",
            "hier",
            "",
        ] {
            let t: Timestamp = serde_json::from_value(Value::from(raw)).unwrap();
            assert_eq!(t.raw(), raw);
            assert_eq!(serde_json::to_value(&t).unwrap(), Value::from(raw));
        }
        let plain = Timestamp::parse("2025-08-22T16:38:51");
        assert!(plain.raw.is_none(), "the usual form is not kept twice");
        assert_eq!(plain.short(), "2025-08-22 16:38");
        // Read digit by digit: the same instant chrono reads, and no impossible date.
        for raw in [
            "2024-02-29T23:59:59",
            "0001-01-01T00:00:00",
            "2025-08-22T16:38:51",
        ] {
            let want = NaiveDateTime::parse_from_str(raw, CANONICAL)
                .unwrap()
                .and_utc();
            assert_eq!(Timestamp::parse(raw).parsed, Some(want), "{raw}");
        }
        for raw in [
            "2025-02-29T10:00:00",
            "2025-08-22T24:00:00",
            "2025-08-22T16:60:00",
        ] {
            assert_eq!(Timestamp::parse(raw).parsed, None, "{raw}");
            assert_eq!(Timestamp::parse(raw).raw(), raw);
        }
        let secs: Timestamp = serde_json::from_value(serde_json::json!(1_700_000_000)).unwrap();
        assert_eq!(secs.raw(), "1700000000");
        assert!(secs.parsed.is_some());
        let odd: Timestamp = serde_json::from_value(serde_json::json!({"a": 1})).unwrap();
        assert_eq!(odd, Timestamp::default());
    }

    #[test]
    fn sources_take_any_shape_a_server_sends() {
        use serde_json::json;
        let sources = |v: Value| serde_json::from_value::<Sources>(v).unwrap().0;
        assert_eq!(
            sources(json!(["rtsp://a", 554, 1.5, true, null, {"u": 1}])),
            ["rtsp://a", "554", "1.5", "true", r#"{"u":1}"#]
        );
        assert_eq!(sources(json!("rtsp://a")), ["rtsp://a"]);
        assert_eq!(sources(json!(r#"["rtsp://a", 2]"#)), ["rtsp://a", "2"]);
        assert_eq!(sources(json!("  ")), Vec::<String>::new());
        assert_eq!(sources(json!(null)), Vec::<String>::new());
        assert_eq!(sources(json!(8554)), ["8554"]);
        assert_eq!(sources(json!(-3)), ["-3"]);
        assert_eq!(sources(json!(2.5)), ["2.5"]);
        assert_eq!(sources(json!(false)), ["false"]);
        assert_eq!(
            sources(json!({"url": "rtsp://a"})),
            [r#"{"url":"rtsp://a"}"#]
        );
        let e: Equipement = serde_json::from_str(r#"{"sources": null}"#).unwrap();
        assert!(e.sources.0.is_empty());
    }

    #[test]
    fn rows_of_one_site_share_it() {
        let row = |desc: &str| {
            serde_json::json!({"equipement_id": "e", "client_site": {
                "site_id": "s1", "client_id": "c", "name": "LOUM", "description": desc}})
        };
        let rows: Vec<Equipement> =
            serde_json::from_value(Value::Array(vec![row("a"), row("a"), row("b")])).unwrap();
        let site = |i: usize| rows[i].client_site.clone().unwrap();
        assert!(Arc::ptr_eq(&site(0), &site(1)));
        assert_eq!(site(2).description, "b", "a changed site is not mixed up");
        assert_eq!(site(0).description, "a");
        assert_eq!(rows[0].site_id(), Some("s1"));
        let back = serde_json::to_value(&rows[0]).unwrap();
        assert_eq!(back["client_site"]["name"], "LOUM");
    }

    #[test]
    fn ids_of_any_scalar_become_text() {
        for (v, want) in [
            (serde_json::json!("70e9"), "70e9"),
            (serde_json::json!(7586), "7586"),
            (serde_json::json!(-3), "-3"),
            (serde_json::json!(1.5), "1.5"),
            (serde_json::json!(true), "true"),
            (serde_json::json!(null), ""),
            (serde_json::json!([1, "a"]), "[1,\"a\"]"),
            (serde_json::json!({"k": 1}), "{\"k\":1}"),
        ] {
            let e: Equipement =
                serde_json::from_value(serde_json::json!({ "equipement_id": v })).unwrap();
            assert_eq!(e.equipement_id, want);
        }
        let e: Equipement = serde_json::from_str("{}").unwrap();
        assert_eq!(e.equipement_id, "");
    }

    #[test]
    fn doc_sample_site_decodes() {
        let json = r#"[{"site_id":"0c5c5381-c357-4abc-ba1f-9fb584006a3a","name":"LOUM","longitude":26.45,"latitude":43.56,"description":"d","timestamp":"2025-08-13T09:49:13","client":{"client_id":"48f4","nom":"BICEC Bank","code":984,"timestamp":"2025-08-07T08:12:20"},"equipements":[{"equipement_id":"70e9","ip":"1.1.1.1","marque":"mmmm","sources":["hhhhhhh","jjjjjjjjj"],"port":100,"username":"4470","password":"passoword_hashed","description":"jjjjjj","modele":"mmm","timestamp":"2025-08-22T16:38:51"}]}]"#;
        let sites: AnyList<Site> = serde_json::from_str(json).unwrap();
        let s = &sites.0[0];
        assert_eq!(s.name, "LOUM");
        assert_eq!(s.client_id(), Some("48f4"));
        assert_eq!(s.equipements[0].sources.0, vec!["hhhhhhh", "jjjjjjjjj"]);
        assert!(s.timestamp.as_ref().unwrap().parsed.is_some());
        let sums: AnyList<SiteSummary> = serde_json::from_str(json).unwrap();
        assert_eq!(sums.0[0].equipement_count, 1);
        assert!(!format!("{:?}", s.equipements[0]).contains("passoword_hashed"));
    }

    #[test]
    fn tolerant_shapes() {
        let e: Equipement = serde_json::from_str(
            r#"{"equipement_id":"x","ip":"1.2.3.4","sources":"rtsp","port":"80","timestamp":"2025-11-06T16:52:40.857Z","description":null,"unknown":1}"#,
        )
        .unwrap();
        assert_eq!(e.sources.0, vec!["rtsp"]);
        assert_eq!(e.port, Some(80));
        assert!(e.timestamp.unwrap().parsed.is_some());
        let p: Page<Equipement> = serde_json::from_str(
            r#"{"items":[],"total":null,"page":null,"size":null,"pages":null}"#,
        )
        .unwrap();
        assert_eq!(p.page_count(), None);
        let p: Page<Equipement> =
            serde_json::from_str(r#"{"items":[],"total":101,"size":50,"pages":null}"#).unwrap();
        assert_eq!(p.page_count(), Some(3));
        let s: Site =
            serde_json::from_str(r#"{"site_id":"a","lonitude":9.7,"latitude":4.0}"#).unwrap();
        assert_eq!(s.longitude, Some(9.7));
        let r: Role = serde_json::from_str(
            r#"{"id":"r","name":"x","description":"d","permissions":["users:read",{"permission_id":"p","ressource":"roles","action":"create"}]}"#,
        )
        .unwrap();
        assert_eq!(r.permissions[0].key(), "users:read");
        assert_eq!(r.permissions[1].key(), "roles:create");
    }
}
