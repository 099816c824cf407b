//! The Ocean account screen (rights, password) and the Maarch pickers' catalogue.

use crate::api::ocean::ELEMENT_TYPES;
use crate::api::ocean::Functionality;
use crate::api::ocean::Individu;
use crate::api::ocean::OutboxMail;
use crate::app::App;
use crate::app::Command;
use crate::app::Net;
use crate::app::Overlay;
use crate::app::Purpose;
use crate::app::form::Form;
use crate::app::hints::ESC;
use crate::app::hints::Hint;
use crate::app::hints::K::A;
use crate::app::hints::K::T;
use crate::app::hints::Keys;
use crate::app::keymap::Act;
use crate::app::keymap::Scope;
use crate::app::not_configured;
use crate::app::screen::Failure;
use crate::app::view::{Cx, Flow, Msg, View};
use crate::protocol::Payload;
use crate::protocol::Request;
use crate::protocol::Service;
use crossterm::event::KeyEvent;

/// The Ocean account screen: my rights by element type, and the demo outbox.
pub struct Account {
    /// The element types offered: the known ones, then any typed (`t`).
    pub types: Vec<String>,
    /// The one shown, an index into `types`.
    pub element_type: usize,
    pub functionalities: Vec<Functionality>,
    pub selected: usize,
    pub pending: Option<u64>,
    pub error: Option<String>,
    /// `None` until read, `Some(None)` when the server has no outbox (a real Ocean).
    pub outbox: Option<Option<Vec<OutboxMail>>>,
}

impl App {
    pub(super) fn load_catalogue(&mut self) {
        let asked = self
            .net
            .in_flight
            .values()
            .any(|(p, _)| matches!(p, Purpose::Catalogue));
        if self.lists.catalogue.is_none() && !asked {
            self.send(Request::MaarchCatalogue, Purpose::Catalogue);
        }
    }

    pub(super) fn ask_assign_entity(&mut self, i: &Individu) {
        if self.refuse_if_read_only("assigning") {
            return;
        }
        let form = Form::assign_entity(i, &self.lists.individus.items);
        self.overlays.push(Overlay::Form(Box::new(form)));
    }

    /// Opens the Ocean account screen and reads my rights.
    pub(super) fn open_account(&mut self) {
        if !self.session.has(Service::Ocean) {
            self.status.notice = Some(not_configured(Service::Ocean, &self.session.profile));
            return;
        }
        self.overlays.push(Overlay::Account(Box::new(Account {
            types: ELEMENT_TYPES.iter().map(|t| t.to_string()).collect(),
            element_type: 0,
            functionalities: Vec::new(),
            selected: 0,
            pending: None,
            error: None,
            outbox: None,
        })));
        self.load_account();
    }

    /// Reads my rights of the element type shown (and the outbox) again.
    pub(super) fn load_account(&mut self) {
        if let Some(Overlay::Account(a)) = self.overlays.last_mut() {
            a.load(&mut self.net);
        }
    }

    pub(super) fn account_mut(&mut self) -> Option<&mut Account> {
        self.overlays.iter_mut().rev().find_map(|o| match o {
            Overlay::Account(a) => Some(a.as_mut()),
            _ => None,
        })
    }
}

impl Account {
    /// Asks for my rights of the element type shown, and the outbox.
    fn load(&mut self, net: &mut Net) {
        let t = self
            .types
            .get(self.element_type)
            .cloned()
            .unwrap_or_else(|| ELEMENT_TYPES[0].to_string());
        self.pending = Some(net.send(Request::Functionalities(t), Purpose::Account));
        net.send(Request::Outbox, Purpose::Account);
    }
}

impl View for Account {
    const SCOPE: Scope = Scope::Account;

    fn on_key(&mut self, act: Option<Act>, _key: &KeyEvent, cx: &mut Cx) -> Flow {
        let n = self.types.len().max(1);
        match act {
            Some(Act::Cancel | Act::Close) => return Flow::Close,
            Some(Act::Type) => {
                let current = self.types.get(self.element_type).cloned();
                let form = Form::element_type(&current.unwrap_or_default());
                return Flow::Push(Box::new(Overlay::Form(Box::new(form))));
            }
            Some(Act::Left | Act::Right | Act::PrevType | Act::NextType) => {
                let right = matches!(act, Some(Act::Right | Act::NextType));
                self.element_type = (self.element_type + if right { 1 } else { n - 1 }) % n;
                self.functionalities.clear();
                self.load(cx.net);
            }
            Some(Act::Down) => {
                let last = self.functionalities.len().saturating_sub(1);
                self.selected = (self.selected + 1).min(last)
            }
            Some(Act::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Act::Reload) => self.load(cx.net),
            Some(Act::ChangePassword) => return Flow::Then(Msg::Command(Command::ChangePassword)),
            Some(Act::RequestReset) => return Flow::Then(Msg::Command(Command::PasswordReset)),
            Some(Act::Help) => return Flow::help(),
            _ => {}
        }
        Flow::Stay
    }

    fn hints(&self, k: &Keys) -> Vec<Hint> {
        let a = |x| A(Scope::Account, x);
        vec![
            k.h(&[T("←→", None)], "element type"),
            k.said(a(Act::ChangePassword)),
            k.said(a(Act::RequestReset)),
            k.said(a(Act::Reload)),
            k.h(&[ESC], "close"),
        ]
    }

    fn help(&self, k: &Keys) -> Vec<(String, &'static str)> {
        let a = |x| A(Scope::Account, x);
        let arrows = T("↑ ↓", None);
        vec![
            k.sp(
                &[T("← →", None), a(Act::PrevType), a(Act::NextType)],
                "element type of the rights listed",
            ),
            k.sp(&[a(Act::Down), a(Act::Up), arrows], "move in the rights"),
            k.said_line(a(Act::ChangePassword)),
            k.said_line(a(Act::RequestReset)),
            k.said_line(a(Act::Reload)),
            k.sl(&[ESC, a(Act::Close)], "close"),
        ]
    }

    fn on_answer(&mut self, id: u64, purpose: &Purpose, p: &Payload, _: &mut Cx) -> Option<Flow> {
        match (purpose, p) {
            (Purpose::Account, Payload::Functionalities(t, list)) => {
                // A stale answer: the user already moved to another type.
                if self.pending != Some(id) || self.types.get(self.element_type) != Some(t) {
                    return None;
                }
                self.pending = None;
                self.error = None;
                self.functionalities = list.clone();
                self.selected = 0;
            }
            (Purpose::Account, Payload::Outbox(o)) => self.outbox = Some(o.clone()),
            _ => return None,
        }
        Some(Flow::Stay)
    }

    fn on_failure(&mut self, f: &Failure, _: &mut Cx) -> Option<bool> {
        f.settle(&mut self.pending, &mut self.error)
    }
}
