#[test]
fn backoff_grows_with_jitter_and_honours_retry_after() {
    use super::RetryPolicy;
    use std::time::Duration;
    let p = RetryPolicy {
        attempts: 4,
        base: Duration::from_millis(100),
        max_wait: Duration::from_secs(1),
    };
    for _ in 0..50 {
        let w1 = p.wait(1, None).unwrap();
        let w3 = p.wait(3, None).unwrap();
        assert!((50..=100).contains(&w1.as_millis()), "{w1:?}");
        assert!((200..=400).contains(&w3.as_millis()), "{w3:?}");
    }
    assert_eq!(p.wait(4, None), None, "attempts exhausted");
    assert_eq!(
        p.wait(1, Some(Duration::from_millis(700))),
        Some(Duration::from_millis(700)),
        "the server's word is taken"
    );
    assert_eq!(
        p.wait(1, Some(Duration::from_secs(30))),
        None,
        "too long a Retry-After is reported, not slept on"
    );
    assert_eq!(RetryPolicy::NONE.wait(1, None), None);
}

#[test]
fn segments_are_encoded() {
    assert_eq!(super::seg("a/b c"), "a%2Fb%20c");
    assert_eq!(super::seg("0c5c5381-c357"), "0c5c5381-c357");
}
