//! Every Ocean route, through the typed `OceanClient` against the reference server over real
//! HTTP: success shapes, the customer rule, read-only accounts, strict dates, token expiry and
//! re-login, rate limiting, and Spring Boot's error bodies.

mod common;

use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::{Value, json};
use vigie::api::ocean::{Individu, OceanClient};
use vigie::api::{ApiError, Credentials};

const ADMIN: (&str, &str) = ("admin", "admin-demo");
const LECTEUR: (&str, &str) = ("lecteur", "lecteur-demo");
/// Demo individus of customer 1 and 2.
const CUSTOMER_1: usize = 12;
const CUSTOMER_2: usize = 3;

fn client(url: &str, account: (&str, &str), customer: Option<i64>) -> OceanClient {
    OceanClient::new(
        &format!("{url}/ocean"),
        Credentials::Password {
            username: account.0.into(),
            password: secret(account.1),
        },
        customer,
        &common::http_options(),
    )
    .expect("client")
}

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_string())
}

fn date(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).expect("test date")
}

fn record(body: Value) -> Individu {
    serde_json::from_value(body).expect("record")
}

fn bad_request(r: Result<impl std::fmt::Debug, ApiError>) -> String {
    match r {
        Err(ApiError::BadRequest(m)) => m,
        other => panic!("expected 400, got {other:?}"),
    }
}

fn api(url: &str, route: &str) -> String {
    format!("{url}/ocean/restapi/{route}")
}

/// A raw token, for requests the typed client cannot make.
async fn token(url: &str, account: (&str, &str)) -> String {
    let v: Value = reqwest::Client::new()
        .post(api(url, "auth/authenticate2"))
        .json(&json!({ "login": account.0, "password": account.1 }))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("login body");
    v["token"].as_str().expect("token").to_string()
}

/// A raw request: status, `Retry-After`, JSON body (`null` when empty).
async fn raw(
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    body: Option<&str>,
) -> (StatusCode, Option<String>, Value) {
    let mut req = reqwest::Client::new().request(method, url);
    if let Some(t) = token {
        req = req.header("x-auth-token", t);
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let resp = req.send().await.expect("request");
    let status = resp.status();
    let retry = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap_or_default().to_string());
    let text = resp.text().await.expect("body");
    let v = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("JSON body")
    };
    (status, retry, v)
}

/// Spring Boot's error body, and its message.
fn spring(status: StatusCode, path: &str, v: &Value) -> String {
    assert_eq!(v["status"], status.as_u16(), "{v}");
    assert_eq!(v["error"], status.canonical_reason().unwrap_or(""), "{v}");
    assert_eq!(v["path"], path, "{v}");
    assert!(
        v["timestamp"].as_str().is_some_and(|t| t.len() >= 24),
        "{v}"
    );
    v["message"].as_str().expect("message").to_string()
}

fn new_individu(nom: &str, matricule: &str) -> Individu {
    record(json!({
        "individu": {
            "nomInd": nom, "prenomInd": "Test", "matriculeInd": matricule, "gsm": "",
            "initialesInd": "", "id": "", "email": "", "suppressionLogique": false, "idCivilite": 1
        },
        "entite": { "id": 2, "nom": "", "suppressionLogique": false },
        "utilisateur": null,
        "propSpecifiqueDTO": { "dateFCO": "2025-11-27T15:30:15.353Z", "dateVisiteMedicale": "" },
        "champInconnu": { "garde": true }
    }))
}

#[tokio::test]
async fn login_ok_bad_and_deprecated() {
    let srv = common::start().await;
    let url = srv.url();
    let login = client(&url, ADMIN, Some(1)).login().await.expect("login");
    assert_eq!(login.login, "admin");
    assert_eq!(login.password_expiration_remaining_days, Some(90));

    let bad = client(&url, ("admin", "wrong"), Some(1)).login().await;
    assert_eq!(bad, Err(ApiError::Unauthorized("Bad credentials".into())));
    let unknown = client(&url, ("personne", "x"), None)
        .list_individus(None)
        .await;
    assert!(
        matches!(unknown, Err(ApiError::Unauthorized(_))),
        "{unknown:?}"
    );

    let path = "/ocean/restapi/auth/authenticate";
    let (st, _, v) = raw(
        reqwest::Method::POST,
        format!("{url}{path}?login=lecteur&password=lecteur-demo"),
        None,
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["token"].as_str().map(str::len), Some(128));
    assert_eq!(v["additionalAccountData"], json!({}));
    let (st, _, v) = raw(
        reqwest::Method::POST,
        format!("{url}{path}?login=lecteur&password=x"),
        None,
        None,
    )
    .await;
    assert_eq!(spring(st, path, &v), "Bad credentials");
    let (st, _, v) = raw(
        reqwest::Method::POST,
        api(&url, "auth/authenticate2"),
        None,
        Some(r#"{"login":"admin"}"#),
    )
    .await;
    assert_eq!(
        spring(st, "/ocean/restapi/auth/authenticate2", &v),
        "login and password are required"
    );
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn missing_unknown_and_expired_tokens_then_relogin() {
    let srv = common::start_with(|cfg| cfg.ocean_token_ttl = Duration::from_millis(800)).await;
    let url = srv.url();
    let list = api(&url, "individus/list");
    let path = "/ocean/restapi/individus/list";
    let (st, _, v) = raw(reqwest::Method::POST, list.clone(), None, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(
        spring(st, path, &v),
        "Full authentication is required to access this resource"
    );
    let (st, _, v) = raw(reqwest::Method::POST, list.clone(), Some("0123abcd"), None).await;
    assert_eq!(spring(st, path, &v), "Invalid token");

    let t = token(&url, LECTEUR).await;
    let (st, _, _) = raw(reqwest::Method::POST, list.clone(), Some(&t), None).await;
    assert_eq!(st, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let (st, _, v) = raw(reqwest::Method::POST, list.clone(), Some(&t), None).await;
    assert_eq!(spring(st, path, &v), "Token expired");

    // The client's token expires between the two calls: it logs in again by itself.
    let c = client(&url, LECTEUR, None);
    assert_eq!(c.list_individus(None).await.unwrap().len(), CUSTOMER_1);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(c.list_individus(None).await.unwrap().len(), CUSTOMER_1);

    // A configured token cannot be renewed.
    let fixed = OceanClient::new(
        &format!("{url}/ocean/restapi/"),
        Credentials::Token(secret("not-a-token")),
        None,
        &common::http_options(),
    )
    .unwrap();
    assert!(matches!(
        fixed.list_individus(None).await,
        Err(ApiError::Unauthorized(_))
    ));
}

#[tokio::test]
async fn list_shape_and_customer_rule() {
    let srv = common::start().await;
    let url = srv.url();
    let e = client(&url, ADMIN, None).list_individus(None).await;
    assert_eq!(
        bad_request(e),
        "customerId is required for a multi-client user"
    );
    let e = client(&url, ADMIN, Some(3)).list_individus(None).await;
    assert_eq!(
        e,
        Err(ApiError::Forbidden(
            "Customer 3 is not accessible to this user".into()
        ))
    );
    let e = client(&url, LECTEUR, Some(2)).list_individus(None).await;
    assert!(matches!(e, Err(ApiError::Forbidden(_))), "{e:?}");

    let one = client(&url, ADMIN, Some(1))
        .list_individus(None)
        .await
        .unwrap();
    assert_eq!(one.len(), CUSTOMER_1);
    let two = client(&url, ADMIN, Some(2))
        .list_individus(None)
        .await
        .unwrap();
    assert_eq!(two.len(), CUSTOMER_2);
    // Single-customer accounts need no customerId.
    assert_eq!(
        client(&url, LECTEUR, None)
            .list_individus(None)
            .await
            .unwrap(),
        one
    );

    let first = &one[0];
    assert!(first.get("individu.id").is_some_and(Value::is_i64));
    assert_eq!(first.id(), Some(1));
    assert_eq!(
        (
            first.prenom().as_str(),
            first.nom().as_str(),
            first.matricule().as_str()
        ),
        ("Jean-Pierre", "Mbarga", "M0001")
    );
    assert_eq!(first.login(), "jpmbarga");
    assert_eq!(first.get("utilisateur.individu.id"), Some(&json!(1)));
    assert_eq!(first.entite_nom(), "Direction Générale");
    for key in [
        "individu",
        "entite",
        "utilisateur",
        "groupe",
        "fonctionnalites",
        "propSpecifiqueDTO",
        "vehicleFieldsDTO",
    ] {
        assert!(first.0.contains_key(key), "{key}");
    }
    assert!(one.iter().all(|i| i.id().is_some()));
    // Same matricules in both customers: uniqueness is per customer.
    assert_eq!(two[0].matricule(), "M0001");
}

#[tokio::test]
async fn criteria_filter_the_list() {
    let srv = common::start().await;
    let c = client(&srv.url(), ADMIN, Some(1));
    let all = c.list_individus(None).await.unwrap();
    let ids = |v: &[Individu]| v.iter().map(|i| i.id().unwrap()).collect::<Vec<_>>();
    let expect = |keep: &dyn Fn(&Individu) -> bool| {
        all.iter()
            .filter(|i| keep(i))
            .map(|i| i.id().unwrap())
            .collect::<Vec<_>>()
    };
    let cases: [(&str, Vec<i64>, usize); 5] = [
        ("WITH_USER", expect(&|i| !i.login().is_empty()), 4),
        ("WITHOUT_USER", expect(&|i| i.login().is_empty()), 8),
        ("WITH_ENTITE", expect(&|i| i.entite_id().is_some()), 7),
        (
            "WITH_GSM",
            expect(&|i| !i.text("individu.gsm").is_empty()),
            6,
        ),
        (
            "WITH_VEHICLE",
            expect(&|i| !i.text("vehicleFieldsDTO.immatriculation").is_empty()),
            4,
        ),
    ];
    for (criteria, want, n) in cases {
        let got = ids(&c.list_individus(Some(criteria)).await.unwrap());
        assert_eq!(got, want, "{criteria}");
        assert_eq!(got.len(), n, "{criteria}");
    }
    let e = bad_request(c.list_individus(Some("WITH_BADGE")).await);
    assert!(
        e.starts_with("criteria: 'WITH_BADGE' is not one of WITHOUT_USER"),
        "{e}"
    );
}

#[tokio::test]
async fn create_update_delete() {
    let srv = common::start().await;
    let c = client(&srv.url(), ADMIN, Some(1));
    let st = c
        .create_individu(
            &new_individu("Owona", "T-001"),
            Some(&date("2025-11-27T08:00:00+01:00")),
            None,
        )
        .await
        .unwrap();
    assert_eq!(st.len(), 1);
    assert_eq!(st[0].ocean_status, "SUCCESS");
    let id = CUSTOMER_1 as i64 + CUSTOMER_2 as i64 + 1;
    assert_eq!(st[0].message, format!("Individu {id} créé"));

    let list = c.list_individus(None).await.unwrap();
    let mut created = list.iter().find(|i| i.id() == Some(id)).unwrap().clone();
    assert_eq!(created.nom(), "Owona");
    assert_eq!(created.entite_id(), Some(2));
    assert_eq!(created.entite_nom(), "Agence Douala");
    assert_eq!(created.get("champInconnu.garde"), Some(&json!(true)));
    assert_eq!(
        created.text("periodeEntite.startDate"),
        "2025-11-27T08:00:00.000+01:00"
    );

    created.set("individu.nomInd", json!("Owona Ndi"));
    created.set("individu.gsm", json!("+237 670 00 00 01"));
    let st = c.update_individu(&created).await.unwrap();
    assert_eq!(st[0].message, format!("Individu {id} modifié"));
    let list = c.list_individus(Some("WITH_GSM")).await.unwrap();
    let updated = list.iter().find(|i| i.id() == Some(id)).unwrap();
    assert_eq!(updated.nom(), "Owona Ndi");
    assert_eq!(updated.get("champInconnu"), created.get("champInconnu"));

    let mut ghost = created.clone();
    ghost.set("individu.id", json!(999));
    assert_eq!(
        bad_request(c.update_individu(&ghost).await),
        "Individu 999 introuvable"
    );
    ghost.set("individu.id", json!(""));
    assert_eq!(
        bad_request(c.update_individu(&ghost).await),
        "individu.id: must not be blank"
    );
    // Customer 2 does not see customer 1's individu.
    let other = client(&srv.url(), ADMIN, Some(2));
    assert_eq!(
        bad_request(other.delete_individu(id).await),
        format!("Individu {id} introuvable")
    );

    c.delete_individu(id).await.unwrap();
    let list = c.list_individus(None).await.unwrap();
    assert_eq!(list.len(), CUSTOMER_1);
    assert_eq!(
        bad_request(c.delete_individu(id).await),
        format!("Individu {id} introuvable")
    );
}

#[tokio::test]
async fn bodies_are_validated() {
    let srv = common::start().await;
    let url = srv.url();
    let c = client(&url, ADMIN, Some(1));
    let create = |body: Individu| {
        let c = c.clone();
        async move { bad_request(c.create_individu(&body, None, None).await) }
    };
    let mut b = new_individu("Ateba", "T-002");
    b.set(
        "propSpecifiqueDTO.dateFCO",
        json!("2025-13-01T00:00:00.000Z"),
    );
    assert_eq!(
        create(b).await,
        "propSpecifiqueDTO.dateFCO: '2025-13-01T00:00:00.000Z' is not a date (expected yyyy-MM-dd'T'HH:mm:ss.SSSXXX)"
    );
    let mut b = new_individu("Ateba", "T-002");
    b.set(
        "utilisateur.dateFinValidite",
        json!("2025-02-30T00:00:00.000Z"),
    );
    assert!(
        create(b)
            .await
            .starts_with("utilisateur.dateFinValidite: '2025-02-30")
    );
    let mut b = new_individu("Ateba", "T-002");
    b.set(
        "propSpecifiqueDTO.dateValiditePermis",
        json!("2025-11-27T15:30:15Z"),
    );
    assert!(
        create(b)
            .await
            .starts_with("propSpecifiqueDTO.dateValiditePermis: ")
    );
    let mut b = new_individu("Ateba", "T-002");
    b.set("individu.nomInd", json!("  "));
    assert_eq!(create(b).await, "individu.nomInd: must not be blank");
    // No address format is stated: an odd address is kept as sent, a non-text one refused.
    let mut b = new_individu("Ateba", "T-002");
    b.set("individu.email", json!(5));
    assert!(create(b).await.starts_with("individu.email: "));
    let mut b = new_individu("Ateba", "T-002");
    b.set("individu.idCivilite", json!(7));
    assert!(
        create(b)
            .await
            .starts_with("individu.idCivilite: 7 is not one of")
    );
    let mut b = new_individu("Ateba", "T-002");
    b.set("entite.id", json!(5));
    assert_eq!(create(b).await, "entite.id: entité 5 introuvable");

    assert_eq!(
        create(new_individu("Ateba", "M0003")).await,
        "individu.matriculeInd: le matricule M0003 est déjà utilisé"
    );
    // The same matricule is free in another customer, and an update keeps its own.
    let c2 = client(&url, ADMIN, Some(2));
    assert_eq!(
        bad_request(
            c2.create_individu(&new_individu("Ateba", "M0004"), None, None)
                .await
        ),
        "entite.id: entité 2 introuvable",
        "entity 2 belongs to customer 1"
    );
    let mut b = new_individu("Ateba", "M0004");
    b.set("entite", Value::Null);
    c2.create_individu(&b, None, None).await.unwrap();
    let mut first = c.list_individus(None).await.unwrap().remove(0);
    c.update_individu(&first).await.unwrap();
    first.set("individu.matriculeInd", json!("M0002"));
    assert_eq!(
        bad_request(c.update_individu(&first).await),
        "individu.matriculeInd: le matricule M0002 est déjà utilisé"
    );

    let t = token(&url, ADMIN).await;
    let path = "/ocean/restapi/individus/create";
    let (st, _, v) = raw(
        reqwest::Method::POST,
        format!("{url}{path}?customerId=1"),
        Some(&t),
        Some(r#"{"individu": {"nomInd": "A",}"#),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(spring(st, path, &v).starts_with("JSON parse error: "));
    let (st, _, v) = raw(
        reqwest::Method::POST,
        format!("{url}{path}?customerId=1&entityStart=2025-11-27T08%3A00%3A00Z"),
        Some(&t),
        Some(r#"{"individu": {"nomInd": "A", "prenomInd": "B"}}"#),
    )
    .await;
    assert_eq!(
        spring(st, path, &v),
        "entityStart: '2025-11-27T08:00:00Z' is not a date (expected yyyy-MM-dd'T'HH:mm:ss.SSSXXX)"
    );
}

#[tokio::test]
async fn affectation_to_an_entity() {
    let srv = common::start().await;
    let url = srv.url();
    let c = client(&url, ADMIN, Some(1));
    c.assign_entity(
        5,
        4,
        &date("2025-11-27T08:00:00+01:00"),
        Some(&date("2026-06-30T18:00:00+01:00")),
    )
    .await
    .unwrap();
    let list = c.list_individus(Some("WITH_ENTITE")).await.unwrap();
    let i = list
        .iter()
        .find(|i| i.id() == Some(5))
        .expect("now assigned");
    assert_eq!(i.entite_id(), Some(4));
    assert_eq!(i.entite_nom(), "Atelier Bonabéri");
    assert_eq!(
        i.get("periodeEntite"),
        Some(&json!({
            "startDate": "2025-11-27T08:00:00.000+01:00",
            "endDate": "2026-06-30T18:00:00.000+01:00"
        }))
    );

    let e = c
        .assign_entity(
            5,
            4,
            &date("2025-11-27T08:00:00+01:00"),
            Some(&date("2025-11-26T08:00:00+01:00")),
        )
        .await;
    assert_eq!(bad_request(e), "endDate is before startDate");
    let e = c
        .assign_entity(5, 6, &date("2025-11-27T08:00:00Z"), None)
        .await;
    assert_eq!(bad_request(e), "entiteId: entité 6 introuvable");
    let e = c
        .assign_entity(99, 4, &date("2025-11-27T08:00:00Z"), None)
        .await;
    assert_eq!(bad_request(e), "Individu 99 introuvable");

    let t = token(&url, ADMIN).await;
    let path = "/ocean/restapi/individus/affectation-entite/add";
    let add = |q: &str| format!("{url}{path}?customerId=1&individuId=5&entiteId=4&{q}");
    let (st, _, v) = raw(
        reqwest::Method::POST,
        add("startDate=2025-11-27T08%3A00%3A00.000Z"),
        Some(&t),
        None,
    )
    .await;
    assert_eq!(
        spring(st, path, &v),
        "startDate: '2025-11-27T08:00:00.000Z' is not a date (expected dd/MM/yyyy HH:mm:ss Z)"
    );
    let (st, _, v) = raw(
        reqwest::Method::POST,
        add("startDate=27/11/2025+08:00:00+%2B0100&endDate=31/11/2025+08:00:00+%2B0100"),
        Some(&t),
        None,
    )
    .await;
    assert!(spring(st, path, &v).starts_with("endDate: '31/11/2025 08:00:00 +0100' is not a date"));
    // A raw `+` is a space once decoded: the message says how to send it.
    let (st, _, v) = raw(
        reqwest::Method::POST,
        add("startDate=27/11/2025 08:00:00 +0100"),
        Some(&t),
        None,
    )
    .await;
    assert!(spring(st, path, &v).ends_with("must be sent as %2B"), "{v}");
    let (st, _, v) = raw(reqwest::Method::POST, add(""), Some(&t), None).await;
    assert_eq!(spring(st, path, &v), "startDate is required");
    let (st, _, v) = raw(
        reqwest::Method::POST,
        add("startDate=27/11/2025+08:00:00+-0100"),
        Some(&t),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v, json!({"headers": {}, "body": true, "status": "OK"}));
}

#[tokio::test]
async fn a_read_only_account_cannot_write() {
    let srv = common::start().await;
    let c = client(&srv.url(), LECTEUR, None);
    let list = c.list_individus(None).await.unwrap();
    let forbidden = |r: Result<(), ApiError>| match r {
        Err(ApiError::Forbidden(m)) => assert!(m.starts_with("Read-only user lecteur"), "{m}"),
        other => panic!("expected 403, got {other:?}"),
    };
    forbidden(
        c.create_individu(&new_individu("X", "T-9"), None, None)
            .await
            .map(drop),
    );
    forbidden(c.update_individu(&list[0]).await.map(drop));
    forbidden(c.delete_individu(1).await);
    forbidden(
        c.assign_entity(1, 2, &date("2025-11-27T08:00:00Z"), None)
            .await,
    );
    assert_eq!(c.list_individus(None).await.unwrap(), list);
    assert!(!c.functionalities("ACTION").await.unwrap().is_empty());
    c.request_password_reset("lecteur", None).await.unwrap();
    assert_eq!(c.outbox().await.unwrap().map(|o| o.len()), Some(1));
}

#[tokio::test]
async fn change_password() {
    let srv = common::start().await;
    let url = srv.url();
    let c = client(&url, LECTEUR, None);
    let change = |a: &str, n: &str, k: &str| {
        let c = c.clone();
        let (a, n, k) = (secret(a), secret(n), secret(k));
        async move { c.change_password(&a, &n, &k).await }
    };
    assert_eq!(
        change("faux", "nouveau-mdp", "nouveau-mdp").await,
        Err(ApiError::Forbidden(
            "actualPassword: the current password is wrong".into()
        ))
    );
    assert_eq!(
        bad_request(change("lecteur-demo", "nouveau-mdp", "nouveau-mdx").await),
        "newPasswordConfirmed: differs from newPassword"
    );
    assert_eq!(
        bad_request(change("lecteur-demo", "court", "court").await),
        "newPassword: must have at least 8 characters"
    );
    assert_eq!(
        bad_request(change("lecteur-demo", "lecteur-demo", "lecteur-demo").await),
        "newPassword: must differ from the current password"
    );
    let t = token(&url, LECTEUR).await;
    change("lecteur-demo", "nouveau-mdp", "nouveau-mdp")
        .await
        .unwrap();
    // Sessions opened before the change stay valid.
    let (st, _, _) = raw(
        reqwest::Method::POST,
        api(&url, "individus/list"),
        Some(&t),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        client(&url, ("lecteur", "nouveau-mdp"), None)
            .login()
            .await
            .is_ok()
    );
    assert!(matches!(
        client(&url, LECTEUR, None).login().await,
        Err(ApiError::Unauthorized(_))
    ));
    // The client logs in with the new password from now on.
    c.login().await.unwrap();

    let (st, _, v) = raw(
        reqwest::Method::POST,
        api(&url, "auth/changePassword?actualPassword=nouveau-mdp&newPassword=encore-un&newPasswordConfirmed=encore-un"),
        Some(&t),
        None,
    )
    .await;
    assert_eq!((st, v), (StatusCode::OK, Value::Null));
}

#[tokio::test]
async fn reset_requests_land_in_the_outbox() {
    let srv = common::start().await;
    let url = srv.url();
    let admin = client(&url, ADMIN, Some(1));
    assert_eq!(admin.outbox().await.unwrap(), Some(Vec::new()));
    admin.request_password_reset("admin", None).await.unwrap();
    // Unknown logins answer the same and send nothing.
    admin
        .request_password_reset("personne", None)
        .await
        .unwrap();
    admin
        .request_password_reset("lecteur", Some("https://ocean.demo/reset"))
        .await
        .unwrap();
    let mails = admin.outbox().await.unwrap().unwrap();
    assert_eq!(mails.len(), 2);
    let m = &mails[0];
    assert_eq!(m.to.as_deref(), Some("lecteur@ocean.demo"));
    assert_eq!(m.login.as_deref(), Some("lecteur"));
    assert!(
        m.subject
            .as_deref()
            .is_some_and(|s| s.contains("mot de passe"))
    );
    let body = m.body.clone().unwrap_or_default();
    assert!(
        body.contains("https://ocean.demo/reset") && body.contains("par admin"),
        "{body}"
    );
    assert!(!body.contains("lecteur-demo"));
    assert!(m.at.as_deref().is_some_and(|a| a.ends_with('Z')));
    assert_eq!(mails[1].to.as_deref(), Some("admin@ocean.demo"));
    // The addressee sees its own mail too; nobody else's.
    let reader = client(&url, LECTEUR, None).outbox().await.unwrap().unwrap();
    assert_eq!(reader, mails[..1]);

    let t = token(&url, ADMIN).await;
    let path = "/ocean/restapi/auth/requestPasswordReset";
    let (st, _, v) = raw(
        reqwest::Method::POST,
        format!("{url}{path}"),
        Some(&t),
        Some("{}"),
    )
    .await;
    assert_eq!(spring(st, path, &v), "login is required");
    let (st, _, _) = raw(
        reqwest::Method::POST,
        format!("{url}{path}"),
        Some(&t),
        Some(r#"{"login":"lecteur"}"#),
    )
    .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _, v) = raw(reqwest::Method::GET, api(&url, "demo/outbox"), None, None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    spring(st, "/ocean/restapi/demo/outbox", &v);
}

#[tokio::test]
async fn functionalities_by_element_type() {
    let srv = common::start().await;
    let url = srv.url();
    let admin = client(&url, ADMIN, Some(1));
    let reader = client(&url, LECTEUR, None);
    let actions = admin.functionalities("ACTION").await.unwrap();
    assert_eq!(actions.len(), 5);
    assert!(
        actions
            .iter()
            .all(|f| f.fonctionnalite_dto.type_element.as_deref() == Some("ACTION"))
    );
    let ordres: Vec<_> = actions.iter().map(|f| f.fonctionnalite_dto.ordre).collect();
    assert!(ordres.is_sorted());
    assert!(actions[0].fonctionnalite_dto.id_fonctionnalite.is_some());
    assert!(actions[0].fonctionnalite_dto.description.is_some());
    let codes: Vec<_> = reader
        .functionalities("ACTION")
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.enum_code)
        .collect();
    assert_eq!(codes, ["ACTION_EXPORTER"]);
    for t in ["ONGLET", "LIEN", "MENU", "WS"] {
        let all = admin.functionalities(t).await.unwrap();
        let some = reader.functionalities(t).await.unwrap();
        assert!(!some.is_empty() && some.len() <= all.len(), "{t}");
    }
    assert!(admin.functionalities("INCONNU").await.unwrap().is_empty());
    assert!(matches!(
        client(&url, ADMIN, Some(3)).functionalities("MENU").await,
        Err(ApiError::Forbidden(_))
    ));
    // Rights belong to the account: the multi-client admin needs no customerId here.
    assert_eq!(
        client(&url, ADMIN, None)
            .functionalities("MENU")
            .await
            .unwrap()
            .len(),
        4
    );
    let t = token(&url, ADMIN).await;
    let (st, _, v) = raw(
        reqwest::Method::GET,
        api(&url, "authorization/functionalities_detailed"),
        Some(&t),
        None,
    )
    .await;
    assert_eq!(
        spring(
            st,
            "/ocean/restapi/authorization/functionalities_detailed",
            &v
        ),
        "elementType is required"
    );
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let srv = common::start_with(|cfg| cfg.ocean_requests_per_minute = 3).await;
    let url = srv.url();
    let c = client(&url, LECTEUR, None);
    for _ in 0..3 {
        c.list_individus(None).await.unwrap();
    }
    match c.list_individus(None).await {
        Err(ApiError::RateLimited {
            retry_after: Some(d),
            message,
        }) => {
            assert!(
                d >= Duration::from_secs(1) && d <= Duration::from_secs(60),
                "{d:?}"
            );
            assert_eq!(message, "Too many requests");
        }
        other => panic!("expected 429, got {other:?}"),
    }
    // Another session has its own budget; requests without a session count per address.
    let other = client(&url, ADMIN, Some(1));
    other.list_individus(None).await.unwrap();
    let list = api(&url, "individus/list");
    let mut last = None;
    for _ in 0..3 {
        last = Some(raw(reqwest::Method::POST, list.clone(), None, None).await);
    }
    let (st, retry, v) = last.unwrap();
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry.is_some_and(|r| r.parse::<u64>().is_ok_and(|s| (1..=60).contains(&s))));
    spring(st, "/ocean/restapi/individus/list", &v);
}

#[tokio::test]
async fn every_error_has_the_spring_shape() {
    let srv = common::start_with(|cfg| cfg.body_limit = 4096).await;
    let url = srv.url();
    let t = token(&url, ADMIN).await;
    let (st, _, v) = raw(
        reqwest::Method::GET,
        api(&url, "individus/list"),
        Some(&t),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::METHOD_NOT_ALLOWED);
    spring(st, "/ocean/restapi/individus/list", &v);
    let (st, _, v) = raw(
        reqwest::Method::POST,
        api(&url, "individus/nope"),
        Some(&t),
        None,
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    spring(st, "/ocean/restapi/individus/nope", &v);
    let big = format!(r#"{{"individu":{{"nomInd":"{}"}}}}"#, "x".repeat(8192));
    let (st, _, v) = raw(
        reqwest::Method::POST,
        api(&url, "individus/create?customerId=1"),
        Some(&t),
        Some(&big),
    )
    .await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        spring(st, "/ocean/restapi/individus/create", &v),
        "Request body too large"
    );
    for body in [
        "[]",
        "null",
        "\"x\"",
        "{\"individu\": 3}",
        "{\"individu\":{\"nomInd\":1}}",
    ] {
        let (st, _, v) = raw(
            reqwest::Method::POST,
            api(&url, "individus/update?customerId=1"),
            Some(&t),
            Some(body),
        )
        .await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
        spring(st, "/ocean/restapi/individus/update", &v);
    }
    let (st, _, v) = raw(
        reqwest::Method::POST,
        api(&url, "individus/delete?customerId=1&individuId=x"),
        Some(&t),
        None,
    )
    .await;
    assert_eq!(
        spring(st, "/ocean/restapi/individus/delete", &v),
        "individuId: 'x' is not a number"
    );
}
