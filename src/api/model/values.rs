//! Values the records share: timestamps as sent, sources, credentials.

use crate::api::model::lenient_compact;

use crate::api::model::{Scalar, ScalarText};
use chrono::DateTime;
use chrono::NaiveDateTime;
use chrono::Utc;
use compact_str::CompactString;
use serde::Serializer;
use serde::de;
use serde::de::Deserializer;
use serde::de::IgnoredAny;
use serde::de::SeqAccess;
use serde::de::Visitor;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The form most servers send, rebuilt from `parsed` when no other text was kept.
pub(super) const CANONICAL: &str = "%Y-%m-%dT%H:%M:%S";

/// A server timestamp: parsed when it can be (with or without a zone; a zoneless one is read
/// as UTC), and the text as sent kept only when the parsed value would not give it back: most
/// are `2025-08-22T16:38:51`, and a loaded list holds one a row.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Timestamp {
    pub parsed: Option<DateTime<Utc>>,
    pub(super) raw: Option<Box<str>>,
}

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

/// Two digits of `n` (below 100) into `out`.
fn push2(out: &mut String, n: u32) {
    out.push(char::from(b'0' + (n / 10 % 10) as u8));
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// `d` as `CANONICAL` or `datetime_format()` writes it, without reading a format string
/// for each row (chrono's `format` did, for each of 100,000 rows of an export). `None`: a year
/// those four digits cannot hold, left to chrono.
fn format_fast(d: &DateTime<Utc>, shape: Shape) -> Option<String> {
    use chrono::{Datelike, Timelike};
    let y = u32::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
    let mut out = String::with_capacity(19);
    let year = |out: &mut String| {
        push2(out, y / 100);
        push2(out, y % 100);
    };
    match shape {
        Shape::Canonical | Shape::ShortEn => {
            year(&mut out);
            out.push('-');
            push2(&mut out, d.month());
            out.push('-');
            push2(&mut out, d.day());
            out.push(if shape == Shape::Canonical { 'T' } else { ' ' });
        }
        Shape::ShortFr => {
            push2(&mut out, d.day());
            out.push('/');
            push2(&mut out, d.month());
            out.push('/');
            year(&mut out);
            out.push(' ');
        }
    }
    push2(&mut out, d.hour());
    out.push(':');
    push2(&mut out, d.minute());
    if shape == Shape::Canonical {
        out.push(':');
        push2(&mut out, d.second());
    }
    Some(out)
}

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Canonical,
    ShortEn,
    ShortFr,
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

    /// Its seconds since the epoch when they are all it holds (no text kept, no fraction):
    /// `from_seconds` gives the same timestamp back. A packed list holds most this way.
    pub fn whole_seconds(&self) -> Option<i64> {
        let d = self.parsed.filter(|_| self.raw.is_none())?;
        (d.timestamp_subsec_nanos() == 0).then(|| d.timestamp())
    }

    pub fn from_seconds(secs: i64) -> Option<Self> {
        Some(Timestamp {
            parsed: Some(DateTime::from_timestamp(secs, 0)?),
            raw: None,
        })
    }

    /// The text as the server sent it.
    pub fn raw(&self) -> std::borrow::Cow<'_, str> {
        match (&self.raw, self.parsed) {
            (Some(r), _) => std::borrow::Cow::Borrowed(r),
            (None, Some(d)) => std::borrow::Cow::Owned(
                format_fast(&d, Shape::Canonical)
                    .unwrap_or_else(|| d.format(CANONICAL).to_string()),
            ),
            (None, None) => std::borrow::Cow::Borrowed(""),
        }
    }

    /// `2025-08-13 09:49` when parsed, the raw text otherwise.
    pub fn short(&self) -> String {
        match self.parsed {
            Some(d) => {
                let f = crate::i18n::datetime_format();
                let shape = match f {
                    "%Y-%m-%d %H:%M" => Some(Shape::ShortEn),
                    "%d/%m/%Y %H:%M" => Some(Shape::ShortFr),
                    _ => None,
                };
                shape
                    .and_then(|s| format_fast(&d, s))
                    .unwrap_or_else(|| d.format(f).to_string())
            }
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
                // Kept for the session with every row: no spare capacity. A row has one or
                // two sources: those are held aside and the list made once at its size (a
                // growing list shrunk after was a reallocation a row).
                let mut few: [Option<String>; 2] = [None, None];
                let mut more = Vec::new();
                let mut n = 0;
                while let Some(Scalar(s)) = a.next_element()? {
                    let Some(s) = s else { continue };
                    match few.get_mut(n) {
                        Some(slot) => *slot = Some(s),
                        None => more.push(s),
                    }
                    n += 1;
                }
                let mut out = Vec::with_capacity(n);
                out.extend(few.into_iter().flatten());
                out.append(&mut more);
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
/// Inline up to 24 bytes (nearly every device password): no allocation a row.
pub struct Credential(#[serde(deserialize_with = "lenient_compact")] pub CompactString);

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("\"\"")
        } else {
            write!(f, "\"{}\"", crate::text::MASK)
        }
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
            crate::text::MASK
        }
    }
}

#[cfg(test)]
mod fast_format {
    use super::{CANONICAL, Shape, Timestamp, format_fast};

    /// The hand-made formats write what chrono's do, on dates from year 1 to 9999.
    #[test]
    fn formats_as_chrono_does() {
        let mut t = chrono::NaiveDate::from_ymd_opt(1, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc();
        let step = chrono::Duration::seconds(15_778_357);
        for _ in 0..19_800 {
            for (shape, f) in [
                (Shape::Canonical, CANONICAL),
                (Shape::ShortEn, "%Y-%m-%d %H:%M"),
                (Shape::ShortFr, "%d/%m/%Y %H:%M"),
            ] {
                assert_eq!(format_fast(&t, shape).unwrap(), t.format(f).to_string());
            }
            t += step;
        }
        let far = chrono::NaiveDate::from_ymd_opt(12_345, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc();
        assert_eq!(format_fast(&far, Shape::Canonical), None);
        let ts = Timestamp {
            parsed: Some(far),
            raw: None,
        };
        assert_eq!(ts.raw(), far.format(CANONICAL).to_string());
    }
}
