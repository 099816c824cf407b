//! Bulk actions asked: what `M`, `S`, `d` and `:set` ask, the fields they may set, and the jobs they build for a run.

use crate::app::App;
use crate::app::Equipement;
use crate::app::Overlay;
use crate::app::bulk::{BulkJob, TYPE_THE_COUNT_ABOVE};
use crate::app::form;
use crate::app::form::Form;
use crate::app::kinds;
use crate::app::kinds::DetailTarget;
use crate::app::kinds::ListKind;
use crate::app::kinds::with_list;
use crate::i18n::tr;
use crate::i18n::trf;
use tui_input::Input;

use crate::change::{self, Change, FieldChange};

/// A field a bulk set may change, by the names `:set` takes (English and the API's).
pub const SETTABLE: &[(&str, &str)] = &[
    ("port", "port"),
    ("username", "username"),
    ("password", "password"),
    ("brand", "marque"),
    ("marque", "marque"),
    ("model", "modele"),
    ("modele", "modele"),
    ("sources", "sources"),
    ("description", "description"),
];

/// `port=8080 username=admin description=two words` → (API field, value) pairs; a word
/// without `=` belongs to the value before it. Values are checked as the form checks them.
pub fn parse_assignments(text: &str) -> Result<Vec<(&'static str, String)>, String> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for word in text.split_whitespace() {
        match word.split_once('=') {
            Some((name, value)) => {
                let Some(&(_, field)) = SETTABLE
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
                else {
                    return Err(trf(
                        "No field '{}' to set (port, username, password, brand, model, sources, description)",
                        &[&crate::text::sanitize(name)],
                    ));
                };
                out.retain(|(f, _)| *f != field);
                out.push((field, value.to_string()));
            }
            None => match out.last_mut() {
                Some((_, v)) => {
                    v.push(' ');
                    v.push_str(word);
                }
                None => return Err(tr("Write FIELD=VALUE, e.g. :set port=8080").into()),
            },
        }
    }
    if out.is_empty() {
        return Err(tr("Write FIELD=VALUE, e.g. :set port=8080").into());
    }
    for (field, value) in &out {
        let bad = match *field {
            "port" => !matches!(value.trim().parse::<i64>(), Ok(1..=65535)),
            "marque" | "modele" => {
                let n = value.trim().chars().count();
                !(1..=100).contains(&n)
            }
            "description" => value.chars().count() > 1000,
            "username" => value.chars().count() > 200,
            _ => false,
        };
        if bad {
            return Err(trf(
                "{}: '{}' is not a valid value",
                &[field, &crate::text::sanitize(value)],
            ));
        }
    }
    Ok(out)
}

/// A Maarch group or entity added to (or removed from) every marked user.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkChange {
    pub add: bool,
    /// `group` or `entity`.
    pub to: &'static str,
    pub id: String,
}

/// `group+=AGENT`, `entity-=PJS`: what `:set` does on Maarch users.
pub fn parse_link(text: &str) -> Result<LinkChange, String> {
    let bad =
        || tr("On Maarch users write group+=ID, group-=ID, entity+=ID or entity-=ID").to_string();
    let (name, id) = text.trim().split_once('=').ok_or_else(bad)?;
    let name = name.trim().to_lowercase();
    let (to, add) = match name.as_str() {
        "group+" => ("group", true),
        "group-" => ("group", false),
        "entity+" => ("entity", true),
        "entity-" => ("entity", false),
        _ => return Err(bad()),
    };
    let id = id.trim();
    if id.is_empty() || id.chars().any(char::is_whitespace) {
        return Err(bad());
    }
    Ok(LinkChange {
        add,
        to,
        id: id.to_string(),
    })
}

/// The fields a bulk set changes on one equipement, each as the console held it (a row
/// another admin changed since it was read is a conflict, not overwritten unseen).
pub fn set_fields(e: &Equipement, fields: &[(&'static str, String)]) -> Vec<FieldChange> {
    let seen = serde_json::to_value(e).unwrap_or_default();
    fields
        .iter()
        .filter_map(|(field, value)| {
            let wanted = match *field {
                "port" => serde_json::json!(value.trim().parse::<i64>().ok()?),
                "marque" | "modele" => serde_json::json!(value.trim()),
                "sources" => serde_json::json!(form::list_values(value)),
                _ => serde_json::json!(value),
            };
            let was = change::value_of(change::Kind::Equipement, &seen, field);
            Some(FieldChange::new(*field, was, wanted))
        })
        .collect()
}

impl App {
    /// The marked rows the next bulk action works on: a site detail's equipements when one
    /// is on top, else the tab's list.
    pub(super) fn marked_targets(&self) -> (ListKind, Vec<DetailTarget>) {
        if let Some(Overlay::Detail(d)) = self.overlays.last()
            && matches!(d.target, DetailTarget::Site(_))
        {
            let rows = d.equipements.marked_rows();
            return (
                ListKind::Equipements,
                rows.into_iter().map(DetailTarget::Equipement).collect(),
            );
        }
        let kind = self.list_kind();
        let targets = with_list!(self, kind, |l| l
            .marked_rows()
            .iter()
            .map(kinds::Stored::target)
            .collect());
        (kind, targets)
    }

    /// The marked rows, or `None` (said) when nothing is marked or the profile is read-only.
    fn bulk_targets(&mut self) -> Option<(ListKind, Vec<DetailTarget>)> {
        if self.refuse_if_read_only("bulk changes") {
            return None;
        }
        let (kind, targets) = self.marked_targets();
        if targets.is_empty() {
            self.status.notice =
                Some(tr("Nothing is marked: Space marks a row, * every row").into());
            return None;
        }
        Some((kind, targets))
    }

    /// `M`: the site picker, then the move.
    pub(super) fn ask_bulk_move(&mut self) {
        if let Some((kind, _)) = self.bulk_targets() {
            if kind != ListKind::Equipements {
                self.status.notice = Some(tr("Only equipements move to another site").into());
                return;
            }
            let sites = self.site_choices();
            self.push_form(Form::bulk_move(sites));
        }
    }

    /// `S`: the fields to set, then the run.
    pub(super) fn ask_bulk_set(&mut self) {
        if let Some((kind, _)) = self.bulk_targets() {
            if kind == ListKind::MaarchUsers {
                let Some((groups, entities)) = self.lists.catalogue.clone() else {
                    self.load_catalogue();
                    self.status.notice = Some(
                        tr("Reading Maarch groups and entities… S again once they are here").into(),
                    );
                    return;
                };
                self.push_form(Form::bulk_links(groups, entities));
                return;
            }
            if kind != ListKind::Equipements {
                self.status.notice = Some(tr("Fields are set in bulk on equipements").into());
                return;
            }
            self.push_form(Form::bulk_set());
        }
    }

    /// `d` with marks, `:delete`: deletes every marked row after one question.
    pub(super) fn bulk_delete(&mut self) {
        let Some((kind, targets)) = self.bulk_targets() else {
            return;
        };
        let jobs: Vec<BulkJob> = targets
            .iter()
            .map(|t| {
                let item = t.item();
                let (change, skip) = if item.unreadable() {
                    (None, Some(tr("unreadable row: nothing to act on")))
                } else if item.delete_guard().is_some() {
                    // A delete that takes more with it is typed one record at a time.
                    (None, Some(tr("it holds other records: delete it alone")))
                } else {
                    match item.deletion() {
                        Ok((_, op)) => (Some(kinds::delete_change(t, &op)), None),
                        Err(why) => (None, Some(tr(why))),
                    }
                };
                BulkJob {
                    key: item.id_text(),
                    label: t.label(),
                    change,
                    skip: skip.map(str::to_string),
                }
            })
            .collect();
        let n = jobs.len();
        let first: Vec<String> = jobs.iter().take(3).map(|j| j.label.clone()).collect();
        let more = if n > 3 {
            trf(" and {} more", &[&(n - 3)])
        } else {
            String::new()
        };
        let question = trf(
            "Delete {} {}: {}{}?",
            &[&n, &tr(kind.things()), &first.join(", "), &more],
        );
        let typed = (n > TYPE_THE_COUNT_ABOVE).then(|| (n.to_string(), Input::default()));
        self.open_bulk(question, tr("Deleting").into(), kind, jobs, typed);
    }

    /// `:move SITE` (or the move form): the marked equipements go to `site_id`.
    pub(super) fn bulk_move(&mut self, site_id: &str) {
        let Some((kind, targets)) = self.bulk_targets() else {
            return;
        };
        if kind != ListKind::Equipements {
            self.status.notice = Some(tr("Only equipements move to another site").into());
            return;
        }
        let Some(site) = self.site_name(site_id).map(|s| s.name.clone()) else {
            self.status.notice = Some(trf("No site '{}'", &[&crate::text::sanitize(site_id)]));
            return;
        };
        let jobs = targets
            .iter()
            .map(|t| {
                let DetailTarget::Equipement(e) = t else {
                    unreachable!("equipements only")
                };
                let already = e.site_id() == Some(site_id);
                let skip = if e.equipement_id.is_empty() {
                    Some(tr("unreadable row: nothing to act on").to_string())
                } else {
                    already.then(|| tr("already on that site").to_string())
                };
                let seen = e.site_id().map(|s| serde_json::json!(s));
                BulkJob {
                    skip,
                    key: e.equipement_id.clone(),
                    label: t.label(),
                    // The answer (or a read after it) must show the new site: a server that
                    // ignores the move is reported "not moved".
                    change: (!already && !e.equipement_id.is_empty()).then(|| {
                        Change::edit(
                            change::Kind::Equipement,
                            e.equipement_id.clone(),
                            vec![FieldChange::new(
                                "site_id",
                                seen,
                                serde_json::json!(site_id),
                            )],
                        )
                        .on_site(e.site_id().map(str::to_string))
                        .labelled(t.label())
                    }),
                }
            })
            .collect::<Vec<_>>();
        let question = trf(
            "Move {} equipements to {}?",
            &[&jobs.len(), &crate::text::sanitize(&site)],
        );
        self.open_bulk(
            question,
            trf("Moving to {}", &[&crate::text::sanitize(&site)]),
            kind,
            jobs,
            None,
        );
    }

    /// `:set FIELD=VALUE…` (or the set form): the same values on every marked equipement.
    pub(super) fn bulk_set(&mut self, fields: Vec<(&'static str, String)>) {
        let Some((kind, targets)) = self.bulk_targets() else {
            return;
        };
        if kind != ListKind::Equipements {
            self.status.notice = Some(tr("Fields are set in bulk on equipements").into());
            return;
        }
        let jobs = targets
            .iter()
            .map(|t| {
                let id = t.item().id_text();
                let DetailTarget::Equipement(e) = t else {
                    unreachable!("equipements only")
                };
                BulkJob {
                    key: id.clone(),
                    label: t.label(),
                    // Only those fields, each compared with the row as read.
                    change: (!id.is_empty()).then(|| {
                        Change::edit(change::Kind::Equipement, id.clone(), set_fields(e, &fields))
                            .on_site(e.site_id().map(str::to_string))
                            .labelled(t.label())
                    }),
                    skip: id
                        .is_empty()
                        .then(|| tr("unreadable row: nothing to act on").to_string()),
                }
            })
            .collect::<Vec<_>>();
        let what: Vec<String> = fields
            .iter()
            .map(|(f, v)| {
                if *f == "password" {
                    format!("{f}=••••")
                } else {
                    format!("{f}={}", crate::text::sanitize(v))
                }
            })
            .collect();
        let question = trf(
            "Set {} on {} equipements?",
            &[&what.join(", "), &jobs.len()],
        );
        self.open_bulk(question, tr("Setting fields").into(), kind, jobs, None);
    }

    /// `S` or `:set group+=ID` on Maarch users: a group or entity added to (or removed from)
    /// every marked user; an id the catalogue does not know is refused when it is known.
    pub(super) fn bulk_link(&mut self, change: LinkChange) {
        let Some((kind, targets)) = self.bulk_targets() else {
            return;
        };
        if kind != ListKind::MaarchUsers {
            self.status.notice = Some(tr("Groups and entities are set on Maarch users").into());
            return;
        }
        if let Some((groups, entities)) = &self.lists.catalogue {
            let known = if change.to == "group" {
                groups
            } else {
                entities
            };
            if !known.iter().any(|(id, _)| *id == change.id) {
                self.status.notice = Some(trf(
                    "No Maarch {} '{}'",
                    &[&tr(change.to), &crate::text::sanitize(&change.id)],
                ));
                return;
            }
        }
        let jobs = targets
            .iter()
            .map(|t| {
                let DetailTarget::MaarchUser(u) = t else {
                    unreachable!("Maarch users only")
                };
                let user = u.user.id;
                // A user who never had the link is "not a member", not done.
                let c =
                    Form::link_change(user, change.to, &change.id, change.add).labelled(t.label());
                BulkJob {
                    key: user.to_string(),
                    label: t.label(),
                    change: Some(c),
                    skip: None,
                }
            })
            .collect::<Vec<_>>();
        let what = crate::text::sanitize(&change.id).into_owned();
        let question = match (change.add, change.to) {
            (true, "group") => trf(
                "Add {} Maarch users to the group {}?",
                &[&jobs.len(), &what],
            ),
            (true, _) => trf(
                "Add {} Maarch users to the entity {}?",
                &[&jobs.len(), &what],
            ),
            (false, "group") => trf(
                "Remove {} Maarch users from the group {}?",
                &[&jobs.len(), &what],
            ),
            (false, _) => trf(
                "Remove {} Maarch users from the entity {}?",
                &[&jobs.len(), &what],
            ),
        };
        self.open_bulk(
            question,
            tr("Maarch groups and entities").into(),
            kind,
            jobs,
            None,
        );
    }
}
