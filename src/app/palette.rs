//! The `:` command palette: its entries, matching and commands.

use crate::app::App;
use crate::app::ExportFormat;
use crate::app::Overlay;
use crate::app::Purpose;
use crate::app::RawView;
use crate::app::SiteSummary;
use crate::app::action::fixed;
use crate::app::form::Form;
use crate::app::hints::ENTER;
use crate::app::hints::ESC;
use crate::app::hints::Hint;
use crate::app::hints::K::T;
use crate::app::hints::Keys;
use crate::app::keymap::Act;
use crate::app::keymap::Scope;
use crate::app::kinds::DetailTarget;
use crate::app::kinds::ListKind;
use crate::app::kinds::Tab;
use crate::app::list;
use crate::app::not_configured;
use crate::app::parse_assignments;
use crate::app::parse_link;
use crate::app::shellexpand_home;
use crate::app::view::{Cx, Flow, Msg, View};
use crate::i18n::tr;
use crate::i18n::trf;
use crate::protocol::Service;
use crossterm::event::KeyEvent;
use tui_input::Input;
use tui_input::backend::crossterm::to_input_request;

#[derive(Default)]
pub struct Palette {
    pub input: Input,
    pub selected: usize,
}

/// A palette command typed with its argument, on the marked rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Typed {
    Delete,
    Move(Option<String>),
    Set(Option<String>),
    Export(String),
    /// A row command of the config, by name.
    Run(String),
    /// Keep the view as a named one.
    Save(String),
    /// Switch to another profile of the config.
    Profile(String),
    /// Look for a record across the profiles.
    Find(String),
}

/// A palette entry: what it says and what it does.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Tab(Tab),
    OpenSite(String),
    /// The Users tab on this directory (core or Maarch).
    Users(Service),
    Account,
    ChangePassword,
    PasswordReset,
    /// Write the current view (every page, filter applied) to a file.
    Export,
    /// A configured alias: a palette command, then optionally ` /filter`.
    Alias(String),
    Refresh,
    New,
    LoadAll,
    /// The recent status messages, whole.
    Messages,
    /// Undo the last change of the journal.
    Undo,
    /// Clear the marks of the list shown.
    Unmark,
    /// The profile's journal of changes.
    Journal,
    /// A row command of the config.
    Run(String),
    /// Equipements sharing an IP.
    Dups,
    /// A saved view, by name.
    View(String),
    /// Another profile of the config.
    Profile(String),
    Help,
    Quit,
    /// A command that takes an argument: its verb goes on the palette's line, to be
    /// completed (`site `, `save `…).
    Type(&'static str),
}

impl Command {
    /// The group the palette lists it under when nothing is typed, in the groups' order.
    pub fn group(&self) -> (u8, &'static str) {
        match self {
            Command::Tab(_) | Command::Users(_) => (0, "tabs"),
            Command::OpenSite(_) | Command::Type("site ") => (1, "sites"),
            Command::Profile(_) | Command::Type("find ") => (8, "profiles"),
            Command::New
            | Command::Refresh
            | Command::Export
            | Command::LoadAll
            | Command::Unmark
            | Command::Dups
            | Command::Type(_) => (2, "this list"),
            Command::Undo | Command::Journal | Command::Messages => (3, "changes"),
            Command::Account | Command::ChangePassword | Command::PasswordReset => {
                (4, "Ocean account")
            }
            Command::View(_) => (5, "views"),
            Command::Run(_) => (6, "row commands"),
            Command::Alias(_) => (7, "aliases"),
            Command::Help | Command::Quit => (9, "console"),
        }
    }
}

impl App {
    pub fn palette_entries(&self) -> Vec<(String, Command)> {
        let mut v: Vec<(String, Command)> = ListKind::ALL
            .iter()
            .map(|k| {
                let go = match k.place() {
                    (_, Some(dir)) => Command::Users(dir),
                    (tab, None) => Command::Tab(tab),
                };
                (k.palette_name().into(), go)
            })
            .collect();
        v.extend([
            (tr("account").into(), Command::Account),
            (tr("change password").into(), Command::ChangePassword),
            (tr("password reset").into(), Command::PasswordReset),
            (tr("export").into(), Command::Export),
            (tr("refresh").into(), Command::Refresh),
            (tr("new").into(), Command::New),
            (tr("load all equipements").into(), Command::LoadAll),
            (tr("messages").into(), Command::Messages),
            (tr("undo").into(), Command::Undo),
            (tr("unmark").into(), Command::Unmark),
            (tr("journal").into(), Command::Journal),
            ("dups".into(), Command::Dups),
            (tr("help").into(), Command::Help),
            (tr("quit").into(), Command::Quit),
        ]);
        for p in &self.prefs.profiles {
            if *p != self.session.profile {
                v.push((format!("profile {p}"), Command::Profile(p.clone())));
            }
        }
        for name in self.prefs.views.views.keys() {
            v.push((name.clone(), Command::View(name.clone())));
        }
        for c in &self.prefs.commands {
            v.push((format!("run {}", c.name), Command::Run(c.name.clone())));
        }
        for (name, target) in &self.prefs.aliases {
            v.push((format!("{name} → {target}"), Command::Alias(target.clone())));
        }
        // The commands that take an argument, to be completed on the line.
        let mut typed = vec![
            ("site …", "site "),
            ("move …", "move "),
            ("set …", "set "),
            ("delete", "delete"),
            ("export …", "export "),
            ("save …", "save "),
        ];
        typed.push(("find …", "find "));
        if !self.prefs.profiles.is_empty() {
            typed.push(("profile …", "profile "));
        }
        if !self.prefs.commands.is_empty() {
            typed.push(("run …", "run "));
        }
        v.extend(
            typed
                .into_iter()
                .map(|(shown, verb)| (format!(":{shown}"), Command::Type(verb))),
        );
        for s in &self.lists.sites.items {
            v.push((
                trf("site {}", &[&s.name]),
                Command::OpenSite(s.site_id.clone()),
            ));
        }
        v
    }

    /// Palette entries matching what was typed, best first.
    pub fn palette_matches(&self, query: &str) -> Vec<(String, Command)> {
        use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
        let entries = self.palette_entries();
        if query.trim().is_empty() {
            // Recent commands first.
            let mut out: Vec<(String, Command)> = self
                .prefs
                .palette_history
                .iter()
                .filter_map(|h| entries.iter().find(|(t, _)| t == h).cloned())
                .collect();
            // Then every command, by group (sites are found by typing them).
            let mut rest: Vec<(String, Command)> = entries
                .into_iter()
                .filter(|e| !out.iter().any(|(t, _)| *t == e.0))
                .filter(|(_, c)| !matches!(c, Command::OpenSite(_)))
                .collect();
            rest.sort_by_key(|(_, c)| c.group().0);
            out.extend(rest);
            return out;
        }
        // An exact name wins: `:site LOUM` opens LOUM, not LOUM-something; an alias by its name.
        let q = query.trim().to_lowercase();
        if let Some(e) = entries.iter().find(|(t, _)| {
            let t = t.to_lowercase();
            t == q || t.split(" → ").next() == Some(q.as_str()) && t.contains(" → ")
        }) {
            return vec![e.clone()];
        }
        let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
        let mut matcher = nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT);
        let texts: Vec<&str> = entries.iter().map(|(t, _)| t.as_str()).collect();
        let scored = pattern.match_list(texts, &mut matcher);
        scored
            .into_iter()
            .filter_map(|(t, _)| entries.iter().find(|(x, _)| x == t).cloned())
            .take(50)
            .collect()
    }

    /// The palette's line run: a command typed with its argument, else the match chosen;
    /// either goes first in the history.
    pub(super) fn run_palette_line(&mut self, q: &str, sel: usize) {
        if let Some(cmd) = self.typed_command(q) {
            self.prefs.palette_history.retain(|h| h != q);
            self.prefs.palette_history.insert(0, q.trim().to_string());
            self.prefs.palette_history.truncate(20);
            self.run_typed(cmd);
            return;
        }
        let matches = self.palette_matches(q);
        match matches.get(sel.min(matches.len().saturating_sub(1))) {
            Some((text, cmd)) => {
                self.prefs.palette_history.retain(|h| h != text);
                self.prefs.palette_history.insert(0, text.clone());
                self.prefs.palette_history.truncate(20);
                self.run_command(cmd.clone())
            }
            None => self.status.notice = Some(trf("No command matches '{}'", &[&q])),
        }
    }

    /// A command typed with its argument (`:move LOUM`, `:set port=80`, `:export ~/x.csv`):
    /// `None` when `q` is not one, and the palette matches it as usual.
    pub fn typed_command(&self, q: &str) -> Option<Typed> {
        let q = q.trim();
        let (verb, rest) = q
            .split_once(char::is_whitespace)
            .map(|(v, r)| (v, r.trim()))
            .unwrap_or((q, ""));
        Some(match (verb.to_lowercase().as_str(), rest) {
            ("delete", "") => Typed::Delete,
            ("move", "") => Typed::Move(None),
            ("move", site) => Typed::Move(Some(site.to_string())),
            ("set", "") => Typed::Set(None),
            ("set", a) => Typed::Set(Some(a.to_string())),
            ("export", path) if !path.is_empty() => Typed::Export(path.to_string()),
            ("run", name) if !name.is_empty() => Typed::Run(name.to_string()),
            ("save", name) => Typed::Save(name.to_string()),
            ("profile", name) => Typed::Profile(name.to_string()),
            ("find", text) => Typed::Find(text.to_string()),
            _ => return None,
        })
    }

    fn run_typed(&mut self, t: Typed) {
        match t {
            Typed::Delete => self.bulk_delete(),
            Typed::Move(None) => self.ask_bulk_move(),
            Typed::Move(Some(name)) => match self.site_named(&name) {
                Ok(id) => self.bulk_move(&id),
                Err(why) => self.status.notice = Some(why),
            },
            Typed::Set(None) => self.ask_bulk_set(),
            Typed::Set(Some(a)) if self.marked_targets().0 == ListKind::MaarchUsers => {
                match parse_link(&a) {
                    Ok(change) => self.bulk_link(change),
                    Err(why) => self.status.notice = Some(why),
                }
            }
            Typed::Set(Some(a)) => match parse_assignments(&a) {
                Ok(fields) => self.bulk_set(fields),
                Err(why) => self.status.notice = Some(why),
            },
            Typed::Run(name) => self.run_named(&name),
            Typed::Save(name) => self.save_view(&name),
            Typed::Profile(name) => self.switch_to_profile(&name),
            Typed::Find(text) => match self.prefs.finder.clone() {
                Some(finder) => self.find(&text, finder),
                None => self.status.notice = Some(tr(":find is not available here").into()),
            },
            Typed::Export(path) => {
                let path = std::path::PathBuf::from(shellexpand_home(&path));
                let json = path
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("json"));
                let format = if json {
                    ExportFormat::Json
                } else {
                    ExportFormat::Csv
                };
                self.export(path, format);
            }
        }
    }

    /// A site by id or name, accents and case aside; a name several sites share, or none
    /// has, is said with the candidates.
    pub fn site_named(&self, key: &str) -> Result<String, String> {
        let norm = |s: &str| list::fold(s.trim()).to_lowercase();
        let want = norm(key);
        let sites = &self.lists.sites.items;
        if let Some(s) = sites.iter().find(|s| s.site_id == key.trim()) {
            return Ok(s.site_id.clone());
        }
        let exact: Vec<_> = sites.iter().filter(|s| norm(&s.name) == want).collect();
        let hits = if exact.is_empty() {
            sites
                .iter()
                .filter(|s| norm(&s.name).contains(&want))
                .collect()
        } else {
            exact
        };
        let names = |v: &[&SiteSummary]| {
            v.iter()
                .take(5)
                .map(|s| crate::text::sanitize(&s.name).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match hits.as_slice() {
            [one] => Ok(one.site_id.clone()),
            [] => Err(trf("No site named '{}'", &[&crate::text::sanitize(key)])),
            many => Err(trf(
                "Several sites match '{}': {}",
                &[&crate::text::sanitize(key), &names(many)],
            )),
        }
    }

    /// `:profile NAME` (k9s' `:ctx`): the console ends and starts again on that profile,
    /// unless a form holds changes or writes are on their way.
    pub fn switch_to_profile(&mut self, name: &str) {
        self.switch_to(name, None)
    }

    /// Ends this console for `name`'s, which opens `open` first (`:find`'s Enter).
    pub(super) fn switch_to(&mut self, name: &str, open: Option<crate::protocol::FoundRecord>) {
        let name = name.trim();
        if self.prefs.profiles.is_empty() {
            self.status.notice = Some(
                tr("No profile in the config to switch to (vigie --url… runs without one)").into(),
            );
            return;
        }
        let Some(p) = self
            .prefs
            .profiles
            .iter()
            .find(|p| p.eq_ignore_ascii_case(name))
            .cloned()
        else {
            self.status.notice = Some(trf(
                "No profile '{}' (known: {})",
                &[
                    &crate::text::sanitize(name),
                    &self.prefs.profiles.join(", "),
                ],
            ));
            return;
        };
        if p == self.session.profile {
            self.status.notice = Some(trf("Already on profile {}", &[&p]));
            return;
        }
        let unsaved = self
            .overlays
            .iter()
            .any(|o| matches!(o, Overlay::Form(f) if f.dirty() || f.pending.is_some()));
        let writing = self
            .net
            .in_flight
            .values()
            .any(|(p, _)| matches!(p, Purpose::Save | Purpose::Delete | Purpose::Bulk));
        if unsaved || writing {
            self.status.notice = Some(
                tr("A change is open or on its way: save or close it before switching").into(),
            );
            return;
        }
        self.switch_profile = Some(super::Switch { profile: p, open });
        self.quit = true;
    }

    pub fn run_command(&mut self, cmd: Command) {
        match cmd {
            Command::Tab(t) => {
                self.overlays.clear();
                self.switch_tab(t);
            }
            Command::OpenSite(id) => {
                if let Some(s) = self.site_name(&id).cloned() {
                    self.overlays.clear();
                    self.tab = Tab::Sites;
                    if let Some(pos) = self
                        .lists
                        .sites
                        .view
                        .iter()
                        .position(|&i| self.lists.sites.items[i].site_id == id)
                    {
                        self.lists.sites.selected = pos;
                        self.lists.sites.scroll_into_view(self.viewport_rows);
                    }
                    self.open_detail(DetailTarget::Site(s));
                }
            }
            Command::Users(dir) => {
                self.overlays.clear();
                self.switch_users_dir(dir);
            }
            Command::Account => self.open_account(),
            Command::ChangePassword | Command::PasswordReset => {
                if !self.session.has(Service::Ocean) {
                    self.status.notice =
                        Some(not_configured(Service::Ocean, &self.session.profile));
                } else if self.refuse_if_read_only("changing accounts") {
                } else if cmd == Command::ChangePassword {
                    self.push_form(Form::change_password());
                } else {
                    let login = self.session.ocean_user.clone().unwrap_or_default();
                    self.push_form(Form::password_reset(&login));
                }
            }
            Command::Export => {
                // Named after the tab, whichever directory the Users tab shows.
                let things = ListKind::of(self.tab, Service::Core).things();
                let tab = tr(things).replace(' ', "-");
                let day = chrono::Local::now().format("%Y%m%d-%H%M");
                let dir = directories::UserDirs::new()
                    .map(|d| d.home_dir().to_path_buf())
                    .unwrap_or_else(std::env::temp_dir);
                let path = dir.join(format!("vigie-{tab}-{day}.csv"));
                self.push_form(Form::export(&path.display().to_string()));
            }
            Command::Alias(target) => {
                let (cmd, filter) = match target.split_once(" /") {
                    Some((c, f)) => (c.trim().to_string(), Some(f.trim().to_string())),
                    None => (target.trim().to_string(), None),
                };
                let found = self
                    .palette_entries()
                    .into_iter()
                    .find(|(t, c)| t.eq_ignore_ascii_case(&cmd) && !matches!(c, Command::Alias(_)))
                    .or_else(|| {
                        self.palette_matches(&cmd)
                            .into_iter()
                            .find(|(_, c)| !matches!(c, Command::Alias(_)))
                    });
                let Some((_, c)) = found else {
                    self.status.notice = Some(trf("No command matches '{}'", &[&cmd]));
                    return;
                };
                self.run_command(c);
                if let Some(f) = filter {
                    if self.tab == Tab::Equipements && !self.lists.equipements.complete {
                        self.load_all();
                    }
                    self.list_mut().set_filter(f);
                }
            }
            Command::Refresh => self.refresh(),
            Command::New => self.new_record(None),
            Command::LoadAll => {
                self.switch_tab(Tab::Equipements);
                self.load_all();
            }
            Command::Messages => {
                let lines: Vec<String> = if self.status.messages.is_empty() {
                    vec![tr("No message yet").to_string()]
                } else {
                    self.status.messages.iter().rev().cloned().collect()
                };
                self.overlays.push(Overlay::Raw(Box::new(RawView {
                    title: tr("Messages, newest first").into(),
                    lines,
                    scroll: 0,
                })));
            }
            Command::Undo => self.undo(),
            Command::Unmark => {
                self.list_mut().clear_marks();
                self.status.notice = Some(tr("Marks cleared").into());
            }
            Command::Journal => self.open_journal(),
            Command::Run(name) => self.run_named(&name),
            Command::Dups => self.open_dups(),
            Command::View(name) => self.open_view(&name),
            Command::Profile(name) => self.switch_to_profile(&name),
            Command::Help => self.open_help(),
            Command::Quit => self.quit = true,
            Command::Type(verb) => self.overlays.push(Overlay::Palette(Palette {
                input: Input::new(verb.to_string()),
                selected: 0,
            })),
        }
    }
}

impl View for Palette {
    /// A command is typed here: only the fixed keys act, every other key is text.
    const SCOPE: Scope = Scope::Form;

    fn on_key(&mut self, _act: Option<Act>, key: &KeyEvent, _cx: &mut Cx) -> Flow {
        match fixed(key.code) {
            Some(Act::Cancel) => return Flow::Close,
            Some(Act::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Act::Down) => self.selected += 1,
            Some(Act::Open) => {
                return Flow::Done(Msg::RunPalette {
                    line: self.input.value().to_string(),
                    selected: self.selected,
                });
            }
            _ => {
                if let Some(req) = to_input_request(&crossterm::event::Event::Key(*key)) {
                    self.input.handle(req);
                    self.selected = 0;
                }
            }
        }
        Flow::Stay
    }

    fn hints(&self, k: &Keys) -> Vec<Hint> {
        vec![
            k.h(&[ENTER], "run"),
            k.h(&[T("↑↓", None)], "choose"),
            k.h(&[ESC], "close"),
        ]
    }

    fn help(&self, _k: &Keys) -> Vec<(String, &'static str)> {
        Vec::new()
    }
}
