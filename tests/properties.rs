//! Property tests: the decoders, error classification, text sanitizing, Ocean records, form
//! validators, date parsers and config loader never panic and keep their promises on any
//! input; and the console survives random key sequences with a fake server answering, keeping
//! its list and paging invariants, drawing at any size, and never writing from a read-only
//! session.

mod console_fixtures;

use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use console_fixtures::*;
use crossterm::event::{KeyCode, KeyEvent};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use tui_input::Input;
use vigie::api::error::{ApiError, Family, FieldError, body_message, classify};
use vigie::api::maarch::{MaarchEntity, MaarchGroup, MaarchUser, MaarchUserDetails};
use vigie::api::model::*;
use vigie::api::ocean::{Functionality, Individu, OceanStatus, OutboxMail};
#[cfg(feature = "server")]
use vigie::api::ocean::{dmy_date, iso_date};
use vigie::app::form::{Field, FieldKind, Form, parse_local_date};
use vigie::app::list::{ListView, Record};
use vigie::app::{App, Overlay, Session};
use vigie::change::{Change, Outcome};
use vigie::config::Config;
use vigie::protocol::{Event, Payload, Request, Saved, Service};
use vigie::rows::Rows;
#[cfg(feature = "server")]
use vigie::server::ocean::dates::{parse_affectation, parse_iso};
use vigie::text::{is_unsafe, sanitize};

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // A failure prints its minimal input; nothing is written next to the sources.
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..ProptestConfig::default()
    }
}

// ---- arbitrary JSON -------------------------------------------------------------------------

/// Keys of the real response shapes, so decoders meet their own fields with wrong types.
const KEYS: &[&str] = &[
    "items",
    "total",
    "page",
    "size",
    "pages",
    "site_id",
    "client_id",
    "id",
    "name",
    "longitude",
    "lonitude",
    "latitude",
    "description",
    "timestamp",
    "client",
    "nom",
    "code",
    "equipements",
    "equipement_id",
    "ip",
    "marque",
    "sources",
    "port",
    "username",
    "password",
    "modele",
    "client_site",
    "matricule",
    "email",
    "role_name",
    "role_id",
    "status",
    "permissions",
    "ressource",
    "resource",
    "action",
    "permission_id",
    "sub",
    "user_id",
    "exp",
    "oceanStatus",
    "message",
    "enumCode",
    "fonctionnaliteDto",
    "idFonctionnalite",
    "ordre",
    "typeElement",
    "to",
    "login",
    "subject",
    "body",
    "at",
    "firstname",
    "lastname",
    "mail",
    "mode",
    "initials",
    "phone",
    "group_id",
    "group_desc",
    "role",
    "entity_id",
    "entity_label",
    "user_role",
    "primary_entity",
    "detail",
    "errors",
    "error",
    "msg",
    "loc",
    "type",
    "individu",
    "entite",
    "utilisateur",
    "nomInd",
    "prenomInd",
    "loginUti",
];

/// Strings servers send, plus the ones that break naive code.
const ODD: &[&str] = &[
    "",
    " ",
    "7586",
    " 42 ",
    "-1",
    "1e3",
    "18446744073709551616",
    "NaN",
    "inf",
    "1.5",
    "2025-11-06T16:52:40.857Z",
    "2025-08-13T09:49:13",
    "2025-08-13 09:49",
    "2025-13-45T99:99",
    "[\"a\",1,null]",
    "[",
    "users:read",
    ":",
    "a:b:c",
    "{\"maarchParapheur\":19}",
    "Y",
    "OK",
    "DEL",
    "ERROR",
    "ko",
    "\u{1b}[2J\u{1b}]0;owned\u{7}",
    "\u{202e}evil",
    "\u{9b}C1",
    "\u{0}",
    "📷東京",
    "é\u{301}",
    "\u{feff}",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => any::<String>(),
        2 => prop::sample::select(ODD).prop_map(str::to_string),
    ]
}

fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(KEYS).prop_map(str::to_string),
        1 => any::<String>(),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| {
            serde_json::Number::from_f64(f).map(Value::Number)
        }),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((json_key(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn json_object() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::vec((json_key(), json_value()), 0..8).prop_map(|kv| kv.into_iter().collect())
}

/// Bytes that are sometimes JSON.
fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        json_value().prop_map(|v| v.to_string().into_bytes()),
        (
            prop::sample::select(&["detail", "errors", "message", "error", "msg"][..]),
            json_value()
        )
            .prop_map(|(k, v)| {
                let mut m = Map::new();
                m.insert(k.to_string(), v);
                Value::Object(m).to_string().into_bytes()
            }),
        prop::collection::vec((json_value(), text(), text()), 0..4).prop_map(|items| {
            let detail: Vec<Value> = items
                .into_iter()
                .map(|(loc, msg, ty)| json!({ "loc": loc, "msg": msg, "type": ty }))
                .collect();
            json!({ "detail": detail }).to_string().into_bytes()
        }),
    ]
}

// ---- decoders -------------------------------------------------------------------------------

/// Decodes `bytes` as `T`, and when it decodes, uses what the console uses of it.
fn decode<T: DeserializeOwned>(bytes: &[u8], then: impl Fn(&T)) {
    if let Ok(v) = serde_json::from_slice::<T>(bytes) {
        then(&v);
    }
}

fn cells<T: Record>(r: &T) {
    let _ = (r.cells(), r.key(), r.label());
}

fn list_of<T: Record>(items: Vec<T>) {
    let mut l = ListView::default();
    l.set_items(items);
    l.filter = "a".into();
    l.refresh_view();
    let _ = l.highlights(0);
    l.cycle_sort();
    l.scroll_into_view(3);
}

fn decode_everything(bytes: &[u8]) {
    decode::<Page<Equipement>>(bytes, |p| {
        let _ = p.page_count();
        p.items.iter().for_each(|e| {
            cells(e);
            let _ = e.site_id();
        });
        list_of(p.items.clone());
    });
    decode::<Equipement>(bytes, |e| {
        cells(e);
        let _ = format!("{e:?}");
        let _ = (e.password.masked(), e.sources.joined());
    });
    decode::<SiteSummary>(bytes, |s| {
        cells(s);
        let _ = (s.client_id(), SiteRef::from(s));
    });
    decode::<Site>(bytes, |s| {
        let _ = (s.client_id(), SiteSummary::from(s));
    });
    decode::<AnyList<SiteSummary>>(bytes, |l| list_of(l.0.clone()));
    decode::<AnyList<User>>(bytes, |l| list_of(l.0.clone()));
    decode::<AnyList<Role>>(bytes, |l| list_of(l.0.clone()));
    decode::<User>(bytes, |u| {
        cells(u);
        let _ = u.is_active();
    });
    decode::<Role>(bytes, |r| {
        cells(r);
        let _ = r.permissions.iter().map(Permission::key).count();
    });
    decode::<Permission>(bytes, |p| {
        let _ = p.key();
    });
    decode::<Client>(bytes, |_| {});
    decode::<SiteRef>(bytes, |_| {});
    decode::<Sources>(bytes, |s| {
        let _ = s.joined();
    });
    decode::<Timestamp>(bytes, |t| {
        let _ = (t.short(), t.to_string());
    });
    decode::<Claims>(bytes, |_| {});
    decode::<Tokens>(bytes, |t| {
        let _ = format!("{t:?}");
    });
    decode::<Individu>(bytes, |i| {
        cells(i);
        let _ = (i.id(), i.entite_id(), i.login(), i.text("individu.gsm"));
        list_of(vec![i.clone()]);
        let _ = Form::individu(Some(i), std::slice::from_ref(i));
    });
    decode::<Vec<Individu>>(bytes, |v| list_of(v.clone()));
    decode::<OceanStatus>(bytes, |s| {
        let _ = s.is_failure();
    });
    decode::<Vec<OceanStatus>>(bytes, |_| {});
    decode::<Functionality>(bytes, |_| {});
    decode::<Vec<Functionality>>(bytes, |_| {});
    decode::<OutboxMail>(bytes, |_| {});
    decode::<Vec<OutboxMail>>(bytes, |_| {});
    decode::<MaarchUser>(bytes, |u| {
        cells(u);
        let _ = u.status_label();
        let _ = Form::maarch_user(Some(&MaarchUserDetails::from_list(u.clone())));
    });
    decode::<Vec<MaarchUser>>(bytes, |v| list_of(v.clone()));
    decode::<MaarchGroup>(bytes, |_| {});
    decode::<MaarchEntity>(bytes, |e| {
        let _ = e.is_primary();
    });
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn decoders_never_panic_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        decode_everything(&bytes);
    }

    #[test]
    fn decoders_never_panic_on_json(v in json_value()) {
        decode_everything(v.to_string().as_bytes());
        // The same value wrapped the ways servers wrap lists.
        decode_everything(json!([v.clone()]).to_string().as_bytes());
        decode_everything(json!({ "items": [v.clone()], "total": v }).to_string().as_bytes());
    }

    #[test]
    fn decoders_never_panic_on_objects_of_known_keys(m in json_object()) {
        let v = Value::Object(m);
        decode_everything(v.to_string().as_bytes());
        decode_everything(json!({ "items": [v.clone(), v.clone()] }).to_string().as_bytes());
        decode_everything(json!({ "individu": v.clone(), "entite": v }).to_string().as_bytes());
    }

    #[test]
    fn claims_of_any_token_never_panic(s in any::<String>(), payload in json_value()) {
        use base64::Engine;
        let _ = Claims::from_jwt(&s);
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(payload.to_string());
        let _ = Claims::from_jwt(&format!("h.{b64}.s"));
        let _ = Claims::from_jwt(&format!("h.{b64}==.s"));
        let _ = Timestamp::parse(&s);
    }
}

// ---- errors and text ------------------------------------------------------------------------

fn retry_header() -> impl Strategy<Value = Option<HeaderValue>> {
    prop_oneof![
        Just(None),
        any::<u64>().prop_map(|n| Some(HeaderValue::from(n))),
        prop::collection::vec(any::<u8>(), 0..40).prop_map(|b| HeaderValue::from_bytes(&b).ok()),
        // Up to the year 9999: what RFC 2822 can write.
        (0i64..253_402_300_000).prop_map(|secs| {
            DateTime::from_timestamp(secs, 0)
                .and_then(|d| HeaderValue::from_str(&d.to_rfc2822()).ok())
        }),
    ]
}

fn family() -> impl Strategy<Value = Family> {
    prop::sample::select(vec![Family::Core, Family::Ocean, Family::Maarch])
}

/// Strings full of what a terminal must never receive: C0 and C1 controls, ESC sequences
/// (CSI, OSC), DEL, bidi overrides and isolates, marks.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any::<char>().prop_map(String::from),
        (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap().to_string()),
        (0x7fu32..0xa0).prop_map(|c| char::from_u32(c).unwrap().to_string()),
        (0x202au32..=0x202e).prop_map(|c| char::from_u32(c).unwrap().to_string()),
        (0x2066u32..=0x2069).prop_map(|c| char::from_u32(c).unwrap().to_string()),
        prop::sample::select(
            &[
                "\u{1b}[2J",
                "\u{1b}]0;title\u{7}",
                "\u{1b}]52;c;ZXZpbA==\u{1b}\\",
                "\u{9b}31m",
                "\u{9d}8;;http://x\u{9c}",
                "\u{200e}",
                "\u{200f}",
                "\u{61c}",
                "\r\n",
                "\t",
            ][..]
        )
        .prop_map(str::to_string),
        "[a-zA-Zé 0-9]{0,4}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

fn unsafe_char(c: char) -> bool {
    let n = c as u32;
    n < 0x20
        || (0x7f..=0x9f).contains(&n)
        || (0x202a..=0x202e).contains(&n)
        || (0x2066..=0x2069).contains(&n)
        || matches!(n, 0x200e | 0x200f | 0x61c)
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn classify_always_answers_an_error_with_words(
        status in 100u16..600,
        body in body_bytes(),
        retry in retry_header(),
        fam in family(),
    ) {
        let code = StatusCode::from_u16(status).unwrap();
        let mut headers = HeaderMap::new();
        if let Some(v) = retry {
            headers.insert(RETRY_AFTER, v);
        }
        let e = classify(fam, code, &headers, &body);
        prop_assert!(!e.to_string().is_empty(), "{:?}", e);
        // The status is kept, except the old FastAPI 403 that means "log in".
        if !(status == 403 && matches!(e, ApiError::Unauthorized(_))) {
            prop_assert_eq!(e.status(), Some(status));
        }
        prop_assert_eq!(e.is_transient(), status == 429 || status >= 500);
        if status != 422 {
            prop_assert!(e.field_errors().is_empty());
        }
        // The server's `Retry-After` is reported as sent (waits are bounded elsewhere).
        if let (ApiError::RateLimited { retry_after, .. }, Some(secs)) = (
            &e,
            headers
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok()),
        ) {
            prop_assert_eq!(*retry_after, Some(Duration::from_secs(secs)));
        }
        let _ = body_message(&body);
    }

    /// `body_message` hands JSON strings over as they are (controls included): what keeps the
    /// terminal safe is `sanitize`, which every drawn server string goes through.
    #[test]
    fn sanitize_leaves_nothing_a_terminal_would_obey(s in hostile()) {
        let clean = sanitize(&s);
        prop_assert!(!clean.chars().any(is_unsafe), "{:?} -> {:?}", s, clean);
        prop_assert!(!clean.chars().any(unsafe_char), "{:?} -> {:?}", s, clean);
        prop_assert!(!clean.contains('\x1b'), "ESC left in {:?}", clean);
        // One stand-in per character: columns stay where they were.
        prop_assert_eq!(clean.chars().count(), s.chars().count());
        if !s.chars().any(unsafe_char) {
            prop_assert_eq!(clean.as_ref(), s.as_str());
        }
        let _ = body_message(json!({ "detail": s }).to_string().as_bytes());
    }

    #[test]
    fn sanitize_any_string(s in any::<String>()) {
        let clean = sanitize(&s);
        prop_assert!(!clean.chars().any(unsafe_char));
        prop_assert_eq!(clean.chars().count(), s.chars().count());
    }
}

// ---- Ocean records --------------------------------------------------------------------------

fn dotted_path() -> impl Strategy<Value = String> {
    let seg = prop_oneof![
        prop::sample::select(
            &[
                "individu",
                "entite",
                "utilisateur",
                "id",
                "nomInd",
                "propSpecifiqueDTO",
                ""
            ][..]
        )
        .prop_map(str::to_string),
        "[a-zA-Z0-9_]{0,6}",
        any::<String>().prop_map(|s| s.replace('.', "")),
    ];
    prop_oneof![
        4 => prop::collection::vec(seg, 1..5).prop_map(|v| v.join(".")),
        1 => any::<String>(),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn individu_set_then_get_returns_the_value(
        base in json_object(),
        path in dotted_path(),
        v in json_value(),
    ) {
        let mut i = Individu(base);
        let before = i.clone();
        i.set(&path, v.clone());
        prop_assert_eq!(i.get(&path), Some(&v));
        let _ = (i.text(&path), i.id(), i.nom(), i.entite_id(), i.matricule());
        // Other top-level keys are left alone.
        let first = path.split('.').next().unwrap_or_default();
        for (k, old) in &before.0 {
            if k != first {
                prop_assert_eq!(i.0.get(k), Some(old), "key {}", k);
            }
        }
        // And a second path set after keeps the first when they do not overlap.
        let other = format!("zz{}", path.replace('.', ""));
        i.set(&other, json!(1));
        if !path.starts_with(&other) && first != other {
            prop_assert_eq!(i.get(&path), Some(&v));
        }
    }
}

// ---- form fields ----------------------------------------------------------------------------

/// A field of `kind` holding `value` (cloned from a real form, so it stays a real field).
fn field(kind: FieldKind, required: bool, value: &str) -> Field {
    let mut f = Form::password_reset("").fields[0].clone();
    f.kind = kind;
    f.required = required;
    f.input = Input::new(value.to_string());
    f
}

/// Every kind of field the forms use, with the ranges they use.
fn kinds() -> Vec<FieldKind> {
    let options = vec![
        ("a".to_string(), "Alpha".to_string()),
        ("b".to_string(), "Bravo".to_string()),
    ];
    vec![
        FieldKind::Text { min: 1, max: 200 },
        FieldKind::Text { min: 0, max: 1000 },
        FieldKind::Password { min: 8 },
        FieldKind::Password { min: 0 },
        FieldKind::Integer { min: 1, max: 65535 },
        FieldKind::Integer {
            min: 1,
            max: i64::from(i32::MAX),
        },
        FieldKind::Integer {
            min: 1,
            max: i64::MAX,
        },
        FieldKind::Float {
            min: -90.0,
            max: 90.0,
        },
        FieldKind::Float {
            min: -180.0,
            max: 180.0,
        },
        FieldKind::Ip,
        FieldKind::Email,
        FieldKind::Login,
        FieldKind::Phone,
        FieldKind::Choice {
            options: options.clone(),
            selected: None,
        },
        FieldKind::Choice {
            options: options.clone(),
            selected: Some(1),
        },
        FieldKind::List,
        FieldKind::Open {
            options: options.clone(),
            numeric: false,
        },
        FieldKind::Open {
            options,
            numeric: true,
        },
        FieldKind::Date,
        Form::role(None, &catalogue()).fields[2].kind.clone(),
    ]
}

fn valid(kind: FieldKind, value: &str) -> Result<(), TestCaseError> {
    let f = field(kind, true, value);
    prop_assert_eq!(f.validate(), None, "{:?} refused {:?}", f.kind, value);
    Ok(())
}

/// The Maarch server's own rules (`src/server/maarch`).
fn server_login_ok(s: &str) -> bool {
    vigie::api::rules::valid_login(s)
}

fn server_phone_ok(s: &str) -> bool {
    vigie::api::rules::valid_phone(s)
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn validators_never_panic(s in any::<String>(), required in any::<bool>()) {
        for kind in kinds() {
            let f = field(kind, required, &s);
            let _ = (f.validate(), f.value(), f.matching_options(), f.changed());
        }
        let _ = parse_local_date(&s);
    }

    #[test]
    fn validators_never_panic_on_near_misses(
        s in "[ 0-9a-fA-F.:,+eE@_()-]{0,40}",
        required in any::<bool>(),
    ) {
        for kind in kinds() {
            let _ = field(kind, required, &s).validate();
        }
        let _ = parse_local_date(&s);
    }

    #[test]
    fn addresses_validate(v4 in any::<std::net::Ipv4Addr>(), v6 in any::<std::net::Ipv6Addr>()) {
        valid(FieldKind::Ip, &v4.to_string())?;
        valid(FieldKind::Ip, &format!(" {v4} "))?;
        valid(FieldKind::Ip, &v6.to_string())?;
    }

    #[test]
    fn integers_in_range_validate(port in 1i64..=65535, m in 1i64..=i64::from(i32::MAX), n in any::<i64>()) {
        valid(FieldKind::Integer { min: 1, max: 65535 }, &port.to_string())?;
        valid(FieldKind::Integer { min: 1, max: i64::from(i32::MAX) }, &m.to_string())?;
        valid(FieldKind::Open { options: Vec::new(), numeric: true }, &n.to_string())?;
        let outside = field(FieldKind::Integer { min: 1, max: 65535 }, true, &(port + 65535).to_string());
        prop_assert!(outside.validate().is_some());
    }

    #[test]
    fn floats_in_range_validate(lat in -90.0f64..=90.0, lon in -180.0f64..=180.0) {
        valid(FieldKind::Float { min: -90.0, max: 90.0 }, &lat.to_string())?;
        valid(FieldKind::Float { min: -180.0, max: 180.0 }, &lon.to_string())?;
        // A decimal comma is read as a point.
        valid(FieldKind::Float { min: -90.0, max: 90.0 }, &lat.to_string().replace('.', ","))?;
    }

    #[test]
    fn plain_values_validate(
        local in "[a-z0-9]{1,8}(\\.[a-z0-9]{1,8}){0,2}",
        domain in "[a-z0-9]{1,8}(-[a-z0-9]{1,4})?\\.[a-z]{2,6}",
        login in "[A-Za-z0-9_.@-]{1,128}",
        phone in "\\+?[0-9]{2,4}([ .-]?[0-9]{2,4}){1,4}",
        name in "[A-Za-zÀ-ÿ0-9'-]{1,200}",
    ) {
        valid(FieldKind::Email, &format!("{local}@{domain}"))?;
        valid(FieldKind::Login, &login)?;
        valid(FieldKind::Phone, &phone)?;
        valid(FieldKind::Text { min: 1, max: 200 }, &name)?;
        valid(FieldKind::List, &format!("{name}, {login}"))?;
    }

    #[test]
    fn dates_validate(
        d in (1000i32..=9999, 1u32..=12, 1u32..=28),
        hm in (0u32..24, 0u32..60),
        fixed in fixed_datetime(),
    ) {
        let day = NaiveDate::from_ymd_opt(d.0, d.1, d.2).unwrap();
        // Noon exists in every zone, whatever its daylight-saving rules.
        valid(FieldKind::Date, &format!("{} 12:00", day.format("%Y-%m-%d")))?;
        valid(FieldKind::Date, &format!("{}T12:{:02}", day.format("%Y-%m-%d"), hm.1))?;
        valid(FieldKind::Date, &fixed.to_rfc3339())?;
        let back = parse_local_date(&fixed.to_rfc3339()).unwrap();
        prop_assert_eq!(back, fixed);
    }

    /// The Login field is said to check "with the server's own rules": what it accepts, the
    /// Maarch server must accept too (else the user learns it only after saving).
    #[test]
    fn login_field_accepts_only_what_maarch_accepts(s in "[a-zA-Z0-9_.@ é-]{1,20}") {
        let f = field(FieldKind::Login, true, &s);
        if f.validate().is_none() {
            prop_assert!(server_login_ok(s.trim()), "the form accepts {:?}, Maarch refuses it", s);
        }
    }

    /// Same for the Maarch user form's phone.
    #[test]
    fn phone_field_accepts_only_what_maarch_accepts(s in "[0-9 +().-]{1,30}") {
        let f = field(FieldKind::Phone, false, &s);
        // A blank phone is no phone: the form does not send it.
        if f.validate().is_none() && !s.trim().is_empty() {
            prop_assert!(server_phone_ok(s.trim()), "the form accepts {:?}, Maarch refuses it", s);
        }
    }
}

// ---- forms under random keys ----------------------------------------------------------------

const BUILDERS: usize = 23;

/// Every form builder, with the fixtures' data.
fn build(i: usize) -> Form {
    let site_choices: Vec<(String, String)> = sites()
        .iter()
        .map(|s| (s.site_id.clone(), s.name.clone()))
        .collect();
    let clients = vec![(BICEC_ID.to_string(), "BICEC Bank (984)".to_string())];
    let role_choices: Vec<(String, String)> = roles()
        .iter()
        .map(|r| (r.role_id.clone(), r.name.clone()))
        .collect();
    let ind = individus();
    let mu = maarch_users();
    let groups = vec![
        ("AGENT".to_string(), "Agent".to_string()),
        ("ELU".to_string(), "Elu".to_string()),
    ];
    match i % BUILDERS {
        0 => Form::site(None, clients),
        1 => Form::site(Some(&sites()[1]), clients),
        2 => Form::site(None, Vec::new()),
        3 => Form::equipement(None, site_choices, None),
        4 => Form::equipement(Some(&equipements()[0]), site_choices, None),
        5 => Form::equipement(None, site_choices, Some(LOUM_ID)),
        6 => Form::user(None, role_choices),
        7 => Form::user(Some(&users()[1]), role_choices),
        8 => Form::role(None, &catalogue()),
        9 => Form::role(Some(&roles()[0]), &catalogue()),
        10 => Form::individu(None, &ind),
        11 => Form::individu(Some(&ind[0]), &ind),
        12 => Form::individu(Some(&ind[2]), &ind),
        13 => Form::assign_entity(&ind[0], &ind),
        14 => Form::assign_entity(&ind[2], &[]),
        15 => Form::change_password(),
        16 => Form::password_reset("bekani"),
        17 => Form::maarch_user(None),
        18 => Form::maarch_user(Some(&MaarchUserDetails::from_list(mu[0].clone()))),
        19 => Form::maarch_link(&mu[0], false, groups),
        20 => Form::maarch_link(&mu[1], true, Vec::new()),
        21 => Form::parapheur_link(&mu[0]),
        _ => Form::parapheur_create(&mu[2]),
    }
}

#[derive(Debug, Clone)]
enum FormStep {
    Key(KeyEvent),
    /// What a save attempt does first.
    ValidateAll,
}

fn typed_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::sample::select("abcxyzAZ0189.,:@-_ /é".chars().collect::<Vec<_>>()),
        1 => any::<char>().prop_filter("drawable", |c| !is_unsafe(*c)),
    ]
}

fn form_step() -> impl Strategy<Value = FormStep> {
    let codes = vec![
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::Enter,
        KeyCode::Backspace,
        KeyCode::Delete,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::Esc,
    ];
    prop_oneof![
        6 => typed_char().prop_map(|c| FormStep::Key(ch(c))),
        4 => prop::sample::select(codes).prop_map(|c| FormStep::Key(key(c))),
        1 => prop::sample::select(vec!['o', 'r', 'a', 'e', 'w', 'u']).prop_map(|c| FormStep::Key(ctrl(c))),
        1 => Just(FormStep::ValidateAll),
    ]
}

fn size() -> impl Strategy<Value = (u16, u16)> {
    prop_oneof![
        Just((20u16, 8u16)),
        Just((19u16, 7u16)),
        Just((1u16, 1u16)),
        Just((0u16, 0u16)),
        Just((60u16, 20u16)),
        Just((120u16, 35u16)),
        (20u16..=200, 8u16..=60),
        (1u16..40, 1u16..12),
    ]
}

/// Draws the app into a terminal of `w`×`h`; fails on anything a terminal would obey.
fn draw(app: &App, (w, h): (u16, u16)) -> Result<(), TestCaseError> {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    draw_on(&mut term, app)
}

/// Draws the app on `term` (kept between steps: only what changed is flushed), then checks
/// every cell.
fn draw_on(term: &mut Terminal<TestBackend>, app: &App) -> Result<(), TestCaseError> {
    term.draw(|f| vigie::ui::draw(f, app))
        .map_err(|e| TestCaseError::fail(format!("draw: {e}")))?;
    let buf = term.backend().buffer();
    for (i, cell) in buf.content.iter().enumerate() {
        if cell.symbol().chars().any(is_unsafe) {
            let w = usize::from(buf.area.width.max(1));
            return Err(TestCaseError::fail(format!(
                "cell ({}, {}) holds {:?} at {}x{}",
                i % w,
                i / w,
                cell.symbol(),
                buf.area.width,
                buf.area.height
            )));
        }
    }
    Ok(())
}

fn check_form(f: &Form) -> Result<(), TestCaseError> {
    prop_assert!(
        f.focus < f.fields.len(),
        "focus {} of {}",
        f.focus,
        f.fields.len()
    );
    prop_assert!(
        f.visible(f.focus),
        "focused field {} is folded",
        f.fields[f.focus].key
    );
    Ok(())
}

proptest! {
    #![proptest_config(config(192))]

    #[test]
    fn forms_survive_any_keys(
        which in 0..BUILDERS,
        steps in prop::collection::vec(form_step(), 0..80),
        at in size(),
    ) {
        let mut form = build(which);
        check_form(&form)?;
        for s in steps {
            match s {
                FormStep::Key(k) => {
                    form.on_key(k);
                }
                FormStep::ValidateAll => {
                    form.validate_all();
                }
            }
            check_form(&form)?;
            for f in &form.fields {
                let _ = f.validate();
            }
        }
        let _ = (form.change(), form.dirty(), form.title(), form.without_secrets());
        let mut app = App::new(session("admin"));
        app.on_resize(at.0, at.1);
        app.overlays.push(Overlay::Form(Box::new(form)));
        draw(&app, at)?;
    }
}

/// Types each value into the next field of the form on top.
fn fill(app: &mut App, values: &[&str]) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            app.on_key(key(KeyCode::Tab));
        }
        typed(app, v);
    }
}

/// A server's error about a field of a folded section (Ocean names the field in its 400s)
/// must not leave the focus on a field the form does not show.
#[test]
fn a_server_error_on_a_folded_field_shows_that_field() {
    let mut failures = Vec::new();
    for existing in [None, Some(&individus()[0])] {
        let base = Form::individu(existing, &individus());
        let folded: Vec<String> = base
            .fields
            .iter()
            .filter(|f| f.advanced)
            .map(|f| f.key.to_string())
            .collect();
        assert!(!folded.is_empty());
        for k in folded {
            let mut form = base.clone();
            form.apply_server_errors(&[FieldError::new(&k, "refused by the server")]);
            if !form.visible(form.focus) {
                failures.push(k);
            }
        }
    }
    // Through the console, as the reference server words a bad date of a folded section.
    let mut app = loaded("admin");
    app.on_key(ch('5'));
    serve(&mut app);
    app.on_key(ch('n'));
    fill(&mut app, &["", "EKANI", "Brice"]);
    app.on_key(ctrl('s'));
    let reqs = app.take_requests();
    let id = only(&reqs, |r| matches!(r, Request::Change(_)));
    fail(
        &mut app,
        id,
        ApiError::BadRequest(
            "propSpecifiqueDTO.dateFCO: '2025-13-01' is not a date (expected yyyy-MM-dd'T'HH:mm:ss.SSSXXX)"
                .into(),
        ),
    );
    let Some(Overlay::Form(f)) = app.overlays.last() else {
        panic!("the form stays open");
    };
    let focused = f.fields[f.focus].key.to_string();
    assert_eq!(focused, "propSpecifiqueDTO.dateFCO");
    if !f.visible(f.focus) {
        failures.push(format!("{focused} (through the console)"));
    }
    assert!(
        failures.is_empty(),
        "the focus went to a folded (hidden) field for: {failures:?}"
    );
}

// ---- dates ----------------------------------------------------------------------------------

/// Any instant Ocean's formats can hold: years 0–9999, milliseconds, offsets of ±18:59.
fn fixed_datetime() -> impl Strategy<Value = DateTime<FixedOffset>> {
    (
        (0i32..=9999, 1u32..=12, 1u32..=31),
        (0u32..24, 0u32..60, 0u32..60, 0u32..1000),
        (any::<bool>(), 0i32..=18, 0i32..60),
    )
        .prop_filter_map(
            "a real date",
            |((y, mo, d), (h, mi, s, ms), (east, oh, om))| {
                let secs = (oh * 3600 + om * 60) * if east { 1 } else { -1 };
                let offset = FixedOffset::east_opt(secs)?;
                let naive = NaiveDate::from_ymd_opt(y, mo, d)?.and_hms_milli_opt(h, mi, s, ms)?;
                offset.from_local_datetime(&naive).single()
            },
        )
}

// Against the reference server's parsers: with the `server` feature only.
#[cfg(feature = "server")]
proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn parse_iso_reads_what_iso_date_writes(d in fixed_datetime()) {
        let s = iso_date(&d);
        let back = parse_iso(&s);
        prop_assert_eq!(back, Some(d), "{}", s);
        let back = back.unwrap();
        prop_assert_eq!(back.offset().local_minus_utc(), d.offset().local_minus_utc());
        prop_assert_eq!(iso_date(&back), s);
    }

    #[test]
    fn parse_affectation_reads_what_dmy_date_writes(d in fixed_datetime()) {
        let d = d.with_nanosecond_zero();
        let s = dmy_date(&d);
        let back = parse_affectation(&s);
        prop_assert_eq!(back, Some(d), "{}", s);
        prop_assert_eq!(back.unwrap().offset().local_minus_utc(), d.offset().local_minus_utc());
    }

    /// Strings of the right layout are read only when they are real dates, and then written
    /// back identically (an offset of zero is written `Z`).
    #[test]
    fn parse_iso_accepts_only_what_it_can_write_back(
        s in "[0-9]{4}-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-6][0-9]:[0-6][0-9]\\.[0-9]{3}(Z|[+-][0-2][0-9]:[0-6][0-9])",
    ) {
        if let Some(d) = parse_iso(&s) {
            let norm = s.replace("+00:00", "Z").replace("-00:00", "Z");
            prop_assert_eq!(iso_date(&d), norm);
        }
    }

    #[test]
    fn parse_affectation_accepts_only_what_it_can_write_back(
        s in "[0-3][0-9]/[0-1][0-9]/[0-9]{4} [0-2][0-9]:[0-6][0-9]:[0-6][0-9] [+-][0-2][0-9][0-6][0-9]",
    ) {
        if let Some(d) = parse_affectation(&s) {
            prop_assert_eq!(dmy_date(&d), s.replace("-0000", "+0000"));
        }
    }

    #[test]
    fn date_parsers_never_panic(s in any::<String>(), a in "[ -~]{0,32}") {
        for x in [&s, &a] {
            let _ = parse_iso(x);
            let _ = parse_affectation(x);
            let _ = parse_local_date(x);
            let _ = vigie::app::form::show_date(x);
        }
    }
}

/// Seconds precision (the affectation format has no milliseconds).
#[cfg(feature = "server")]
trait NoNanos {
    fn with_nanosecond_zero(self) -> Self;
}

#[cfg(feature = "server")]
impl NoNanos for DateTime<FixedOffset> {
    fn with_nanosecond_zero(self) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(0).expect("zero nanoseconds")
    }
}

// ---- configuration --------------------------------------------------------------------------

const CONFIG_KEYS: &[&str] = &[
    "default_profile",
    "read_only",
    "timeout_secs",
    "connect_timeout_secs",
    "retries",
    "ca_file",
    "danger_accept_invalid_certs",
    "base_url",
    "username",
    "password_env",
    "password_command",
    "token_env",
    "password",
    "customer_id",
    "auth",
    "clients",
    "client_id",
    "nom",
    "code",
    "bogus",
];

fn toml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        any::<String>().prop_map(|s| format!("{s:?}")),
        "[a-z:/. é]{0,20}".prop_map(|s| format!("\"{s}\"")),
        prop::sample::select(
            &[
                "18446744073709551616",
                "-0",
                "1e400",
                "nan",
                "inf",
                "0",
                "1.5",
                "'literal'",
                "\"http://127.0.0.1:8000\"",
                "\"https://user:pw@host/x\"",
                "\"ftp://x\"",
                "\"not a url\"",
                "\"basic\"",
                "\"token\"",
                "\"bearer\"",
                "\"demo\"",
                "\"/nope\"",
                "\"VIGIE_NO_SUCH_VARIABLE\"",
                "[]",
                "[1, \"a\"]",
                "{}",
                "{ client_id = \"x\", nom = \"y\", code = 1 }",
                "[{ client_id = \"x\", nom = \"y\" }, { nom = 1 }]",
                "1979-05-27T07:32:00Z",
                "\"\"\"multi\nline\"\"\"",
                "\"unterminated",
                "= =",
            ][..]
        )
        .prop_map(str::to_string),
        "[ -~]{0,12}",
    ]
}

fn profile_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(&["demo", "prod", "\"quoted name\"", "\"é\"", "a.b"][..])
            .prop_map(str::to_string),
        "[a-zA-Z0-9_-]{1,8}",
    ]
}

fn toml_line() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (prop::sample::select(CONFIG_KEYS), toml_value())
            .prop_map(|(k, v)| format!("{k} = {v}")),
        2 => (
            profile_name(),
            prop::option::of(prop::sample::select(&["core", "ocean", "maarch", "bogus"][..])),
        )
            .prop_map(|(p, s)| match s {
                Some(s) => format!("[profiles.{p}.{s}]"),
                None => format!("[profiles.{p}]"),
            }),
        1 => profile_name().prop_map(|p| format!("[[profiles.{p}.core.clients]]")),
        1 => Just("[profiles]".to_string()),
        1 => any::<String>(),
        1 => Just(String::new()),
    ]
}

fn exercise_config(text: &str) {
    match Config::parse(text, None) {
        Ok(cfg) => {
            for e in cfg.check(None) {
                let _ = e.to_string();
            }
            let _ = cfg.warnings(None);
            let _ = cfg.profile(None).map_err(|e| e.to_string());
            for name in cfg.profiles.keys() {
                if let Ok((_, p)) = cfg.profile(Some(name)) {
                    let _ = vigie::api::HttpOptions::of(&p);
                }
            }
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
        }
    }
    let _ = Config::parse(text, Some(std::path::Path::new("/tmp/vigie-test.toml")))
        .map_err(|e| e.to_string());
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn config_parse_never_panics_on_any_text(s in any::<String>()) {
        exercise_config(&s);
    }

    #[test]
    fn config_parse_never_panics_on_toml_like_documents(
        lines in prop::collection::vec(toml_line(), 0..30),
    ) {
        exercise_config(&lines.join("\n"));
    }
}

#[test]
fn the_example_config_still_loads() {
    let text = include_str!("../config.example.toml");
    exercise_config(text);
    let cfg = Config::parse(text, None).unwrap();
    // Its row commands are valid and take no key the console already uses.
    let commands = vigie::app::keymap::KeyMap::default()
        .row_commands(&cfg.commands)
        .unwrap();
    assert_eq!(commands.len(), 4);
}

// ---- the console under random keys ----------------------------------------------------------

/// Text servers should never send, and the console must draw as plain text anyway.
const EVIL: &[&str] = &[
    "\u{1b}[2J\u{1b}]0;owned\u{7}",
    "\u{9b}31m\u{85}",
    "\u{202e}gnp.exe",
    "\u{2066}x\u{2069}\u{200f}",
    "a\u{0}b\r\nc\t",
    "\u{7f}\u{9f}\u{61c}",
];

/// A fake of the three servers, answering every request the console makes; with `evil`, every
/// text it sends carries terminal controls.
struct Fake {
    evil: bool,
    turn: usize,
    fresh: u64,
    held: Vec<(u64, Request)>,
    writes: Vec<String>,
}

impl Fake {
    fn new(evil: bool) -> Self {
        Fake {
            evil,
            turn: 0,
            fresh: 0,
            held: Vec::new(),
            writes: Vec::new(),
        }
    }

    fn t(&mut self, s: &str) -> String {
        if !self.evil {
            return s.to_string();
        }
        self.turn += 1;
        format!("{s}{}", EVIL[self.turn % EVIL.len()])
    }

    fn fresh_id(&mut self) -> String {
        self.fresh += 1;
        format!("f0000000-0000-4000-8000-{:012x}", self.fresh)
    }

    fn sites(&mut self) -> Vec<SiteSummary> {
        sites()
            .into_iter()
            .map(|mut s| {
                s.name = self.t(&s.name);
                s.description = self.t(&s.description);
                if let Some(c) = &mut s.client {
                    c.nom = self.t(&c.nom);
                }
                s
            })
            .collect()
    }

    /// 120 equipements over the three sites: three pages of 50.
    fn all_equipements(&mut self) -> Vec<Equipement> {
        let base = equipements();
        let mut out = Vec::new();
        for i in 0..30 {
            for (j, e) in base.iter().enumerate() {
                let mut e = e.clone();
                e.equipement_id = format!("{i:08x}-0000-4000-8000-{j:012x}");
                e.ip = format!("10.{i}.{j}.1").into();
                e.marque = self.t(&e.marque).into();
                e.modele = self.t(&e.modele).into();
                e.sources = Sources(e.sources.0.iter().map(|s| self.t(s)).collect());
                out.push(e);
            }
        }
        out
    }

    fn page_of(items: Vec<Equipement>, page: u32, size: u32) -> Page<Equipement> {
        let size = u64::from(size.max(1));
        let total = items.len() as u64;
        let start = (u64::from(page.max(1)) - 1) * size;
        Page {
            items: items
                .into_iter()
                .skip(start as usize)
                .take(size as usize)
                .collect(),
            total: Some(total),
            page: Some(u64::from(page)),
            size: Some(size),
            pages: Some(total.div_ceil(size).max(1)),
        }
    }

    fn users(&mut self) -> Vec<User> {
        users()
            .into_iter()
            .map(|mut u| {
                u.nom = self.t(&u.nom);
                u.status = self.t(&u.status);
                u
            })
            .collect()
    }

    fn roles(&mut self) -> Vec<Role> {
        roles()
            .into_iter()
            .map(|mut r| {
                r.name = self.t(&r.name);
                r.description = self.t(&r.description);
                r
            })
            .collect()
    }

    fn individus(&mut self) -> Vec<Individu> {
        individus()
            .into_iter()
            .map(|mut i| {
                for p in [
                    "individu.nomInd",
                    "individu.prenomInd",
                    "entite.nom",
                    "individu.gsm",
                ] {
                    let v = self.t(&i.text(p));
                    i.set(p, json!(v));
                }
                i
            })
            .collect()
    }

    fn maarch_users(&mut self) -> Vec<MaarchUser> {
        maarch_users()
            .into_iter()
            .map(|mut u| {
                u.firstname = self.t(&u.firstname);
                u.lastname = self.t(&u.lastname);
                u.status = self.t(&u.status);
                u
            })
            .collect()
    }

    fn error(&mut self, k: u32) -> ApiError {
        let m = self.t("refused");
        match k % 10 {
            0 => ApiError::Unauthorized(m),
            1 => ApiError::Forbidden(m),
            2 => ApiError::NotFound(m),
            3 => ApiError::Conflict(m),
            4 => ApiError::Validation(vec![
                FieldError::new("name", m.clone()),
                FieldError::new("ip", m.clone()),
                FieldError::new("mail", m.clone()),
                FieldError::new("", m),
            ]),
            5 => ApiError::BadRequest(self.t("Body mail is empty or not valid")),
            6 => ApiError::RateLimited {
                retry_after: Some(Duration::from_secs(3)),
                message: m,
            },
            7 => ApiError::Server {
                status: 503,
                message: m,
            },
            8 => ApiError::Network(m),
            _ => ApiError::Decode {
                status: 200,
                message: m,
                excerpt: self.t("<html>"),
            },
        }
    }

    /// What the change room answers: the record as the change asked it, or (by turn) a
    /// conflict, the record gone, nothing to send, or a field the server did not apply.
    fn outcome(&mut self, c: Change) -> Outcome {
        use vigie::change::{Action, Clash, Create, Kind, Op, Status, Verdict};
        self.turn += 1;
        let text = |c: &Change, k: &str, or: &str| {
            c.wanted(k)
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_else(|| or.to_string())
        };
        if let Op::Edit(e) = &c.op
            && let Some(f) = e.fields.first()
        {
            match self.turn % 7 {
                1 => {
                    let theirs = json!(self.t("theirs"));
                    return Outcome::not_sent(
                        Verdict::Conflict(vec![Clash {
                            key: f.key.clone(),
                            seen: f.seen.clone(),
                            theirs,
                            mine: f.wanted.clone(),
                        }]),
                        &c.id,
                    );
                }
                2 => return Outcome::not_sent(Verdict::Gone, &c.id),
                3 => return Outcome::not_sent(Verdict::Unchanged, &c.id),
                _ => {}
            }
        }
        let saved = match (&c.op, c.kind) {
            (Op::Delete, _) => return Outcome::removed(&c.id),
            (Op::Create(Create::Site(n)), _) => Saved::Site(Site {
                site_id: self.fresh_id(),
                client_id: Some(n.client_id.clone()),
                name: n.name.clone(),
                longitude: Some(n.longitude),
                latitude: Some(n.latitude),
                description: n.description.clone(),
                client: Some(bicec()),
                ..Default::default()
            }),
            (Op::Create(Create::Equipement(n)), _) => Saved::Equipement(Equipement {
                equipement_id: self.fresh_id(),
                ip: n.ip.clone().into(),
                site_id: Some(n.site_id.clone()),
                port: Some(n.port),
                marque: n.marque.clone().into(),
                modele: n.modele.clone().into(),
                sources: Sources(n.sources.clone()),
                ..Default::default()
            }),
            (Op::Create(Create::User(n)), _) => Saved::User(User {
                user_id: self.fresh_id(),
                matricule: Some(n.matricule),
                nom: n.nom.clone(),
                email: n.email.clone(),
                role_id: n.role_id.clone(),
                role_name: "lecteur".into(),
                status: "activated".into(),
                ..Default::default()
            }),
            (Op::Create(Create::Role(n)), _) => Saved::Role(Role {
                role_id: self.fresh_id(),
                name: n.name.clone(),
                description: n.description.clone(),
                permissions: n
                    .permissions
                    .iter()
                    .map(|p| Permission::new(&p.ressource, &p.action))
                    .collect(),
                ..Default::default()
            }),
            (Op::Edit(_), Kind::Site) => Saved::Site(Site {
                site_id: c.id.clone(),
                name: text(&c, "name", "LOUM"),
                description: text(&c, "description", ""),
                ..Default::default()
            }),
            (Op::Edit(_), Kind::Equipement) => Saved::Equipement(Equipement {
                equipement_id: c.id.clone(),
                ip: text(&c, "ip", "10.0.0.1").into(),
                site_id: c
                    .wanted("site_id")
                    .and_then(|v| v.as_str().map(str::to_string)),
                port: c.wanted("port").and_then(|v| v.as_i64()),
                ..Default::default()
            }),
            (Op::Edit(_), Kind::User) => Saved::User(User {
                user_id: c.id.clone(),
                nom: text(&c, "nom", ""),
                email: text(&c, "email", ""),
                ..Default::default()
            }),
            (Op::Edit(_), Kind::Role) => Saved::Role(Role {
                role_id: c.id.clone(),
                name: text(&c, "name", ""),
                ..Default::default()
            }),
            (Op::Action(Action::ChangePassword { .. } | Action::PasswordReset { .. }), _) => {
                Saved::Account(self.t("done"))
            }
            (_, Kind::Individu) => Saved::Individus {
                message: self.t("Individu 4 créé"),
                individus: self.individus(),
            },
            _ => Saved::MaarchUser(
                maarch_details(9).expect("fixture"),
                self.t("Maarch user saved"),
            ),
        };
        let mut o = Outcome::applied(saved);
        // Now and then the server keeps one field as it was.
        if self.turn % 5 == 4
            && let Some(f) = c.fields().first()
        {
            let kept = json!(self.t("kept"));
            o.fields.push(vigie::change::FieldResult {
                key: f.key.clone(),
                status: Status::NotApplied(kept),
            });
        }
        o
    }

    fn payload(&mut self, r: Request) -> Payload {
        #[allow(unreachable_patterns)]
        match r {
            Request::Login {
                service: Service::Core,
                username,
                ..
            } => Payload::LoggedIn(Claims {
                sub: "1000".into(),
                email: username,
                role_name: "admin".into(),
                ..Default::default()
            }),
            Request::Login {
                service, username, ..
            } => Payload::ServiceLoggedIn(service, username),
            Request::WhoAmI => Payload::LoggedIn(Claims {
                sub: "1000".into(),
                email: self.t("admin@vigie.local"),
                role_name: self.t("admin"),
                ..Default::default()
            }),
            Request::Sites => Payload::Sites(self.sites()),
            Request::Users => Payload::Users(self.users()),
            Request::Roles => Payload::Roles(self.roles()),
            Request::EquipementsPage { page, size } => {
                let all = self.all_equipements();
                Payload::EquipementsPage(Self::page_of(all, page, size))
            }
            Request::AllEquipements => Payload::AllEquipements(self.all_equipements()),
            Request::SiteEquipements {
                site_id,
                page,
                size,
            } => {
                let items: Vec<Equipement> = self
                    .all_equipements()
                    .into_iter()
                    .filter(|e| e.site_id.as_deref() == Some(site_id.as_str()))
                    .map(|e| Equipement {
                        site_id: None,
                        client_site: None,
                        ..e
                    })
                    .collect();
                Payload::SiteEquipements {
                    site_id,
                    page: Self::page_of(items, page, size),
                }
            }
            Request::Individus => Payload::Individus(self.individus()),
            Request::MaarchUsers => Payload::MaarchUsers(self.maarch_users()),
            Request::MaarchDetails(uid) => {
                let d = maarch_details(uid).map(|mut d| {
                    d.user.firstname = self.t(&d.user.firstname);
                    for g in &mut d.groups {
                        g.group_desc = self.t(&g.group_desc);
                    }
                    for e in &mut d.entities {
                        e.entity_label = self.t(&e.entity_label);
                    }
                    d
                });
                Payload::MaarchDetails(uid, d)
            }
            Request::MaarchCatalogue => Payload::MaarchCatalogue {
                groups: vec![
                    ("AGENT".into(), self.t("Agent")),
                    ("ELU".into(), self.t("Elu")),
                ],
                entities: vec![
                    ("DGS".into(), self.t("Direction Générale des Services")),
                    ("PJS".into(), self.t("Pôle Jeunesse et Sport")),
                ],
            },
            Request::ParapheurStatus(uid) => Payload::ParapheurStatus(uid, self.t("bbain")),
            Request::Functionalities(t) => {
                let mut list = functionalities();
                for f in &mut list {
                    f.enum_code = self.t(&f.enum_code);
                }
                Payload::Functionalities(t, list)
            }
            Request::Outbox => {
                let mut mails = outbox_mails();
                for m in &mut mails {
                    m.subject = Some(self.t("Réinitialisation"));
                    m.body = Some(self.t("Bonjour"));
                }
                Payload::Outbox(Some(mails))
            }
            Request::Change(c) => Payload::Changed(Box::new(self.outcome(*c))),
            // A request the console learnt after this test: answered as the server's refusal.
            _ => Payload::Outbox(None),
        }
    }

    /// Takes the console's new requests (noting the writes).
    fn collect(&mut self, app: &mut App) {
        for (id, r) in app.take_requests() {
            if matches!(r, Request::Change(_)) {
                self.writes.push(format!("{r:?}"));
            }
            self.held.push((id, r));
        }
    }

    /// Answers the held requests picked by `mask` (the others wait); `fail` picks failures.
    fn answer(&mut self, app: &mut App, mask: u32, fail: u32) {
        self.collect(app);
        let held = std::mem::take(&mut self.held);
        for (i, (id, r)) in held.into_iter().enumerate() {
            if (mask >> (i % 32)) & 1 == 0 {
                self.held.push((id, r));
                continue;
            }
            if matches!(r, Request::AllEquipements) {
                app.on_event(Event::Progress {
                    id,
                    loaded: 50,
                    total: 120,
                });
            }
            let failing = fail % 3 == 0 && (fail >> (8 + i % 16)) & 1 == 1;
            let result = if failing {
                Err(self.error(fail >> 2))
            } else {
                Ok(self.payload(r))
            };
            app.on_event(Event::Done { id, result });
        }
        self.collect(app);
    }

    /// Answers everything, and what the answers bring, until the console waits for nothing.
    fn answer_all(&mut self, app: &mut App, fail: u32) {
        for _ in 0..10 {
            self.collect(app);
            if self.held.is_empty() {
                return;
            }
            self.answer(app, u32::MAX, fail);
        }
    }
}

#[derive(Debug, Clone)]
enum Step {
    Key(KeyEvent),
    Answer {
        mask: u32,
        fail: u32,
    },
    AnswerAll {
        fail: u32,
    },
    Resize(u16, u16),
    Ticks(u16),
    /// Types a valid value into every shown field of the form on top, then saves (what a
    /// person does; random keys rarely get a form right).
    FillAndSave(u8),
}

fn app_key() -> impl Strategy<Value = KeyEvent> {
    let letters: Vec<char> = "abcdeghjklnprstuxyAGNRU0123456789/:?@[] ".chars().collect();
    let codes = vec![
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Enter,
        KeyCode::Esc,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::Backspace,
        KeyCode::Delete,
    ];
    prop_oneof![
        8 => prop::sample::select(letters).prop_map(ch),
        5 => prop::sample::select(codes).prop_map(key),
        2 => prop::sample::select(vec!['s', 'o', 'r']).prop_map(ctrl),
        1 => typed_char().prop_map(ch),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        20 => app_key().prop_map(Step::Key),
        3 => (any::<u32>(), any::<u32>()).prop_map(|(mask, fail)| Step::Answer { mask, fail }),
        3 => any::<u32>().prop_map(|fail| Step::AnswerAll { fail }),
        1 => size().prop_map(|(w, h)| Step::Resize(w, h)),
        1 => prop_oneof![1u16..4, 200u16..300].prop_map(Step::Ticks),
        2 => any::<u8>().prop_map(Step::FillAndSave),
    ]
}

/// A value `kind` accepts (`n` varies it).
fn valid_value(kind: &FieldKind, n: u8) -> Option<String> {
    Some(match kind {
        FieldKind::Text { min, max } => {
            let s = format!(
                "{} {n}",
                ["Nouveau", "AAA", "zz", "Élan"][usize::from(n) % 4]
            );
            if s.chars().count() < *min || s.chars().count() > *max {
                return None;
            }
            s
        }
        FieldKind::Password { .. } => "mot-de-passe-123".into(),
        FieldKind::Integer { min, max } => (min.saturating_add(i64::from(n))).min(*max).to_string(),
        FieldKind::Float { min, max } => ((min + max) / 2.0 + f64::from(n) / 100.0).to_string(),
        FieldKind::Ip => format!("10.9.{n}.1"),
        FieldKind::Email => format!("x{n}@example.cm"),
        FieldKind::Login => format!("nouveau{n}"),
        FieldKind::Phone => "+237 690 00 00 00".into(),
        FieldKind::List => "a, b".into(),
        FieldKind::Open { numeric: true, .. } => "2".into(),
        FieldKind::Open { .. } => "CLASSIC".into(),
        FieldKind::Date => format!("2025-11-{:02} 08:00", 1 + n % 28),
        _ => return None,
    })
}

fn fill_and_save(app: &mut App, n: u8) {
    if let Some(Overlay::Form(f)) = app.overlays.last_mut() {
        for i in 0..f.fields.len() {
            if !f.visible(i) {
                continue;
            }
            let field = &mut f.fields[i];
            match &mut field.kind {
                FieldKind::Choice { options, selected } => {
                    if !options.is_empty() {
                        *selected = Some(usize::from(n) % options.len());
                    }
                }
                FieldKind::Grid { on, .. } => {
                    let at = usize::from(n) % on.len().max(1);
                    if let Some(b) = on.get_mut(at) {
                        *b = !*b;
                    }
                }
                kind => {
                    if let Some(v) = valid_value(kind, n) {
                        field.input = Input::new(v);
                    }
                }
            }
        }
    }
    app.on_key(ctrl('s'));
}

fn check_list<T: Record>(name: &str, l: &ListView<T>) -> Result<(), TestCaseError> {
    if !l.is_empty() {
        prop_assert!(
            l.selected < l.len(),
            "{}: selected {} of {}",
            name,
            l.selected,
            l.len()
        );
        prop_assert!(
            l.offset <= l.selected,
            "{}: offset {} past the selection {}",
            name,
            l.offset,
            l.selected
        );
    }
    prop_assert!(
        l.view.iter().all(|&i| i < l.items.len()),
        "{}: view out of items",
        name
    );
    if let Some(p) = l.paging {
        prop_assert!(
            p.page >= 1 && p.page <= p.pages,
            "{}: page {} of {}",
            name,
            p.page,
            p.pages
        );
    }
    Ok(())
}

fn check_app(app: &App) -> Result<(), TestCaseError> {
    check_list("sites", &app.lists.sites)?;
    check_list("equipements", &app.lists.equipements)?;
    check_list("users", &app.lists.users)?;
    check_list("roles", &app.lists.roles)?;
    check_list("individus", &app.lists.individus)?;
    check_list("maarch_users", &app.lists.maarch_users)?;
    for o in &app.overlays {
        match o {
            Overlay::Detail(d) => check_list("site detail", &d.equipements)?,
            Overlay::Form(f) => prop_assert!(f.focus < f.fields.len()),
            _ => {}
        }
    }
    Ok(())
}

fn run_console(
    session: Session,
    evil: bool,
    steps: Vec<Step>,
    start: (u16, u16),
) -> Result<Fake, TestCaseError> {
    let mut fake = Fake::new(evil);
    let mut app = App::new(session);
    let mut term = Terminal::new(TestBackend::new(start.0, start.1)).expect("test terminal");
    app.on_resize(start.0, start.1);
    app.start(true);
    fake.answer_all(&mut app, 1);
    check_app(&app)?;
    draw_on(&mut term, &app)?;
    for (n, s) in steps.into_iter().enumerate() {
        match s.clone() {
            Step::Key(k) => app.on_key(k),
            Step::Answer { mask, fail } => fake.answer(&mut app, mask, fail),
            Step::AnswerAll { fail } => fake.answer_all(&mut app, fail),
            Step::Resize(w, h) => {
                term = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
                app.on_resize(w, h);
            }
            Step::Ticks(n) => {
                for _ in 0..n {
                    app.tick();
                }
            }
            Step::FillAndSave(n) => fill_and_save(&mut app, n),
        }
        fake.collect(&mut app);
        check_app(&app).map_err(|e| TestCaseError::fail(format!("after step {n} ({s:?}): {e}")))?;
        // Drawing is most of the cost (a debug build renders a frame in milliseconds): every
        // fifth step, after each resize, and at the end.
        if n % 5 == 4 || matches!(s, Step::Resize(..)) {
            draw_on(&mut term, &app)
                .map_err(|e| TestCaseError::fail(format!("after step {n} ({s:?}): {e}")))?;
        }
    }
    draw_on(&mut term, &app)?;
    Ok(fake)
}

proptest! {
    // Each case replays up to 200 steps and draws: few cases, and a bounded shrink.
    #![proptest_config(ProptestConfig { max_shrink_iters: 400, ..config(28) })]

    #[test]
    fn console_survives_random_keys(
        steps in prop::collection::vec(step(), 1..200),
        evil in any::<bool>(),
        start in (20u16..=160, 8u16..=50),
    ) {
        run_console(session("admin"), evil, steps, start)?;
    }

    #[test]
    fn read_only_console_never_writes(
        steps in prop::collection::vec(step(), 1..200),
        evil in any::<bool>(),
        start in (20u16..=160, 8u16..=50),
    ) {
        let s = Session { read_only: true, ..session("lecteur") };
        let fake = run_console(s, evil, steps, start)?;
        prop_assert!(fake.writes.is_empty(), "a read-only session sent {:?}", fake.writes);
    }
}

/// A record saved into a sorted, scrolled list is selected: the selection must stay in view
/// (`offset <= selected`), as after any other move.
#[test]
fn a_saved_record_sorted_above_the_view_stays_in_view() {
    let mut fake = Fake::new(false);
    let mut app = App::new(session("admin"));
    app.on_resize(60, 8);
    app.start(true);
    fake.answer_all(&mut app, 1);
    assert_eq!(app.viewport_rows, 2);
    app.on_key(ch('s')); // sorted by name: BONABERI 2, LOUM, YASSA
    app.on_key(ch('G')); // YASSA, scrolled by one
    assert_eq!((app.lists.sites.selected, app.lists.sites.offset), (2, 1));
    app.on_key(ch('n'));
    fill(&mut app, &["b", "AAA", "4.05", "9.7"]);
    app.on_key(ctrl('s'));
    fake.answer_all(&mut app, 1);
    assert!(app.overlays.is_empty(), "the form closed after saving");
    let sel = app.lists.sites.selected_item().map(|s| s.name.clone());
    assert_eq!(sel.as_deref(), Some("AAA"), "the new site is selected");
    assert!(
        app.lists.sites.offset <= app.lists.sites.selected,
        "the selected site is row {} but the table starts at row {}",
        app.lists.sites.selected,
        app.lists.sites.offset
    );
}
