use crate::api::model::AnyList;
use crate::api::model::CANONICAL;
use crate::api::model::Equipement;
use crate::api::model::Page;
use crate::api::model::Role;
use crate::api::model::Site;
use crate::api::model::SiteSummary;
use crate::api::model::Sources;
use crate::api::model::Timestamp;
use chrono::NaiveDateTime;
use serde_json::Value;
use std::sync::Arc;

#[test]
fn timestamps_give_back_the_text_sent() {
    for raw in [
        "2025-08-22T16:38:51",
        "2025-08-22T16:38:51.250",
        "2025-08-22T16:38:51Z",
        "2025-08-22 16:38:51",
        " 2025-08-22T16:38:51",
        "2025-13-40T99:99:99",
        "hier",
        "",
    ] {
        let t: Timestamp = serde_json::from_value(Value::from(raw)).unwrap();
        assert_eq!(t.raw(), raw);
        assert_eq!(serde_json::to_value(&t).unwrap(), Value::from(raw));
    }
    let plain = Timestamp::parse("2025-08-22T16:38:51");
    assert!(plain.raw.is_none(), "the usual form is not kept twice");
    assert_eq!(plain.short(), "2025-08-22 16:38");
    // Read digit by digit: the same instant chrono reads, and no impossible date.
    for raw in [
        "2024-02-29T23:59:59",
        "0001-01-01T00:00:00",
        "2025-08-22T16:38:51",
    ] {
        let want = NaiveDateTime::parse_from_str(raw, CANONICAL)
            .unwrap()
            .and_utc();
        assert_eq!(Timestamp::parse(raw).parsed, Some(want), "{raw}");
    }
    for raw in [
        "2025-02-29T10:00:00",
        "2025-08-22T24:00:00",
        "2025-08-22T16:60:00",
    ] {
        assert_eq!(Timestamp::parse(raw).parsed, None, "{raw}");
        assert_eq!(Timestamp::parse(raw).raw(), raw);
    }
    let secs: Timestamp = serde_json::from_value(serde_json::json!(1_700_000_000)).unwrap();
    assert_eq!(secs.raw(), "1700000000");
    assert!(secs.parsed.is_some());
    let odd: Timestamp = serde_json::from_value(serde_json::json!({"a": 1})).unwrap();
    assert_eq!(odd, Timestamp::default());
}

#[test]
fn sources_take_any_shape_a_server_sends() {
    use serde_json::json;
    let sources = |v: Value| serde_json::from_value::<Sources>(v).unwrap().0;
    assert_eq!(
        sources(json!(["rtsp://a", 554, 1.5, true, null, {"u": 1}])),
        ["rtsp://a", "554", "1.5", "true", r#"{"u":1}"#]
    );
    assert_eq!(sources(json!("rtsp://a")), ["rtsp://a"]);
    // Held for the session with every row: no spare capacity, from text as from a `Value`.
    for list in [r#"["a"]"#, r#"["a","b"]"#, r#"["a",null,"b","c",4,"d"]"#] {
        let from_text = serde_json::from_str::<Sources>(list).unwrap().0;
        let from_value = sources(serde_json::from_str(list).unwrap());
        assert_eq!(from_text, from_value);
        assert_eq!(from_text.capacity(), from_text.len(), "{list}");
    }
    assert_eq!(sources(json!(r#"["rtsp://a", 2]"#)), ["rtsp://a", "2"]);
    assert_eq!(sources(json!("  ")), Vec::<String>::new());
    assert_eq!(sources(json!(null)), Vec::<String>::new());
    assert_eq!(sources(json!(8554)), ["8554"]);
    assert_eq!(sources(json!(-3)), ["-3"]);
    assert_eq!(sources(json!(2.5)), ["2.5"]);
    assert_eq!(sources(json!(false)), ["false"]);
    assert_eq!(
        sources(json!({"url": "rtsp://a"})),
        [r#"{"url":"rtsp://a"}"#]
    );
    let e: Equipement = serde_json::from_str(r#"{"sources": null}"#).unwrap();
    assert!(e.sources.0.is_empty());
}

#[test]
fn rows_of_one_site_share_it() {
    let row = |desc: &str| {
        serde_json::json!({"equipement_id": "e", "client_site": {
            "site_id": "s1", "client_id": "c", "name": "LOUM", "description": desc}})
    };
    let rows: Vec<Equipement> =
        serde_json::from_value(Value::Array(vec![row("a"), row("a"), row("b")])).unwrap();
    let site = |i: usize| rows[i].client_site.clone().unwrap();
    assert!(Arc::ptr_eq(&site(0), &site(1)));
    assert_eq!(site(2).description, "b", "a changed site is not mixed up");
    assert_eq!(site(0).description, "a");
    assert_eq!(rows[0].site_id(), Some("s1"));
    let back = serde_json::to_value(&rows[0]).unwrap();
    assert_eq!(back["client_site"]["name"], "LOUM");
}

/// An equipement's site is found by its text among those met before, and decoded only when
/// new: whatever the site, the row reads it as `SiteRef` does, from text and from a `Value`,
/// the first time and the next, and a site it refuses is said once, where the row says it.
#[test]
fn a_site_found_by_its_text_is_the_site_decoded() {
    use crate::api::model::SiteRef;
    for site in [
        r#"{"site_id":"s1","client_id":"c","name":"LOUM","longitude":9.7,"latitude":4.0,"description":"d"}"#,
        r#"{ "site_id" : "s1", "client_id":"c","name":"LOUM","longitude":9.7,"latitude":4.0,"description":"d"}"#,
        r#"{"site_id":"s1","client_id":"c","name":"LOUM ","longitude":9.7,"latitude":4.0,"description":"d"}"#,
        r#"{"site_id":7586,"client_id":null,"name":null,"lonitude":"9.5","latitude":"x"}"#,
        r#"{"site_id":"s\u00e9","name":"CIT\u00c9 \"A\"","description":"a\nb","extra":[1,{"k":2}]}"#,
        r#"{"site_id":true,"client_id":1.5,"name":"","description":""}"#,
        r#"{"site_id":{"k":1},"client_id":["a"]}"#,
        r#"{}"#,
        r#"{"name":5}"#,
        r#"{"name":"a","name":"b"}"#,
        r#"["s1","c","LOUM",1.0,2.0,"d"]"#,
        r#""LOUM""#,
    ] {
        let row = format!(r#"{{"equipement_id":"e","client_site":{site}}}"#);
        let want = serde_json::from_str::<SiteRef>(site).map_err(|e| e.to_string());
        let got = serde_json::from_str::<Equipement>(&row)
            .map(|e| (*e.client_site.unwrap()).clone())
            .map_err(|e| e.to_string());
        assert_eq!(
            got.is_ok(),
            want.is_ok(),
            "{site}: {got:?} against {want:?}"
        );
        if let (Ok(got), Ok(want)) = (&got, &want) {
            assert_eq!(got, want, "{site}");
            let value: Value = serde_json::from_str(&row).unwrap();
            let from_value = serde_json::from_value::<Equipement>(value).unwrap();
            assert_eq!(
                &*from_value.client_site.unwrap(),
                want,
                "{site}, from a Value"
            );
        }
    }
}

#[test]
fn ids_of_any_scalar_become_text() {
    for (v, want) in [
        (serde_json::json!("70e9"), "70e9"),
        (serde_json::json!(7586), "7586"),
        (serde_json::json!(-3), "-3"),
        (serde_json::json!(1.5), "1.5"),
        (serde_json::json!(true), "true"),
        (serde_json::json!(null), ""),
        (serde_json::json!([1, "a"]), "[1,\"a\"]"),
        (serde_json::json!({"k": 1}), "{\"k\":1}"),
    ] {
        let e: Equipement =
            serde_json::from_value(serde_json::json!({ "equipement_id": v })).unwrap();
        assert_eq!(e.equipement_id, want);
    }
    let e: Equipement = serde_json::from_str("{}").unwrap();
    assert_eq!(e.equipement_id, "");
}

#[test]
fn doc_sample_site_decodes() {
    let json = r#"[{"site_id":"0c5c5381-c357-4abc-ba1f-9fb584006a3a","name":"LOUM","longitude":26.45,"latitude":43.56,"description":"d","timestamp":"2025-08-13T09:49:13","client":{"client_id":"48f4","nom":"BICEC Bank","code":984,"timestamp":"2025-08-07T08:12:20"},"equipements":[{"equipement_id":"70e9","ip":"1.1.1.1","marque":"mmmm","sources":["hhhhhhh","jjjjjjjjj"],"port":100,"username":"4470","password":"passoword_hashed","description":"jjjjjj","modele":"mmm","timestamp":"2025-08-22T16:38:51"}]}]"#;
    let sites: AnyList<Site> = serde_json::from_str(json).unwrap();
    let s = &sites.0[0];
    assert_eq!(s.name, "LOUM");
    assert_eq!(s.client_id(), Some("48f4"));
    assert_eq!(s.equipements[0].sources.0, vec!["hhhhhhh", "jjjjjjjjj"]);
    assert!(s.timestamp.as_ref().unwrap().parsed.is_some());
    let sums: AnyList<SiteSummary> = serde_json::from_str(json).unwrap();
    assert_eq!(sums.0[0].equipement_count, 1);
    assert!(!format!("{:?}", s.equipements[0]).contains("passoword_hashed"));
}

#[test]
fn tolerant_shapes() {
    let e: Equipement = serde_json::from_str(
        r#"{"equipement_id":"x","ip":"1.2.3.4","sources":"rtsp","port":"80","timestamp":"2025-11-06T16:52:40.857Z","description":null,"unknown":1}"#,
    )
    .unwrap();
    assert_eq!(e.sources.0, vec!["rtsp"]);
    assert_eq!(e.port, Some(80));
    assert!(e.timestamp.unwrap().parsed.is_some());
    let p: Page<Equipement> =
        serde_json::from_str(r#"{"items":[],"total":null,"page":null,"size":null,"pages":null}"#)
            .unwrap();
    assert_eq!(p.page_count(), None);
    let p: Page<Equipement> =
        serde_json::from_str(r#"{"items":[],"total":101,"size":50,"pages":null}"#).unwrap();
    assert_eq!(p.page_count(), Some(3));
    let s: Site = serde_json::from_str(r#"{"site_id":"a","lonitude":9.7,"latitude":4.0}"#).unwrap();
    assert_eq!(s.longitude, Some(9.7));
    let r: Role = serde_json::from_str(
        r#"{"id":"r","name":"x","description":"d","permissions":["users:read",{"permission_id":"p","ressource":"roles","action":"create"}]}"#,
    )
    .unwrap();
    assert_eq!(r.permissions[0].key(), "users:read");
    assert_eq!(r.permissions[1].key(), "roles:create");
}
