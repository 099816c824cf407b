//! Who may call what, route by route, against the reference server.
//!
//! Core: every seeded role against every route, with the expected answer written out as a
//! table derived from the seed (`src/server/seed.rs`, `granted`): `admin` holds every
//! permission, `technicien` reads everything and updates equipements, `lecteur` only reads.
//! Requests that pass authorization are harmless (reads, or writes aimed at ids that do not
//! exist, or bodies the validation refuses), so the cells can run in any order.
//! Ocean: `admin` against the read-only `lecteur`; missing, garbage and expired tokens.
//! Maarch: `admin` (HTTP Basic, mode `rest`, user-administration right) against `agent`
//! (no right: 403 `Service forbidden`); Basic for a `standard` user, bad passwords, garbage
//! and expired tokens.

mod common;

use std::time::Duration;

use common::{ADMIN, LECTEUR, TECH};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// An id that exists nowhere.
const NOBODY: &str = "00000000-0000-4000-8000-00000000dead";
const LOUM_ID: &str = "0c5c5381-c357-4abc-ba1f-9fb584006a3a";

thread_local! {
    /// One client per test (each test runs on its own thread and runtime): building one per
    /// request would cost more than the requests.
    static HTTP: reqwest::Client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
}

fn http() -> reqwest::Client {
    HTTP.with(Clone::clone)
}

/// Answer status and body (JSON, or the raw text as a JSON string).
async fn send(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let resp = req.send().await.expect("request");
    let status = resp.status();
    let bytes = resp.bytes().await.expect("body");
    let v = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    (status, v)
}

// ---- core -----------------------------------------------------------------------------------

/// One core route with a harmless request: (name, method, path, JSON body).
struct CoreRoute {
    name: &'static str,
    method: Method,
    path: String,
    body: Option<Value>,
    /// The permission the route checks, as the 403 words it.
    needs: (&'static str, &'static str),
}

fn core_routes() -> Vec<CoreRoute> {
    let r = |name, method, path: &str, body: Option<Value>, needs| CoreRoute {
        name,
        method,
        path: path.to_string(),
        body,
        needs,
    };
    vec![
        r(
            "users.list",
            Method::GET,
            "/users/list",
            None,
            ("users", "read"),
        ),
        // Refused by validation once authorized: nothing is created.
        r(
            "users.create",
            Method::POST,
            "/users/create",
            Some(json!({})),
            ("users", "create"),
        ),
        r(
            "users.update",
            Method::PUT,
            "/users/update",
            Some(json!({ "user_id": NOBODY, "nom": "Personne" })),
            ("users", "update"),
        ),
        r(
            "users.delete",
            Method::DELETE,
            &format!("/users/delete/{NOBODY}"),
            None,
            ("users", "delete"),
        ),
        r(
            "users.get",
            Method::GET,
            "/users/1000",
            None,
            ("users", "read"),
        ),
        r(
            "roles.create",
            Method::POST,
            "/roles/create",
            Some(json!({})),
            ("roles", "create"),
        ),
        r(
            "roles.update",
            Method::PUT,
            "/roles/update",
            Some(json!({ "role_id": NOBODY, "description": "x" })),
            ("roles", "update"),
        ),
        r(
            "roles.add_permissions",
            Method::POST,
            "/roles/add_permissions",
            Some(json!({ "role_id": NOBODY, "permissions": ["users:read"] })),
            ("roles", "update"),
        ),
        r(
            "roles.list",
            Method::GET,
            "/roles/list",
            None,
            ("roles", "read"),
        ),
        r(
            "roles.delete",
            Method::DELETE,
            &format!("/roles/{NOBODY}"),
            None,
            ("roles", "delete"),
        ),
        r(
            "client_site.register",
            Method::POST,
            "/client_site/register",
            Some(json!({})),
            ("client_site", "create"),
        ),
        r(
            "client_site.all",
            Method::GET,
            "/client_site/all",
            None,
            ("client_site", "read"),
        ),
        r(
            "client_site.update",
            Method::PUT,
            "/client_site/update",
            Some(json!({ "site_id": NOBODY, "description": "x" })),
            ("client_site", "update"),
        ),
        r(
            "client_site.equipements",
            Method::GET,
            &format!("/client_site/{LOUM_ID}/all_equipements?page=1&size=5"),
            None,
            ("client_site", "read"),
        ),
        r(
            "client_site.delete",
            Method::DELETE,
            &format!("/client_site/{NOBODY}"),
            None,
            ("client_site", "delete"),
        ),
        r(
            "equipements.register",
            Method::POST,
            "/equipements/register",
            Some(json!({})),
            ("equipements", "create"),
        ),
        r(
            "equipements.all",
            Method::GET,
            "/equipements/all?page=1&size=5",
            None,
            ("equipements", "read"),
        ),
        r(
            "equipements.update",
            Method::PUT,
            "/equipements/update",
            Some(json!({ "equipement_id": NOBODY, "description": "x" })),
            ("equipements", "update"),
        ),
        r(
            "equipements.delete",
            Method::DELETE,
            &format!("/equipements/{NOBODY}"),
            None,
            ("equipements", "delete"),
        ),
    ]
}

/// The expected table, from the seeded permissions: route → allowed for (admin, technicien,
/// lecteur).
const CORE_MATRIX: &[(&str, [bool; 3])] = &[
    ("users.list", [true, true, true]),
    ("users.create", [true, false, false]),
    ("users.update", [true, false, false]),
    ("users.delete", [true, false, false]),
    ("users.get", [true, true, true]),
    ("roles.create", [true, false, false]),
    ("roles.update", [true, false, false]),
    ("roles.add_permissions", [true, false, false]),
    ("roles.list", [true, true, true]),
    ("roles.delete", [true, false, false]),
    ("client_site.register", [true, false, false]),
    ("client_site.all", [true, true, true]),
    ("client_site.update", [true, false, false]),
    ("client_site.equipements", [true, true, true]),
    ("client_site.delete", [true, false, false]),
    ("equipements.register", [true, false, false]),
    ("equipements.all", [true, true, true]),
    ("equipements.update", [true, true, false]),
    ("equipements.delete", [true, false, false]),
];

const CORE_ROLES: [((&str, &str), &str); 3] =
    [(ADMIN, "admin"), (TECH, "technicien"), (LECTEUR, "lecteur")];

fn core_request(url: &str, route: &CoreRoute, auth: Option<&str>) -> reqwest::RequestBuilder {
    let mut req = http().request(route.method.clone(), format!("{url}{}", route.path));
    if let Some(t) = auth {
        req = req.header("authorization", t);
    }
    if let Some(b) = &route.body {
        req = req.json(b);
    }
    req
}

#[tokio::test]
async fn core_roles_against_every_route() {
    let srv = common::start().await;
    let url = srv.url();
    let routes = core_routes();
    // The table covers exactly the routes exercised, no more, no less.
    let named: Vec<&str> = routes.iter().map(|r| r.name).collect();
    let tabled: Vec<&str> = CORE_MATRIX.iter().map(|(n, _)| *n).collect();
    assert_eq!(named, tabled);

    let mut failures = Vec::new();
    for (col, (account, role)) in CORE_ROLES.iter().enumerate() {
        let token = common::raw_token(&url, *account).await;
        let bearer = format!("Bearer {token}");
        for (route, (_, allowed)) in routes.iter().zip(CORE_MATRIX) {
            let (status, body) = send(core_request(&url, route, Some(&bearer))).await;
            let ok = if allowed[col] {
                status.is_success()
                    || matches!(
                        status,
                        StatusCode::NOT_FOUND
                            | StatusCode::CONFLICT
                            | StatusCode::UNPROCESSABLE_ENTITY
                    )
            } else {
                let (ressource, action) = route.needs;
                status == StatusCode::FORBIDDEN
                    && body["detail"]
                        == format!("Permission denied: role '{role}' cannot {action} {ressource}")
            };
            if !ok {
                failures.push(format!(
                    "{role} × {}: expected {}, got {status} {body}",
                    route.name,
                    if allowed[col] { "allowed" } else { "403" }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Nothing was created or changed by the allowed writes.
    let admin = srv.admin();
    assert_eq!(admin.list_users().await.unwrap().len(), 3);
    assert_eq!(admin.list_roles().await.unwrap().len(), 3);
}

#[tokio::test]
async fn core_without_a_valid_token_is_401_everywhere() {
    let srv = common::start_with(|cfg| cfg.access_ttl = Duration::from_secs(1)).await;
    let url = srv.url();
    let expiring = common::raw_token(&url, ADMIN).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let cases: [(&str, Option<String>, &str); 5] = [
        ("missing", None, "Not authenticated"),
        (
            "garbage",
            Some("Bearer not.a.jwt".into()),
            "Could not validate credentials",
        ),
        ("empty bearer", Some("Bearer ".into()), "Not authenticated"),
        (
            "another scheme",
            Some(format!("Basic {}", "YWRtaW46YWRtaW4=")),
            "Not authenticated",
        ),
        (
            "expired",
            Some(format!("Bearer {expiring}")),
            "Could not validate credentials",
        ),
    ];
    let mut failures = Vec::new();
    for route in core_routes() {
        for (what, auth, detail) in &cases {
            let (status, body) = send(core_request(&url, &route, auth.as_deref())).await;
            // The empty bearer has no token to check: either wording is a 401.
            let detail_ok = body["detail"] == *detail || *what == "empty bearer";
            if status != StatusCode::UNAUTHORIZED || !detail_ok {
                failures.push(format!("{what} × {}: got {status} {body}", route.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---- Ocean ----------------------------------------------------------------------------------

const OCEAN_ADMIN: (&str, &str) = ("admin", "admin-demo");
const OCEAN_LECTEUR: (&str, &str) = ("lecteur", "lecteur-demo");

struct OceanRoute {
    name: &'static str,
    method: Method,
    /// Path and query under `/ocean/restapi/`.
    path: &'static str,
    body: Option<Value>,
    /// A write a read-only account may not make.
    write: bool,
}

fn ocean_routes() -> Vec<OceanRoute> {
    let r = |name, method, path, body: Option<Value>, write| OceanRoute {
        name,
        method,
        path,
        body,
        write,
    };
    vec![
        r(
            "individus.list",
            Method::POST,
            "individus/list?customerId=1",
            None,
            false,
        ),
        // An invalid body: refused by validation once authorized.
        r(
            "individus.create",
            Method::POST,
            "individus/create?customerId=1",
            Some(json!({ "individu": { "nomInd": "" } })),
            true,
        ),
        r(
            "individus.update",
            Method::POST,
            "individus/update?customerId=1",
            Some(json!({ "individu": { "id": 999999, "nomInd": "X", "prenomInd": "Y" } })),
            true,
        ),
        r(
            "individus.delete",
            Method::POST,
            "individus/delete?customerId=1&individuId=999999",
            None,
            true,
        ),
        r(
            "individus.affectation",
            Method::POST,
            "individus/affectation-entite/add?customerId=1&individuId=999999&entiteId=999999&startDate=27%2F11%2F2025%2008%3A00%3A00%20%2B0100",
            None,
            true,
        ),
        r(
            "auth.requestPasswordReset",
            Method::POST,
            "auth/requestPasswordReset",
            Some(json!({ "login": "nobody-at-all" })),
            false,
        ),
        r(
            "authorization.functionalities",
            Method::GET,
            "authorization/functionalities_detailed?elementType=ACTION",
            None,
            false,
        ),
        r("demo.outbox", Method::GET, "demo/outbox", None, false),
    ]
}

/// `auth/changePassword` with the right current password but two different new ones: a 400
/// once authenticated, whoever asks (it is one's own password).
fn change_password(password: &str) -> Value {
    json!({
        "actualPassword": password,
        "newPassword": "nouveau-1234",
        "newPasswordConfirmed": "nouveau-5678",
    })
}

async fn ocean_token(url: &str, account: (&str, &str)) -> String {
    let (status, v) = send(
        http()
            .post(format!("{url}/ocean/restapi/auth/authenticate2"))
            .json(&json!({ "login": account.0, "password": account.1 })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "Ocean login of {}", account.0);
    v["token"].as_str().expect("token").to_string()
}

fn ocean_request(
    url: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
    token: Option<&str>,
) -> reqwest::RequestBuilder {
    let mut req = http().request(method, format!("{url}/ocean/restapi/{path}"));
    if let Some(t) = token {
        req = req.header("X-AUTH-TOKEN", t);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    req
}

/// Spring Boot's error body, with its status and path.
fn spring_error(status: StatusCode, body: &Value, path: &str) -> bool {
    body["status"] == status.as_u16()
        && body["error"].is_string()
        && body["message"].is_string()
        && body["timestamp"].is_string()
        && body["path"] == path.split('?').next().unwrap_or_default()
}

#[tokio::test]
async fn ocean_admin_writes_and_the_reader_only_reads() {
    let srv = common::start().await;
    let url = srv.url();
    let mut failures = Vec::new();
    for (account, read_only) in [(OCEAN_ADMIN, false), (OCEAN_LECTEUR, true)] {
        let token = ocean_token(&url, account).await;
        let mut routes = ocean_routes();
        routes.push(OceanRoute {
            name: "auth.changePassword",
            method: Method::POST,
            path: "auth/changePassword",
            body: Some(change_password(account.1)),
            write: false,
        });
        for route in &routes {
            let (status, body) = send(ocean_request(
                &url,
                route.method.clone(),
                route.path,
                route.body.as_ref(),
                Some(&token),
            ))
            .await;
            let refused = route.write && read_only;
            let ok = if refused {
                status == StatusCode::FORBIDDEN
                    && body["message"]
                        .as_str()
                        .is_some_and(|m| m.starts_with(&format!("Read-only user {}:", account.0)))
            } else {
                // Authorized: a success, or the validation's 400 for the harmless writes.
                status.is_success()
                    || (status == StatusCode::BAD_REQUEST
                        && !body["message"]
                            .as_str()
                            .unwrap_or_default()
                            .contains("Read-only"))
            };
            if !ok {
                failures.push(format!(
                    "{} × {}: expected {}, got {status} {body}",
                    account.0,
                    route.name,
                    if refused { "403" } else { "allowed" }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The reader's reads really answered data.
    let token = ocean_token(&url, OCEAN_LECTEUR).await;
    let (status, list) = send(ocean_request(
        &url,
        Method::POST,
        "individus/list",
        None,
        Some(&token),
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.as_array().is_some_and(|a| !a.is_empty()));
}

#[tokio::test]
async fn ocean_without_a_valid_token_is_401_everywhere() {
    let srv = common::start_with(|cfg| {
        cfg.ocean_token_ttl = Duration::from_secs(1);
        cfg.ocean_requests_per_minute = 100_000;
    })
    .await;
    let url = srv.url();
    let expiring = ocean_token(&url, OCEAN_ADMIN).await;
    let expiring_reader = ocean_token(&url, OCEAN_LECTEUR).await;
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let mut routes = ocean_routes();
    routes.push(OceanRoute {
        name: "auth.changePassword",
        method: Method::POST,
        path: "auth/changePassword",
        body: Some(change_password("admin-demo")),
        write: false,
    });
    let cases: [(&str, Option<&str>); 5] = [
        ("missing", None),
        ("empty", Some("")),
        ("garbage", Some("'; DROP TABLE ocean_tokens;--")),
        ("expired", Some(&expiring)),
        ("expired reader", Some(&expiring_reader)),
    ];
    let mut failures = Vec::new();
    for route in &routes {
        for (what, token) in cases {
            let (status, body) = send(ocean_request(
                &url,
                route.method.clone(),
                route.path,
                route.body.as_ref(),
                token,
            ))
            .await;
            let path = format!("/ocean/restapi/{}", route.path);
            if status != StatusCode::UNAUTHORIZED || !spring_error(status, &body, &path) {
                failures.push(format!("{what} × {}: got {status} {body}", route.name));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Logging in again works.
    let fresh = ocean_token(&url, OCEAN_ADMIN).await;
    let (status, _) = send(ocean_request(
        &url,
        Method::POST,
        "individus/list?customerId=1",
        None,
        Some(&fresh),
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
}

// ---- Maarch ---------------------------------------------------------------------------------

const MAARCH_ADMIN: (&str, &str) = ("admin", "admin-demo");
const MAARCH_AGENT: (&str, &str) = ("agent", "agent-demo");
/// The root account logs in for tokens (`admin` is a web-service account: Basic only).
const MAARCH_ROOT: (&str, &str) = ("superadmin", "superadmin-demo");
/// `bwayne`: exists, not linked to Maarch Parapheur, in group AGENT and entities PJS, SP.
const BWAYNE: i64 = 21;

/// Every Maarch route with a harmless request (answers 200, or a 400 of the body checks that
/// run after the privilege): (name, method, path under `/rest/`, body).
fn maarch_routes() -> Vec<(&'static str, Method, String, Option<Value>)> {
    let u = BWAYNE;
    vec![
        ("users.list", Method::GET, "users".into(), None),
        (
            "users.create",
            Method::POST,
            "users".into(),
            Some(json!({})),
        ),
        (
            "users.update",
            Method::PUT,
            format!("users/{u}"),
            Some(json!({})),
        ),
        (
            "users.details",
            Method::GET,
            format!("users/{u}/details"),
            None,
        ),
        (
            "users.groups.add",
            Method::POST,
            format!("users/{u}/groups"),
            Some(json!({})),
        ),
        // Not a member: removing is a no-op.
        (
            "users.groups.remove",
            Method::DELETE,
            format!("users/{u}/groups/ELU"),
            None,
        ),
        (
            "users.entities.add",
            Method::POST,
            format!("users/{u}/entities"),
            Some(json!({})),
        ),
        (
            "users.entities.remove",
            Method::DELETE,
            format!("users/{u}/entities/COR"),
            None,
        ),
        (
            "parapheur.link",
            Method::PUT,
            format!("users/{u}/linkToMaarchParapheur"),
            Some(json!({})),
        ),
        (
            "parapheur.unlink",
            Method::PUT,
            format!("users/{u}/unlinkToMaarchParapheur"),
            None,
        ),
        (
            "parapheur.create",
            Method::PUT,
            format!("users/{u}/createInMaarchParapheur"),
            Some(json!({})),
        ),
        (
            "parapheur.status.get",
            Method::GET,
            format!("users/{u}/statusInMaarchParapheur"),
            None,
        ),
        (
            "parapheur.status.put",
            Method::PUT,
            format!("users/{u}/statusInMaarchParapheur"),
            None,
        ),
        ("groups", Method::GET, "groups".into(), None),
        ("entities", Method::GET, "entities".into(), None),
    ]
}

enum MaarchAuth<'a> {
    None,
    Basic(&'a str, &'a str),
    Bearer(&'a str),
    Raw(&'a str),
}

fn maarch_request(
    url: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
    auth: &MaarchAuth,
) -> reqwest::RequestBuilder {
    let mut req = http().request(method, format!("{url}/rest/{path}"));
    req = match auth {
        MaarchAuth::None => req,
        MaarchAuth::Basic(l, p) => req.basic_auth(l, Some(p)),
        MaarchAuth::Bearer(t) => req.bearer_auth(t),
        MaarchAuth::Raw(h) => req.header("authorization", *h),
    };
    if let Some(b) = body {
        req = req.json(b);
    }
    req
}

async fn maarch_token(url: &str, account: (&str, &str)) -> String {
    let resp = http()
        .post(format!("{url}/rest/authenticate"))
        .json(&json!({ "login": account.0, "password": account.1 }))
        .send()
        .await
        .expect("login");
    assert_eq!(
        resp.status(),
        StatusCode::NO_CONTENT,
        "login of {}",
        account.0
    );
    resp.headers()["token"]
        .to_str()
        .expect("ASCII token")
        .to_string()
}

async fn maarch_fingerprint(url: &str) -> Value {
    let (s, users) = send(maarch_request(
        url,
        Method::GET,
        "users",
        None,
        &MaarchAuth::Basic(MAARCH_ADMIN.0, MAARCH_ADMIN.1),
    ))
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, details) = send(maarch_request(
        url,
        Method::GET,
        &format!("users/{BWAYNE}/details"),
        None,
        &MaarchAuth::Basic(MAARCH_ADMIN.0, MAARCH_ADMIN.1),
    ))
    .await;
    assert_eq!(s, StatusCode::OK);
    json!([users, details])
}

#[tokio::test]
async fn maarch_admin_against_an_agent_without_the_right() {
    let srv = common::start_with(|cfg| cfg.login_failures_per_minute = 10_000).await;
    let url = srv.url();
    let before = maarch_fingerprint(&url).await;
    let admin_token = maarch_token(&url, MAARCH_ROOT).await;
    let agent_token = maarch_token(&url, MAARCH_AGENT).await;
    let callers = [
        (
            "admin basic",
            MaarchAuth::Basic(MAARCH_ADMIN.0, MAARCH_ADMIN.1),
            true,
        ),
        ("admin token", MaarchAuth::Bearer(&admin_token), true),
        ("agent token", MaarchAuth::Bearer(&agent_token), false),
    ];
    let mut failures = Vec::new();
    for (who, auth, admin) in &callers {
        for (name, method, path, body) in maarch_routes() {
            let (status, answer) =
                send(maarch_request(&url, method, &path, body.as_ref(), auth)).await;
            let ok = if *admin {
                status == StatusCode::OK
                    || status == StatusCode::NO_CONTENT
                    || (status == StatusCode::BAD_REQUEST
                        && answer["errors"].is_string()
                        && answer["errors"] != "Service forbidden")
            } else {
                status == StatusCode::FORBIDDEN
                    && answer == json!({ "errors": "Service forbidden" })
            };
            if !ok {
                failures.push(format!(
                    "{who} × {name}: expected {}, got {status} {answer}",
                    if *admin {
                        "allowed"
                    } else {
                        "403 Service forbidden"
                    }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(maarch_fingerprint(&url).await, before, "nothing changed");
}

#[tokio::test]
async fn maarch_refused_credentials_are_401_everywhere() {
    let srv = common::start_with(|cfg| {
        cfg.login_failures_per_minute = 10_000;
        cfg.maarch_token_ttl = Duration::from_secs(1);
    })
    .await;
    let url = srv.url();
    let expiring = maarch_token(&url, MAARCH_ROOT).await;
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let cases = [
        // `agent` is a standard user: its right password is still refused over Basic.
        (
            "basic standard user",
            MaarchAuth::Basic(MAARCH_AGENT.0, MAARCH_AGENT.1),
        ),
        (
            "basic bad password",
            MaarchAuth::Basic(MAARCH_ADMIN.0, "not-the-password"),
        ),
        (
            "basic unknown user",
            MaarchAuth::Basic("'; DROP TABLE maarch_users;--", "x"),
        ),
        ("expired token", MaarchAuth::Bearer(&expiring)),
        ("garbage token", MaarchAuth::Bearer("garbage")),
        ("garbage basic", MaarchAuth::Raw("Basic !!!")),
        ("missing", MaarchAuth::None),
    ];
    let mut failures = Vec::new();
    for (name, method, path, body) in maarch_routes() {
        for (what, auth) in &cases {
            let (status, answer) = send(maarch_request(
                &url,
                method.clone(),
                &path,
                body.as_ref(),
                auth,
            ))
            .await;
            if status != StatusCode::UNAUTHORIZED
                || answer != json!({ "errors": "Authentication Failed" })
            {
                failures.push(format!("{what} × {name}: got {status} {answer}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The right credentials still work.
    let (status, _) = send(maarch_request(
        &url,
        Method::GET,
        "users",
        None,
        &MaarchAuth::Basic(MAARCH_ADMIN.0, MAARCH_ADMIN.1),
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
}
