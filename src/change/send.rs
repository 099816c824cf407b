//! Step 3: what each API is sent — only the fields the change carries (Ocean and Maarch,
//! whose routes write a whole record, on the record as the server holds it now).

use serde_json::{Map, Value, json};

use super::read::{Fresh, maarch_json, maarch_user};
use super::values::{perm_key, split_link};
use super::{Change, Clients, Edit, FieldChange, Kind, Saved, value_of};
use crate::api::ApiError;
use crate::api::maarch::{MaarchClient, MaarchUserUpdate, WRITTEN_KEYS};
use crate::api::model::*;
use crate::api::ocean::{Individu, OceanStatus};
use crate::i18n::{tr, trf};

/// What a write answered.
pub(super) struct Answer {
    /// The record after, as the fields read it (`None`: the answer does not carry it).
    pub json: Option<Value>,
    pub saved: Option<Saved>,
    /// The server's own words.
    pub message: String,
    /// What could not be done or read after a first write succeeded (`Outcome::notes`).
    pub notes: Vec<String>,
}

pub(super) fn json<T: serde::Serialize>(t: &T) -> Value {
    serde_json::to_value(t).unwrap_or_default()
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn float(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().replace(',', ".").parse().ok(),
        _ => None,
    }
}

/// A field this API cannot take: refused before anything is sent.
fn cannot(kind: Kind, key: &str) -> ApiError {
    ApiError::Config(trf(
        "{} cannot be changed through this API: nothing sent",
        &[&format!("{} {}", kind.name(), crate::text::sanitize(key))],
    ))
}

fn value_or(sent: &[&FieldChange], key: &str) -> Option<Value> {
    sent.iter().find(|f| f.key == key).map(|f| f.wanted.clone())
}

/// Sends the fields `sent` of an edit.
pub(super) async fn edit(
    c: &Clients,
    ch: &Change,
    edit: &Edit,
    sent: &[&FieldChange],
    fresh: &Fresh,
) -> Result<Answer, ApiError> {
    let id = ch.id.clone();
    Ok(match ch.kind {
        Kind::Site => {
            let mut u = SiteUpdate {
                site_id: id,
                ..Default::default()
            };
            for f in sent {
                match f.key.as_str() {
                    "name" => u.name = Some(text(&f.wanted)),
                    "longitude" => u.longitude = float(&f.wanted),
                    "latitude" => u.latitude = float(&f.wanted),
                    "description" => u.description = Some(text(&f.wanted)),
                    other => return Err(cannot(ch.kind, other)),
                }
            }
            let s = c.core()?.update_site(&u).await?;
            let mut j = json(&s);
            // Some answers leave the client out: the site's client did not change.
            if value_of(Kind::Site, &j, "client_id").is_none_or(|v| v.is_null())
                && let Some(cl) = value_of(Kind::Site, &fresh.json, "client_id")
            {
                j["client_id"] = cl;
            }
            Answer {
                json: Some(j),
                saved: Some(Saved::Site(s)),
                message: String::new(),
                notes: Vec::new(),
            }
        }
        Kind::Equipement => {
            let mut u = EquipementUpdate {
                equipement_id: id,
                ..Default::default()
            };
            for f in sent {
                let w = &f.wanted;
                match f.key.as_str() {
                    "ip" => u.ip = Some(text(w)),
                    "site_id" => u.site_id = Some(text(w)),
                    "marque" => u.marque = Some(text(w)),
                    "modele" => u.modele = Some(text(w)),
                    "sources" => {
                        u.sources = Some(
                            serde_json::from_value::<Sources>(w.clone())
                                .map(|s| s.0)
                                .unwrap_or_default(),
                        )
                    }
                    "port" => {
                        u.port = Some(int(w).ok_or_else(|| {
                            ApiError::Config(tr("port: not a number: nothing sent").into())
                        })?)
                    }
                    "username" => u.username = Some(text(w)),
                    "password" => u.password = Some(text(w)),
                    "description" => u.description = Some(text(w)),
                    other => return Err(cannot(ch.kind, other)),
                }
            }
            let e = c.core()?.update_equipement(&u).await?;
            // An answer without a site says nothing of a move: the read after does.
            let j = (e.site_id().is_some() || u.site_id.is_none()).then(|| {
                let mut j = json(&e);
                if e.site_id().is_none()
                    && let Some(s) = &fresh.site
                {
                    j["site_id"] = json!(s);
                }
                j
            });
            let mut e = e;
            if e.site_id().is_none() && u.site_id.is_none() {
                e.site_id = fresh.site.clone();
            }
            Answer {
                json: j,
                saved: Some(Saved::Equipement(e)),
                message: String::new(),
                notes: Vec::new(),
            }
        }
        Kind::User => {
            let mut u = UserUpdate {
                user_id: id,
                ..Default::default()
            };
            for f in sent {
                let w = &f.wanted;
                match f.key.as_str() {
                    "matricule" => u.matricule = int(w),
                    "nom" => u.nom = Some(text(w)),
                    "email" => u.email = Some(text(w)),
                    "password" => u.password = Some(text(w)).filter(|p| !p.is_empty()),
                    "role_id" => u.role_id = Some(text(w)),
                    other => return Err(cannot(ch.kind, other)),
                }
            }
            let user = c.core()?.update_user(&u).await?;
            Answer {
                json: Some(json(&user)),
                saved: Some(Saved::User(user)),
                message: String::new(),
                notes: Vec::new(),
            }
        }
        Kind::Role => role(c, ch, sent, fresh).await?,
        Kind::Individu => individu(c, ch, sent, fresh).await?,
        Kind::MaarchUser => maarch(c.maarch()?, ch, edit, sent, fresh).await?,
    })
}

/// What a role's edit sends: the `update` (its name and description; with a removal, the
/// whole set — it replaces the role's — as the server holds it now (`now`), minus what was
/// removed, plus what was added, in the shape received) and the permissions given to
/// `add_permissions` (additions alone: it touches nothing else).
pub fn role_update(
    now: &Role,
    sent: &[&FieldChange],
) -> Result<(RoleUpdate, Vec<PermissionRef>), ApiError> {
    let mut u = RoleUpdate {
        role_id: now.role_id.clone(),
        ..Default::default()
    };
    let (mut add, mut remove) = (Vec::new(), Vec::new());
    for f in sent {
        match f.key.as_str() {
            "name" => u.name = Some(text(&f.wanted)),
            "description" => u.description = Some(text(&f.wanted)),
            k => {
                let Some(p) = k.strip_prefix("perm:") else {
                    return Err(cannot(Kind::Role, k));
                };
                let r = match p.strip_prefix('#') {
                    Some(id) => PermissionRef {
                        permission_id: id.to_string(),
                        ..Default::default()
                    },
                    None => {
                        let (res, act) = p.split_once(':').unwrap_or((p, ""));
                        PermissionRef {
                            ressource: res.into(),
                            action: act.into(),
                            permission_id: String::new(),
                        }
                    }
                };
                if f.wanted == Value::Bool(true) {
                    add.push(r);
                } else {
                    remove.push(k.to_string());
                }
            }
        }
    }
    if !remove.is_empty() {
        let mut set: Vec<PermissionRef> = now
            .permissions
            .iter()
            .filter(|p| !remove.contains(&perm_key(p)))
            .map(PermissionRef::from)
            .collect();
        for a in add.drain(..) {
            if !set.contains(&a) {
                set.push(a);
            }
        }
        u.permissions = Some(set);
    }
    Ok((u, add))
}

/// A role (`role_update`).
async fn role(
    c: &Clients,
    ch: &Change,
    sent: &[&FieldChange],
    fresh: &Fresh,
) -> Result<Answer, ApiError> {
    let core = c.core()?;
    let Saved::Role(now) = &fresh.saved else {
        return Err(ApiError::Config("no role read".into()));
    };
    let (u, add) = role_update(now, sent)?;
    let mut role = None;
    let mut notes = Vec::new();
    if u.name.is_some() || u.description.is_some() || u.permissions.is_some() {
        role = Some(core.update_role(&u).await?);
    }
    if !add.is_empty() {
        match core.add_permissions(&ch.id, &add).await {
            Ok(r) => role = Some(r),
            // The update is on the server: the additions are said not applied, not the save.
            Err(e) if role.is_some() => notes.push(trf(
                "the permissions to add were refused: {}",
                &[&crate::text::sanitize(&e.to_string())],
            )),
            Err(e) => return Err(e),
        }
    }
    let role = role.unwrap_or_else(|| now.clone());
    Ok(Answer {
        json: Some(json(&role)),
        saved: Some(Saved::Role(role)),
        message: String::new(),
        notes,
    })
}

/// What Ocean's update is sent: the record as the server holds it now (`base`), with the
/// changed fields set (`entite` whole: the entity's id and name go together) and the
/// individu repeated in its user account, as the doc's body does.
pub fn individu_body(base: &Individu, sent: &[&FieldChange]) -> Individu {
    let mut body = base.clone();
    for f in sent {
        if f.key == "entite" {
            match &f.wanted {
                Value::Null => {
                    body.0.remove("entite");
                }
                w => {
                    body.0.insert("entite".into(), w.clone());
                }
            }
        } else {
            body.set(&f.key, f.wanted.clone());
        }
    }
    if let Some(ind) = body.0.get("individu").cloned()
        && body.0.get("utilisateur").is_some_and(Value::is_object)
    {
        body.set("utilisateur.individu", ind);
    }
    body
}

/// Ocean's update takes the whole record (`individu_body`).
async fn individu(
    c: &Clients,
    ch: &Change,
    sent: &[&FieldChange],
    fresh: &Fresh,
) -> Result<Answer, ApiError> {
    let o = c.ocean()?;
    let Value::Object(m) = &fresh.json else {
        return Err(ApiError::Config("no individu read".into()));
    };
    let body = individu_body(&Individu(m.clone()), sent);
    let st = o.update_individu(&body).await?;
    let message = status_words(&st, tr("Individu saved"));
    // The list after: when it fails, the change room reads again and says what it could not.
    let Ok(individus) = o.list_individus(None).await else {
        return Ok(Answer {
            json: None,
            saved: None,
            message,
            notes: Vec::new(),
        });
    };
    let after = individus
        .iter()
        .find(|i| i.id().map(|n| n.to_string()).as_deref() == Some(ch.id.as_str()))
        .map(|i| Value::Object(i.0.clone()));
    Ok(Answer {
        json: Some(after.unwrap_or(Value::Null)),
        saved: Some(Saved::Individus {
            message: message.clone(),
            individus,
        }),
        message,
        notes: Vec::new(),
    })
}

/// A Maarch user: `PUT /rest/users/{id}` writes firstname, lastname, initials, mail and
/// phone whatever the body holds, so every one the user did not change goes back as the
/// server holds it now; a value the server does not show is sent only when typed, or left
/// out where the user agreed to its erasure. Links go one by one: added (with their role),
/// removed, their role or primary flag changed.
async fn maarch(
    m: &MaarchClient,
    ch: &Change,
    edit: &Edit,
    sent: &[&FieldChange],
    fresh: &Fresh,
) -> Result<Answer, ApiError> {
    let uid: i64 = ch
        .id
        .parse()
        .map_err(|_| ApiError::BadRequest(format!("no Maarch user {}", ch.id)))?;
    let scalar: Vec<&&FieldChange> = sent
        .iter()
        .filter(|f| split_link(&f.key).is_none())
        .collect();
    let (mut wrote, mut notes) = (false, Vec::new());
    if !scalar.is_empty() {
        let now = |k: &str| value_of(Kind::MaarchUser, &fresh.json, k);
        let mut written: Map<String, Value> = Map::new();
        for k in WRITTEN_KEYS {
            let v = match value_or(sent, k) {
                Some(w) => Some(w),
                None => match now(k) {
                    Some(v) => Some(v),
                    None if edit.erase.iter().any(|e| e == k) => None,
                    None => {
                        // Never silently: the form asks before this can be sent.
                        return Err(ApiError::Config(trf(
                            "the server does not show {} to you and this save would erase it: nothing sent",
                            &[&k],
                        )));
                    }
                },
            };
            if let Some(v) = v {
                written.insert(k.to_string(), v);
            }
        }
        let opt = |k: &str| written.get(k).map(text).filter(|s| !s.is_empty());
        let update = MaarchUserUpdate {
            id: uid,
            firstname: opt("firstname").unwrap_or_default(),
            lastname: opt("lastname").unwrap_or_default(),
            initials: opt("initials"),
            mail: opt("mail"),
            phone: written.get("phone").map(text),
            mode: value_or(sent, "mode").map(|v| text(&v)),
            status: value_or(sent, "status").map(|v| text(&v)),
        };
        for f in &scalar {
            if !WRITTEN_KEYS.contains(&f.key.as_str())
                && !matches!(f.key.as_str(), "mode" | "status")
            {
                return Err(cannot(ch.kind, &f.key));
            }
        }
        m.update_user(&update).await?;
        wrote = true;
    }
    for f in sent {
        let Some((to, id)) = split_link(&f.key) else {
            continue;
        };
        let now = value_of(Kind::MaarchUser, &fresh.json, &f.key).unwrap_or(Value::Null);
        let r = link(m, uid, to, id, &now, &f.wanted).await;
        match r {
            Ok(()) => wrote = true,
            Err(e) if !wrote => return Err(e),
            // What went before is on the server: the rest is said not sent, the read after
            // tells what holds.
            Err(e) => {
                notes.push(trf(
                    "stopped after a refusal: {}",
                    &[&crate::text::sanitize(&e.to_string())],
                ));
                break;
            }
        }
    }
    // The read after: when it fails, the change room reads again and says so.
    if sent.iter().any(|f| split_link(&f.key).is_some()) && fresh.json.get("groups").is_none() {
        // No details route: links are sent as additions and removals, never checked.
        notes.push(tr("this server does not show the user's links: not checked").into());
    }
    let Ok(Some((d, links))) = maarch_user(m, uid).await else {
        return Ok(Answer {
            json: None,
            saved: None,
            message: String::new(),
            notes,
        });
    };
    let what = match sent {
        [one] if split_link(&one.key).is_some() => {
            let (to, id) = split_link(&one.key).unwrap_or_default();
            let words = match (to, one.wanted.is_null()) {
                ("group", false) => "{} added to group {}",
                ("group", true) => "{} removed from group {}",
                (_, false) => "{} added to entity {}",
                (_, true) => "{} removed from entity {}",
            };
            trf(words, &[&d.user.user_id, &id])
        }
        _ => trf("Saved Maarch user {}", &[&d.user.user_id]),
    };
    Ok(Answer {
        json: Some(maarch_json(&d, links)),
        saved: Some(Saved::MaarchUser(d, what)),
        message: String::new(),
        notes,
    })
}

/// One link of a Maarch user, from `now` to `wanted` (null: not held): added with its
/// role, removed, or its role or primary flag set.
async fn link(
    m: &MaarchClient,
    uid: i64,
    to: &str,
    id: &str,
    now: &Value,
    wanted: &Value,
) -> Result<(), ApiError> {
    let group = to == "group";
    let role_key = if group { "role" } else { "user_role" };
    let role = wanted.get(role_key).and_then(Value::as_str);
    let primary = |v: &Value| v.get("primary") == Some(&Value::Bool(true));
    match (now, wanted) {
        (_, Value::Null) if group => m.remove_group(uid, id).await,
        (_, Value::Null) => m.remove_entity(uid, id).await,
        (Value::Null, _) if group => m.add_group_as(uid, id, role).await.map(drop),
        (Value::Null, w) => {
            m.add_entity_as(uid, id, role).await?;
            if primary(w) {
                m.set_primary_entity(uid, id).await?;
            }
            Ok(())
        }
        (n, w) => {
            if let Some(r) = role
                && n.get(role_key).and_then(Value::as_str) != Some(r)
            {
                if group {
                    m.set_group_role(uid, id, r).await?;
                } else {
                    m.set_entity_role(uid, id, r).await?;
                }
            }
            if primary(w) && !primary(n) {
                m.set_primary_entity(uid, id).await?;
            }
            Ok(())
        }
    }
}

/// Ocean's own words for a create/update, or ours when it said nothing.
pub(super) fn status_words(st: &[OceanStatus], fallback: &str) -> String {
    let words: Vec<String> = st
        .iter()
        .filter(|s| !s.message.is_empty() || !s.ocean_status.is_empty())
        .map(|s| {
            if s.message.is_empty() {
                s.ocean_status.clone()
            } else {
                s.message.clone()
            }
        })
        .collect();
    if words.is_empty() {
        fallback.to_string()
    } else {
        words.join("; ")
    }
}

/// A delete (a core user is deactivated: the core has no delete).
pub(super) async fn delete(c: &Clients, ch: &Change) -> Result<(), ApiError> {
    let id = ch.id.as_str();
    match ch.kind {
        Kind::Site => c.core()?.delete_site(id).await,
        Kind::Equipement => c.core()?.delete_equipement(id).await,
        Kind::User => c.core()?.deactivate_user(id).await,
        Kind::Role => c.core()?.delete_role(id).await,
        Kind::Individu => {
            let n: i64 = id
                .parse()
                .map_err(|_| ApiError::BadRequest(format!("no individu {id}")))?;
            c.ocean()?.delete_individu(n).await
        }
        Kind::MaarchUser => Err(ApiError::Config(
            tr("Maarch users are not deleted through this API: edit them, or suspend them in Maarch")
                .into(),
        )),
    }
}
