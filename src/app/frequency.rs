//! `F`: how often each value of the selected column occurs over the list (every page, the
//! filter applied), most frequent first; Enter keeps only the rows with that value.

use crate::app::keymap::Act;
use crate::app::kinds::columns_of;
use crate::app::view::{Cx, Flow, Msg, View, move_selection};
use crate::rows::Record;
use crate::rows::Rows;
use std::borrow::Cow;

use crate::app::App;
use crate::app::Equipement;
use crate::app::Overlay;
use crate::app::hints::ENTER;
use crate::app::hints::ESC;
use crate::app::hints::Hint;
use crate::app::hints::K::A;
use crate::app::hints::Keys;
use crate::app::keymap::Scope;
use crate::app::kinds::ListKind;
use crate::app::kinds::Tab;
use crate::app::kinds::with_list;
use crate::i18n::tr;
use crate::i18n::trf;
use crossterm::event::KeyEvent;

pub struct Frequency {
    pub kind: ListKind,
    pub col: usize,
    /// The column's title (to translate).
    pub column: &'static str,
    /// Value → count, most frequent first.
    pub rows: Vec<(String, usize)>,
    /// Rows counted.
    pub total: usize,
    /// A note per value (`:dups`: the sites sharing it); empty for `F`.
    pub notes: Vec<String>,
    pub selected: usize,
}

impl App {
    /// `F` on the list shown; equipements are all read first.
    pub(super) fn open_frequency(&mut self) {
        let kind = self.list_kind();
        if kind == ListKind::Equipements && !self.lists.equipements.complete {
            self.lists.when_loaded.frequency = true;
            self.lists.when_loaded.depth = self.overlays.len();
            self.load_all();
            self.status.notice = Some(tr("Loading every page before counting…").into());
            return;
        }
        let col = self.real_col();
        let (rows, total, column) = with_list!(self, kind, |l| (
            l.frequencies(col),
            l.view.len(),
            columns_of(l).get(col).map(|c| c.title).unwrap_or_default()
        ));
        self.overlays.push(Overlay::Frequency(Box::new(Frequency {
            kind,
            col,
            column,
            rows,
            total,
            notes: Vec::new(),
            selected: 0,
        })));
    }
}

impl View for Frequency {
    const SCOPE: Scope = Scope::Frequency;

    fn on_key(&mut self, act: Option<Act>, _key: &KeyEvent, cx: &mut Cx) -> Flow {
        if move_selection(&mut self.selected, act, self.rows.len(), cx.rows) {
            return Flow::Stay;
        }
        match act {
            Some(Act::Cancel | Act::Back) => return Flow::Close,
            Some(Act::Open) => {
                if let Some((value, rows)) = self.rows.get(self.selected).cloned() {
                    return Flow::Done(Msg::Pin {
                        kind: self.kind,
                        col: self.col,
                        column: self.column,
                        value,
                        rows,
                    });
                }
            }
            _ => {}
        }
        Flow::Stay
    }

    fn hints(&self, k: &Keys) -> Vec<Hint> {
        let f = |a| A(Scope::Frequency, a);
        vec![
            k.h(&[f(Act::Down), f(Act::Up)], "move"),
            k.h(&[ENTER], "only this value"),
            k.h(&[ESC, f(Act::Back)], "back"),
        ]
    }

    fn help(&self, k: &Keys) -> Vec<(String, &'static str)> {
        let f = |a| A(Scope::Frequency, a);
        vec![
            k.sp(&[f(Act::Down), f(Act::Up)], "move among the values"),
            k.sl(&[f(Act::First), f(Act::Last)], "first / last"),
            k.sp(&[ENTER], "keep only the rows with this value"),
            k.sl(&[ESC, f(Act::Back)], "back"),
        ]
    }
}

impl App {
    /// Another equipement the console holds at this `ip:port` on another site than `site`
    /// (not `except`), named with its site. On the same site the server's own refusal
    /// decides.
    pub(super) fn ip_port_taken(
        &self,
        ip: &str,
        port: &str,
        except: Option<&str>,
        site: &str,
    ) -> Option<String> {
        let same = |e: &Equipement| {
            Some(e.equipement_id.as_str()) != except
                && e.site_id() != Some(site)
                && e.ip.trim() == ip
                && e.port.map(|p| p.to_string()).as_deref() == Some(port)
        };
        let details = self.overlays.iter().filter_map(|o| match o {
            Overlay::Detail(d) => Some(d.equipements.items.records()),
            _ => None,
        });
        std::iter::once(self.lists.equipements.items.records())
            .chain(details)
            .flatten()
            .find(|e| same(e))
            .map(|e| {
                let site = e
                    .client_site
                    .as_ref()
                    .map(|s| s.name.clone())
                    .or_else(|| {
                        e.site_id()
                            .and_then(|id| self.site_name(id))
                            .map(|s| s.name.clone())
                    })
                    .unwrap_or_default();
                crate::text::sanitize(&format!("{} ({site})", e.label())).into_owned()
            })
    }

    /// `:dups`: IPs several equipements share (across sites or within one), most shared
    /// first; Enter shows those equipements. Every equipement is read first.
    pub(super) fn open_dups(&mut self) {
        self.switch_tab(Tab::Equipements);
        if !self.lists.equipements.complete {
            self.lists.when_loaded.dups = true;
            self.lists.when_loaded.depth = self.overlays.len();
            self.load_all();
            self.status.notice =
                Some(tr("Loading every page before looking for duplicates…").into());
            return;
        }
        let mut by_ip: std::collections::BTreeMap<String, Vec<Cow<'_, Equipement>>> =
            Default::default();
        for e in self.lists.equipements.items.records() {
            if !e.ip.trim().is_empty() {
                by_ip.entry(e.ip.trim().to_string()).or_default().push(e);
            }
        }
        let site = |e: &Equipement| {
            e.client_site
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_else(|| e.site_id().unwrap_or_default().to_string())
        };
        let mut rows: Vec<(String, usize, String)> = by_ip
            .into_iter()
            .filter(|(_, v)| v.len() > 1)
            .map(|(ip, v)| {
                let mut sites: Vec<String> = v.iter().map(|e| site(e)).collect();
                sites.sort();
                sites.dedup();
                let mut ports: Vec<Option<i64>> = v.iter().map(|e| e.port).collect();
                ports.sort();
                let same_port = ports.windows(2).any(|w| w[0] == w[1] && w[0].is_some());
                let mut note = if sites.len() > 1 {
                    trf("on {} sites: {}", &[&sites.len(), &sites.join(", ")])
                } else {
                    trf("within {}", &[&sites.join("")])
                };
                if same_port {
                    note = trf("{} — same IP:port", &[&note]);
                }
                (ip, v.len(), note)
            })
            .collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let total = self.lists.equipements.items.len();
        let (rows, notes) = rows
            .into_iter()
            .map(|(ip, n, note)| ((ip, n), note))
            .unzip();
        self.overlays.push(Overlay::Frequency(Box::new(Frequency {
            kind: ListKind::Equipements,
            col: 0,
            column: "IP",
            rows,
            notes,
            total,
            selected: 0,
        })));
    }
}
