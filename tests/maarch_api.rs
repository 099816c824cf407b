//! Every Maarch Courrier route through the typed `MaarchClient` against the reference server
//! over real HTTP: Basic and token authentication, the answers' shapes, and each documented
//! error message in Maarch's order of checks. Raw requests cover what the client never sends.

mod common;

use std::fmt::Debug;
use std::time::Duration;

use common::TestServer;
use reqwest::{Method, StatusCode};
use secrecy::SecretString;
use serde_json::{Value, json};
use vigie::api::maarch::{MaarchAuthMode, MaarchClient, MaarchUserUpdate, NewMaarchUser};
use vigie::api::{ApiError, Credentials};
use vigie::server::SeedMode;

const ADMIN: (&str, &str) = ("admin", "admin-demo");
/// The root account: mode `root_invisible`, logs in for tokens (`admin` is a `rest` account,
/// refused a token as by Maarch).
const SUPERADMIN: (&str, &str) = ("superadmin", "superadmin-demo");
const AGENT: (&str, &str) = ("agent", "agent-demo");
/// Seeded ids: `bwayne` and `bboule` as in the doc's samples, `bbain` linked to Parapheur 19,
/// `ppetit` deleted.
const BWAYNE: i64 = 21;
const BBOULE: i64 = 9;
const BBAIN: i64 = 12;
const PPETIT: i64 = 5;
const UNKNOWN: i64 = 999;

fn password(account: (&str, &str)) -> Credentials {
    Credentials::Password {
        username: account.0.into(),
        password: SecretString::from(account.1.to_string()),
    }
}

fn client(srv: &TestServer, account: (&str, &str), mode: MaarchAuthMode) -> MaarchClient {
    MaarchClient::new(&srv.url(), password(account), mode, &common::http_options()).expect("client")
}

fn admin(srv: &TestServer) -> MaarchClient {
    client(srv, ADMIN, MaarchAuthMode::Basic)
}

fn agent(srv: &TestServer) -> MaarchClient {
    client(srv, AGENT, MaarchAuthMode::Token)
}

/// Status and server message of a refused call.
fn refusal<T: Debug>(r: Result<T, ApiError>) -> (u16, String) {
    let e = r.expect_err("the server should refuse");
    let message = match &e {
        ApiError::BadRequest(m)
        | ApiError::Unauthorized(m)
        | ApiError::Forbidden(m)
        | ApiError::NotFound(m) => m.clone(),
        other => panic!("unexpected error {other:?}"),
    };
    (e.status().expect("an HTTP status"), message)
}

fn bad(message: &str) -> (u16, String) {
    (400, message.to_string())
}

fn forbidden(message: &str) -> (u16, String) {
    (403, message.to_string())
}

/// A request as the admin (Basic), with a raw body.
async fn raw(srv: &TestServer, method: Method, path: &str, body: Option<&str>) -> (u16, Value) {
    raw_as(srv, Some(ADMIN), method, path, body).await
}

async fn raw_as(
    srv: &TestServer,
    account: Option<(&str, &str)>,
    method: Method,
    path: &str,
    body: Option<&str>,
) -> (u16, Value) {
    let mut req = reqwest::Client::new().request(method, format!("{}/rest/{path}", srv.url()));
    if let Some((login, pw)) = account {
        req = req.basic_auth(login, Some(pw));
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.expect("body");
    let v = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("a JSON answer")
    };
    (status, v)
}

/// `POST /rest/authenticate` by hand → (token, refresh token).
async fn raw_login(srv: &TestServer, account: (&str, &str)) -> (String, String) {
    let resp = reqwest::Client::new()
        .post(format!("{}/rest/authenticate", srv.url()))
        .json(&json!({ "login": account.0, "password": account.1 }))
        .send()
        .await
        .expect("login request");
    assert_eq!(
        resp.status(),
        StatusCode::NO_CONTENT,
        "login of {}",
        account.0
    );
    let header = |n: &str| resp.headers()[n].to_str().expect("ASCII").to_string();
    let tokens = (header("Token"), header("Refresh-Token"));
    assert!(resp.bytes().await.expect("body").is_empty());
    tokens
}

fn token_client(url: &str, token: String) -> MaarchClient {
    MaarchClient::new(
        url,
        Credentials::Token(SecretString::from(token)),
        MaarchAuthMode::Token,
        &common::http_options(),
    )
    .expect("client")
}

fn errors(message: &str) -> Value {
    json!({ "errors": message })
}

fn new_user(login: &str) -> NewMaarchUser {
    NewMaarchUser {
        user_id: login.into(),
        firstname: "Clark".into(),
        lastname: "KENT".into(),
        mail: "clark.kent@dailyplanet.com".into(),
        ..NewMaarchUser::default()
    }
}

/// Rows of the tokens table, by kind.
fn tokens(srv: &TestServer, kind: &str) -> i64 {
    let c = rusqlite::Connection::open(&srv.db_path).expect("open db");
    c.query_row(
        "SELECT COUNT(*) FROM maarch_tokens WHERE kind = ?1",
        [kind],
        |r| r.get(0),
    )
    .expect("count")
}

#[tokio::test]
async fn list_hides_deleted_users_and_shows_every_status() {
    let srv = common::start().await;
    let users = admin(&srv).list_users().await.unwrap();
    let by_login = |l: &str| users.iter().find(|u| u.user_id == l);
    let bwayne = by_login("bwayne").expect("bwayne listed");
    assert_eq!(bwayne.id, BWAYNE);
    assert_eq!(
        (bwayne.firstname.as_str(), bwayne.lastname.as_str()),
        ("Bruce", "Wayne")
    );
    assert_eq!(bwayne.mail.as_deref(), Some("bruce.wayne@wcorp.com"));
    assert_eq!(
        (bwayne.mode.as_str(), bwayne.status.as_str()),
        ("standard", "OK")
    );
    assert_eq!(by_login("bboule").unwrap().id, BBOULE);
    assert_eq!(by_login("ccordy").unwrap().status, "ABS");
    assert_eq!(by_login("ddaull").unwrap().status_label(), "suspended");
    assert_eq!(by_login("admin").unwrap().mode, "rest");
    assert!(
        users.iter().any(|u| u.mail.is_none()),
        "a user without mail"
    );
    assert!(by_login("ppetit").is_none(), "DEL users are hidden");
    assert!(users.iter().all(|u| u.status != "DEL"));
    assert!(users.len() >= 8);

    let (status, body) = raw(&srv, Method::GET, "users", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["quota"], json!([]));
    let keys: Vec<&str> = body["users"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "user_id",
            "firstname",
            "lastname",
            "status",
            "mail",
            "mode"
        ]
    );
}

#[tokio::test]
async fn basic_auth_is_for_rest_users_with_the_right_password() {
    let srv = common::start().await;
    let failed = (401, "Authentication Failed".to_string());
    // `agent` has a password but is a standard user: Basic is refused, tokens work.
    let basic_agent = client(&srv, AGENT, MaarchAuthMode::Basic);
    assert_eq!(refusal(basic_agent.list_users().await), failed);
    let wrong = client(&srv, ("admin", "not-it"), MaarchAuthMode::Basic);
    assert_eq!(refusal(wrong.list_users().await), failed);
    let unknown = client(&srv, ("nobody", "admin-demo"), MaarchAuthMode::Basic);
    assert_eq!(refusal(unknown.list_users().await), failed);
    assert_eq!(
        raw_as(&srv, None, Method::GET, "users", None).await,
        (401, errors("Authentication Failed"))
    );
    let no_password = ("bwayne", "");
    assert_eq!(
        raw_as(&srv, Some(no_password), Method::GET, "users", None).await,
        (401, errors("Authentication Failed"))
    );
    // The login is not case-sensitive, as in Maarch.
    let upper = client(&srv, ("ADMIN", "admin-demo"), MaarchAuthMode::Basic);
    assert!(upper.list_users().await.is_ok());
}

#[tokio::test]
async fn failed_logins_are_rate_limited() {
    let srv = common::start_with(|cfg| cfg.login_failures_per_minute = 2).await;
    let wrong = client(&srv, ("admin", "not-it"), MaarchAuthMode::Basic);
    for _ in 0..2 {
        assert_eq!(refusal(wrong.list_users().await).0, 401);
    }
    let resp = reqwest::Client::new()
        .get(format!("{}/rest/users", srv.url()))
        .basic_auth("admin", Some("admin-demo"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().contains_key("retry-after"));
    let body: Value = resp.json().await.unwrap();
    assert!(body["errors"].is_string());
}

#[tokio::test]
async fn token_login_answers_204_with_both_tokens_and_refreshes() {
    let srv = common::start().await;
    let http = reqwest::Client::new();
    let (token, refresh) = raw_login(&srv, AGENT).await;
    assert!(token.len() >= 32 && refresh.len() >= 32 && token != refresh);

    let refreshed = http
        .get(format!("{}/rest/authenticate/token", srv.url()))
        .query(&[("refreshToken", &refresh)])
        .send()
        .await
        .unwrap();
    assert_eq!(refreshed.status(), StatusCode::OK);
    let new_token = refreshed.json::<Value>().await.unwrap()["token"]
        .as_str()
        .expect("token")
        .to_string();
    assert_ne!(new_token, token);
    // The access token is not a refresh token, and the other way round.
    assert_eq!(
        raw_as(
            &srv,
            None,
            Method::GET,
            &format!("authenticate/token?refreshToken={token}"),
            None
        )
        .await,
        (401, errors("Authentication Failed"))
    );
    assert_eq!(
        raw_as(&srv, None, Method::GET, "authenticate/token", None).await,
        (400, errors("Refresh Token is empty"))
    );
    assert_eq!(bearer_status(&srv, &new_token).await, StatusCode::FORBIDDEN);
    assert_eq!(
        bearer_status(&srv, &refresh).await,
        StatusCode::UNAUTHORIZED
    );

    assert_eq!(
        login_answer(&srv, "superadmin", "superadmin-demo").await,
        (204, Value::Null)
    );
    // A web-service account (mode rest) uses Basic: Maarch refuses it a token.
    assert_eq!(
        login_answer(&srv, "admin", "admin-demo").await,
        (403, errors("Authentication Failed"))
    );
    let failed = (401, errors("Authentication Failed"));
    assert_eq!(login_answer(&srv, "agent", "wrong").await, failed);
    assert_eq!(
        login_answer(&srv, "bwayne", "").await,
        (400, errors("Bad Request"))
    );
    assert_eq!(
        raw_as(&srv, None, Method::POST, "authenticate", Some("{}")).await,
        (400, errors("Bad Request"))
    );
    // Absent users may log in; suspended, deleted or password-less ones may not.
    assert_eq!(login_answer(&srv, "bwayne", "anything").await, failed);
    let c = rusqlite::Connection::open(&srv.db_path).unwrap();
    c.execute(
        "UPDATE maarch_users SET password_hash = ?1 WHERE user_id IN ('ccordy', 'ddaull', 'ppetit')",
        [vigie::server::auth::hash_password("secret-pw")],
    )
    .unwrap();
    assert_eq!(
        login_answer(&srv, "ccordy", "secret-pw").await,
        (204, Value::Null)
    );
    assert_eq!(login_answer(&srv, "ddaull", "secret-pw").await, failed);
    assert_eq!(login_answer(&srv, "ppetit", "secret-pw").await, failed);
}

async fn bearer_status(srv: &TestServer, token: &str) -> StatusCode {
    reqwest::Client::new()
        .get(format!("{}/rest/users", srv.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

async fn login_answer(srv: &TestServer, login: &str, password: &str) -> (u16, Value) {
    let body = json!({ "login": login, "password": password }).to_string();
    raw_as(srv, None, Method::POST, "authenticate", Some(&body)).await
}

#[tokio::test]
async fn the_token_client_renews_an_expired_token() {
    let srv = common::start_with(|cfg| cfg.maarch_token_ttl = Duration::from_millis(400)).await;
    let admin = client(&srv, SUPERADMIN, MaarchAuthMode::Token);
    admin.login().await.unwrap();
    assert!(admin.list_users().await.is_ok());
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(admin.list_users().await.is_ok(), "renewed after expiry");
    // Renewed with the refresh token: still one login's worth of refresh tokens.
    assert_eq!(tokens(&srv, "refresh"), 1);

    let bad = client(&srv, ("superadmin", "wrong"), MaarchAuthMode::Token);
    assert_eq!(
        refusal(bad.list_users().await),
        (401, "Authentication Failed".into())
    );

    // A ready token works until it expires; it cannot be renewed.
    let (token, _) = raw_login(&srv, SUPERADMIN).await;
    let ready = token_client(&format!("{}/rest/", srv.url()), token);
    assert!(ready.list_users().await.is_ok());
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(refusal(ready.list_users().await).0, 401);
}

#[tokio::test]
async fn an_expired_refresh_token_means_logging_in_again() {
    let srv = common::start_with(|cfg| {
        cfg.maarch_token_ttl = Duration::from_millis(300);
        cfg.maarch_refresh_ttl = Duration::from_millis(300);
    })
    .await;
    let admin = client(&srv, SUPERADMIN, MaarchAuthMode::Token);
    assert!(admin.list_users().await.is_ok());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(admin.list_users().await.is_ok());
    // Expired rows are purged when new tokens are issued.
    assert_eq!(tokens(&srv, "refresh"), 1);
}

#[tokio::test]
async fn tokens_survive_a_restart() {
    let srv = common::start().await;
    let (token, _) = raw_login(&srv, SUPERADMIN).await;
    let (db_path, dir) = srv.stop().await;
    let running = common::serve(common::demo_config(db_path.clone())).await;
    let srv = TestServer {
        running,
        db_path,
        dir,
    };
    let ready = token_client(&srv.url(), token);
    assert!(ready.list_users().await.is_ok());
}

#[tokio::test]
async fn a_user_without_the_privilege_is_forbidden_everywhere() {
    let srv = common::start().await;
    let agent = agent(&srv);
    let no = forbidden("Service forbidden");
    assert_eq!(refusal(agent.list_users().await), no);
    assert_eq!(refusal(agent.create_user(&new_user("ckent")).await), no);
    let update = MaarchUserUpdate {
        id: BWAYNE,
        firstname: "Bruce".into(),
        lastname: "Wayne".into(),
        mail: Some("bruce.wayne@wcorp.com".into()),
        ..MaarchUserUpdate::default()
    };
    assert_eq!(refusal(agent.update_user(&update).await), no);
    assert_eq!(refusal(agent.user_details(BWAYNE).await), no);
    assert_eq!(refusal(agent.add_group(BWAYNE, "ELU").await), no);
    assert_eq!(refusal(agent.remove_group(BWAYNE, "AGENT").await), no);
    assert_eq!(refusal(agent.add_entity(BWAYNE, "DGS").await), no);
    assert_eq!(refusal(agent.remove_entity(BWAYNE, "SP").await), no);
    assert_eq!(refusal(agent.groups().await), no);
    assert_eq!(refusal(agent.entities().await), no);
    assert_eq!(refusal(agent.link_parapheur(BWAYNE, 20).await), no);
    assert_eq!(refusal(agent.unlink_parapheur(BBAIN).await), no);
    assert_eq!(refusal(agent.create_in_parapheur(BWAYNE, "bw").await), no);
    assert_eq!(refusal(agent.parapheur_status(BBAIN).await), no);
    // Maarch checks the id and the user before the privilege.
    assert_eq!(
        refusal(agent.user_details(UNKNOWN).await),
        bad("User not found")
    );
    // Nothing changed.
    let d = admin(&srv).user_details(BWAYNE).await.unwrap().unwrap();
    assert_eq!(d.groups.len(), 1);
    assert_eq!(d.parapheur_id, None);
}

#[tokio::test]
async fn create_user_checks_in_maarch_order() {
    let srv = common::start().await;
    let admin = admin(&srv);
    let create = |u: NewMaarchUser| {
        let admin = admin.clone();
        async move { refusal(admin.create_user(&u).await) }
    };
    let user_id = bad("Body userId is empty, not a string or not valid");
    assert_eq!(
        raw(&srv, Method::POST, "users", Some("{}")).await,
        (400, errors("Body is empty"))
    );
    assert_eq!(
        raw(&srv, Method::POST, "users", None).await,
        (400, errors("Body is empty"))
    );
    assert_eq!(
        raw(&srv, Method::POST, "users", Some(r#"{"userId": 12}"#)).await,
        (400, json!({ "errors": user_id.1 }))
    );
    for login in ["", "b wayne", "bwayné", &"x".repeat(129)] {
        assert_eq!(create(new_user(login)).await, user_id, "{login:?}");
    }
    // Several faults: the first check wins.
    let mut many = new_user("bad login");
    many.mail = "not-a-mail".into();
    many.firstname = String::new();
    assert_eq!(create(many).await, user_id);
    let mut u = new_user("ckent");
    u.firstname = "  ".into();
    u.mail = "nope".into();
    assert_eq!(
        create(u).await,
        bad("Body firstname is empty or not a string")
    );
    let mut u = new_user("ckent");
    u.lastname = String::new();
    u.phone = Some("call me".into());
    assert_eq!(
        create(u).await,
        bad("Body lastname is empty or not a string")
    );
    let mut u = new_user("ckent");
    u.initials = Some("C".repeat(33));
    u.mail = String::new();
    assert_eq!(create(u).await, bad("Body initials is too long"));
    for mail in [
        "",
        "clark",
        "clark@",
        "@planet.com",
        "clark kent@planet.com",
    ] {
        let mut u = new_user("ckent");
        u.mail = mail.into();
        u.mode = Some("superman".into());
        assert_eq!(
            create(u).await,
            bad("Body mail is empty or not valid"),
            "{mail}"
        );
    }
    // Maarch's pattern is not anchored at the start: what ends with a digit passes.
    for phone in ["call me", "0123-", "x", &"1".repeat(33)] {
        let mut u = new_user("ckent");
        u.phone = Some(phone.into());
        u.mode = Some("superman".into());
        assert_eq!(create(u).await, bad("Body phone is not valid"), "{phone}");
    }
    let mut u = new_user("bwayne");
    u.mode = Some("superman".into());
    assert_eq!(create(u).await, bad("Body mode is not valid"));
    assert_eq!(
        create(new_user("bwayne")).await,
        bad("L'identifiant utilisateur existe déjà")
    );
    assert_eq!(
        create(new_user("BWayne")).await,
        bad("L'identifiant utilisateur existe déjà")
    );
    assert_eq!(
        raw(&srv, Method::POST, "users", Some(r#"{"userId":"#)).await,
        (400, errors("Body is not valid JSON"))
    );

    let mut u = new_user("ckent");
    u.initials = Some("CK".into());
    u.phone = Some("+1 (555) 010-0199".into());
    u.mode = Some("root_visible".into());
    let id = admin.create_user(&u).await.unwrap();
    assert!(id > BWAYNE);
    let d = admin.user_details(id).await.unwrap().unwrap();
    assert_eq!(d.user.user_id, "ckent");
    assert_eq!(d.user.initials.as_deref(), Some("CK"));
    assert_eq!(d.user.phone.as_deref(), Some("+1 (555) 010-0199"));
    assert_eq!(
        (d.user.mode.as_str(), d.user.status.as_str()),
        ("root_visible", "OK")
    );
    assert!(d.groups.is_empty() && d.entities.is_empty());
    let plain = admin.create_user(&new_user("lane")).await.unwrap();
    let listed = admin.list_users().await.unwrap();
    let lane = listed.iter().find(|u| u.id == plain).expect("listed");
    assert_eq!(lane.mode, "standard");

    // A deleted account's login brings it back, as in Maarch.
    let revived = admin.create_user(&new_user("ppetit")).await.unwrap();
    assert_eq!(revived, PPETIT);
    let listed = admin.list_users().await.unwrap();
    let ppetit = listed
        .iter()
        .find(|u| u.id == PPETIT)
        .expect("listed again");
    assert_eq!(
        (ppetit.status.as_str(), ppetit.lastname.as_str()),
        ("OK", "KENT")
    );
}

#[tokio::test]
async fn update_user_checks_the_id_the_user_then_the_body() {
    let srv = common::start().await;
    let admin = admin(&srv);
    let update = |id: i64| MaarchUserUpdate {
        id,
        firstname: "Bruce".into(),
        lastname: "WAYNE".into(),
        mail: Some("batman@wcorp.com".into()),
        initials: Some("BW".into()),
        phone: Some("01 23 45 67 89".into()),
        mode: None,
        status: None,
    };
    admin.update_user(&update(BWAYNE)).await.unwrap();
    let d = admin.user_details(BWAYNE).await.unwrap().unwrap();
    assert_eq!(d.user.lastname, "WAYNE");
    assert_eq!(d.user.mail.as_deref(), Some("batman@wcorp.com"));
    assert_eq!(d.user.initials.as_deref(), Some("BW"));
    assert_eq!(d.user.phone.as_deref(), Some("01 23 45 67 89"));
    assert_eq!(d.user.mode, "standard", "mode kept when not sent");
    let mut to_rest = update(BWAYNE);
    to_rest.mode = Some("rest".into());
    to_rest.phone = None;
    to_rest.initials = None;
    admin.update_user(&to_rest).await.unwrap();
    let d = admin.user_details(BWAYNE).await.unwrap().unwrap();
    // As Maarch: an absent phone is written empty, absent initials null.
    assert_eq!(
        (
            d.user.mode.as_str(),
            d.user.phone.as_deref(),
            d.user.initials
        ),
        ("rest", Some(""), None)
    );

    assert_eq!(
        raw(&srv, Method::PUT, &format!("users/{BWAYNE}"), Some("")).await,
        (400, errors("Body firstname is empty or not a string"))
    );
    assert_eq!(
        refusal(admin.update_user(&update(UNKNOWN)).await),
        bad("User not found")
    );
    assert_eq!(
        refusal(admin.update_user(&update(PPETIT)).await),
        bad("User not found")
    );
    assert_eq!(
        raw(&srv, Method::PUT, "users/abc", Some("{}")).await,
        (400, errors("id must be an integer"))
    );
    assert_eq!(
        raw(&srv, Method::PUT, "users/99999999999999999999", Some("{}")).await,
        (400, errors("id must be an integer"))
    );
    let mut u = update(BWAYNE);
    u.mail = Some("batman".into());
    u.mode = Some("superman".into());
    assert_eq!(
        refusal(admin.update_user(&u).await),
        bad("Body mail is not correct")
    );
    let mut u = update(BWAYNE);
    u.mode = Some("superman".into());
    assert_eq!(
        refusal(admin.update_user(&u).await),
        bad("Body mode is not valid")
    );
    let mut u = update(BWAYNE);
    u.initials = Some("B".repeat(33));
    assert_eq!(
        refusal(admin.update_user(&u).await),
        bad("Body initials is too long")
    );
}

#[tokio::test]
async fn details_show_groups_entities_and_the_parapheur_link() {
    let srv = common::start().await;
    let admin = admin(&srv);
    let d = admin.user_details(BBAIN).await.unwrap().expect("route");
    assert_eq!(d.user.user_id, "bbain");
    assert_eq!(d.parapheur_id, Some(19));
    assert_eq!(d.groups.len(), 1);
    assert_eq!(d.groups[0].group_id, "RESPONSABLE");
    assert!(!d.groups[0].group_desc.is_empty());
    let entities: Vec<(&str, bool)> = d
        .entities
        .iter()
        .map(|e| (e.entity_id.as_str(), e.is_primary()))
        .collect();
    assert_eq!(entities, [("DGS", true), ("PJS", false)]);
    assert_eq!(
        admin
            .user_details(BWAYNE)
            .await
            .unwrap()
            .unwrap()
            .parapheur_id,
        None
    );
    assert_eq!(
        refusal(admin.user_details(PPETIT).await),
        bad("User not found")
    );
    let (status, body) = raw(&srv, Method::GET, &format!("users/{BBAIN}/details"), None).await;
    assert_eq!(status, 200);
    assert_eq!(body["external_id"], json!({ "maarchParapheur": 19 }));
    // The user's role in the group, as Maarch shows it.
    assert_eq!(body["groups"][0]["role"], "Chef de service");
    let d = admin.user_details(BBAIN).await.unwrap().unwrap();
    assert_eq!(d.groups[0].role.as_deref(), Some("Chef de service"));
    assert_eq!(
        body["entities"][0]["entity_label"],
        "Direction Générale des Services"
    );
    let (_, body) = raw(&srv, Method::GET, &format!("users/{BWAYNE}/details"), None).await;
    assert_eq!(body["external_id"], json!({}));
}

#[tokio::test]
async fn pickers_list_groups_and_entities() {
    let srv = common::start().await;
    let admin = admin(&srv);
    let groups: Vec<String> = admin
        .groups()
        .await
        .unwrap()
        .into_iter()
        .map(|g| g.group_id)
        .collect();
    assert_eq!(
        groups,
        ["ADMINISTRATEUR", "AGENT", "ELU", "RESPONSABLE", "COURRIER"]
    );
    let entities = admin.entities().await.unwrap();
    let ville = entities.iter().find(|e| e.entity_id == "VILLE").unwrap();
    assert_eq!(ville.entity_label, "Ville de Maarch-les-bains");
    let pjs = entities.iter().find(|e| e.entity_id == "PJS").unwrap();
    assert_eq!(pjs.entity_label, "Pôle Jeunesse et Sport");
    for id in ["DGS", "PE", "SP", "COR"] {
        assert!(entities.iter().any(|e| e.entity_id == id), "{id}");
    }
    let (_, body) = raw(&srv, Method::GET, "groups", None).await;
    assert!(body["groups"][0]["id"].is_i64());
    assert!(body["groups"][0]["group_desc"].is_string());
    let (_, body) = raw(&srv, Method::GET, "entities", None).await;
    assert!(body["entities"][0]["id"].is_i64());
}

#[tokio::test]
async fn groups_are_added_and_removed() {
    let srv = common::start().await;
    let admin = admin(&srv);
    let groups = admin.add_group(BWAYNE, "ELU").await.unwrap();
    let ids: Vec<&str> = groups.iter().map(|g| g.group_id.as_str()).collect();
    assert_eq!(ids, ["AGENT", "ELU"]);
    assert_eq!(
        refusal(admin.add_group(BWAYNE, "ELU").await),
        bad("L'utilisateur est déjà lié à ce groupe")
    );
    assert_eq!(
        refusal(admin.add_group(BWAYNE, "NOPE").await),
        bad("Group not found")
    );
    assert_eq!(
        refusal(admin.add_group(UNKNOWN, "ELU").await),
        bad("User not found")
    );
    let path = format!("users/{BWAYNE}/groups");
    assert_eq!(
        raw(&srv, Method::POST, &path, Some("{}")).await,
        (400, errors("Bad Request"))
    );
    let (status, body) = raw(
        &srv,
        Method::POST,
        &path,
        Some(r#"{"groupId":"RESPONSABLE","role":"Chef de service"}"#),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["baskets"], json!([]));
    let responsable = body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group_id"] == "RESPONSABLE")
        .unwrap();
    assert_eq!(responsable["role"], "Chef de service");
    assert_eq!(responsable["group_desc"], "Responsable de service");

    admin.remove_group(BWAYNE, "ELU").await.unwrap();
    // Removing a link that does not exist changes nothing.
    admin.remove_group(BWAYNE, "ELU").await.unwrap();
    assert_eq!(
        refusal(admin.remove_group(BWAYNE, "NOPE").await),
        bad("Group not found")
    );
    let (status, body) = raw(&srv, Method::DELETE, &format!("{path}/AGENT"), None).await;
    assert_eq!(status, 200);
    assert_eq!(body["groups"].as_array().unwrap().len(), 1);
    let d = admin.user_details(BWAYNE).await.unwrap().unwrap();
    let ids: Vec<&str> = d.groups.iter().map(|g| g.group_id.as_str()).collect();
    assert_eq!(ids, ["RESPONSABLE"]);
}

#[tokio::test]
async fn the_first_entity_is_primary_until_removed() {
    let srv = common::start().await;
    let admin = admin(&srv);
    let id = admin.create_user(&new_user("ckent")).await.unwrap();
    let primary = |entities: &[vigie::api::maarch::MaarchEntity]| {
        entities
            .iter()
            .map(|e| (e.entity_id.clone(), e.is_primary()))
            .collect::<Vec<_>>()
    };
    let e = admin.add_entity(id, "PJS").await.unwrap();
    assert_eq!(primary(&e), [("PJS".to_string(), true)]);
    let e = admin.add_entity(id, "SP").await.unwrap();
    assert_eq!(
        primary(&e),
        [("PJS".to_string(), true), ("SP".to_string(), false)]
    );
    assert_eq!(
        refusal(admin.add_entity(id, "SP").await),
        bad("L'utilisateur est déjà lié à cette entité")
    );
    assert_eq!(
        refusal(admin.add_entity(id, "NOPE").await),
        bad("Entity not found")
    );
    let path = format!("users/{id}/entities");
    assert_eq!(
        raw(&srv, Method::POST, &path, Some(r#"{"entityId":""}"#)).await,
        (400, errors("Bad Request"))
    );
    let (status, body) = raw(
        &srv,
        Method::POST,
        &path,
        Some(r#"{"entityId":"DGS","role":"Secrétaire"}"#),
    )
    .await;
    assert_eq!(status, 200);
    let dgs = &body["entities"][2];
    assert_eq!(
        (&dgs["entity_id"], &dgs["user_role"], &dgs["primary_entity"]),
        (&json!("DGS"), &json!("Secrétaire"), &json!("N"))
    );
    assert!(dgs["id"].is_i64() && dgs["entity_label"].is_string());
    let all = body["allEntities"].as_array().unwrap();
    assert_eq!(all.len(), 6);
    let selected: Vec<&str> = all
        .iter()
        .filter(|e| e["selected"] == true)
        .map(|e| e["entity_id"].as_str().unwrap())
        .collect();
    assert_eq!(selected, ["DGS", "PJS", "SP"]);

    admin.remove_entity(id, "PJS").await.unwrap();
    let d = admin.user_details(id).await.unwrap().unwrap();
    assert_eq!(
        primary(&d.entities),
        [("SP".to_string(), true), ("DGS".to_string(), false)]
    );
    admin.remove_entity(id, "PJS").await.unwrap();
    assert_eq!(
        refusal(admin.remove_entity(id, "NOPE").await),
        bad("Entity not found")
    );
    let (status, body) = raw(&srv, Method::DELETE, &format!("{path}/SP"), None).await;
    assert_eq!(status, 200);
    assert_eq!(body["entities"][0]["entity_id"], "DGS");
    assert_eq!(body["entities"][0]["primary_entity"], "Y");
    assert!(body["allEntities"].is_array());
}

#[tokio::test]
async fn parapheur_links_are_made_checked_and_undone() {
    let srv = common::start().await;
    let admin = admin(&srv);
    assert_eq!(admin.parapheur_status(BBAIN).await.unwrap(), "bbain");
    let (status, body) = raw(
        &srv,
        Method::PUT,
        &format!("users/{BBAIN}/statusInMaarchParapheur"),
        None,
    )
    .await;
    assert_eq!(
        (status, body),
        (200, json!({ "link": "bbain", "errors": "" }))
    );
    let no_id = bad("User does not have Maarch Parapheur Id");
    assert_eq!(refusal(admin.parapheur_status(BWAYNE).await), no_id);

    assert_eq!(
        refusal(admin.link_parapheur(BWAYNE, 19).await),
        forbidden("This maarch parapheur user is already linked to someone. Choose another one.")
    );
    assert_eq!(
        refusal(admin.link_parapheur(BWAYNE, 99).await),
        bad("User does not exist in Maarch Parapheur")
    );
    assert_eq!(
        refusal(admin.link_parapheur(BWAYNE, 0).await),
        bad("maarchParapheurUserId is empty or not an integer")
    );
    let link = format!("users/{BWAYNE}/linkToMaarchParapheur");
    for body in [
        r#"{"maarchParapheurUserId":"20"}"#,
        "{}",
        r#"{"maarchParapheurUserId":2.5}"#,
    ] {
        assert_eq!(
            raw(&srv, Method::PUT, &link, Some(body)).await,
            (
                400,
                errors("maarchParapheurUserId is empty or not an integer")
            ),
            "{body}"
        );
    }
    assert_eq!(
        refusal(admin.link_parapheur(UNKNOWN, 20).await),
        bad("User not found")
    );
    let (status, body) = raw(
        &srv,
        Method::PUT,
        &link,
        Some(r#"{"maarchParapheurUserId":20}"#),
    )
    .await;
    assert_eq!((status, body), (200, json!({ "success": "success" })));
    assert_eq!(admin.parapheur_status(BWAYNE).await.unwrap(), "jjane");
    let d = admin.user_details(BWAYNE).await.unwrap().unwrap();
    assert_eq!(d.parapheur_id, Some(20));

    admin.unlink_parapheur(BWAYNE).await.unwrap();
    // Unlinking a user not linked is no error (Maarch answers success all the same).
    admin.unlink_parapheur(BWAYNE).await.unwrap();
    assert_eq!(
        raw(
            &srv,
            Method::PUT,
            &format!("users/{BWAYNE}/unlinkToMaarchParapheur"),
            None
        )
        .await,
        (200, json!({ "success": "success" }))
    );
    assert_eq!(refusal(admin.parapheur_status(BWAYNE).await), no_id);
    admin.link_parapheur(BBOULE, 20).await.unwrap();

    assert_eq!(
        refusal(admin.create_in_parapheur(BWAYNE, "bbain").await),
        bad("Login already exists in Maarch Parapheur")
    );
    assert_eq!(
        refusal(admin.create_in_parapheur(BWAYNE, "BBAIN").await),
        bad("Login already exists in Maarch Parapheur")
    );
    assert_eq!(
        refusal(admin.create_in_parapheur(BWAYNE, "").await),
        bad("Body login is empty or not a string")
    );
    assert_eq!(
        raw(
            &srv,
            Method::PUT,
            &format!("users/{BWAYNE}/createInMaarchParapheur"),
            Some(r#"{"login":7}"#)
        )
        .await,
        (400, errors("Body login is empty or not a string"))
    );
    let external = admin.create_in_parapheur(BWAYNE, "bwayne").await.unwrap();
    assert_eq!(external, 24, "after the five seeded Parapheur users");
    assert_eq!(admin.parapheur_status(BWAYNE).await.unwrap(), "bwayne");
    assert_eq!(
        admin
            .user_details(BWAYNE)
            .await
            .unwrap()
            .unwrap()
            .parapheur_id,
        Some(external)
    );
    assert_eq!(
        refusal(admin.link_parapheur(BBAIN, external).await),
        forbidden("This maarch parapheur user is already linked to someone. Choose another one.")
    );
}

#[tokio::test]
async fn a_disabled_parapheur_refuses_first() {
    let srv = common::start_with(|cfg| cfg.parapheur_enabled = false).await;
    let admin = admin(&srv);
    let off = forbidden("maarchParapheur is not enabled");
    assert_eq!(refusal(admin.parapheur_status(BBAIN).await), off);
    assert_eq!(refusal(admin.link_parapheur(BWAYNE, 20).await), off);
    assert_eq!(refusal(admin.unlink_parapheur(BBAIN).await), off);
    assert_eq!(refusal(admin.create_in_parapheur(BWAYNE, "bw").await), off);
    // Before the id, the user and the body.
    for route in [
        "linkToMaarchParapheur",
        "unlinkToMaarchParapheur",
        "createInMaarchParapheur",
        "statusInMaarchParapheur",
    ] {
        assert_eq!(
            raw(&srv, Method::PUT, &format!("users/abc/{route}"), Some("x")).await,
            (403, errors("maarchParapheur is not enabled")),
            "{route}"
        );
    }
    // The rest of the API does not depend on it.
    assert!(admin.user_details(BBAIN).await.unwrap().is_some());
}

#[tokio::test]
async fn odd_requests_get_maarch_errors() {
    let srv = common::start_with(|cfg| cfg.body_limit = 4096).await;
    assert_eq!(
        raw(&srv, Method::GET, "nowhere", None).await,
        (404, errors("Route not found"))
    );
    assert_eq!(
        raw(&srv, Method::GET, "users/21/nowhere", None).await,
        (404, errors("Route not found"))
    );
    assert_eq!(
        raw(&srv, Method::PATCH, "users", Some("{}")).await,
        (405, errors("Method not allowed"))
    );
    let big = format!(r#"{{"userId":"{}"}}"#, "x".repeat(8192));
    let (status, body) = raw(&srv, Method::POST, "users", Some(&big)).await;
    assert_eq!(status, 413);
    assert!(body["errors"].is_string());
    for body in ["[1,2]", "\"bwayne\"", "null", "42"] {
        assert_eq!(
            raw(&srv, Method::POST, "users", Some(body)).await,
            (400, errors("Body is empty")),
            "{body}"
        );
    }
    for body in ["{", "{\"userId\":}", "\u{feff}{}", "\x00"] {
        assert_eq!(
            raw(&srv, Method::POST, "users", Some(body)).await,
            (400, errors("Body is not valid JSON")),
            "{body:?}"
        );
    }
    assert_eq!(
        raw(&srv, Method::PUT, "users/%FF", Some("{}")).await,
        (400, errors("id must be an integer"))
    );
    assert_eq!(
        raw(&srv, Method::PUT, "users/-1", Some("{}")).await,
        (400, errors("User not found"))
    );
    for header in [
        "Basic !!!",
        "Basic YWRtaW4=",
        "Bearer",
        "Token abc",
        "Basic",
    ] {
        let status = reqwest::Client::new()
            .get(format!("{}/rest/users", srv.url()))
            .header("authorization", header)
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{header}");
    }
    // Still serving.
    assert!(admin(&srv).list_users().await.is_ok());
}

#[tokio::test]
async fn without_demo_data_only_the_bootstrap_admin_exists() {
    let srv = common::start_with(|cfg| cfg.seed = SeedMode::None).await;
    let password = srv
        .running
        .prepared
        .bootstrap_password
        .clone()
        .expect("printed once");
    let admin = client(&srv, ("admin", &password), MaarchAuthMode::Basic);
    let users = admin.list_users().await.unwrap();
    let logins: Vec<&str> = users.iter().map(|u| u.user_id.as_str()).collect();
    assert_eq!(logins, ["admin"]);
    assert_eq!(admin.groups().await.unwrap().len(), 5);
    assert_eq!(admin.entities().await.unwrap().len(), 6);
    assert_eq!(
        refusal(admin.link_parapheur(users[0].id, 19).await),
        bad("User does not exist in Maarch Parapheur")
    );
    let demo = client(&srv, ADMIN, MaarchAuthMode::Basic);
    assert_eq!(refusal(demo.list_users().await).0, 401);
}

/// Maarch Courrier 21.03 as installed (`--like maarch-21.03`): every fact the console relies
/// on, through the client and, where the client never goes, by hand.
#[tokio::test]
async fn maarch_21_03_as_installed() {
    let srv = common::start_with(|c| c.like = vec![vigie::server::Like::Maarch2103]).await;
    let admin = admin(&srv);

    // The admin group manages personal data without viewing it: the phone is left out of
    // another user's details (and the client says it was not received), not of one's own.
    let d = admin.user_details(BWAYNE).await.unwrap().unwrap();
    assert!(d.is_unseen("phone"), "{:?}", d.user.unseen);
    assert_eq!(d.user.phone, None);
    let (_, raw_details) = raw(&srv, Method::GET, &format!("users/{BWAYNE}/details"), None).await;
    assert!(raw_details.get("phone").is_none(), "{raw_details}");
    // An unlinked user's external_id is PHP's empty array.
    assert_eq!(raw_details["external_id"], json!([]));
    assert_eq!(d.parapheur_id, None);
    let me = admin.user_details(1).await.unwrap().unwrap();
    assert!(!me.is_unseen("phone"), "one's own phone is shown");

    // statusInMaarchParapheur is GET only: a PUT gets the web server's HTML 405, which the
    // client words without markup.
    assert_eq!(admin.parapheur_status(BBAIN).await.unwrap(), "bbain");
    let resp = reqwest::Client::new()
        .put(format!(
            "{}/rest/users/{BBAIN}/statusInMaarchParapheur",
            srv.url()
        ))
        .basic_auth(ADMIN.0, Some(ADMIN.1))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    let headers = resp.headers().clone();
    let body = resp.bytes().await.unwrap();
    assert!(body.starts_with(b"<!DOCTYPE"), "an HTML page");
    let e = vigie::api::error::classify(
        vigie::api::error::Family::Maarch,
        StatusCode::METHOD_NOT_ALLOWED,
        &headers,
        &body,
    );
    let words = e.to_string();
    assert!(words.contains("405 Method Not Allowed"), "{words}");
    assert!(!words.contains('<'), "{words}");
    // So does an unknown route's 404.
    let resp = reqwest::Client::new()
        .get(format!("{}/rest/nothing/here", srv.url()))
        .basic_auth(ADMIN.0, Some(ADMIN.1))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let headers = resp.headers().clone();
    let body = resp.bytes().await.unwrap();
    let words = vigie::api::error::classify(
        vigie::api::error::Family::Maarch,
        StatusCode::NOT_FOUND,
        &headers,
        &body,
    )
    .to_string();
    assert!(
        words.contains("404 Not Found") && !words.contains('<'),
        "{words}"
    );
}

/// Facts of the real 21.03 code that hold whatever the installation: the update's words and
/// optional mail, links removed that did not exist, unlinking an unlinked user, an unknown
/// id, reactivation, and token logins refused to web-service accounts.
#[tokio::test]
async fn maarch_21_03_facts_in_every_reading() {
    for like in [vec![], vec![vigie::server::Like::Maarch2103]] {
        let srv = common::start_with(|c| c.like = like.clone()).await;
        let admin = admin(&srv);
        let update = |id: i64| MaarchUserUpdate {
            id,
            firstname: "Denis".into(),
            lastname: "DAULL".into(),
            ..MaarchUserUpdate::default()
        };
        // The mail is optional on an update; a wrong one is "not correct".
        admin.update_user(&update(4)).await.unwrap();
        let mut u = update(4);
        u.mail = Some("denis.daull".into());
        assert_eq!(
            refusal(admin.update_user(&u).await),
            bad("Body mail is not correct")
        );
        let mut u = update(4);
        u.phone = Some("call me".into());
        assert_eq!(
            refusal(admin.update_user(&u).await),
            bad("Body phone is not correct")
        );
        // `status: OK` brings a suspended user back.
        let mut u = update(4);
        u.status = Some("OK".into());
        admin.update_user(&u).await.unwrap();
        let back = admin.list_users().await.unwrap();
        assert_eq!(
            back.iter().find(|x| x.id == 4).map(|x| x.status.as_str()),
            Some("OK"),
            "{like:?}"
        );
        // Removing a group or an entity the user is not in: 200, nothing changes.
        admin.remove_group(BWAYNE, "ELU").await.unwrap();
        admin.remove_entity(BWAYNE, "COR").await.unwrap();
        // Unlinking a user who is not linked: 200 success.
        admin.unlink_parapheur(BWAYNE).await.unwrap();
        // An unknown user.
        assert_eq!(
            refusal(admin.user_details(UNKNOWN).await),
            bad("User not found")
        );
        // A web-service account gets no token: the client says to use Basic.
        let token = client(&srv, ADMIN, MaarchAuthMode::Token);
        let e = token.list_users().await.unwrap_err();
        assert_eq!(e.status(), Some(403), "{like:?}");
        assert!(e.to_string().contains("auth = \"basic\""), "{e}");
    }
}
