//! A record's detail described: its footer and its help, by the kind of record it shows.

use crate::app::Detail;
use crate::app::hints;
use crate::app::hints::DELETE;
use crate::app::hints::ENTER;
use crate::app::hints::ESC;
use crate::app::hints::Hint;
use crate::app::hints::K::A;
use crate::app::hints::K::T;
use crate::app::hints::Keys;
use crate::app::keymap::Act;
use crate::app::keymap::Scope;
use crate::app::kinds::DetailTarget;

impl Detail {
    /// Its footer: what the keys do on this kind of record.
    pub(super) fn footer(&self, k: &Keys) -> Vec<Hint> {
        let d_ = |a| A(Scope::Detail, a);
        let m = |a| A(Scope::Maarch, a);
        match self.target {
            DetailTarget::MaarchUser(_) => vec![
                k.h(&[ESC], "back"),
                k.said(m(Act::Edit)),
                k.said(m(Act::AddGroup)),
                k.said(m(Act::AddEntity)),
                k.said(m(Act::Remove)),
                k.h(
                    &[m(Act::Link), m(Act::CreateLink), m(Act::Unlink)],
                    "Parapheur link/create/unlink",
                ),
                k.said(m(Act::Status)),
                k.said(m(Act::Help)),
            ],
            DetailTarget::Individu(_) => vec![
                k.h(&[ESC], "back"),
                k.said(d_(Act::Edit)),
                k.said(d_(Act::Assign)),
                k.said(d_(Act::Delete)),
                k.said(d_(Act::Help)),
            ],
            DetailTarget::Site(_) => {
                let paged = self.equipements.paging.is_some_and(|p| p.pages > 1);
                let mut v = vec![
                    k.h(&[ESC], "back"),
                    k.said(d_(Act::Edit)),
                    k.said(d_(Act::Delete)),
                    k.said(d_(Act::New)),
                ];
                // Paging keys only where there is another page.
                if paged {
                    v.push(k.said(d_(Act::NextPage)));
                }
                v.push(k.said(d_(Act::Help)));
                v
            }
            _ => vec![
                k.h(&[ESC], "back"),
                k.said(d_(Act::Edit)),
                k.said(d_(Act::Delete)),
                k.said(d_(Act::Reveal)),
                k.said(d_(Act::Help)),
            ],
        }
    }

    /// Its part of the help.
    pub(super) fn help_lines(&self, k: &Keys) -> Vec<(String, &'static str)> {
        let d = |a| A(Scope::Detail, a);
        let m = |a| A(Scope::Maarch, a);
        let arrows = T("↑ ↓", None);
        let fixed = hints::fixed;
        match self.target {
            DetailTarget::MaarchUser(_) => vec![
                k.sl(&[ESC, m(Act::Back)], "back"),
                k.said_line(m(Act::Edit)),
                k.sp(
                    &[m(Act::Down), m(Act::Up), arrows],
                    "select a group or entity",
                ),
                k.said_line(m(Act::AddGroup)),
                k.said_line(m(Act::AddEntity)),
                k.sl(
                    &[m(Act::Remove), DELETE],
                    "remove the selected group or entity",
                ),
                k.said_line(m(Act::Link)),
                k.said_line(m(Act::CreateLink)),
                k.said_line(m(Act::Unlink)),
                k.said_line(m(Act::Status)),
                k.said_line(m(Act::Reload)),
                k.said_line(m(Act::Undo)),
            ],
            DetailTarget::Individu(_) => vec![
                k.sl(&[ESC, d(Act::Back)], "back"),
                k.sp(&[d(Act::Edit)], "edit the individu"),
                k.said_line(d(Act::Assign)),
                k.said_line(d(Act::Undo)),
                k.sp(&[d(Act::Delete)], "delete (asks first)"),
            ],
            _ => vec![
                k.sl(&[ESC, d(Act::Back)], "back to where you were"),
                k.sp(&[d(Act::Edit)], "edit this record"),
                k.sp(&[d(Act::Delete)], "delete (deactivate a user)"),
                k.said_line(d(Act::Reveal)),
                k.sp(
                    &[d(Act::Down), d(Act::Up), arrows],
                    "move in the site's equipements",
                ),
                k.sp(
                    &[d(Act::NextPage), d(Act::PrevPage), T("PgDn PgUp", None)],
                    "next / previous page of equipements",
                ),
                k.sp(&[ENTER], "open the selected equipement"),
                k.said_line(d(Act::New)),
                k.said_line(d(Act::Filter)),
                k.said_line(d(Act::Probe)),
                k.said_line(d(Act::Mark)),
                k.said_line(d(Act::MarkAll)),
                k.said_line(d(Act::Move)),
                k.said_line(d(Act::Set)),
                k.said_line(d(Act::Import)),
                k.sp(
                    &[d(Act::Delete)],
                    "with marks: delete the marked equipements",
                ),
                k.said_line(d(Act::Undo)),
                k.said_line(d(Act::Palette)),
                fixed("Ctrl-C", "quit"),
            ],
        }
    }
}
