//! Bulk actions on the marked rows: delete, move equipements to another site, set fields.
//! One question first, then one request at a time (never two writes racing, never a write
//! retried by itself), a progress bar, and a result per row; a failure does not stop the
//! run, Esc stops it after the request in flight. Rows done are unmarked, failed ones stay
//! marked so the run can be repeated on them; every change goes to the journal.

use crate::api::ApiError;
use crate::app::App;
use crate::app::Equipement;
use crate::app::Overlay;
use crate::app::Purpose;
use crate::app::action::{Typed, fixed, typed};
use crate::app::changes;
use crate::app::form;
use crate::app::form::Form;
use crate::app::hints::ENTER;
use crate::app::hints::ESC;
use crate::app::hints::Hint;
use crate::app::hints::K::A;
use crate::app::hints::Keys;
use crate::app::keymap::Act;
use crate::app::keymap::Scope;
use crate::app::kinds;
use crate::app::kinds::DetailTarget;
use crate::app::kinds::ListKind;
use crate::app::kinds::with_list;
use crate::app::screen::Failure;
use crate::app::screen::Screen;
use crate::i18n::tr;
use crate::i18n::trf;
use crate::protocol::Payload;
use crossterm::event::KeyEvent;
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

use crate::change::{self, Change, FieldChange, Verdict};

/// Above this many rows, a bulk delete is confirmed by typing the count.
pub const TYPE_THE_COUNT_ABOVE: usize = 10;

/// What became of one row.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Not sent yet (or never: the run was stopped).
    Waiting,
    Done(String),
    Failed(String),
    /// Nothing to do for it (already so), or it cannot be done here; nothing was sent.
    Skipped(String),
}

pub struct BulkJob {
    /// The record's key in its list (marks are kept by it).
    pub key: String,
    pub label: String,
    /// What the row asks the change room; `None`: decided before the run (see the outcome).
    pub change: Option<Change>,
    /// Why nothing is sent for it (with no change).
    pub skip: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Phase {
    Ask,
    Run,
    Finished,
}

pub struct BulkRun {
    /// What is done, as asked ("Delete 12 equipements?").
    pub question: String,
    /// What the run is, for its title ("Moving to LOUM").
    pub title: String,
    pub kind: ListKind,
    pub jobs: Vec<BulkJob>,
    pub outcomes: Vec<Outcome>,
    pub phase: Phase,
    /// The count to type before a big delete, and what is typed.
    pub typed: Option<(String, Input)>,
    pub error: Option<String>,
    /// The job whose request is in flight, and the request's id.
    pub pending: Option<(usize, u64)>,
    /// Esc was pressed: no new request is sent.
    pub stopping: bool,
    /// An import: the journal batch its rows share.
    pub batch: Option<u64>,
    pub selected: usize,
    /// `/`: only the rows whose label or result holds every word.
    pub filter: String,
    pub filtering: bool,
}

impl BulkRun {
    pub fn done(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Done(_)))
            .count()
    }

    pub fn failed(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o, Outcome::Failed(_)))
            .count()
    }

    /// The rows shown (indices into `jobs`): every one, or those the filter keeps.
    pub fn shown(&self) -> Vec<usize> {
        let words: Vec<String> = self
            .filter
            .split_whitespace()
            .map(|w| crate::app::list::fold(w).to_lowercase())
            .collect();
        (0..self.jobs.len())
            .filter(|&i| {
                if words.is_empty() {
                    return true;
                }
                let said = match &self.outcomes[i] {
                    Outcome::Waiting => "",
                    Outcome::Done(w) | Outcome::Failed(w) | Outcome::Skipped(w) => w,
                };
                let hay = crate::app::list::fold(&format!("{} {said}", self.jobs[i].label))
                    .to_lowercase();
                words.iter().all(|w| hay.contains(w))
            })
            .collect()
    }

    /// Moves the selection by `delta` among the rows shown.
    fn step(&mut self, delta: isize) {
        let shown = self.shown();
        let Some(last) = shown.len().checked_sub(1) else {
            return;
        };
        let at = shown.iter().position(|&i| i == self.selected).unwrap_or(0);
        let to = match delta {
            isize::MIN => 0,
            isize::MAX => last,
            d => at.saturating_add_signed(d).min(last),
        };
        self.selected = shown[to];
    }

    /// Rows settled (done, failed or skipped), for the progress bar.
    pub fn settled(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| **o != Outcome::Waiting)
            .count()
    }
}

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

    pub(super) fn open_bulk(
        &mut self,
        question: String,
        title: String,
        kind: ListKind,
        jobs: Vec<BulkJob>,
        typed: Option<(String, Input)>,
    ) {
        let outcomes = jobs
            .iter()
            .map(|j| match (&j.change, &j.skip) {
                (Some(_), _) => Outcome::Waiting,
                (None, why) => Outcome::Skipped(why.clone().unwrap_or_default()),
            })
            .collect();
        self.overlays.push(Overlay::Bulk(Box::new(BulkRun {
            question,
            title,
            kind,
            jobs,
            outcomes,
            phase: Phase::Ask,
            typed,
            error: None,
            pending: None,
            stopping: false,
            batch: None,
            selected: 0,
            filter: String::new(),
            filtering: false,
        })));
    }

    pub(super) fn bulk_mut(&mut self) -> Option<&mut BulkRun> {
        self.overlays.iter_mut().rev().find_map(|o| match o {
            Overlay::Bulk(b) => Some(b.as_mut()),
            _ => None,
        })
    }

    /// Sends the next waiting row's request, or ends the run.
    fn bulk_next(&mut self) {
        let Some(b) = self.bulk_mut() else {
            return;
        };
        let next = (!b.stopping)
            .then(|| {
                (0..b.jobs.len())
                    .find(|&i| b.outcomes[i] == Outcome::Waiting && b.jobs[i].change.is_some())
            })
            .flatten();
        let Some(i) = next else {
            return self.bulk_finish();
        };
        let Some(mut c) = b.jobs[i].change.clone() else {
            return;
        };
        if c.batch.is_none() {
            c.batch = b.batch;
        }
        let id = self.send_change(c, Purpose::Bulk);
        if let Some(b) = self.bulk_mut() {
            b.pending = Some((i, id));
        }
    }

    /// The run ended (or was stopped): done rows unmarked, the count said.
    fn bulk_finish(&mut self) {
        let Some(b) = self.bulk_mut() else {
            return;
        };
        b.phase = Phase::Finished;
        b.pending = None;
        let kind = b.kind;
        let done: Vec<String> = b
            .jobs
            .iter()
            .zip(&b.outcomes)
            .filter(|(_, o)| matches!(o, Outcome::Done(_)))
            .map(|(j, _)| j.key.clone())
            .collect();
        let (n_done, failed, total) = (b.done(), b.failed(), b.jobs.len());
        let not_sent = b
            .outcomes
            .iter()
            .filter(|o| **o == Outcome::Waiting)
            .count();
        with_list!(self, kind, |mut l| for k in &done {
            l.marked.remove(k);
        });
        if kind == ListKind::Equipements {
            for d in self.details_mut() {
                for k in &done {
                    d.equipements.marked.remove(k);
                }
            }
        }
        let mut notice = trf("{} of {} done, {} failed", &[&n_done, &total, &failed]);
        if not_sent > 0 {
            notice = trf("{} — stopped, {} not sent", &[&notice, &not_sent]);
        }
        if failed > 0 || not_sent > 0 {
            notice = trf("{} (still marked: run it again on them)", &[&notice]);
        }
        self.status.notice = Some(notice);
    }

    pub(super) fn bulk_key(&mut self, key: KeyEvent) {
        if let Some(b) = self.bulk_mut()
            && b.filtering
        {
            // The filter is typed here: only the fixed keys act.
            match (fixed(key.code), typed(&key)) {
                (Some(Act::Cancel), _) => {
                    b.filter.clear();
                    b.filtering = false;
                }
                (Some(Act::Open), _) => b.filtering = false,
                (_, Some(Typed::Backspace)) => {
                    b.filter.pop();
                }
                (_, Some(Typed::Char(c))) => b.filter.push(c),
                _ => {}
            }
            b.step(0);
            return;
        }
        let act = self.prefs.keymap.action(Scope::Bulk, &key);
        let Some(b) = self.bulk_mut() else {
            return;
        };
        match b.phase {
            Phase::Ask => {
                if let Some((expect, input)) = &mut b.typed {
                    match fixed(key.code) {
                        Some(Act::Cancel) => {
                            self.overlays.pop();
                        }
                        Some(Act::Open) => {
                            if input.value().trim() != expect.as_str() {
                                b.error = Some(trf("Type {} to confirm", &[expect]));
                                return;
                            }
                            b.phase = Phase::Run;
                            self.bulk_next();
                        }
                        _ => {
                            if let Some(req) = to_input_request(&crossterm::event::Event::Key(key))
                            {
                                input.handle(req);
                            }
                        }
                    }
                    return;
                }
                match act {
                    Some(Act::Filter) => b.filtering = true,
                    Some(Act::Down) => b.step(1),
                    Some(Act::Up) => b.step(-1),
                    Some(Act::Yes | Act::Open) => {
                        b.phase = Phase::Run;
                        self.bulk_next();
                    }
                    Some(Act::No | Act::Cancel | Act::Close) => {
                        self.overlays.pop();
                    }
                    _ => {}
                }
            }
            Phase::Run => {
                if act == Some(Act::Cancel) {
                    b.stopping = true;
                    self.status.notice = Some(tr("Stopping after the request in flight…").into());
                }
            }
            Phase::Finished => match act {
                Some(Act::Cancel) if !b.filter.is_empty() => b.filter.clear(),
                Some(Act::Cancel | Act::Close | Act::Open) => {
                    self.overlays.pop();
                }
                Some(Act::Filter) => b.filtering = true,
                Some(Act::Down) => b.step(1),
                Some(Act::Up) => b.step(-1),
                Some(Act::First) => b.step(isize::MIN),
                Some(Act::Last) => b.step(isize::MAX),
                _ => {}
            },
        }
    }

    /// What a row's change did, landed where it shows, in the row's words.
    fn bulk_outcome(&mut self, c: &Change, o: &change::Outcome) -> Outcome {
        let label = |k: &str| change::label(k);
        let removal = match &c.op {
            change::Op::Edit(e) => e.fields.iter().all(|f| f.wanted.is_null()),
            _ => true,
        };
        match &o.verdict {
            Verdict::Conflict(clashes) => {
                // The row shows the server's values: running again compares with them.
                if let Some(s) = o.saved.clone() {
                    kinds::land_saved(self, s);
                }
                let what: Vec<String> = clashes
                    .iter()
                    .map(|x| {
                        trf(
                            "{} is {} on the server (was {})",
                            &[
                                &label(&x.key),
                                &change::shown(&x.key, &x.theirs),
                                &x.seen
                                    .as_ref()
                                    .map(|v| change::shown(&x.key, v))
                                    .unwrap_or_default(),
                            ],
                        )
                    })
                    .collect();
                Outcome::Failed(trf(
                    "changed on the server meanwhile: {}; not sent",
                    &[&what.join(", ")],
                ))
            }
            Verdict::Gone => {
                if matches!(c.op, change::Op::Delete) {
                    // What a delete wants holds: the row goes.
                    kinds::land_removed(self, c.kind, &o.id);
                    Outcome::Done(tr("already gone from the server").into())
                } else {
                    Outcome::Failed(tr("deleted on the server meanwhile").into())
                }
            }
            Verdict::Unchanged => {
                if let Some(s) = o.saved.clone() {
                    kinds::land_saved(self, s);
                }
                let fields: Vec<(String, bool)> =
                    o.fields.iter().map(|f| (f.key.clone(), removal)).collect();
                Outcome::Skipped(App::unchanged_words(&fields, &label))
            }
            Verdict::Applied => {
                let words = self.land_outcome(c.kind, o);
                if o.not_applied().iter().any(|(k, _)| *k == "site_id") {
                    // A server without the move extension answers the record unmoved.
                    return Outcome::Failed(
                        tr("the server answered it on its old site: not moved").into(),
                    );
                }
                match App::server_kept(o, &label) {
                    Some(w) if changes::any_not_applied(o) => Outcome::Failed(w),
                    Some(w) => Outcome::Done(format!("{words} — {w}")),
                    None => Outcome::Done(words),
                }
            }
        }
    }

    /// The row whose request `id` was, settled with `outcome`.
    fn bulk_settle(&mut self, id: u64, outcome: Outcome) -> Option<usize> {
        let b = self.bulk_mut()?;
        let (i, _) = b.pending.filter(|(_, p)| *p == id)?;
        b.outcomes[i] = outcome;
        b.selected = i;
        b.pending = None;
        Some(i)
    }
}

impl Screen for BulkRun {
    fn on_key(app: &mut App, key: KeyEvent) {
        app.bulk_key(key)
    }

    fn on_answer(app: &mut App, id: u64, _purpose: Purpose, p: Payload) -> bool {
        let o = match p {
            Payload::ImportPlan(plan) => return app.on_import_plan(id, plan),
            Payload::Changed(o) => *o,
            _ => return false,
        };
        let Some(b) = app.bulk_mut() else {
            return false;
        };
        let Some((i, _)) = b.pending.filter(|(_, p)| *p == id) else {
            return false;
        };
        let Some(c) = b.jobs[i].change.clone() else {
            return false;
        };
        let outcome = app.bulk_outcome(&c, &o);
        app.bulk_settle(id, outcome);
        app.bulk_next();
        true
    }

    fn on_failure(app: &mut App, f: &Failure) -> bool {
        let Failure { id, e, words, .. } = *f;
        if matches!(f.purpose, Purpose::ImportPlan) {
            if let Some(Overlay::Form(form)) = app.overlays.last_mut()
                && form.pending == Some(id)
            {
                form.pending = None;
                form.error = Some(words.to_string());
            }
            return false;
        }
        if app
            .bulk_settle(id, Outcome::Failed(words.to_string()))
            .is_none()
        {
            return false;
        }
        // Unreachable or logged out: every next row would fail the same way.
        let stop = matches!(e, ApiError::Network(_) | ApiError::Unauthorized(_));
        if stop && let Some(b) = app.bulk_mut() {
            b.stopping = true;
        }
        app.bulk_next();
        stop
    }

    fn footer(app: &App) -> Vec<Hint> {
        let k = Keys(&app.prefs.keymap);
        let b = |a| A(Scope::Bulk, a);
        match app.overlays.last() {
            Some(Overlay::Bulk(r)) => match r.phase {
                Phase::Ask if r.typed.is_some() => {
                    vec![k.h(&[ENTER], "confirm"), k.h(&[ESC], "cancel")]
                }
                Phase::Ask => vec![
                    k.h(&[b(Act::Yes), ENTER], "confirm"),
                    k.h(&[b(Act::No), ESC], "cancel"),
                ],
                Phase::Run => vec![k.h(&[ESC], "stop after the request in flight")],
                Phase::Finished => vec![
                    k.h(&[b(Act::Down), b(Act::Up)], "move"),
                    k.h(&[b(Act::Filter)], "filter"),
                    k.h(&[ESC, b(Act::Close)], "close"),
                ],
            },
            _ => Vec::new(),
        }
    }

    fn help(app: &App) -> Vec<(String, &'static str)> {
        let k = Keys(&app.prefs.keymap);
        let b = |a| A(Scope::Bulk, a);
        vec![
            k.sp(&[b(Act::Yes), ENTER], "run it on every marked row"),
            k.sp(
                &[ESC],
                "cancel; while running: stop after the request in flight",
            ),
            k.sp(&[b(Act::Down), b(Act::Up)], "move in the results"),
            k.sp(
                &[b(Act::Filter)],
                "filter the rows as you type (Esc clears)",
            ),
            k.sp(&[b(Act::Close)], "close the results"),
        ]
    }
}
