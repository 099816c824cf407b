//! A form left unfinished (dropped session, crash), offered back at start.

use crate::app::App;
use crate::app::Overlay;
use crate::app::form::Form;
use crate::app::hints::Hint;
use crate::app::hints::K::A;
use crate::app::hints::Keys;
use crate::app::keymap::Act;
use crate::app::keymap::Scope;
use crate::app::screen::Restore;
use crate::app::screen::Screen;
use crate::i18n::tr;
use crate::i18n::trf;
use crossterm::event::KeyEvent;

impl App {
    /// Offers back a form left unfinished (dropped session, crash).
    pub fn offer_draft(&mut self, d: crate::app::drafts::Draft) {
        self.overlays.push(Overlay::Restore(Box::new(d)));
    }

    pub(super) fn restore_key(&mut self, key: KeyEvent) {
        let Some(act) = self.prefs.keymap.action(Scope::Restore, &key) else {
            return;
        };
        match act {
            Act::Restore | Act::Open => {
                if let Some(Overlay::Restore(d)) = self.overlays.pop() {
                    let mut form = d.form;
                    if self.session.read_only {
                        self.status.notice =
                            Some(tr("READ-ONLY profile: the draft cannot be sent").into());
                    }
                    form.error = Some(trf(
                        "Restored from {}: passwords are never kept, type them again",
                        &[&d.saved_at],
                    ));
                    self.overlays.push(Overlay::Form(Box::new(form)));
                }
            }
            Act::Discard | Act::Cancel => {
                self.overlays.pop();
                self.status.notice = Some(tr("Draft discarded").into());
            }
            _ => {}
        }
    }

    /// The draftable form on top, if any (for crash-safe drafts); a draft still offered
    /// counts as open.
    pub fn open_form(&self) -> Option<&Form> {
        self.overlays.iter().rev().find_map(|o| match o {
            Overlay::Form(f) => Some(f.as_ref()),
            Overlay::Restore(d) => Some(&d.form),
            _ => None,
        })
    }
}

impl Screen for Restore {
    fn on_key(app: &mut App, key: KeyEvent) {
        app.restore_key(key)
    }

    fn footer(app: &App) -> Vec<Hint> {
        let k = Keys(&app.prefs.keymap);
        match app.overlays.last() {
            Some(Overlay::Restore(_)) => vec![
                k.h(&[A(Scope::Restore, Act::Restore)], "restore"),
                k.h(&[A(Scope::Restore, Act::Discard)], "discard"),
            ],
            _ => Vec::new(),
        }
    }
}
