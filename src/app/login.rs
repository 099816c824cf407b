//! Logging in to a service, and reconnecting to an unreachable one.

use crate::api::ApiError;
use crate::app::App;
use crate::app::Overlay;
use crate::app::Purpose;
use crate::app::TICKS_PER_SECOND;
use crate::app::action::fixed;
use crate::app::hints::ENTER;
use crate::app::hints::ESC;
use crate::app::hints::Hint;
use crate::app::hints::Keys;
use crate::app::hints::TAB;
use crate::app::keymap::Act;
use crate::app::keymap::Scope;
use crate::app::kinds::Tab;
use crate::app::screen::Failure;
use crate::app::screen::Screen;
use crate::app::view::{Cx, Flow, Msg, View};
use crate::i18n::tr;
use crate::protocol::Payload;
use crate::protocol::Request;
use crate::protocol::Service;
use crossterm::event::KeyEvent;
use secrecy::SecretString;
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

pub struct Login {
    pub service: Service,
    pub username: Input,
    pub password: Input,
    pub focus: usize,
    pub error: Option<String>,
    pub pending: Option<u64>,
}

/// Waiting to try an unreachable server again.
#[derive(Debug, Clone)]
pub struct Reconnect {
    pub attempts: u32,
    pub ticks_left: u32,
}

impl App {
    pub(super) fn ask_login(&mut self, service: Service, error: Option<String>) {
        let user = match service {
            Service::Core => self.session.user.clone(),
            Service::Ocean => self.session.ocean_user.clone(),
            Service::Maarch => self.session.maarch_user.clone(),
        };
        self.overlays.push(Overlay::Login(Login {
            service,
            focus: usize::from(user.is_some()),
            username: Input::new(user.unwrap_or_default()),
            password: Input::default(),
            error,
            pending: None,
        }));
    }

    // ---- palette ----------------------------------------------------------------------------

    /// Seconds before the next try to reach an unreachable server.
    pub fn reconnect_in(&self) -> Option<u32> {
        self.net
            .reconnect
            .as_ref()
            .map(|r| r.ticks_left.div_ceil(TICKS_PER_SECOND))
    }

    pub(super) fn reconnect_now(&mut self) {
        if let Some(r) = &mut self.net.reconnect {
            r.ticks_left = 0;
        }
        let service = self.tab_service(self.tab);
        if service == Service::Core && self.session.role.is_none() {
            self.send(Request::WhoAmI, Purpose::Login);
        }
        self.load_tab(self.tab);
        if self.tab != Tab::Sites && self.session.has(Service::Core) {
            self.load_tab(Tab::Sites);
        }
    }

    /// The server could not be reached: try again later, waiting longer each time.
    pub(super) fn schedule_reconnect(&mut self) {
        let attempts = self.net.reconnect.as_ref().map_or(0, |r| r.attempts) + 1;
        let secs = (2u32 << attempts.min(4)).min(30);
        self.net.reconnect = Some(Reconnect {
            attempts,
            ticks_left: secs * TICKS_PER_SECOND,
        });
    }
}

impl View for Login {
    /// Fields are typed here: only the fixed keys act, every other key is text.
    const SCOPE: Scope = Scope::Form;

    fn on_key(&mut self, _act: Option<Act>, key: &KeyEvent, cx: &mut Cx) -> Flow {
        match fixed(key.code) {
            Some(Act::NextField | Act::PrevField | Act::Up | Act::Down) => {
                self.focus = 1 - self.focus.min(1)
            }
            // Ocean/Maarch logins, or a session to renew: closing keeps the console.
            Some(Act::Cancel) if self.service != Service::Core || cx.depth > 1 => {
                return Flow::Close;
            }
            Some(Act::Cancel) => return Flow::Then(Msg::Quit),
            Some(Act::Open) => return self.submit(cx),
            _ => {
                if let Some(req) = to_input_request(&crossterm::event::Event::Key(*key)) {
                    if self.focus == 0 {
                        self.username.handle(req);
                    } else {
                        self.password.handle(req);
                    }
                }
            }
        }
        Flow::Stay
    }

    fn hints(&self, k: &Keys) -> Vec<Hint> {
        vec![
            k.h(&[ENTER], "log in"),
            k.h(&[TAB], "next field"),
            k.h(&[ESC], "close"),
        ]
    }

    fn help(&self, _k: &Keys) -> Vec<(String, &'static str)> {
        Vec::new()
    }

    fn on_answer(&mut self, id: u64, purpose: &Purpose, _: &Payload, _: &mut Cx) -> Option<Flow> {
        (matches!(purpose, Purpose::Login) && self.pending == Some(id)).then_some(Flow::Close)
    }

    fn on_failure(&mut self, f: &Failure, _: &mut Cx) -> Option<bool> {
        // Whatever failed while the window is open is said in it; only the login's own
        // failure ends the wait for it (its success still closes the window).
        if self.pending == Some(f.id) {
            self.pending = None;
        }
        self.error = Some(f.words.to_string());
        Some(true)
    }
}

impl Login {
    /// Enter: on to the password, or the login sent (once at a time).
    fn submit(&mut self, cx: &mut Cx) -> Flow {
        if self.focus == 0 {
            self.focus = 1;
            return Flow::Stay;
        }
        let username = self.username.value().trim().to_string();
        if username.is_empty() {
            self.error = Some(match self.service {
                Service::Core => tr("Enter your email or matricule").into(),
                _ => tr("Enter your login").into(),
            });
            self.focus = 0;
            return Flow::Stay;
        }
        if self.pending.is_some() {
            return Flow::Stay;
        }
        let password = SecretString::from(self.password.value().to_string());
        self.error = None;
        let service = self.service;
        let login = Request::Login {
            service,
            username: username.clone(),
            password,
        };
        self.pending = Some(cx.net.send(login, Purpose::Login));
        if service == Service::Core {
            return Flow::Then(Msg::CoreUser(username));
        }
        Flow::Stay
    }
}

impl Screen for Login {
    fn on_key(app: &mut App, key: KeyEvent) {
        app.view_key::<Self>(key)
    }

    fn on_answer(app: &mut App, id: u64, purpose: Purpose, p: Payload) -> bool {
        // The login window closes when it was its own (the user may have gone on).
        let closed = app.answer_views::<Self>(id, &purpose, &p);
        match (purpose, p) {
            (Purpose::Login, Payload::LoggedIn(c)) => {
                app.status.last_error = None;
                if !c.email.is_empty() || !c.sub.is_empty() {
                    app.session.user = Some(if c.email.is_empty() { c.sub } else { c.email });
                }
                if !c.role_name.is_empty() {
                    app.session.role = Some(c.role_name);
                }
                if closed {
                    app.load_tab(Tab::Sites);
                    if app.tab != Tab::Sites {
                        app.load_tab(app.tab);
                    }
                }
            }
            (Purpose::Login, Payload::ServiceLoggedIn(service, user)) => {
                app.status.last_error = None;
                match service {
                    Service::Ocean => app.session.ocean_user = Some(user),
                    _ => app.session.maarch_user = Some(user),
                }
                // Whatever waited for this login is asked again.
                match service {
                    Service::Ocean => {
                        app.load_tab(Tab::Individus);
                        if let Some(Overlay::Account(_)) = app.overlays.last() {
                            app.load_account();
                        }
                    }
                    _ => {
                        let dir = app.lists.users_dir;
                        app.lists.users_dir = Service::Maarch;
                        app.load_tab(Tab::Users);
                        app.lists.users_dir = dir;
                        // Open details that could not be read are read now.
                        let waiting: Vec<i64> = app
                            .overlays
                            .iter()
                            .filter_map(|o| match o {
                                Overlay::Detail(d) if !d.loaded => d.target.maarch_uid(),
                                _ => None,
                            })
                            .collect();
                        if !waiting.is_empty() {
                            app.load_catalogue();
                        }
                        for uid in waiting {
                            app.send(Request::MaarchDetails(uid), Purpose::MaarchDetails);
                        }
                    }
                }
            }
            // A stale answer: the user already moved on.
            _ => return false,
        }
        true
    }

    fn on_failure(app: &mut App, f: &Failure) -> bool {
        match app.fail_views::<Self>(f) {
            Some(more) => more,
            None if matches!(f.e, ApiError::Unauthorized(_)) => {
                app.ask_login(f.service, None);
                false
            }
            None => true,
        }
    }

    fn footer(app: &App) -> Vec<Hint> {
        app.view_footer::<Self>()
    }
}
