//! `E`: a record edited as JSON in `$EDITOR`, read back into its form and saved.

use crate::api::ocean::Individu;
use crate::app::App;
use crate::app::Effect;
use crate::app::Overlay;
use crate::app::Permission;
use crate::app::form::Form;
use crate::app::kinds::DetailTarget;
use crate::app::target_json;
use crate::i18n::tr;
use crate::i18n::trf;

/// Puts back, in an edited record, the values `mask_secrets` masked and the user left alone.
pub(super) fn unmask(edited: &mut serde_json::Value, original: &serde_json::Value) {
    use serde_json::Value;
    match (edited, original) {
        (Value::Object(e), Value::Object(o)) => {
            for (k, v) in e.iter_mut() {
                match o.get(k) {
                    Some(orig)
                        if v.as_str() == Some(crate::text::MASK) && orig.as_str() != v.as_str() =>
                    {
                        *v = orig.clone();
                    }
                    Some(orig) => unmask(v, orig),
                    None => {}
                }
            }
        }
        (Value::Array(e), Value::Array(o)) => {
            for (v, orig) in e.iter_mut().zip(o) {
                unmask(v, orig);
            }
        }
        _ => {}
    }
}

/// The leaves of `edited` that differ from `orig`, as dotted paths (a list is one leaf; a
/// key taken out is wanted empty).
fn leaf_changes(
    path: &str,
    orig: &serde_json::Value,
    edited: &serde_json::Value,
    out: &mut Vec<crate::change::FieldChange>,
) {
    use serde_json::Value;
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (orig, edited) {
        (Value::Object(o), Value::Object(e)) => {
            for (k, v) in e {
                leaf_changes(&join(k), o.get(k).unwrap_or(&Value::Null), v, out);
            }
            for (k, v) in o {
                if !e.contains_key(k) {
                    leaf_changes(&join(k), v, &Value::Null, out);
                }
            }
        }
        (Value::Object(o), Value::Null) => {
            for (k, v) in o {
                leaf_changes(&join(k), v, &Value::Null, out);
            }
        }
        (o, e) if o != e && !path.is_empty() => out.push(crate::change::FieldChange::new(
            path,
            Some(o.clone()),
            e.clone(),
        )),
        _ => {}
    }
}

impl App {
    /// `E`: the record as JSON in `$EDITOR` (secrets masked; a mask left alone is no change).
    pub(super) fn edit_in_editor(&mut self, t: DetailTarget) {
        if self.refuse_if_read_only("editing") {
            return;
        }
        if let DetailTarget::MaarchUser(d) = &t
            && !d.fetched
        {
            // What the editor shows must be what a save writes: read the details first.
            self.read_maarch_for_edit(d.user.id, true);
            self.status.notice = Some(tr("Reading the user's details…").into());
            return;
        }
        let (title, v) = target_json(&t);
        self.waiting.editing = Some(t);
        self.effects.push(Effect::Edit {
            title,
            text: serde_json::to_string_pretty(&v).unwrap_or_default(),
        });
    }

    /// What the editor gave back: the edit form filled with it, checked, and sent when valid.
    pub fn on_edited(&mut self, result: Result<String, String>) {
        let Some(target) = self.waiting.editing.take() else {
            return;
        };
        let text = match result {
            Ok(t) => t,
            Err(e) => {
                self.status.last_error = Some(e);
                return;
            }
        };
        let v: serde_json::Value = match serde_json::from_str(&text) {
            Ok(v @ serde_json::Value::Object(_)) => v,
            Ok(_) => {
                self.status.last_error =
                    Some(tr("The edited text is not a JSON object: nothing sent").into());
                return;
            }
            Err(e) => {
                self.status.last_error =
                    Some(trf("The edited text is not JSON ({}): nothing sent", &[&e]));
                return;
            }
        };
        let before = self.overlays.len();
        self.edit_target(target.clone());
        if self.overlays.len() == before {
            return;
        }
        let filled = match (&target, &v) {
            (DetailTarget::Individu(orig), serde_json::Value::Object(m)) => {
                let Some(Overlay::Form(f)) = self.overlays.last_mut() else {
                    return;
                };
                fill_individu(f, orig, m)
            }
            _ => self.fill_plain(&v),
        };
        if filled {
            self.save_form();
        }
    }

    /// The form on top filled from an edited record's keys; `false`: refused, nothing sent.
    fn fill_plain(&mut self, v: &serde_json::Value) -> bool {
        let Some(Overlay::Form(f)) = self.overlays.last_mut() else {
            return false;
        };
        if let Some(list) = v.get("permissions") {
            // Any item a server sends: objects, ids or `ressource:action` strings. Anything
            // but a list would read as "no permission": refused, nothing sent.
            let perms: Option<Vec<Permission>> = match list {
                serde_json::Value::Array(_) => serde_json::from_value(list.clone()).ok(),
                _ => None,
            };
            let Some(perms) = perms else {
                self.overlays.pop();
                self.status.last_error =
                    Some(tr("permissions must be a list of permissions: nothing sent").into());
                return false;
            };
            f.set_permissions(&perms);
        }
        for field in &mut f.fields {
            if field.key == "permissions" {
                continue;
            }
            let Some(val) = v.get(field.key.as_ref()) else {
                continue;
            };
            let text = match val {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(a) => a
                    .iter()
                    .map(|x| match x {
                        serde_json::Value::String(s) => s.clone(),
                        serde_json::Value::Object(o) => {
                            match (o.get("ressource"), o.get("action")) {
                                (Some(r), Some(a)) => format!(
                                    "{}:{}",
                                    r.as_str().unwrap_or_default(),
                                    a.as_str().unwrap_or_default()
                                ),
                                _ => x.to_string(),
                            }
                        }
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            // A secret still masked was not touched.
            if text == crate::text::MASK {
                continue;
            }
            field.set_text(&text);
        }
        true
    }
}

/// An individu's form filled from its edited JSON; keys no field shows go as extra changes.
fn fill_individu(
    f: &mut Form,
    orig: &Individu,
    m: &serde_json::Map<String, serde_json::Value>,
) -> bool {
    // The whole record goes back as edited, under its own id; a secret left masked
    // goes back as the server sent it.
    let mut edited = serde_json::Value::Object(m.clone());
    unmask(&mut edited, &serde_json::Value::Object(orig.0.clone()));
    let serde_json::Value::Object(m) = edited else {
        return false;
    };
    let mut body = Individu(m);
    if let Some(id) = orig.id() {
        body.set("individu.id", serde_json::json!(id));
    }
    for field in &mut f.fields {
        let text = body.text(&field.key);
        if field.key == "entite.id" || body.get(&field.key).is_some() {
            field.set_text(&text);
        }
    }
    // Keys no field shows go too, each compared with the record as read.
    let shown: Vec<String> = f.fields.iter().map(Form::change_key).collect();
    let mut extra = Vec::new();
    leaf_changes(
        "",
        &serde_json::Value::Object(orig.0.clone()),
        &serde_json::Value::Object(body.0.clone()),
        &mut extra,
    );
    f.extra = extra
        .into_iter()
        .filter(|c| {
            !shown
                .iter()
                .any(|k| c.key == *k || c.key.starts_with(&format!("{k}.")))
                && c.key != "individu.id"
                && !c.key.starts_with("utilisateur.individu")
        })
        .collect();
    true
}
