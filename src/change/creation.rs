//! Step 3 for a creation: the record sent, the answer checked against what was sent,
//! journaled.

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

use super::read::{maarch_json, maarch_user};
use super::send::{json, status_words};
use super::{Change, Clients, Create, Outcome, Saved, Status, Verdict, check_created, entry_for};
use crate::api::ApiError;
use crate::api::maarch::NewMaarchUser;
use crate::api::model::{NewEquipement, NewRole};
use crate::api::ocean::Individu;
use crate::i18n::{tr, trf};
use crate::journal::Op as JournalOp;

/// What a creation made: its id, the body sent, the answer as the fields read it, the
/// record, the server's words.
struct Made {
    id: String,
    body: Value,
    answer: Value,
    saved: Saved,
    message: String,
}

/// A creation: sent, its answer checked against what was sent, journaled.
pub(super) async fn create(c: &Clients, ch: &Change) -> Result<Outcome, ApiError> {
    let super::Op::Create(what) = &ch.op else {
        return Err(ApiError::Config("not a creation".into()));
    };
    let made = match what {
        Create::Site(b) => {
            let s = c.core()?.create_site(b).await?;
            Made {
                id: s.site_id.clone(),
                body: json(b),
                answer: json(&s),
                saved: Saved::Site(s),
                message: String::new(),
            }
        }
        Create::Equipement(b) => equipement(c, b).await?,
        Create::User(b) => {
            let u = c.core()?.create_user(b).await?;
            Made {
                id: u.user_id.clone(),
                body: json(b),
                answer: json(&u),
                saved: Saved::User(u),
                message: String::new(),
            }
        }
        Create::Role(b) => {
            let r = c.core()?.create_role(b).await?;
            Made {
                id: r.role_id.clone(),
                body: role_body(b),
                answer: json(&r),
                saved: Saved::Role(r),
                message: String::new(),
            }
        }
        Create::Individu { body, start, end } => {
            return individu(c, ch, body, start.as_ref(), end.as_ref()).await;
        }
        Create::MaarchUser(b) => return maarch_user_created(c, ch, b).await,
    };
    Ok(checked(ch, made))
}

/// What was made, checked against what was sent and journaled.
fn checked(ch: &Change, m: Made) -> Outcome {
    let mut out = Outcome::new(Verdict::Applied, &m.id);
    out.fields = check_created(ch.kind, &m.body, &m.answer);
    // A creation whose value the server wrote otherwise is said so; the record exists.
    for f in &mut out.fields {
        if let Status::AppliedAs(v) = &f.status
            && m.body.get(&f.key).is_some_and(|w| !w.is_null())
            && v.is_null()
        {
            f.status = Status::NotApplied(v.clone());
        }
    }
    out.saved = Some(m.saved);
    out.message = m.message;
    if ch.journaled() {
        out.entry = Some(entry_for(
            ch,
            &m.id,
            JournalOp::Create,
            None,
            Some(m.answer),
        ));
    }
    out
}

/// An equipement whose answer leaves out its site is on the site it was sent to.
async fn equipement(c: &Clients, b: &NewEquipement) -> Result<Made, ApiError> {
    let e = c.core()?.create_equipement(b).await?;
    let mut j = json(&e);
    if e.site_id().is_none() {
        j["site_id"] = json!(b.site_id);
    }
    let mut e = e;
    if e.site_id().is_none() {
        e.site_id = Some(b.site_id.clone());
    }
    Ok(Made {
        id: e.equipement_id.clone(),
        body: json(b),
        answer: j,
        saved: Saved::Equipement(e),
        message: String::new(),
    })
}

/// A role as its fields read it: each permission a `perm:` key.
fn role_body(b: &NewRole) -> Value {
    let mut body = json!({"name": b.name, "description": b.description});
    for p in &b.permissions {
        let key = if p.ressource.is_empty() {
            format!("perm:#{}", p.permission_id)
        } else {
            format!("perm:{}:{}", p.ressource, p.action)
        };
        body[key] = json!(true);
    }
    body
}

/// An individu: Ocean answers a status, not the record, so the new one is the one not
/// listed before.
async fn individu(
    c: &Clients,
    ch: &Change,
    body: &Individu,
    start: Option<&DateTime<FixedOffset>>,
    end: Option<&DateTime<FixedOffset>>,
) -> Result<Outcome, ApiError> {
    let o = c.ocean()?;
    let known: std::collections::HashSet<String> = o
        .list_individus(None)
        .await?
        .iter()
        .filter_map(|i| i.id().map(|n| n.to_string()))
        .collect();
    let st = o.create_individu(body, start, end).await?;
    let message = status_words(&st, tr("Individu created"));
    let mut notes = Vec::new();
    let Some(individus) = super::after_write(o.list_individus(None).await, &mut notes) else {
        // Created, but not read back: said, not journaled (no id to undo it by).
        let mut out = Outcome::new(Verdict::Applied, "");
        out.saved = Some(Saved::Account(message.clone()));
        out.message = message;
        out.notes = notes;
        return Ok(out);
    };
    let new = individus
        .iter()
        .find(|i| i.id().is_some_and(|n| !known.contains(&n.to_string())));
    let id = new.and_then(Individu::id).map(|n| n.to_string());
    let answer = new.map(|i| Value::Object(i.0.clone())).unwrap_or_default();
    let saved = Saved::Individus {
        message: message.clone(),
        individus,
    };
    let Some(id) = id else {
        // Created, but not listed: said, not journaled (no id to undo it by).
        let mut out = Outcome::new(Verdict::Applied, "");
        out.saved = Some(saved);
        out.message = message;
        return Ok(out);
    };
    let made = Made {
        id,
        body: Value::Null,
        answer,
        saved,
        message,
    };
    Ok(checked(ch, made))
}

/// A Maarch user, read back after its creation.
async fn maarch_user_created(
    c: &Clients,
    ch: &Change,
    b: &NewMaarchUser,
) -> Result<Outcome, ApiError> {
    let m = c.maarch()?;
    let uid = m.create_user(b).await?;
    let body = json!({
        "user_id": b.user_id, "firstname": b.firstname, "lastname": b.lastname,
        "mail": b.mail,
    });
    let what = trf("Maarch user {} created (id {})", &[&b.user_id, &uid]);
    let mut notes = Vec::new();
    let Some(Some((d, links))) = super::after_write(maarch_user(m, uid).await, &mut notes) else {
        // Created (it has an id), not read back: journaled as sent, unchecked.
        let id = uid.to_string();
        let mut out = Outcome::new(Verdict::Applied, &id);
        out.fields = check_created(ch.kind, &body, &Value::Null);
        out.saved = Some(Saved::Account(what));
        out.notes = notes;
        if ch.journaled() {
            out.entry = Some(entry_for(ch, &id, JournalOp::Create, None, Some(body)));
        }
        return Ok(out);
    };
    let j = maarch_json(&d, links);
    let what = trf("Maarch user {} created (id {})", &[&b.user_id, &uid]);
    let made = Made {
        id: uid.to_string(),
        body,
        answer: j,
        saved: Saved::MaarchUser(d, what),
        message: String::new(),
    };
    Ok(checked(ch, made))
}
