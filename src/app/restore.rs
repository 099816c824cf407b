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
use crate::app::view::{Cx, Flow, View};
use crate::i18n::tr;
use crate::i18n::trf;
use crossterm::event::KeyEvent;

impl App {
    /// Offers back a form left unfinished (dropped session, crash).
    pub fn offer_draft(&mut self, d: crate::app::drafts::Draft) {
        self.overlays.push(Overlay::Restore(Box::new(d)));
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

impl View for Restore {
    const SCOPE: Scope = Scope::Restore;

    fn on_key(&mut self, act: Option<Act>, _key: &KeyEvent, cx: &mut Cx) -> Flow {
        match act {
            Some(Act::Restore | Act::Open) => {
                let mut form = self.form.clone();
                if cx.read_only {
                    *cx.notice = Some(tr("READ-ONLY profile: the draft cannot be sent").into());
                }
                form.error = Some(if form.has_secret() {
                    trf(
                        "Restored from {}: passwords are never kept, type them again",
                        &[&self.saved_at],
                    )
                } else {
                    trf("Restored from {}", &[&self.saved_at])
                });
                Flow::Replace(Box::new(Overlay::Form(Box::new(form))))
            }
            Some(Act::Discard | Act::Cancel) => {
                *cx.notice = Some(tr("Draft discarded").into());
                Flow::Close
            }
            _ => Flow::Stay,
        }
    }

    fn hints(&self, k: &Keys) -> Vec<Hint> {
        vec![
            k.said(A(Scope::Restore, Act::Restore)),
            k.said(A(Scope::Restore, Act::Discard)),
        ]
    }

    fn help(&self, _k: &Keys) -> Vec<(String, &'static str)> {
        Vec::new()
    }
}
