//! Row commands in the console: a configured program run on the selected row (or on each
//! marked one) with the terminal handed over, as for `$EDITOR`; asked first when the
//! command says `confirm`. Arguments are built by `crate::commands` (no shell, refusals
//! said before anything runs).

use crate::app::App;
use crate::app::Effect;
use crate::app::Overlay;
use crate::app::hints::ESC;
use crate::app::hints::Hint;
use crate::app::hints::K::A;
use crate::app::hints::Keys;
use crate::app::keymap;
use crate::app::keymap::Act;
use crate::app::keymap::Scope;
use crate::app::kinds::DetailTarget;
use crate::app::kinds::ListKind;
use crate::app::view::{Cx, Flow, View};
use crate::i18n::tr;
use crate::i18n::trf;
use crossterm::event::KeyEvent;

use crate::commands::RowCommand;

/// A command waiting for `y`: what will run, argument by argument.
pub struct RunAsk {
    pub name: String,
    pub runs: Vec<Vec<String>>,
    pub wait: bool,
}

impl App {
    /// The row command `key` runs on the list (or site detail) shown, if one does.
    pub(super) fn command_for_key(&self, key: KeyEvent) -> Option<RowCommand> {
        let k = keymap::Key::of(&key);
        let kind = self.command_kind();
        self.prefs
            .commands
            .iter()
            .find(|c| c.key == Some(k) && c.applies_to(kind.name()))
            .cloned()
    }

    /// The kind of the rows a command would run on: a site detail's equipements, else the
    /// tab's.
    fn command_kind(&self) -> ListKind {
        match self.overlays.last() {
            Some(Overlay::Detail(d)) if matches!(d.target, DetailTarget::Site(_)) => {
                ListKind::Equipements
            }
            Some(Overlay::Detail(d)) => d.target.kind(),
            _ => self.list_kind(),
        }
    }

    /// `:run NAME`.
    pub(super) fn run_named(&mut self, name: &str) {
        let Some(c) = self
            .prefs
            .commands
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name.trim()))
            .cloned()
        else {
            let known: Vec<&str> = self
                .prefs
                .commands
                .iter()
                .map(|c| c.name.as_str())
                .collect();
            self.status.notice = Some(if known.is_empty() {
                tr("No row command in the config ([commands.NAME], see config.example.toml)").into()
            } else {
                trf(
                    "No row command '{}' (known: {})",
                    &[&crate::text::sanitize(name), &known.join(", ")],
                )
            });
            return;
        };
        self.run_row_command(c);
    }

    /// Builds each run's arguments; one refusal stops them all, nothing runs.
    pub(super) fn run_row_command(&mut self, c: RowCommand) {
        let kind = self.command_kind();
        if !c.applies_to(kind.name()) {
            self.status.notice = Some(trf(
                "{} runs on {}, not on {}",
                &[&c.name, &c.on.join(", "), &tr(kind.things())],
            ));
            return;
        }
        let targets: Vec<DetailTarget> = {
            let (_, marked) = self.marked_targets();
            if c.marked && !marked.is_empty() {
                marked
            } else {
                self.command_target().into_iter().collect()
            }
        };
        if targets.is_empty() {
            self.status.notice = Some(tr("No row selected").into());
            return;
        }
        let mut runs = Vec::new();
        for t in &targets {
            match c.expand(&t.item().json()) {
                Ok(argv) => runs.push(argv),
                Err(why) => {
                    self.status.notice = Some(trf(
                        "{}: {} — not run on {}",
                        &[&c.name, &why, &crate::text::sanitize(&t.label())],
                    ));
                    return;
                }
            }
        }
        if c.confirm {
            self.overlays.push(Overlay::RunAsk(Box::new(RunAsk {
                name: c.name.clone(),
                runs,
                wait: c.wait,
            })));
        } else {
            self.effects.push(Effect::Run {
                name: c.name.clone(),
                runs,
                wait: c.wait,
            });
        }
    }

    /// The row a command runs on: a site detail's selected equipement, a detail's record,
    /// else the list's selected row.
    fn command_target(&self) -> Option<DetailTarget> {
        match self.overlays.last() {
            Some(Overlay::Detail(d)) if matches!(d.target, DetailTarget::Site(_)) => d
                .equipements
                .selected_record()
                .map(DetailTarget::Equipement),
            Some(Overlay::Detail(d)) => Some(d.target.clone()),
            _ => self.selected_target(),
        }
    }

    /// The runtime ran a command: one failure message per run that failed.
    pub fn on_ran(&mut self, name: &str, runs: usize, failures: Vec<String>) {
        if failures.is_empty() {
            self.status.notice = Some(trf("{} ran ({} times)", &[&name, &runs]));
            self.status.last_error = None;
        } else if runs == 1 {
            self.status.last_error = Some(format!("{name}: {}", failures.join("; ")));
        } else {
            self.status.last_error = Some(trf(
                "{}: {} of {} runs failed: {}",
                &[&name, &failures.len(), &runs, &failures.join("; ")],
            ));
        }
    }
}

impl View for RunAsk {
    /// A row command asks as a confirmation does.
    const SCOPE: Scope = Scope::Confirm;

    fn on_key(&mut self, act: Option<Act>, _key: &KeyEvent, cx: &mut Cx) -> Flow {
        match act {
            Some(Act::Yes | Act::Open) => {
                cx.effects.push(Effect::Run {
                    name: std::mem::take(&mut self.name),
                    runs: std::mem::take(&mut self.runs),
                    wait: self.wait,
                });
                Flow::Close
            }
            Some(Act::No | Act::Cancel) => Flow::Close,
            _ => Flow::Stay,
        }
    }

    fn hints(&self, k: &Keys) -> Vec<Hint> {
        vec![
            k.h(&[A(Scope::Confirm, Act::Yes)], "run"),
            k.h(&[A(Scope::Confirm, Act::No), ESC], "cancel"),
        ]
    }

    fn help(&self, _k: &Keys) -> Vec<(String, &'static str)> {
        Vec::new()
    }
}
