//! A corpus of malformed requests thrown at every route of the three API families, with valid
//! credentials: broken and mistyped JSON, bodies over the limit, unknown enum values, path ids
//! that are not ids, SQL-looking strings, huge numbers, negative pages, Unicode controls.
//!
//! Every answer must be a 4xx (never a 5xx, never a hang) whose body is JSON in that family's
//! error shape; afterwards the server still answers normal requests, and the database is
//! exactly as it was (a rejected request changes nothing).
//!
//! Write bodies are built so that even their well-typed parts cannot succeed (they point at a
//! record that does not exist, or carry one value the server refuses), so a bad value that the
//! server wrongly accepted would still not create anything, and the last check would see it.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};
use vigie::api::seg;

/// An id that exists nowhere.
const NOBODY: &str = "00000000-0000-4000-8000-00000000dead";
const LOUM_ID: &str = "0c5c5381-c357-4abc-ba1f-9fb584006a3a";
/// `bwayne` in the Maarch demo directory.
const BWAYNE: i64 = 21;

const SQL: &[&str] = &[
    "'; DROP TABLE users;--",
    "1 OR 1=1",
    "\" OR \"\"=\"",
    "admin'--",
    "1); DELETE FROM sites; SELECT (1",
    "%' UNION SELECT password_hash FROM users --",
];

/// Text that is no attack on SQL but on whoever displays it.
const UNICODE: &[&str] = &[
    "📷🔥 équipement 東京",
    "\u{202e}gnp.exe\u{202c}",
    "\u{2066}isolé\u{2069}\u{200f}",
    "\u{1b}[2J\u{1b}]0;owned\u{7}",
    "\u{0}nul\u{0}",
    "\u{9b}31m C1",
    "\u{feff}\u{fffd}\u{10ffff}",
];

/// Percent-encoded bytes that are not UTF-8 (a lone byte, an overlong `/`, a surrogate).
const NOT_UTF8: [&str; 3] = ["%FF", "%C0%AF", "%ED%A0%80"];

/// Path ids that are not ids, already percent-encoded (all valid UTF-8 once decoded; see
/// [`core_path_ids_that_are_not_utf8_get_fastapi_errors`] for the others).
fn bad_path_ids() -> Vec<String> {
    let mut v: Vec<String> = SQL.iter().map(|s| seg(s)).collect();
    v.extend(UNICODE.iter().map(|s| seg(s)));
    v.extend([
        seg("../../etc/passwd"),
        seg("..\\..\\windows\\win.ini"),
        "%00".into(),
        "%ZZ".into(),
        "%20".into(),
        "null".into(),
        "1.5".into(),
        "1e400".into(),
        "99999999999999999999".into(),
        "-99999999999999999999".into(),
        "0x1F".into(),
        "a".repeat(4000),
        seg(&"é".repeat(1500)),
    ]);
    v
}

/// Query values that are not numbers (or not in range), already percent-encoded.
fn bad_numbers() -> Vec<String> {
    let mut v: Vec<String> = [
        "-1",
        "0",
        "abc",
        "",
        "1.5",
        "1e3",
        "99999999999999999999",
        "-99999999999999999999",
        "%FF",
        "NaN",
        "%2B%2B1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.extend(SQL.iter().take(2).map(|s| seg(s)));
    v.push(seg(UNICODE[1]));
    v
}

/// Bodies no JSON route can accept.
fn broken_bodies() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = [
        ("truncated object", &b"{"[..]),
        ("missing value", b"{\"a\":}"),
        ("trailing comma", b"{\"a\":1,}"),
        ("byte order mark", b"\xef\xbb\xbf{}"),
        ("NUL byte", b"\x00"),
        ("invalid UTF-8", b"{\"a\":\"\xff\xfe\"}"),
        ("lone surrogate", b"{\"a\":\"\\ud800\"}"),
        ("number out of range", b"{\"a\":1e400}"),
        ("NaN literal", b"{\"a\":NaN}"),
        ("single quotes", b"{'a':1}"),
        ("form encoding", b"a=1&b=2"),
        ("SQL", b"'; DROP TABLE users;--"),
        ("XML", b"<?xml version=\"1.0\"?><a/>"),
    ]
    .iter()
    .map(|(n, b)| (n.to_string(), b.to_vec()))
    .collect();
    v.push(("nested 300 deep".into(), {
        let mut b = "[".repeat(300);
        b.push_str(&"]".repeat(300));
        b.into_bytes()
    }));
    v
}

/// Well-formed JSON of the wrong shape for a route that wants an object.
fn wrong_shapes() -> Vec<(String, Vec<u8>)> {
    ["[1,2]", "[]", "null", "\"text\"", "42", "true", "[{}]"]
        .iter()
        .map(|s| (format!("JSON {s}"), s.as_bytes().to_vec()))
        .collect()
}

/// A valid JSON object over the 4 KiB limit the server is started with.
fn oversized() -> Vec<u8> {
    json!({ "x": "a".repeat(8192) }).to_string().into_bytes()
}

/// The type of a body field, to derive the values it must refuse.
#[derive(Clone, Copy)]
enum Ty {
    Str {
        min: usize,
        max: usize,
    },
    Int {
        min: i64,
        max: i64,
    },
    Float {
        min: f64,
        max: f64,
    },
    Email,
    Uuid,
    Ip,
    StrList,
    Perms,
    /// A core user key: a UUID or an integer matricule.
    UserKey,
    /// Maarch: a login of `[\w.@-]{1,128}`.
    Login,
    /// Maarch: a phone number.
    Phone,
    /// Maarch: one of the four modes.
    Mode,
    /// Ocean: a nested object.
    Object,
    /// Ocean: `idCivilite`, 0 to 3.
    Civilite,
    /// Ocean: a date in `yyyy-MM-dd'T'HH:mm:ss.SSSXXX`.
    IsoDate,
    /// Ocean: an id (a number, or a numeric string).
    OceanId,
    /// Ocean: an optional string (anything but a string is refused).
    OceanStr,
}

/// A body field: its dotted path, its type, whether it is required.
type FieldSpec = (&'static str, Ty, bool);

/// Values a field of this type must refuse, whatever the other fields say.
fn refused(ty: Ty, required: bool) -> Vec<Value> {
    let mut v = match ty {
        Ty::Str { min, max } => {
            let mut v = vec![json!(5), json!(1.5), json!(true), json!([]), json!({})];
            if max <= 2000 {
                v.push(json!("x".repeat(max + 1)));
            }
            if min >= 1 {
                v.push(json!(""));
            }
            v
        }
        Ty::Int { min, max } => vec![
            json!("abc"),
            json!(""),
            json!(1.5),
            json!([]),
            json!({}),
            json!(true),
            json!(min.saturating_sub(1)),
            json!(max.saturating_add(1)),
            json!(100_000_000_000_000_000_000_f64),
            json!(u64::MAX),
            json!(-1e300),
        ],
        Ty::Float { min, max } => vec![
            json!("abc"),
            json!("NaN"),
            json!("inf"),
            json!([]),
            json!({}),
            json!(true),
            json!(min - 1.0),
            json!(max + 1.0),
            json!(1e308),
            json!(-1e308),
        ],
        Ty::Email => vec![
            json!("nope"),
            json!("a@b"),
            json!("@x.cm"),
            json!("a@"),
            json!("a b@c.cm"),
            json!("a@@b.cm"),
            json!(SQL[0]),
            json!(UNICODE[1]),
            json!(5),
            json!([]),
        ],
        Ty::Uuid => {
            let mut v: Vec<Value> = SQL.iter().map(|s| json!(s)).collect();
            v.extend([
                json!("../../etc/passwd"),
                json!(""),
                json!("00000000-0000-0000-0000-00000000000g"),
                json!(UNICODE[0]),
                json!(5),
                json!([]),
                json!({}),
            ]);
            v
        }
        Ty::UserKey => {
            let mut v: Vec<Value> = SQL.iter().map(|s| json!(s)).collect();
            v.extend([
                json!("../../etc/passwd"),
                json!(UNICODE[1]),
                json!(1.5),
                json!([]),
                json!({}),
                json!(true),
            ]);
            v
        }
        Ty::Ip => vec![
            json!("999.1.1.1"),
            json!("1.2.3"),
            json!("::g"),
            json!(""),
            json!(SQL[1]),
            json!(UNICODE[0]),
            json!(5),
            json!([]),
        ],
        Ty::StrList => vec![
            json!("not a list"),
            json!([1, 2]),
            json!([null]),
            json!([[]]),
            json!({}),
            json!(5),
        ],
        Ty::Perms => vec![
            json!("users:read"),
            json!([5]),
            json!([{}]),
            json!([{ "ressource": "users", "action": "fly" }]),
            json!(["nope:nope"]),
            json!([SQL[0]]),
            json!([{ "permission_id": SQL[2] }]),
            json!({}),
        ],
        Ty::Login => vec![
            json!(5),
            json!(""),
            json!("a b"),
            json!("bwayné"),
            json!(SQL[0]),
            json!(UNICODE[0]),
            json!("x".repeat(129)),
            json!([]),
        ],
        // Maarch's pattern is not anchored at the start: it refuses only what does not end
        // with a digit, or is longer than 32.
        Ty::Phone => vec![
            json!("abc"),
            json!("1234-"),
            json!("1".repeat(33)),
            json!(SQL[0]),
            json!(5),
            json!([]),
        ],
        Ty::Mode => vec![
            json!("superadmin"),
            json!("ROOT_VISIBLE"),
            json!(SQL[0]),
            json!(5),
            json!([]),
        ],
        Ty::Object => vec![json!("x"), json!(5), json!([]), json!(true)],
        Ty::Civilite => vec![
            json!(4),
            json!(-1),
            json!("abc"),
            json!(1.5),
            json!(u64::MAX),
            json!([]),
        ],
        Ty::IsoDate => vec![
            json!("2025-13-01T00:00:00.000Z"),
            json!("2025-02-30T00:00:00.000Z"),
            json!("2025-11-27T08:00:00+01:00"),
            json!("2025-11-27"),
            json!("27/11/2025 08:00:00 +0100"),
            json!(1_700_000_000_000_i64),
            json!(SQL[0]),
            json!(UNICODE[0]),
            json!([]),
        ],
        Ty::OceanId => vec![
            json!("abc"),
            json!(1.5),
            json!(u64::MAX),
            json!([]),
            json!({}),
            json!(SQL[1]),
        ],
        Ty::OceanStr => vec![json!(5), json!([]), json!({}), json!(true)],
    };
    if required {
        v.push(Value::Null);
    }
    v
}

/// Sets a dotted path in a JSON object (`individu.nomInd`); `None` removes it.
fn set_path(body: &mut Value, path: &str, v: Option<Value>) {
    let (head, last) = match path.rsplit_once('.') {
        Some((h, l)) => (Some(h), l),
        None => (None, path),
    };
    let mut cur = body;
    if let Some(h) = head {
        for p in h.split('.') {
            cur = cur
                .as_object_mut()
                .expect("an object on the way")
                .entry(p)
                .or_insert_with(|| Value::Object(Map::new()));
        }
    }
    let m = cur.as_object_mut().expect("an object");
    match v {
        Some(v) => {
            m.insert(last.to_string(), v);
        }
        None => {
            m.remove(last);
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Family {
    Core,
    Ocean,
    Maarch,
}

struct Case {
    family: Family,
    what: String,
    method: Method,
    /// Path and query, already encoded.
    path: String,
    body: Option<Vec<u8>>,
    content_type: &'static str,
}

#[derive(Default)]
struct Corpus(Vec<Case>);

impl Corpus {
    fn add(&mut self, family: Family, what: impl Into<String>, method: Method, path: &str) {
        self.0.push(Case {
            family,
            what: what.into(),
            method,
            path: path.to_string(),
            body: None,
            content_type: "application/json",
        });
    }

    fn add_body(
        &mut self,
        family: Family,
        what: impl Into<String>,
        method: Method,
        path: &str,
        body: Vec<u8>,
    ) {
        self.0.push(Case {
            family,
            what: what.into(),
            method,
            path: path.to_string(),
            body: Some(body),
            content_type: "application/json",
        });
    }

    /// Every method but the route's own.
    fn wrong_methods(&mut self, family: Family, path: &str, allowed: &[Method]) {
        for m in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::PATCH,
        ] {
            if !allowed.contains(&m) {
                self.add(family, format!("wrong method {m}"), m, path);
            }
        }
    }

    /// Broken bodies, wrong shapes and an oversized body on a JSON route.
    fn bad_bodies(&mut self, family: Family, method: Method, path: &str) {
        for (what, b) in broken_bodies().into_iter().chain(wrong_shapes()) {
            self.add_body(family, what, method.clone(), path, b);
        }
        self.add_body(family, "body over the limit", method, path, oversized());
    }

    /// Each field of `base` set, one at a time, to every value its type refuses (and removed
    /// when required); then every text field set to SQL-looking and control-laden strings.
    fn fields(
        &mut self,
        family: Family,
        method: Method,
        path: &str,
        base: &Value,
        fields: &[(&str, Ty, bool)],
    ) {
        for (name, ty, required) in fields {
            for v in refused(*ty, *required) {
                let mut b = base.clone();
                let shown = v.to_string().chars().take(40).collect::<String>();
                set_path(&mut b, name, Some(v));
                self.add_body(
                    family,
                    format!("{name} = {shown}"),
                    method.clone(),
                    path,
                    b.to_string().into_bytes(),
                );
            }
            if *required {
                let mut b = base.clone();
                set_path(&mut b, name, None);
                self.add_body(
                    family,
                    format!("{name} missing"),
                    method.clone(),
                    path,
                    b.to_string().into_bytes(),
                );
            }
        }
        let texts: Vec<&str> = fields
            .iter()
            .filter(|(_, ty, _)| matches!(ty, Ty::Str { .. } | Ty::OceanStr))
            .map(|(n, _, _)| *n)
            .collect();
        for s in SQL.iter().chain(UNICODE) {
            let mut b = base.clone();
            for n in &texts {
                set_path(&mut b, n, Some(json!(s)));
            }
            self.add_body(
                family,
                format!("every text field = {s:?}"),
                method.clone(),
                path,
                b.to_string().into_bytes(),
            );
        }
    }
}

// ---- the routes -----------------------------------------------------------------------------

fn core_corpus(c: &mut Corpus) {
    use Family::Core as F;
    use Method as M;
    let ids = bad_path_ids();

    // Login and refresh (no token needed): refused credentials and broken forms.
    c.wrong_methods(F, "/auth/login", &[M::POST]);
    for (what, body) in [
        ("no fields", "".to_string()),
        ("no password", format!("username={}", seg(SQL[0]))),
        (
            "JSON instead of a form",
            r#"{"username":"a","password":"b"}"#.into(),
        ),
        (
            "SQL credentials",
            format!("username={}&password={}", seg(SQL[0]), seg(SQL[1])),
        ),
        (
            "control characters",
            format!("username={}&password=x", seg(UNICODE[3])),
        ),
        ("invalid UTF-8", "username=%FF%FE&password=%C0".into()),
        ("bare percent", "username=%&password=%%".into()),
    ] {
        c.0.push(Case {
            family: F,
            what: format!("login: {what}"),
            method: M::POST,
            path: "/auth/login".into(),
            body: Some(body.into_bytes()),
            content_type: "application/x-www-form-urlencoded",
        });
    }
    c.add_body(F, "login: body over the limit", M::POST, "/auth/login", {
        let mut b = b"username=admin%40vigie.local&password=".to_vec();
        b.extend(std::iter::repeat_n(b'a', 8192));
        b
    });
    c.wrong_methods(F, "/auth/refresh", &[M::POST]);
    for body in [
        json!({ "refresh_token": SQL[0] }),
        json!({ "refresh_token": 5 }),
        json!({ "refresh_token": "a.b.c" }),
        json!({ "refresh_token": UNICODE[3] }),
        json!({}),
        json!([]),
    ] {
        c.add_body(
            F,
            format!("refresh {body}"),
            M::POST,
            "/auth/refresh",
            body.to_string().into_bytes(),
        );
    }
    c.add_body(
        F,
        "refresh over the limit",
        M::POST,
        "/auth/refresh",
        oversized(),
    );

    // Lists without inputs: only the method can be wrong.
    c.wrong_methods(F, "/users/list", &[M::GET]);
    c.wrong_methods(F, "/roles/list", &[M::GET]);
    c.wrong_methods(F, "/client_site/all", &[M::GET]);

    // Path ids.
    for id in &ids {
        c.add(
            F,
            format!("user id {id:.40}"),
            M::GET,
            &format!("/users/{id}"),
        );
        c.add(
            F,
            format!("user id {id:.40}"),
            M::DELETE,
            &format!("/users/delete/{id}"),
        );
        c.add(
            F,
            format!("role id {id:.40}"),
            M::DELETE,
            &format!("/roles/{id}"),
        );
        c.add(
            F,
            format!("site id {id:.40}"),
            M::DELETE,
            &format!("/client_site/{id}"),
        );
        c.add(
            F,
            format!("site id {id:.40}"),
            M::GET,
            &format!("/client_site/{id}/all_equipements"),
        );
        c.add(
            F,
            format!("equipement id {id:.40}"),
            M::DELETE,
            &format!("/equipements/{id}"),
        );
    }
    // Unknown ids of the right type are a 404, not a 5xx.
    c.add(F, "unknown user", M::GET, &format!("/users/{NOBODY}"));
    c.add(F, "unknown matricule", M::GET, "/users/-1");
    c.wrong_methods(F, &format!("/users/{NOBODY}"), &[M::GET]);
    c.wrong_methods(F, &format!("/users/delete/{NOBODY}"), &[M::DELETE]);
    c.wrong_methods(F, &format!("/roles/{NOBODY}"), &[M::DELETE]);
    c.wrong_methods(F, &format!("/client_site/{NOBODY}"), &[M::DELETE]);
    c.wrong_methods(F, &format!("/equipements/{NOBODY}"), &[M::DELETE]);
    c.wrong_methods(
        F,
        &format!("/client_site/{LOUM_ID}/all_equipements"),
        &[M::GET],
    );

    // Paging.
    for n in bad_numbers() {
        for (k, route) in [
            ("page", "/equipements/all".to_string()),
            ("size", "/equipements/all".to_string()),
            ("page", format!("/client_site/{LOUM_ID}/all_equipements")),
            ("size", format!("/client_site/{LOUM_ID}/all_equipements")),
        ] {
            c.add(F, format!("{k}={n}"), M::GET, &format!("{route}?{k}={n}"));
        }
    }
    c.add(F, "size over 100", M::GET, "/equipements/all?size=101");
    c.add(
        F,
        "page past u32",
        M::GET,
        "/equipements/all?page=4294967296",
    );
    c.add(
        F,
        "bad site and bad page",
        M::GET,
        "/client_site/x/all_equipements?page=-1&size=1000",
    );

    // Bodies. Each base points at nothing that exists, so no variant can succeed.
    let users_create = json!({
        "matricule": 987654, "nom": "Personne", "email": "personne@vigie.local",
        "password": "mot-de-passe", "role_id": NOBODY,
    });
    let users_update = json!({
        "user_id": NOBODY, "matricule": 987655, "nom": "Personne",
        "email": "personne2@vigie.local", "password": "mot-de-passe", "role_id": NOBODY,
    });
    let roles_create = json!({
        "name": "nouveau-role", "description": "d",
        "permissions": [{ "ressource": "users", "action": "fly" }],
    });
    let roles_update = json!({
        "role_id": NOBODY, "name": "x", "description": "d", "permissions": ["users:read"],
    });
    let add_permissions = json!({ "role_id": NOBODY, "permissions": ["users:read"] });
    let site_register = json!({
        "client_id": NOBODY, "name": "Nulle part", "longitude": 9.7, "latitude": 4.05,
        "description": "d",
    });
    let site_update = json!({
        "site_id": NOBODY, "name": "Nulle part", "longitude": 9.7, "latitude": 4.05,
        "description": "d",
    });
    let equipement_register = json!({
        "ip": "10.99.0.1", "site_id": NOBODY, "marque": "Axis", "sources": ["rtsp"],
        "port": 554, "username": "u", "password": "p", "description": "d", "modele": "M",
    });
    let equipement_update = json!({
        "equipement_id": NOBODY, "ip": "10.99.0.1", "site_id": NOBODY, "marque": "Axis",
        "sources": ["rtsp"], "port": 554, "username": "u", "password": "p",
        "description": "d", "modele": "M",
    });
    let s = |min, max| Ty::Str { min, max };
    let routes: Vec<(Method, &str, Value, Vec<FieldSpec>)> = vec![
        (
            M::POST,
            "/users/create",
            users_create,
            vec![
                (
                    "matricule",
                    Ty::Int {
                        min: 1,
                        max: i64::from(i32::MAX),
                    },
                    true,
                ),
                ("nom", s(1, 200), true),
                ("email", Ty::Email, true),
                ("password", s(8, 128), true),
                ("role_id", Ty::Uuid, true),
            ],
        ),
        (
            M::PUT,
            "/users/update",
            users_update,
            vec![
                ("user_id", Ty::UserKey, true),
                (
                    "matricule",
                    Ty::Int {
                        min: 1,
                        max: i64::from(i32::MAX),
                    },
                    false,
                ),
                ("nom", s(1, 200), false),
                ("email", Ty::Email, false),
                ("password", s(8, 128), false),
                ("role_id", Ty::Uuid, false),
            ],
        ),
        (
            M::POST,
            "/roles/create",
            roles_create,
            vec![
                ("name", s(1, 100), true),
                ("description", s(0, 500), false),
                ("permissions", Ty::Perms, false),
            ],
        ),
        (
            M::PUT,
            "/roles/update",
            roles_update,
            vec![
                ("role_id", Ty::Uuid, true),
                ("name", s(1, 100), false),
                ("description", s(0, 500), false),
                ("permissions", Ty::Perms, false),
            ],
        ),
        (
            M::POST,
            "/roles/add_permissions",
            add_permissions,
            vec![
                ("role_id", Ty::Uuid, true),
                ("permissions", Ty::Perms, true),
            ],
        ),
        (
            M::POST,
            "/client_site/register",
            site_register,
            vec![
                ("client_id", Ty::Uuid, true),
                ("name", s(1, 200), true),
                (
                    "longitude",
                    Ty::Float {
                        min: -180.0,
                        max: 180.0,
                    },
                    true,
                ),
                (
                    "latitude",
                    Ty::Float {
                        min: -90.0,
                        max: 90.0,
                    },
                    true,
                ),
                ("description", s(0, 1000), false),
            ],
        ),
        (
            M::PUT,
            "/client_site/update",
            site_update,
            vec![
                ("site_id", Ty::Uuid, true),
                ("name", s(1, 200), false),
                (
                    "longitude",
                    Ty::Float {
                        min: -180.0,
                        max: 180.0,
                    },
                    false,
                ),
                (
                    "latitude",
                    Ty::Float {
                        min: -90.0,
                        max: 90.0,
                    },
                    false,
                ),
                ("description", s(0, 1000), false),
            ],
        ),
        (
            M::POST,
            "/equipements/register",
            equipement_register,
            vec![
                ("ip", Ty::Ip, true),
                ("site_id", Ty::Uuid, true),
                ("marque", s(1, 100), true),
                ("sources", Ty::StrList, false),
                ("port", Ty::Int { min: 1, max: 65535 }, true),
                ("username", s(0, 200), false),
                ("password", s(0, 200), false),
                ("description", s(0, 1000), false),
                ("modele", s(1, 100), true),
            ],
        ),
        (
            M::PUT,
            "/equipements/update",
            equipement_update,
            vec![
                ("equipement_id", Ty::Uuid, true),
                ("ip", Ty::Ip, false),
                ("site_id", Ty::Uuid, false),
                ("marque", s(1, 100), false),
                ("sources", Ty::StrList, false),
                ("port", Ty::Int { min: 1, max: 65535 }, false),
                ("username", s(0, 200), false),
                ("password", s(0, 200), false),
                ("description", s(0, 1000), false),
                ("modele", s(1, 100), false),
            ],
        ),
    ];
    for (method, path, base, fields) in &routes {
        c.wrong_methods(F, path, std::slice::from_ref(method));
        c.bad_bodies(F, method.clone(), path);
        c.add_body(F, "empty object", method.clone(), path, b"{}".to_vec());
        c.fields(F, method.clone(), path, base, fields);
    }
    // An e-mail whose local part looks like SQL is a valid address: the unknown role still
    // refuses the user.
    c.add_body(
        F,
        "SQL-looking e-mail",
        M::POST,
        "/users/create",
        json!({
            "matricule": 987656, "nom": SQL[0], "email": "o'neil;DROP--@vigie.local",
            "password": SQL[1], "role_id": NOBODY,
        })
        .to_string()
        .into_bytes(),
    );

    // Unknown routes.
    for p in [
        format!("/{}", seg(SQL[0])),
        "/users/list/extra".into(),
        format!("/client_site/{LOUM_ID}/all_equipements/{}", seg(UNICODE[1])),
    ] {
        c.add(F, format!("unknown route {p:.40}"), M::GET, &p);
    }
}

fn ocean_corpus(c: &mut Corpus) {
    use Family::Ocean as F;
    use Method as M;
    let api = |p: &str| format!("/ocean/restapi/{p}");

    // Logins (no token).
    let auth2 = api("auth/authenticate2");
    c.wrong_methods(F, &auth2, &[M::POST]);
    c.bad_bodies(F, M::POST, &auth2);
    for body in [
        json!({}),
        json!({ "login": "admin" }),
        json!({ "login": 5, "password": "admin-demo" }),
        json!({ "login": ["admin"], "password": "admin-demo" }),
        json!({ "login": SQL[0], "password": SQL[1] }),
        json!({ "login": UNICODE[3], "password": UNICODE[4] }),
        json!({ "login": "admin", "password": SQL[3] }),
    ] {
        c.add_body(
            F,
            format!("authenticate2 {body:.60}"),
            M::POST,
            &auth2,
            body.to_string().into_bytes(),
        );
    }
    let auth = api("auth/authenticate");
    c.wrong_methods(F, &auth, &[M::POST]);
    for q in [
        String::new(),
        "?login=admin".into(),
        format!("?login={}&password={}", seg(SQL[0]), seg(SQL[1])),
        format!("?login=admin&password={}", seg(UNICODE[3])),
        "?login=%FF&password=%FE".into(),
    ] {
        c.add(
            F,
            format!("authenticate {q:.60}"),
            M::POST,
            &format!("{auth}{q}"),
        );
    }

    // Account routes.
    let change = api("auth/changePassword");
    c.wrong_methods(F, &change, &[M::POST]);
    c.bad_bodies(F, M::POST, &change);
    for body in [
        json!({}),
        json!({ "actualPassword": 5, "newPassword": 5, "newPasswordConfirmed": 5 }),
        json!({ "actualPassword": [], "newPassword": {}, "newPasswordConfirmed": null }),
        // The current password is wrong: refused before anything else is looked at.
        json!({ "actualPassword": SQL[0], "newPassword": SQL[1], "newPasswordConfirmed": SQL[1] }),
        json!({ "actualPassword": UNICODE[3], "newPassword": "a", "newPasswordConfirmed": "b" }),
    ] {
        c.add_body(
            F,
            format!("changePassword {body:.60}"),
            M::POST,
            &change,
            body.to_string().into_bytes(),
        );
    }
    let reset = api("auth/requestPasswordReset");
    c.wrong_methods(F, &reset, &[M::POST]);
    c.bad_bodies(F, M::POST, &reset);
    for body in [
        json!({}),
        json!({ "login": 5 }),
        json!({ "login": "   " }),
        json!({ "login": [SQL[0]] }),
        json!({ "login": null, "url": SQL[0] }),
    ] {
        c.add_body(
            F,
            format!("requestPasswordReset {body}"),
            M::POST,
            &reset,
            body.to_string().into_bytes(),
        );
    }
    let rights = api("authorization/functionalities_detailed");
    c.wrong_methods(F, &rights, &[M::GET]);
    for q in [
        String::new(),
        "?elementType=".into(),
        "?elementType=%20%20".into(),
        "?elementType=ACTION&customerId=abc".into(),
        "?elementType=ACTION&customerId=3".into(),
        "?elementType=ACTION&customerId=-1".into(),
        "?elementType=ACTION&customerId=99999999999999999999".into(),
        format!("?elementType=ACTION&customerId={}", seg(SQL[1])),
    ] {
        c.add(
            F,
            format!("functionalities {q}"),
            M::GET,
            &format!("{rights}{q}"),
        );
    }
    c.wrong_methods(F, &api("demo/outbox"), &[M::GET]);

    // Individus: the customer and the criteria.
    let list = api("individus/list");
    c.wrong_methods(F, &list, &[M::POST]);
    for n in bad_numbers() {
        c.add(
            F,
            format!("list customerId={n}"),
            M::POST,
            &format!("{list}?customerId={n}"),
        );
    }
    c.add(F, "list without customerId", M::POST, &list);
    c.add(
        F,
        "list customerId=3",
        M::POST,
        &format!("{list}?customerId=3"),
    );
    for crit in ["UNKNOWN", "with_user", "WITH_USER%00", SQL[0], UNICODE[1]] {
        c.add(
            F,
            format!("list criteria={crit:?}"),
            M::POST,
            &format!("{list}?customerId=1&criteria={}", seg(crit)),
        );
    }

    // Create and update bodies: the entity does not exist (checked last, in the database), so
    // even a body whose every other part is valid is refused.
    let create = api("individus/create?customerId=1");
    let update = api("individus/update?customerId=1");
    let base = json!({
        "individu": {
            "nomInd": "PERSONNE", "prenomInd": "Nul", "matriculeInd": "MX-9999",
            "initialesInd": "PN", "email": "nul@example.cm", "gsm": "+237 690 00 00 99",
            "idCivilite": 1, "suppressionLogique": false,
        },
        "entite": { "id": 999999, "nom": "Nulle part" },
        "utilisateur": { "loginUti": "pnul", "emailUti": "pnul@example.cm", "utilisateurType": "CLASSIC" },
        "propSpecifiqueDTO": {
            "numeroPermis": "CM-0", "dateFCO": "2025-11-27T15:30:15.353Z",
            "categoriePermis": ["B"],
        },
        "vehicleFieldsDTO": { "immatriculation": "LT 000 ZZ", "typeMotorisation": "MONO" },
        "fonctionnalites": [{ "idFonctionnalite": 20 }],
    });
    let mut update_base = base.clone();
    set_path(&mut update_base, "individu.id", Some(json!(999999)));
    let fields = |update: bool| {
        let mut f: Vec<(&str, Ty, bool)> = vec![
            ("individu", Ty::Object, true),
            ("individu.nomInd", Ty::Str { min: 1, max: 100 }, true),
            ("individu.prenomInd", Ty::Str { min: 1, max: 100 }, true),
            ("individu.matriculeInd", Ty::OceanStr, false),
            ("individu.initialesInd", Ty::OceanStr, false),
            ("individu.idCivilite", Ty::Civilite, false),
            // Ocean states no address format: what it stores, it takes back.
            ("individu.email", Ty::OceanStr, false),
            ("entite", Ty::Object, false),
            ("entite.id", Ty::OceanId, false),
            ("utilisateur", Ty::Object, false),
            ("utilisateur.loginUti", Ty::OceanStr, false),
            ("utilisateur.emailUti", Ty::OceanStr, false),
            ("propSpecifiqueDTO", Ty::Object, false),
            ("propSpecifiqueDTO.dateFCO", Ty::IsoDate, false),
            ("propSpecifiqueDTO.dateValiditePermis", Ty::IsoDate, false),
            ("vehicleFieldsDTO", Ty::Object, false),
            ("fonctionnalites", Ty::Object, false),
        ];
        if update {
            f.push(("individu.id", Ty::OceanId, true));
        }
        f
    };
    for (path, b, update) in [(&create, &base, false), (&update, &update_base, true)] {
        c.bad_bodies(F, M::POST, path);
        c.add_body(F, "empty object", M::POST, path, b"{}".to_vec());
        c.fields(F, M::POST, path, b, &fields(update));
        // Closed values refused even when the rest is right.
        for (k, v) in [
            ("individu.idCivilite", json!(7)),
            ("fonctionnalites", json!({ "idFonctionnalite": 20 })),
        ] {
            let mut body = b.clone();
            set_path(&mut body, k, Some(v.clone()));
            c.add_body(
                F,
                format!("{k} = {v}"),
                M::POST,
                path,
                body.to_string().into_bytes(),
            );
        }
    }
    c.wrong_methods(F, &api("individus/create"), &[M::POST]);
    c.wrong_methods(F, &api("individus/update"), &[M::POST]);
    let valid_body = {
        let mut b = base.clone();
        set_path(&mut b, "entite", None);
        b
    };
    // A valid body, refused for its query string.
    for q in [
        "customerId=abc".to_string(),
        "customerId=3".into(),
        "customerId=-1".into(),
        format!("customerId={}", seg(SQL[1])),
        "customerId=1&entityStart=2025-13-01T00:00:00.000Z".into(),
        "customerId=1&entityStart=2025-11-27".into(),
        format!(
            "customerId=1&entityStart={}",
            seg("2025-11-27T08:00:00.000 01:00")
        ),
        "customerId=1&entityStart=2025-11-27T08:00:00.000%2B01:00&entityEnd=2024-01-01T00:00:00.000Z"
            .into(),
        format!("customerId=1&entityEnd={}", seg(SQL[0])),
    ] {
        c.add_body(
            F,
            format!("create ?{q:.60}"),
            M::POST,
            &api(&format!("individus/create?{q}")),
            valid_body.to_string().into_bytes(),
        );
    }
    // Without a customer (the admin has two), a valid body is still refused.
    c.add_body(
        F,
        "create without customerId",
        M::POST,
        &api("individus/create"),
        valid_body.to_string().into_bytes(),
    );

    // Delete and assignment: their parameters.
    let delete = api("individus/delete");
    c.wrong_methods(F, &delete, &[M::POST]);
    c.add(
        F,
        "delete without individuId",
        M::POST,
        &format!("{delete}?customerId=1"),
    );
    for n in bad_numbers().into_iter().chain(["999999".to_string()]) {
        c.add(
            F,
            format!("delete individuId={n}"),
            M::POST,
            &format!("{delete}?customerId=1&individuId={n}"),
        );
    }
    let assign = api("individus/affectation-entite/add");
    c.wrong_methods(F, &assign, &[M::POST]);
    let start = seg("27/11/2025 08:00:00 +0100");
    for q in [
        String::new(),
        "individuId=1".into(),
        format!("individuId=abc&entiteId=2&startDate={start}"),
        format!("individuId=1&entiteId={}&startDate={start}", seg(SQL[1])),
        format!("individuId=1&entiteId=999999&startDate={start}"),
        "individuId=1&entiteId=2".into(),
        "individuId=1&entiteId=2&startDate=2025-11-27T08:00:00.000Z".into(),
        // A raw `+` reads as a space.
        "individuId=1&entiteId=2&startDate=27/11/2025+08:00:00++0100".into(),
        format!(
            "individuId=1&entiteId=2&startDate={start}&endDate={}",
            seg("01/01/2020 00:00:00 +0000")
        ),
        format!(
            "individuId=1&entiteId=2&startDate={}",
            seg("31/02/2025 08:00:00 +0100")
        ),
        format!(
            "individuId=1&entiteId=2&startDate={}",
            seg("27/11/2025 08:00:00 +2500")
        ),
        format!("individuId=1&entiteId=2&startDate={}", seg(UNICODE[0])),
        format!("individuId=99999999999999999999&entiteId=2&startDate={start}"),
    ] {
        c.add(
            F,
            format!("affectation ?{q:.70}"),
            M::POST,
            &format!("{assign}?customerId=1&{q}"),
        );
    }

    // Unknown routes under the prefix.
    for p in [
        seg(SQL[0]),
        "individus".into(),
        "individus/list/extra".into(),
    ] {
        c.add(F, format!("unknown route {p:.40}"), M::GET, &api(&p));
        c.add(F, format!("unknown route {p:.40}"), M::POST, &api(&p));
    }
}

fn maarch_corpus(c: &mut Corpus) {
    use Family::Maarch as F;
    use Method as M;
    let u = BWAYNE;
    let mut ids = bad_path_ids();
    ids.extend(NOT_UTF8.iter().map(|s| s.to_string()));

    // Logins.
    c.wrong_methods(F, "/rest/authenticate", &[M::POST]);
    c.bad_bodies(F, M::POST, "/rest/authenticate");
    for body in [
        json!({}),
        json!({ "login": "admin" }),
        json!({ "login": 5, "password": 5 }),
        json!({ "login": SQL[0], "password": SQL[1] }),
        json!({ "login": "admin", "password": UNICODE[3] }),
    ] {
        c.add_body(
            F,
            format!("authenticate {body:.60}"),
            M::POST,
            "/rest/authenticate",
            body.to_string().into_bytes(),
        );
    }
    c.wrong_methods(F, "/rest/authenticate/token", &[M::GET]);
    for q in [
        String::new(),
        "?refreshToken=".into(),
        format!("?refreshToken={}", seg(SQL[0])),
        format!("?refreshToken={}", seg(UNICODE[3])),
    ] {
        c.add(
            F,
            format!("refresh {q:.60}"),
            M::GET,
            &format!("/rest/authenticate/token{q}"),
        );
    }

    c.wrong_methods(F, "/rest/users", &[M::GET, M::POST]);
    c.wrong_methods(F, "/rest/groups", &[M::GET]);
    c.wrong_methods(F, "/rest/entities", &[M::GET]);

    // Creation: `admin` exists, so even a valid profile is refused (checked last).
    let create = json!({
        "userId": "admin", "firstname": "Prénom", "lastname": "NOM", "initials": "PN",
        "mail": "pn@maarch-les-bains.fr", "phone": "+33 1 23 45 67 89", "mode": "standard",
    });
    let profile_fields = |with_login: bool| {
        let mut f: Vec<(&str, Ty, bool)> = Vec::new();
        if with_login {
            f.push(("userId", Ty::Login, true));
        }
        f.extend([
            // No length limit is documented for the names (REAL-SERVICES.md).
            (
                "firstname",
                Ty::Str {
                    min: 1,
                    max: usize::MAX,
                },
                true,
            ),
            (
                "lastname",
                Ty::Str {
                    min: 1,
                    max: usize::MAX,
                },
                true,
            ),
            ("initials", Ty::Str { min: 0, max: 32 }, false),
            // Required on creation only: an update without one writes null, as Maarch.
            ("mail", Ty::Email, with_login),
            ("phone", Ty::Phone, false),
            ("mode", Ty::Mode, false),
        ]);
        f
    };
    c.bad_bodies(F, M::POST, "/rest/users");
    c.fields(F, M::POST, "/rest/users", &create, &profile_fields(true));
    // Edition of a real user: every variant is refused by the profile checks, and the
    // text-field variants carry an invalid address.
    let path = format!("/rest/users/{u}");
    let mut update = create.clone();
    set_path(&mut update, "userId", None);
    c.bad_bodies(F, M::PUT, &path);
    c.add_body(F, "empty object", M::PUT, &path, b"{}".to_vec());
    let mut fields = profile_fields(false);
    // `fields` also sets every text field to SQL at once; with a bad address it is refused.
    let mut update_bad_mail = update.clone();
    set_path(&mut update_bad_mail, "mail", Some(json!("not-an-address")));
    for (name, ty, required) in fields.drain(..) {
        for v in refused(ty, required) {
            let mut b = update.clone();
            set_path(&mut b, name, Some(v.clone()));
            c.add_body(
                F,
                format!("update {name} = {v:.40}"),
                M::PUT,
                &path,
                b.to_string().into_bytes(),
            );
        }
    }
    for s in SQL.iter().chain(UNICODE) {
        let mut b = update_bad_mail.clone();
        for n in ["firstname", "lastname"] {
            set_path(&mut b, n, Some(json!(s)));
        }
        c.add_body(
            F,
            format!("update names = {s:?}"),
            M::PUT,
            &path,
            b.to_string().into_bytes(),
        );
    }

    // Path ids on every route with one.
    let routes_with_id: [(Method, &str); 12] = [
        (M::PUT, ""),
        (M::GET, "/details"),
        (M::POST, "/groups"),
        (M::DELETE, "/groups/ELU"),
        (M::POST, "/entities"),
        (M::DELETE, "/entities/COR"),
        (M::PUT, "/linkToMaarchParapheur"),
        (M::PUT, "/unlinkToMaarchParapheur"),
        (M::PUT, "/createInMaarchParapheur"),
        (M::GET, "/statusInMaarchParapheur"),
        (M::PUT, "/statusInMaarchParapheur"),
        (M::GET, "/details"),
    ];
    for id in ids.iter().chain(&["-1".to_string(), "999999".to_string()]) {
        for (m, rest) in &routes_with_id {
            c.add_body(
                F,
                format!("user id {id:.40}"),
                m.clone(),
                &format!("/rest/users/{id}{rest}"),
                b"{}".to_vec(),
            );
        }
    }
    for (m, rest) in &routes_with_id {
        let p = format!("/rest/users/{u}{rest}");
        let own: Vec<Method> = routes_with_id
            .iter()
            .filter(|(_, r)| r == rest)
            .map(|(m, _)| m.clone())
            .collect();
        c.wrong_methods(F, &p, &own);
        let _ = m;
    }

    // Links.
    for (what, body) in [
        ("groupId missing", json!({})),
        ("groupId number", json!({ "groupId": 5 })),
        ("groupId SQL", json!({ "groupId": SQL[0] })),
        ("groupId controls", json!({ "groupId": UNICODE[3] })),
        ("role number", json!({ "groupId": "ELU", "role": 5 })),
        (
            "role too long",
            json!({ "groupId": "ELU", "role": "r".repeat(256) }),
        ),
        ("already a member", json!({ "groupId": "AGENT" })),
    ] {
        c.add_body(
            F,
            format!("add group: {what}"),
            M::POST,
            &format!("/rest/users/{u}/groups"),
            body.to_string().into_bytes(),
        );
    }
    for (what, body) in [
        ("entityId missing", json!({})),
        ("entityId array", json!({ "entityId": ["DGS"] })),
        ("entityId SQL", json!({ "entityId": SQL[1] })),
        ("role object", json!({ "entityId": "DGS", "role": {} })),
        ("already in it", json!({ "entityId": "SP" })),
    ] {
        c.add_body(
            F,
            format!("add entity: {what}"),
            M::POST,
            &format!("/rest/users/{u}/entities"),
            body.to_string().into_bytes(),
        );
    }
    for g in SQL.iter().chain(UNICODE).map(|s| seg(s)) {
        c.add(
            F,
            format!("remove group {g:.40}"),
            M::DELETE,
            &format!("/rest/users/{u}/groups/{g}"),
        );
        c.add(
            F,
            format!("remove entity {g:.40}"),
            M::DELETE,
            &format!("/rest/users/{u}/entities/{g}"),
        );
    }
    for p in [
        "groups",
        "entities",
        "linkToMaarchParapheur",
        "createInMaarchParapheur",
    ] {
        c.bad_bodies(
            F,
            if p.ends_with('s') { M::POST } else { M::PUT },
            &format!("/rest/users/{u}/{p}"),
        );
    }
    for v in [
        json!("19"),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(999999),
        json!(u64::MAX),
        json!([]),
        json!(null),
        json!(SQL[0]),
    ] {
        c.add_body(
            F,
            format!("link maarchParapheurUserId = {v}"),
            M::PUT,
            &format!("/rest/users/{u}/linkToMaarchParapheur"),
            json!({ "maarchParapheurUserId": v })
                .to_string()
                .into_bytes(),
        );
    }
    // Maarch checks only that a login is given (and not taken).
    for v in [
        json!(5),
        json!(""),
        json!("  "),
        json!("bbain"),
        json!(null),
        json!([]),
    ] {
        c.add_body(
            F,
            format!("create in Parapheur login = {v:.40}"),
            M::PUT,
            &format!("/rest/users/{u}/createInMaarchParapheur"),
            json!({ "login": v }).to_string().into_bytes(),
        );
    }

    for p in [
        format!("/rest/{}", seg(SQL[0])),
        "/rest".into(),
        format!("/rest/users/{u}/{}", seg(UNICODE[1])),
    ] {
        c.add(F, format!("unknown route {p:.40}"), M::GET, &p);
    }
}

// ---- checks ---------------------------------------------------------------------------------

/// Whether a body is the family's error shape.
fn shaped(family: Family, status: StatusCode, body: &Value) -> Result<(), String> {
    let Some(m) = body.as_object() else {
        return Err("not a JSON object".into());
    };
    match family {
        Family::Core => match m.get("detail") {
            Some(Value::String(_)) => Ok(()),
            Some(Value::Array(items))
                if !items.is_empty()
                    && items.iter().all(|i| {
                        i["type"].is_string() && i["loc"].is_array() && i["msg"].is_string()
                    }) =>
            {
                Ok(())
            }
            _ => Err("no FastAPI `detail`".into()),
        },
        Family::Ocean => {
            let ok = m.get("status") == Some(&json!(status.as_u16()))
                && m.get("error").is_some_and(Value::is_string)
                && m.get("message").is_some_and(Value::is_string)
                && m.get("timestamp").is_some_and(Value::is_string)
                && m.get("path")
                    .and_then(Value::as_str)
                    .is_some_and(|p| p.starts_with("/ocean/restapi"));
            ok.then_some(())
                .ok_or_else(|| "not Spring Boot's error body".into())
        }
        Family::Maarch => (m.len() == 1 && m.get("errors").is_some_and(Value::is_string))
            .then_some(())
            .ok_or_else(|| "not Maarch's {\"errors\"}".into()),
    }
}

/// Every row of every table, as text: what "nothing changed" is checked against.
fn snapshot(db: &std::path::Path) -> BTreeMap<String, Vec<Vec<String>>> {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open the database");
    let tables: Vec<String> = c
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut out = BTreeMap::new();
    for t in tables {
        let mut s = c
            .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY rowid"))
            .unwrap();
        let n = s.column_count();
        let rows = s
            .query_map([], |r| {
                (0..n)
                    .map(|i| r.get_ref(i).map(|v| format!("{v:?}")))
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        out.insert(t, rows);
    }
    out
}

struct Tokens {
    core: String,
    ocean: String,
    maarch: String,
}

async fn tokens(http: &reqwest::Client, url: &str) -> Tokens {
    let core = common::raw_token(url, common::ADMIN).await;
    let v: Value = http
        .post(format!("{url}/ocean/restapi/auth/authenticate2"))
        .json(&json!({ "login": "admin", "password": "admin-demo" }))
        .send()
        .await
        .expect("Ocean login")
        .json()
        .await
        .expect("Ocean token");
    let ocean = v["token"].as_str().expect("token").to_string();
    let resp = http
        .post(format!("{url}/rest/authenticate"))
        // `admin` is a web-service (Basic) account: the root account logs in for a token.
        .json(&json!({ "login": "superadmin", "password": "superadmin-demo" }))
        .send()
        .await
        .expect("Maarch login");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let maarch = resp.headers()["token"].to_str().unwrap().to_string();
    Tokens {
        core,
        ocean,
        maarch,
    }
}

/// Sends one case with the family's credentials; `Err` says what is wrong with the answer.
async fn run(http: &reqwest::Client, url: &str, t: &Tokens, case: &Case) -> Result<(), String> {
    let mut req = http
        .request(case.method.clone(), format!("{url}{}", case.path))
        .header("content-type", case.content_type);
    req = match case.family {
        Family::Core => req.bearer_auth(&t.core),
        Family::Ocean => req.header("X-AUTH-TOKEN", &t.ocean),
        Family::Maarch => req.bearer_auth(&t.maarch),
    };
    if let Some(b) = &case.body {
        req = req.body(b.clone());
    }
    let resp = req.send().await.map_err(|e| format!("no answer: {e}"))?;
    let status = resp.status();
    let json_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| format!("{status}, body unreadable: {e}"))?;
    let text = String::from_utf8_lossy(&bytes);
    let excerpt: String = text.chars().take(160).collect();
    if !status.is_client_error() {
        return Err(format!("{status} {excerpt}"));
    }
    let body: Value =
        serde_json::from_slice(&bytes).map_err(|_| format!("{status}, not JSON: {excerpt:?}"))?;
    if !json_type {
        return Err(format!("{status}, content-type is not JSON: {excerpt}"));
    }
    shaped(case.family, status, &body).map_err(|why| format!("{status}, {why}: {excerpt}"))
}

#[tokio::test]
async fn every_route_refuses_malformed_requests_cleanly() {
    let srv = common::start_with(|cfg| {
        cfg.body_limit = 4096;
        cfg.login_failures_per_minute = 1_000_000;
        cfg.ocean_requests_per_minute = 1_000_000;
    })
    .await;
    let url = srv.url();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .expect("client");
    let t = tokens(&http, &url).await;
    let before = snapshot(&srv.db_path);
    let admin = srv.admin();
    let sites_before = admin.list_sites().await.expect("sites").len();

    let mut corpus = Corpus::default();
    core_corpus(&mut corpus);
    ocean_corpus(&mut corpus);
    maarch_corpus(&mut corpus);
    let total = corpus.0.len();
    assert!(total > 500, "a corpus of {total} requests");

    let results: Vec<(usize, Result<(), String>)> =
        futures::stream::iter(corpus.0.iter().enumerate())
            .map(|(i, case)| {
                let (http, url, t) = (&http, &url, &t);
                async move { (i, run(http, url, t, case).await) }
            })
            .buffer_unordered(16)
            .collect()
            .await;
    let mut failures: Vec<String> = results
        .into_iter()
        .filter_map(|(i, r)| {
            let c = &corpus.0[i];
            r.err().map(|why| {
                format!(
                    "{:?} {} {:.90} [{}]: {why}",
                    c.family, c.method, c.path, c.what
                )
            })
        })
        .collect();
    failures.sort();

    // Still serving, normally.
    assert_eq!(admin.list_users().await.expect("users").len(), 3);
    assert_eq!(admin.list_sites().await.expect("sites").len(), sites_before);
    let resp = http
        .post(format!("{url}/ocean/restapi/individus/list?customerId=1"))
        .header("X-AUTH-TOKEN", &t.ocean)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let list: Value = resp.json().await.unwrap();
    assert!(list.as_array().is_some_and(|a| !a.is_empty()));
    let resp = http
        .get(format!("{url}/rest/users"))
        .basic_auth("admin", Some("admin-demo"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);

    // Nothing was created, changed or deleted.
    let after = snapshot(&srv.db_path);
    let tables: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for table in tables {
        let (b, a) = (before.get(table), after.get(table));
        if b != a {
            failures.push(format!(
                "table {table} changed: {} rows before, {} after",
                b.map_or(0, Vec::len),
                a.map_or(0, Vec::len)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems with {total} malformed requests:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Core path ids whose percent-encoding is not UTF-8: FastAPI decodes them with replacement
/// characters and answers its JSON 422 (`uuid_parsing`), as for any other id that is not one
/// (`%00` gets exactly that here).
#[tokio::test]
async fn core_path_ids_that_are_not_utf8_get_fastapi_errors() {
    let srv = common::start().await;
    let url = srv.url();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .expect("client");
    let token = common::raw_token(&url, common::ADMIN).await;
    let mut failures = Vec::new();
    for id in std::iter::once("%00").chain(NOT_UTF8) {
        for (method, path, param) in [
            (Method::GET, format!("/users/{id}"), "user_id"),
            (Method::DELETE, format!("/users/delete/{id}"), "user_id"),
            (Method::DELETE, format!("/roles/{id}"), "role_id"),
            (Method::DELETE, format!("/client_site/{id}"), "site_id"),
            (
                Method::GET,
                format!("/client_site/{id}/all_equipements"),
                "site_id",
            ),
            (
                Method::DELETE,
                format!("/equipements/{id}"),
                "equipement_id",
            ),
        ] {
            let resp = http
                .request(method.clone(), format!("{url}{path}"))
                .bearer_auth(&token)
                .send()
                .await
                .expect("answer");
            let status = resp.status();
            let text = resp.text().await.unwrap_or_default();
            let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            let ok = status == StatusCode::UNPROCESSABLE_ENTITY
                && body["detail"][0]["loc"] == json!(["path", param]);
            if !ok {
                failures.push(format!("{method} {path}: {status} {text:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The SQL-looking and control-laden strings the corpus throws are plain data once valid:
/// stored and answered byte for byte.
#[tokio::test]
async fn sql_looking_text_is_stored_verbatim() {
    let srv = common::start().await;
    let admin = srv.admin();
    let client_id = admin.list_sites().await.unwrap()[0]
        .client_id()
        .unwrap()
        .to_string();
    for (i, s) in SQL.iter().chain(UNICODE).enumerate() {
        // Sites are unique per client and name: each string gets its own.
        let name = format!("{i} {s}");
        let created = admin
            .create_site(&vigie::api::model::NewSite {
                client_id: client_id.clone(),
                name: name.clone(),
                longitude: 9.7,
                latitude: 4.05,
                description: s.to_string(),
            })
            .await
            .unwrap_or_else(|e| panic!("{s:?}: {e}"));
        assert_eq!(created.name, name);
        assert_eq!(created.description, *s);
    }
    let sites = admin.list_sites().await.unwrap();
    for (i, s) in SQL.iter().chain(UNICODE).enumerate() {
        let name = format!("{i} {s}");
        assert!(
            sites.iter().any(|x| x.name == name && x.description == *s),
            "{s:?} read back"
        );
    }
    // The users table survived its string.
    assert_eq!(admin.list_users().await.unwrap().len(), 3);
}
