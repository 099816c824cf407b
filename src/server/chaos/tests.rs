use std::time::Duration;

use super::{Chaos, ChaosState, Family, Fate, family};

fn parse(s: &str) -> Result<Chaos, String> {
    s.parse()
}

#[test]
fn full_spec() {
    let c = parse(
        "latency=800ms, jitter=2s,error_rate=0.2,drop_rate=0.05,truncate_rate=0.05,\
         rate_limit=5/s,seed=42,spare_login=true",
    )
    .unwrap();
    assert_eq!(
        c,
        Chaos {
            latency: Duration::from_millis(800),
            jitter: Duration::from_secs(2),
            error_rate: 0.2,
            drop_rate: 0.05,
            truncate_rate: 0.05,
            rate_limit: Some((5, Duration::from_secs(1))),
            seed: Some(42),
            spare_login: true,
            bandwidth: None,
        }
    );
    assert_eq!(
        c.to_string(),
        "latency=800ms,jitter=2s,error_rate=0.2,drop_rate=0.05,truncate_rate=0.05,\
         rate_limit=5/s,seed=42,spare_login=true"
    );
    assert_eq!(parse(&c.to_string()).unwrap(), c);
}

#[test]
fn bandwidth_units() {
    for (spec, bytes) in [
        ("2.5MB/s", 2_500_000),
        ("20Mbit/s", 2_500_000),
        ("300KB/s", 300_000),
        ("1000B/s", 1000),
    ] {
        let c = parse(&format!("bandwidth={spec}")).unwrap();
        assert_eq!(c.bandwidth, Some(bytes), "{spec}");
        assert!(!c.is_noop());
    }
    for bad in [
        "2.5MB", "fast/s", "0MB/s", "2.5XB/s", "/s", "-1MB/s", "NaNMB/s",
    ] {
        assert!(parse(&format!("bandwidth={bad}")).is_err(), "{bad}");
    }
}

#[test]
fn round_trips() {
    for s in [
        "latency=0ms",
        "latency=1500ms",
        "latency=3s",
        "error_rate=1",
        "error_rate=0.333",
        "rate_limit=100/min",
        "rate_limit=1/s,seed=0",
        "rate_limit=10/30s",
        "rate_limit=1/500ms",
        "drop_rate=1,spare_login=true",
        "bandwidth=2500KB/s",
        "latency=50ms,bandwidth=3MB/s",
        "bandwidth=1234B/s",
    ] {
        let c = parse(s).unwrap();
        assert_eq!(c.to_string(), s);
        assert_eq!(parse(&c.to_string()).unwrap(), c);
    }
    assert_eq!(Chaos::default().to_string(), "latency=0ms");
    assert!(parse("latency=0ms").unwrap().is_noop());
    assert_eq!(
        parse("spare_login").unwrap().to_string(),
        "spare_login=true"
    );
    assert_eq!(
        parse("rate_limit=3/sec").unwrap().to_string(),
        "rate_limit=3/s"
    );
}

#[test]
fn errors_are_precise() {
    let err = |s: &str| parse(s).unwrap_err();
    assert!(err("x=1").starts_with("unknown key 'x'"), "{}", err("x=1"));
    assert_eq!(err("error_rate=1.5"), "error_rate must be between 0 and 1");
    assert_eq!(err("drop_rate=-0.1"), "drop_rate must be between 0 and 1");
    assert_eq!(
        err("truncate_rate=NaN"),
        "truncate_rate must be between 0 and 1"
    );
    assert_eq!(
        err("error_rate=lots"),
        "error_rate: 'lots' is not a number (use e.g. 0.2)"
    );
    assert_eq!(
        err("latency=80x"),
        "latency: '80x' is not a duration (use 800ms or 2s)"
    );
    assert_eq!(
        err("jitter=200"),
        "jitter: '200' is not a duration (use 800ms or 2s)"
    );
    assert_eq!(
        err("latency=-5ms"),
        "latency: '-5ms' is not a duration (use 800ms or 2s)"
    );
    assert_eq!(
        err("rate_limit=5"),
        "rate_limit: '5' is not a rate (use 5/s or 100/min)"
    );
    assert_eq!(
        err("rate_limit=5/h"),
        "rate_limit: '5/h' is not a rate (use 5/s or 100/min)"
    );
    assert_eq!(
        err("rate_limit=0/s"),
        "rate_limit must allow at least 1 request"
    );
    assert_eq!(
        err("seed=abc"),
        "seed: 'abc' is not a whole number between 0 and 2^64-1"
    );
    assert_eq!(
        err("spare_login=maybe"),
        "spare_login: 'maybe' is not true or false"
    );
    assert_eq!(err("latency"), "'latency' has no value (use key=value)");
    assert_eq!(err("latency=1s,latency=2s"), "key 'latency' is given twice");
    assert!(err("").starts_with("empty chaos spec"));
    assert!(err(" , ").starts_with("empty chaos spec"));
    assert_eq!(
        err("latency=2h"),
        "latency: '2h' is not a duration (use 800ms or 2s)"
    );
    assert_eq!(err("latency=7200s"), "latency must be at most 1 hour");
}

#[test]
fn families_by_path() {
    assert_eq!(family("/ocean/restapi/individus/list"), Family::Ocean);
    assert_eq!(family("/rest/users"), Family::Maarch);
    assert_eq!(family("/rest"), Family::Maarch);
    assert_eq!(family("/restaurants"), Family::Core);
    assert_eq!(family("/client_site/all"), Family::Core);
}

#[test]
fn window_admits_n_then_says_when() {
    let st = ChaosState::new(parse("rate_limit=2/min").unwrap());
    assert_eq!(st.admit(), Ok(()));
    assert_eq!(st.admit(), Ok(()));
    let secs = st.admit().unwrap_err();
    assert!((59..=60).contains(&secs), "{secs}");
    let st = ChaosState::new(parse("latency=1ms").unwrap());
    for _ in 0..100 {
        assert_eq!(st.admit(), Ok(()));
    }
}

#[test]
fn seeded_draws_repeat() {
    let spec = parse("error_rate=0.5,drop_rate=0.2,jitter=100ms,seed=7").unwrap();
    let run = || {
        let st = ChaosState::new(spec.clone());
        (0..50)
            .map(|_| {
                let (d, fate) = st.draw();
                let f = match fate {
                    Fate::Pass => 0,
                    Fate::Drop(_) => 1,
                    Fate::Error(s) => s.as_u16(),
                    Fate::Truncate(_) => 2,
                };
                (d, f)
            })
            .collect::<Vec<_>>()
    };
    let a = run();
    assert_eq!(a, run());
    assert!(a.iter().all(|(d, _)| *d <= Duration::from_millis(100)));
    assert!(a.iter().any(|(_, f)| *f == 0));
    assert!(a.iter().any(|(_, f)| *f >= 500));
}
