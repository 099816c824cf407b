//! The typed clients retry reads, never writes, and take the server's `Retry-After`: seen
//! against the reference server's chaos mode.

mod common;

use std::time::{Duration, Instant};

use vigie::api::ApiError;
use vigie::api::model::NewRole;
use vigie::server::chaos::Chaos;

async fn start(spec: &str) -> common::TestServer {
    let chaos: Chaos = spec.parse().expect("chaos spec");
    common::start_with(|cfg| cfg.chaos = Some(chaos)).await
}

#[tokio::test]
async fn a_read_refused_for_a_moment_is_retried_after_the_servers_delay() {
    let srv = start("rate_limit=1/s,spare_login=true").await;
    let c = srv.admin();
    c.login().await.unwrap();
    c.list_roles().await.expect("first read");
    let t = Instant::now();
    // The second read in the same second gets 429 Retry-After: 1, then succeeds.
    let roles = c.list_roles().await.expect("retried read succeeds");
    assert!(!roles.is_empty());
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "the client waited for Retry-After, not less: {:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn a_create_refused_is_never_sent_again() {
    let srv = start("rate_limit=1/s,spare_login=true").await;
    let c = srv.admin();
    c.login().await.unwrap();
    c.list_roles().await.unwrap();
    let err = c
        .create_role(&NewRole {
            name: "auditeur".into(),
            description: "read-only audit".into(),
            permissions: Vec::new(),
        })
        .await
        .expect_err("the window is used up");
    assert!(
        matches!(
            err,
            ApiError::RateLimited {
                retry_after: Some(_),
                ..
            }
        ),
        "{err:?}"
    );
    // Had the client sent it again after Retry-After, the role would now exist.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let roles = c.list_roles().await.unwrap();
    assert!(
        !roles.iter().any(|r| r.name == "auditeur"),
        "a write was retried on its own"
    );
}

#[tokio::test]
async fn reads_give_up_after_the_configured_attempts() {
    let srv = start("error_rate=1,spare_login=true").await;
    let c = srv.admin().with_retry(vigie::api::RetryPolicy {
        attempts: 2,
        base: Duration::from_millis(10),
        max_wait: Duration::from_secs(1),
    });
    c.login().await.unwrap();
    let err = c.list_roles().await.expect_err("every attempt fails");
    assert!(matches!(err, ApiError::Server { .. }), "{err:?}");
}
