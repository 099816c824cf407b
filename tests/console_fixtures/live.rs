//! A console wired to a worker and the reference server, over real HTTP: keys in, requests
//! sent, answers applied until nothing is in flight.
#![allow(dead_code)]

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent};
use secrecy::SecretString;
use tokio::sync::mpsc::UnboundedReceiver;
use vigie::api::Credentials;
use vigie::api::maarch::{MaarchAuthMode, MaarchClient};
use vigie::api::ocean::OceanClient;
use vigie::app::form::FieldKind;
use vigie::app::{App, Overlay, Session, Tab};
use vigie::protocol::{Event, Service};
use vigie::worker::{Clients, RequestTx};

use crate::common;
use crate::console_fixtures::{ch, form, key};

/// A console wired to a worker and a live server.
pub struct Live {
    pub app: App,
    pub tx: RequestTx,
    rx: UnboundedReceiver<Event>,
}

impl Live {
    pub async fn start(session: Session, clients: Clients, core_logged_in: bool) -> Live {
        let (tx, rx) = vigie::worker::spawn(clients);
        let mut live = Live {
            app: App::new(session),
            tx,
            rx,
        };
        live.app.start(core_logged_in);
        live.settle().await;
        live
    }

    /// Sends what the console asked and applies the answers until nothing is in flight.
    pub async fn settle(&mut self) {
        loop {
            for r in self.app.take_requests() {
                self.tx.send(r).expect("worker alive");
            }
            if !self.app.busy() {
                return;
            }
            let ev = tokio::time::timeout(Duration::from_secs(30), self.rx.recv())
                .await
                .expect("an answer in time")
                .expect("worker alive");
            self.app.on_event(ev);
        }
    }

    /// Sends what the console asked and applies one answer (what it asks next stays queued).
    pub async fn answer_one(&mut self) {
        for r in self.app.take_requests() {
            self.tx.send(r).expect("worker alive");
        }
        let ev = tokio::time::timeout(Duration::from_secs(30), self.rx.recv())
            .await
            .expect("an answer in time")
            .expect("worker alive");
        self.app.on_event(ev);
    }

    pub async fn press(&mut self, k: KeyEvent) {
        self.app.on_key(k);
        self.settle().await;
    }

    pub async fn type_text(&mut self, s: &str) {
        for c in s.chars() {
            self.app.on_key(ch(c));
        }
        self.settle().await;
    }

    /// Focuses the open form's field `name`.
    pub fn focus(&mut self, name: &str) {
        let Some(Overlay::Form(f)) = self.app.overlays.last_mut() else {
            panic!("no form open");
        };
        f.focus = f
            .fields
            .iter()
            .position(|x| x.key == name)
            .unwrap_or_else(|| panic!("no field {name}"));
    }

    /// Replaces the focused text field's value with `s`, as typed.
    pub async fn retype(&mut self, name: &str, s: &str) {
        self.focus(name);
        let n = form(&self.app).field(name).unwrap().value().chars().count();
        self.app.on_key(key(KeyCode::End));
        for _ in 0..n {
            self.app.on_key(key(KeyCode::Backspace));
        }
        self.type_text(s).await;
    }

    /// Focuses the role form's permission grid, its cursor on `ressource:action`.
    pub fn grid_cursor_on(&mut self, ressource: &str, action: &str) {
        self.focus("permissions");
        let Some(Overlay::Form(f)) = self.app.overlays.last_mut() else {
            panic!("no form open");
        };
        let Some(FieldKind::Grid { cells, cursor, .. }) = f
            .fields
            .iter_mut()
            .find(|x| x.key == "permissions")
            .map(|x| &mut x.kind)
        else {
            panic!("no grid");
        };
        *cursor = cells
            .iter()
            .position(|(r, a)| r == ressource && a == action)
            .unwrap_or_else(|| panic!("no cell {ressource}:{action}"));
    }

    pub fn has_form(&self) -> bool {
        matches!(self.app.overlays.last(), Some(Overlay::Form(_)))
    }
}

pub fn password(login: &str, pw: &str) -> Credentials {
    Credentials::Password {
        username: login.into(),
        password: SecretString::from(pw.to_string()),
    }
}

pub fn service_session(service: Service) -> Session {
    Session {
        profile: "live".into(),
        server: "reference".into(),
        services: vec![service],
        ocean_user: Some("admin".into()),
        maarch_user: Some("admin".into()),
        ..Default::default()
    }
}

pub async fn maarch_console(srv: &common::TestServer) -> Live {
    let clients = Clients {
        maarch: Some(maarch_client(srv)),
        ..Default::default()
    };
    let live = Live::start(service_session(Service::Maarch), clients, false).await;
    assert_eq!(live.app.tab, Tab::Users);
    assert!(
        live.app.lists.maarch_users.loaded_once,
        "Maarch users listed"
    );
    live
}

pub async fn core_console(srv: &common::TestServer) -> Live {
    let clients = Clients {
        core: Some(srv.admin()),
        ..Default::default()
    };
    let session = Session {
        services: vec![Service::Core],
        ..service_session(Service::Core)
    };
    Live::start(session, clients, true).await
}

pub async fn ocean_console(srv: &common::TestServer) -> Live {
    let ocean = OceanClient::new(
        &format!("{}/ocean", srv.url()),
        password("admin", "admin-demo"),
        Some(1),
        &common::http_options(),
    )
    .unwrap();
    let clients = Clients {
        ocean: Some(ocean),
        ..Default::default()
    };
    Live::start(service_session(Service::Ocean), clients, false).await
}

/// Selects the Maarch user `login` in its list.
pub fn select_maarch(live: &mut Live, login: &str) {
    let l = &mut live.app.lists.maarch_users;
    l.selected = l
        .view
        .iter()
        .position(|&i| l.items[i].user_id == login)
        .unwrap_or_else(|| panic!("{login} listed"));
}

/// A Maarch client, Basic auth as admin (the console's, or another administrator's).
pub fn maarch_client(srv: &common::TestServer) -> MaarchClient {
    MaarchClient::new(
        &srv.url(),
        password("admin", "admin-demo"),
        MaarchAuthMode::Basic,
        &common::http_options(),
    )
    .unwrap()
}
