//! Typed records of the core API, decoded tolerantly: unknown fields are ignored, `null` is
//! accepted for every optional value, `sources` may be a string or a list, timestamps may carry a
//! zone or not, and the page counters may be `null` (old fastapi-pagination).

use std::fmt;
use std::sync::Arc;

use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

mod equipements;
mod sites;
mod users;
mod values;
pub use equipements::*;
pub use sites::*;
pub use users::*;
pub use values::*;

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
pub(super) struct Scalar(pub(super) Option<String>);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarText).map(Scalar)
    }
}

/// Any scalar as a string (ids are strings in the doc, but a server may send numbers).
pub fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(d.deserialize_any(ScalarText)?.unwrap_or_default())
}

/// `lenient_string` as a `CompactString`.
pub fn lenient_compact<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<compact_str::CompactString, D::Error> {
    Ok(lenient_string(d)?.into())
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
    /// Whether page number `page` ends a walk, `rows` rows read with it, `asked` the size
    /// asked of the server: it is empty or short (`ends_here`), or the last announced, or the
    /// announced rows are all read.
    pub fn is_last(&self, page: u32, rows: usize, asked: u64) -> bool {
        self.ends_here(page, asked)
            || self.page_count().is_some_and(|pc| u64::from(page) >= pc)
            || self.total.is_some_and(|t| rows as u64 >= t)
    }

    /// Whether the list ends with this page whatever else it announces: it is empty, or
    /// shorter than the size asked — unless the server says it pages by that shorter size and
    /// announces more pages (a server capping the size it is asked). A `"size": 0`, or
    /// counters that are no numbers, with 7 rows: the end.
    pub fn ends_here(&self, page: u32, asked: u64) -> bool {
        let n = self.items.len() as u64;
        let capped = n > 0
            && self.size == Some(n)
            && self.page_count().is_some_and(|pc| u64::from(page) < pc);
        n == 0 || (n < asked && !capped)
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

thread_local! {
    /// Sites met by this thread's decoding, by their text as sent. Hashed with foldhash (seeded
    /// at random): SipHash of each row's site text was 1.6% of a listing's instructions.
    static SITES: std::cell::RefCell<foldhash::HashMap<Box<str>, Arc<SiteRef>>> =
        Default::default();
}

#[cfg(test)]
mod tests;
