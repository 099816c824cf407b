//! `I` in a site's detail: a file (Tab completes its path) read and planned by the worker
//! (`crate::import`), the plan shown as a bulk run — errors first —, Enter creating the
//! rows with progress and results. Every row created is journaled under one batch, and `u`
//! deletes the whole import after one question.

use crate::app::App;
use crate::app::BulkJob;
use crate::app::Outcome;
use crate::app::Overlay;
use crate::app::form::Form;
use crate::app::kinds;
use crate::app::kinds::DetailTarget;
use crate::app::kinds::ListKind;
use crate::i18n::tr;
use crate::i18n::trf;

use crate::import::{Action, Planned, Send};

impl App {
    /// `I` on a site's detail.
    pub(super) fn ask_import(&mut self, site_id: &str) {
        if self.refuse_if_read_only("importing") {
            return;
        }
        let start = directories::UserDirs::new()
            .map(|d| format!("{}/", d.home_dir().display()))
            .unwrap_or_default();
        self.push_form(Form::import_file(site_id, &start));
    }

    /// The worker's plan for the file the form names: the form gives way to the run.
    pub(super) fn on_import_plan(&mut self, id: u64, plan: Vec<Planned>) -> bool {
        let Some(pos) = self.waiting_form(id) else {
            return false;
        };
        let Overlay::Form(f) = self.overlays.remove(pos) else {
            return false;
        };
        let site = self
            .site_name(&f.subject)
            .map(|s| s.name.clone())
            .unwrap_or_default();
        let mut plan = plan;
        // Errors first: they are what needs the administrator.
        plan.sort_by_key(|p| p.action);
        let count = |a: Action| plan.iter().filter(|p| p.action == a).count();
        let (create, skip, error) = (
            count(Action::Create),
            count(Action::Skip) + count(Action::Update),
            count(Action::Error),
        );
        let jobs: Vec<BulkJob> = plan
            .iter()
            .map(|p| {
                // The console creates; an update is `vigie import --update`'s.
                let change = match &p.send {
                    Some(Send::Create(c)) => {
                        Some(crate::change::Change::create(c.clone()).labelled(p.label.clone()))
                    }
                    _ => None,
                };
                let why = match p.action {
                    Action::Error => trf("line {}: {}", &[&p.line, &p.message]),
                    _ if change.is_none() => trf("line {}: {}", &[&p.line, &p.message]),
                    _ => String::new(),
                };
                // A create's warning (advice: the server decides) stays in sight.
                let label = if change.is_some() && !p.message.is_empty() {
                    trf("{} (line {}) — {}", &[&p.label, &p.line, &p.message])
                } else {
                    trf("{} (line {})", &[&p.label, &p.line])
                };
                BulkJob {
                    key: p.id.clone().unwrap_or_default(),
                    label,
                    change,
                    skip: (!why.is_empty()).then_some(why),
                }
            })
            .collect();
        let question = trf(
            "Import into {}: {} to create, {} already there, {} errors?",
            &[&crate::text::sanitize(&site), &create, &skip, &error],
        );
        self.open_bulk(
            question,
            trf("Import into {}", &[&crate::text::sanitize(&site)]),
            ListKind::Equipements,
            jobs,
            None,
        );
        if let Some(b) = self.bulk_mut() {
            // The rows the file got wrong are failures from the start.
            for (o, p) in b.outcomes.iter_mut().zip(&plan) {
                if p.action == Action::Error
                    && let Outcome::Skipped(w) = o
                {
                    *o = Outcome::Failed(std::mem::take(w));
                }
            }
            b.batch = chrono::Utc::now()
                .timestamp_nanos_opt()
                .and_then(|n| u64::try_from(n).ok());
        }
        true
    }

    /// `u` on a row of an import: every record it created that is still there is deleted,
    /// after one question.
    pub(super) fn undo_import(&mut self, batch: u64) {
        let undone: std::collections::HashSet<u64> =
            self.journal.iter().filter_map(|e| e.undoes).collect();
        let rows: Vec<crate::journal::Entry> = self
            .journal
            .iter()
            .filter(|e| {
                e.batch == Some(batch)
                    && e.op == crate::journal::Op::Create
                    && e.undoes.is_none()
                    && !undone.contains(&e.seq)
            })
            .cloned()
            .collect();
        let Some(kind) = rows.first().and_then(|e| ListKind::named(&e.kind)) else {
            self.status.notice = Some(tr("Nothing to undo in this profile's journal").into());
            return;
        };
        let when = rows[0]
            .at
            .get(..16)
            .unwrap_or(&rows[0].at)
            .replace('T', " ");
        let jobs: Vec<BulkJob> = rows
            .iter()
            .map(|e| {
                let t = e
                    .after
                    .as_ref()
                    .and_then(|v| DetailTarget::from_json(kind, v));
                let change = t.as_ref().and_then(|t| {
                    let (_, op) = t.item().deletion().ok()?;
                    let mut c = kinds::delete_change(t, &op);
                    c.undoes = Some(e.seq);
                    if c.site.is_none() {
                        c.site = e.site.clone();
                    }
                    Some(c)
                });
                BulkJob {
                    key: e.id.clone(),
                    label: if e.label.is_empty() {
                        e.id.clone()
                    } else {
                        e.label.clone()
                    },
                    skip: change
                        .is_none()
                        .then(|| tr("The journal does not say what was created").to_string()),
                    change,
                }
            })
            .collect();
        let n = jobs.len();
        let question = trf(
            "Undo the import of {} {} made {}: delete them?",
            &[&n, &tr(kind.things()), &when],
        );
        self.open_bulk(question, tr("Undo an import").into(), kind, jobs, None);
    }
}

#[cfg(test)]
mod tests {
    use super::super::form_screen::complete_path;

    #[test]
    fn tab_completes_a_path_as_a_shell_does() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display().to_string();
        std::fs::write(dir.path().join("cameras-loum.csv"), "").unwrap();
        std::fs::write(dir.path().join("cameras-yassa.csv"), "").unwrap();
        std::fs::create_dir(dir.path().join("archive")).unwrap();
        let (done, said) = complete_path(&format!("{d}/ca"));
        assert_eq!(done, format!("{d}/cameras-"), "the shared prefix");
        assert!(
            said.unwrap().contains("cameras-yassa.csv"),
            "the candidates said"
        );
        assert_eq!(
            complete_path(&format!("{d}/cameras-l")).0,
            format!("{d}/cameras-loum.csv")
        );
        assert_eq!(complete_path(&format!("{d}/ar")).0, format!("{d}/archive/"));
        let (same, said) = complete_path(&format!("{d}/zz"));
        assert_eq!(same, format!("{d}/zz"));
        assert!(said.is_some());
    }
}
