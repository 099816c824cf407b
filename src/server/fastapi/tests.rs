use serde_json::{Value, json};

use super::{HttpError, HttpResult, Validator, email_problem, page_params, parse_json, path_uuid};

fn errs(r: HttpResult<impl std::fmt::Debug>) -> Vec<Value> {
    match r {
        Err(HttpError::Validation(v)) => v,
        other => panic!("expected 422, got {other:?}"),
    }
}

#[test]
fn page_errors_like_fastapi() {
    let e = errs(page_params(&[("size".into(), "101".into())]));
    assert_eq!(
        e[0],
        json!({"type":"less_than_equal","loc":["query","size"],"msg":"Input should be less than or equal to 100","input":"101","ctx":{"le":100}})
    );
    let e = errs(page_params(&[
        ("page".into(), "0".into()),
        ("size".into(), "x".into()),
    ]));
    assert_eq!(e.len(), 2);
    assert_eq!(e[0]["type"], "greater_than_equal");
    assert_eq!(e[1]["type"], "int_parsing");
    assert_eq!(page_params(&[]).unwrap(), (1, 50));
}

#[test]
fn body_validation_collects_all() {
    let body =
        json!({"latitude": 91, "longitude": "x", "email": "nope", "ip": "1.2.3", "port": 70000});
    let mut v = Validator::new(&body);
    v.req_str("name", 1, 100);
    v.req_float("latitude", -90.0, 90.0);
    v.req_float("longitude", -180.0, 180.0);
    v.req_email("email");
    v.req_ip("ip");
    v.req_int("port", 1, 65535);
    let e = errs(v.finish());
    let kinds: Vec<&str> = e.iter().map(|x| x["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "missing",
            "less_than_equal",
            "float_parsing",
            "value_error",
            "ip_any_address",
            "less_than_equal"
        ]
    );
    assert_eq!(e[1]["msg"], "Input should be less than or equal to 90");
    assert_eq!(e[5]["ctx"], json!({"le": 65535}));
}

#[test]
fn bad_json_is_json_invalid() {
    let e = errs(parse_json(b"{\"a\": }"));
    assert_eq!(e[0]["type"], "json_invalid");
    assert_eq!(e[0]["loc"][0], "body");
    assert!(path_uuid("site_id", "abc").is_err());
    assert!(email_problem("a@b.cm").is_none());
    assert!(email_problem("a@b").is_some());
}
