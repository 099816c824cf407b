//! A write the server took, then a read after it that fails, or a second write refused:
//! the change stands on the server, so vigie says it was sent (unchecked, or partly
//! applied) and journals it, never "failed". A proxy in front of the reference server breaks
//! the chosen routes once the write went through.

mod common;
mod console_fixtures;
#[path = "console_fixtures/live.rs"]
mod live;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio::net::TcpListener;
use vigie::api::ocean::OceanClient;
use vigie::change::{self, Change, Clients, FieldChange, Kind, Status, Verdict};

/// Which request the proxy breaks: (method, path, whether a write went through before).
type Breaks = dyn Fn(&str, &str, bool) -> Option<StatusCode> + Send + Sync;

#[derive(Clone)]
struct Proxy {
    upstream: String,
    breaks: Arc<Breaks>,
    wrote: Arc<Mutex<bool>>,
    seen: Arc<Mutex<Vec<String>>>,
}

/// Forwards to `upstream`, answering `breaks`' status instead where it says so.
async fn proxy(
    upstream: String,
    breaks: impl Fn(&str, &str, bool) -> Option<StatusCode> + Send + Sync + 'static,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let state = Proxy {
        upstream,
        breaks: Arc::new(breaks),
        wrote: Arc::default(),
        seen: Arc::default(),
    };
    let seen = state.seen.clone();
    let app = Router::new()
        .fallback(|State(p): State<Proxy>, req: Request| async move {
            let method = req.method().clone();
            let path = req.uri().path().to_string();
            let query = req
                .uri()
                .query()
                .map(|q| format!("?{q}"))
                .unwrap_or_default();
            let wrote = *p.wrote.lock().unwrap();
            p.seen.lock().unwrap().push(format!("{method} {path}"));
            if let Some(st) = (p.breaks)(method.as_str(), &path, wrote) {
                return (st, "{\"detail\":\"broken on purpose\"}").into_response();
            }
            let headers = req.headers().clone();
            let body = to_bytes(req.into_body(), 1 << 24).await.unwrap();
            let mut out = reqwest::Client::new()
                .request(method.clone(), format!("{}{path}{query}", p.upstream));
            for (k, v) in &headers {
                if k != "host" && k != "content-length" {
                    out = out.header(k, v);
                }
            }
            let answer = out.body(body).send().await.unwrap();
            let status = answer.status();
            if status.is_success()
                && method != "GET"
                && !path.ends_with("/list")
                && !path.contains("auth")
            {
                *p.wrote.lock().unwrap() = true;
            }
            let ct = answer.headers().get("content-type").cloned();
            let bytes = answer.bytes().await.unwrap();
            let mut r = Response::new(Body::from(bytes));
            *r.status_mut() = status;
            if let Some(ct) = ct {
                r.headers_mut().insert("content-type", ct);
            }
            r
        })
        .with_state(state);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, seen)
}

fn ocean(url: &str) -> OceanClient {
    OceanClient::new(
        &format!("{url}/ocean"),
        live::password("admin", "admin-demo"),
        Some(1),
        &common::http_options(),
    )
    .unwrap()
}

/// Ocean's update went through; the list read after it fails: sent, unchecked, journaled
/// as sent (before, it was a failure while the server held the change).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_individu_saved_but_not_read_back_is_sent_unchecked_not_failed() {
    let srv = common::start().await;
    let direct = ocean(&srv.url());
    let first = direct.list_individus(None).await.unwrap().remove(0);
    let id = first.id().unwrap().to_string();
    let was = first.get("individu.nomInd").cloned().unwrap();
    let (url, _) = proxy(srv.url(), |_, path, wrote| {
        (wrote && path.ends_with("individus/list")).then_some(StatusCode::INTERNAL_SERVER_ERROR)
    })
    .await;
    let clients = Clients {
        ocean: Some(ocean(&url)),
        ..Default::default()
    };
    let ch = Change::edit(
        Kind::Individu,
        &id,
        vec![FieldChange::new(
            "individu.nomInd",
            Some(was.clone()),
            json!("Renamed"),
        )],
    );
    let o = change::execute(&clients, ch).await.expect("not a failure");
    assert_eq!(o.verdict, Verdict::Applied);
    assert!(
        o.fields.iter().all(|f| f.status == Status::Unchecked),
        "{:?}",
        o.fields
    );
    assert!(
        o.notes.iter().any(|n| n.contains("not checked")),
        "{:?}",
        o.notes
    );
    let e = o.entry.expect("journaled: the server took it");
    assert_eq!(e.before, Some(json!({"individu.nomInd": was})));
    assert_eq!(e.after, Some(json!({"individu.nomInd": "Renamed"})));
    let now = direct.list_individus(None).await.unwrap();
    let now = now
        .iter()
        .find(|i| i.id().unwrap().to_string() == id)
        .unwrap();
    assert_eq!(now.get("individu.nomInd"), Some(&json!("Renamed")));
}

/// A Maarch user saved, its details failing after: the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maarch_user_saved_but_not_read_back_is_sent_unchecked_not_failed() {
    let srv = common::start().await;
    let direct = live::maarch_client(&srv);
    let bwayne = direct
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.user_id == "bwayne")
        .unwrap();
    let (url, _) = proxy(srv.url(), |method, path, wrote| {
        (wrote && method == "GET" && path.starts_with("/rest/users"))
            .then_some(StatusCode::SERVICE_UNAVAILABLE)
    })
    .await;
    let maarch = vigie::api::maarch::MaarchClient::new(
        &url,
        live::password("admin", "admin-demo"),
        vigie::api::maarch::MaarchAuthMode::Basic,
        &vigie::api::HttpOptions {
            retry: vigie::api::RetryPolicy::NONE,
            ..common::http_options()
        },
    )
    .unwrap();
    let clients = Clients {
        maarch: Some(maarch),
        ..Default::default()
    };
    let ch = Change::edit(
        Kind::MaarchUser,
        bwayne.id.to_string(),
        vec![FieldChange::new(
            "firstname",
            Some(json!(bwayne.firstname)),
            json!("Bruce II"),
        )],
    );
    let o = change::execute(&clients, ch).await.expect("not a failure");
    assert_eq!(o.verdict, Verdict::Applied);
    assert_eq!(o.fields[0].status, Status::Unchecked);
    assert!(!o.notes.is_empty());
    assert_eq!(
        o.entry.and_then(|e| e.after),
        Some(json!({"firstname": "Bruce II"}))
    );
    let now = direct.user_details(bwayne.id).await.unwrap().unwrap();
    assert_eq!(now.user.firstname, "Bruce II");
}

/// A role renamed and given a permission the server refuses: the rename stands, the
/// permission is said not applied, and the outcome is no failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_renamed_whose_added_permission_is_refused_keeps_its_rename() {
    let srv = common::start().await;
    let direct = srv.admin();
    let (url, _) = proxy(srv.url(), |_, path, _| {
        (path == "/roles/add_permissions").then_some(StatusCode::FORBIDDEN)
    })
    .await;
    let role = direct
        .list_roles()
        .await
        .unwrap()
        .into_iter()
        .find(|r| {
            !r.permissions
                .iter()
                .any(|p| p.ressource == "sites" && p.action == "delete")
        })
        .expect("a role without sites:delete");
    let clients = Clients {
        core: Some(common::client_for(&url, common::ADMIN.0, common::ADMIN.1)),
        ..Default::default()
    };
    let ch = Change::edit(
        Kind::Role,
        &role.role_id,
        vec![
            FieldChange::new("name", Some(json!(role.name)), json!("renamed-role")),
            FieldChange::new("perm:sites:delete", Some(json!(false)), json!(true)),
        ],
    );
    let o = change::execute(&clients, ch).await.expect("not a failure");
    assert_eq!(o.verdict, Verdict::Applied);
    let status = |k: &str| {
        o.fields
            .iter()
            .find(|f| f.key == k)
            .map(|f| f.status.clone())
    };
    assert_eq!(status("name"), Some(Status::Applied));
    assert!(
        matches!(status("perm:sites:delete"), Some(Status::NotApplied(_))),
        "{:?}",
        o.fields
    );
    assert!(
        o.notes.iter().any(|n| n.contains("refused")),
        "{:?}",
        o.notes
    );
    let e = o.entry.expect("the rename is journaled");
    assert_eq!(e.after, Some(json!({"name": "renamed-role"})));
    let now = direct.list_roles().await.unwrap();
    assert!(
        now.iter()
            .any(|r| r.role_id == role.role_id && r.name == "renamed-role")
    );
}

/// A Maarch without the details route whose list no longer holds the user: gone, nothing
/// sent (before, an empty user stood in for it and was compared, even written).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maarch_user_in_neither_details_nor_list_is_gone() {
    let srv = common::start().await;
    let (url, seen) = proxy(srv.url(), |method, path, _| {
        (method == "GET" && path.ends_with("/details")).then_some(StatusCode::NOT_FOUND)
    })
    .await;
    let maarch = vigie::api::maarch::MaarchClient::new(
        &url,
        live::password("admin", "admin-demo"),
        vigie::api::maarch::MaarchAuthMode::Basic,
        &common::http_options(),
    )
    .unwrap();
    let clients = Clients {
        maarch: Some(maarch),
        ..Default::default()
    };
    let ch = Change::edit(
        Kind::MaarchUser,
        "987654",
        vec![FieldChange::new(
            "firstname",
            Some(json!("Old")),
            json!("New"),
        )],
    );
    let o = change::execute(&clients, ch).await.unwrap();
    assert_eq!(o.verdict, Verdict::Gone);
    let seen = seen.lock().unwrap().clone();
    assert!(
        !seen
            .iter()
            .any(|s| s.starts_with("PUT") || s.starts_with("POST /rest/users")),
        "nothing written: {seen:?}"
    );
}
