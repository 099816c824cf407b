use serde_json::{Value, json};

use super::Profile;

fn parsed(body: Value, creating: bool) -> Result<Profile, String> {
    let Value::Object(m) = body else {
        unreachable!()
    };
    Profile::parse(&m, creating).map_err(|e| e.message)
}

fn profile(body: Value) -> Result<Profile, String> {
    parsed(body, true)
}

#[test]
fn an_update_checks_as_maarch_21_03() {
    let ok = json!({"firstname": "Bruce", "lastname": "Wayne"});
    let with = |k: &str, v: Value| {
        let mut b = ok.clone();
        b[k] = v;
        parsed(b, false)
    };
    // No mail is no error on an update (it is written null).
    let p = parsed(ok.clone(), false).unwrap();
    assert_eq!((p.mail, p.status_ok), (None, false));
    assert_eq!(
        with("mail", json!("wcorp.com")).err().unwrap(),
        "Body mail is not correct"
    );
    assert_eq!(
        with("phone", json!("call me")).err().unwrap(),
        "Body phone is not correct"
    );
    // Maarch's pattern is not anchored: any text ending with a digit passes.
    assert_eq!(
        with("phone", json!("123")).unwrap().phone.as_deref(),
        Some("123")
    );
    assert!(with("status", json!("OK")).unwrap().status_ok);
    assert!(!with("status", json!("SPD")).unwrap().status_ok);
}

#[test]
fn profile_checks_in_maarch_order() {
    let ok = json!({"firstname": "Bruce", "lastname": "Wayne", "mail": "bruce.wayne@wcorp.com"});
    let p = profile(ok.clone()).unwrap();
    assert_eq!((p.initials, p.phone, p.mode), (None, None, None));
    let with = |k: &str, v: Value| {
        let mut b = ok.clone();
        b[k] = v;
        profile(b)
    };
    assert_eq!(
        with("firstname", json!(" ")).err().unwrap(),
        "Body firstname is empty or not a string"
    );
    assert_eq!(
        with("lastname", json!(3)).err().unwrap(),
        "Body lastname is empty or not a string"
    );
    assert_eq!(
        with("initials", json!("x".repeat(33))).err().unwrap(),
        "Body initials is too long"
    );
    assert!(with("initials", json!("x".repeat(32))).is_ok());
    assert_eq!(
        with("mail", json!("wcorp.com")).err().unwrap(),
        "Body mail is empty or not valid"
    );
    assert_eq!(
        with("phone", json!("call me")).err().unwrap(),
        "Body phone is not valid"
    );
    assert!(with("phone", Value::Null).is_ok());
    assert!(
        with("mail", Value::Null).is_err(),
        "a creation needs a mail"
    );
    assert_eq!(
        with("mode", json!("admin")).err().unwrap(),
        "Body mode is not valid"
    );
    assert_eq!(
        with("mode", json!("rest")).unwrap().mode.as_deref(),
        Some("rest")
    );
    let mut both = ok.clone();
    both["lastname"] = json!("");
    both["mail"] = json!("nope");
    assert_eq!(
        profile(both).err().unwrap(),
        "Body lastname is empty or not a string"
    );
}
