//! Detail view: every field of a record; a site's detail also lists its equipements.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::{accent, dim, safe};
use crate::api::model::Timestamp;
use crate::app::form::show_date;
use crate::app::{App, Detail, DetailTarget, Scope};
use crate::i18n::{tr, trf};
use unicode_width::UnicodeWidthStr;

/// As the list shows it, in the language shown (`13/08/2025 09:48` in French); `v` shows
/// the value as sent.
fn ts(t: &Option<Timestamp>) -> String {
    t.as_ref().map(Timestamp::short).unwrap_or_default()
}

fn num(v: Option<f64>) -> String {
    v.map(|f| f.to_string()).unwrap_or_default()
}

/// (label, value) pairs of a record.
pub fn fields(d: &Detail) -> Vec<(&'static str, String)> {
    fields_with(d, "p")
}

/// `fields`, `reveal` being the key that reveals a password now.
pub fn fields_with(d: &Detail, reveal: &str) -> Vec<(&'static str, String)> {
    match &d.target {
        DetailTarget::Site(s) => vec![
            ("Name", s.name.clone()),
            (
                "Client",
                s.client.as_ref().map(|c| c.nom.clone()).unwrap_or_default(),
            ),
            (
                "Client code",
                s.client
                    .as_ref()
                    .and_then(|c| c.code)
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            ),
            ("Latitude", num(s.latitude)),
            ("Longitude", num(s.longitude)),
            ("Description", s.description.clone()),
            ("Equipements", s.equipement_count.to_string()),
            ("Created", ts(&s.timestamp)),
            ("Site id", s.site_id.clone()),
            ("Client id", s.client_id().unwrap_or_default().to_string()),
        ],
        DetailTarget::Equipement(e) => vec![
            ("IP address", e.ip.to_string()),
            ("Port", e.port.map(|p| p.to_string()).unwrap_or_default()),
            ("Brand", e.marque.to_string()),
            ("Model", e.modele.to_string()),
            (
                "Site",
                e.client_site
                    .as_ref()
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
            ),
            ("Sources", e.sources.0.join("\n")),
            ("Username", e.username.to_string()),
            (
                "Password",
                if d.reveal {
                    e.password.expose().to_string()
                } else {
                    trf("{} ({} reveals)", &[&e.password.masked(), &reveal])
                },
            ),
            ("Description", e.description.to_string()),
            ("Created", ts(&e.timestamp)),
            ("Equipement id", e.equipement_id.clone()),
            ("Site id", e.site_id().unwrap_or_default().to_string()),
        ],
        DetailTarget::User(u) => vec![
            (
                "Matricule",
                u.matricule.map(|m| m.to_string()).unwrap_or_default(),
            ),
            ("Name", u.nom.clone()),
            ("Email", u.email.clone()),
            ("Role", u.role_name.clone()),
            ("Status", u.status.clone()),
            ("Created", ts(&u.timestamp)),
            ("User id", u.user_id.clone()),
            ("Role id", u.role_id.clone()),
        ],
        DetailTarget::Individu(i) => {
            let civ = match i.text("individu.idCivilite").as_str() {
                "1" => "MR".to_string(),
                "2" => "MME".to_string(),
                "3" => "MLLE".to_string(),
                _ => String::new(),
            };
            let period = match (
                i.text("periodeEntite.startDate"),
                i.text("periodeEntite.endDate"),
            ) {
                (s, _) if s.is_empty() => String::new(),
                (s, e) if e.is_empty() => trf("from {} (no end)", &[&show_date(&s)]),
                (s, e) => format!("{} → {}", show_date(&s), show_date(&e)),
            };
            let vehicle = [
                i.text("vehicleFieldsDTO.immatriculation"),
                i.text("vehicleFieldsDTO.marque"),
                i.text("vehicleFieldsDTO.modele"),
            ]
            .into_iter()
            .filter(|x| !x.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
            vec![
                ("Salutation", civ),
                ("Last name", i.nom()),
                ("First name", i.prenom()),
                ("Matricule", i.matricule()),
                ("Initials", i.text("individu.initialesInd")),
                ("Email", i.text("individu.email")),
                ("Mobile", i.text("individu.gsm")),
                (
                    "Entity",
                    match i.entite_id() {
                        Some(id) => format!("{} (id {id})", i.entite_nom()),
                        None => String::new(),
                    },
                ),
                ("Period", period),
                ("Login", i.login()),
                ("Type", i.text("utilisateur.utilisateurType")),
                (
                    "Valid until",
                    show_date(&i.text("utilisateur.dateFinValidite")),
                ),
                ("Licence", i.text("propSpecifiqueDTO.numeroPermis")),
                ("Categories", i.text("propSpecifiqueDTO.categoriePermis")),
                (
                    "Licence valid to",
                    show_date(&i.text("propSpecifiqueDTO.dateValiditePermis")),
                ),
                ("Vehicle", vehicle),
                ("Group", i.text("groupe.descriptionGrp")),
                (
                    "Individu id",
                    i.id().map(|x| x.to_string()).unwrap_or_default(),
                ),
            ]
        }
        DetailTarget::MaarchUser(d) => {
            let u = &d.user;
            let parapheur = match d.parapheur_id {
                Some(id) => trf("linked (Parapheur id {})", &[&id]),
                None => tr("not linked").into(),
            };
            // A value the server did not send is said so, not shown as empty.
            let shown = |key: &str, v: &Option<String>| match v {
                _ if d.fetched && d.is_unseen(key) => tr("(not sent by the server)").to_string(),
                Some(v) => v.clone(),
                None => String::new(),
            };
            vec![
                ("Login", u.user_id.clone()),
                ("First name", u.firstname.clone()),
                ("Last name", u.lastname.clone()),
                ("Initials", shown("initials", &u.initials)),
                ("Email", u.mail.clone().unwrap_or_default()),
                ("Phone", shown("phone", &u.phone)),
                ("Status", format!("{} ({})", u.status, u.status_label())),
                ("Mode", u.mode.clone()),
                ("Parapheur", parapheur),
                ("Maarch id", u.id.to_string()),
            ]
        }
        DetailTarget::Role(r) => {
            let mut perms: Vec<String> = r.permissions.iter().map(|p| p.key()).collect();
            perms.sort();
            vec![
                ("Name", r.name.clone()),
                ("Description", r.description.clone()),
                ("Permissions", perms.join("\n")),
                ("Created", ts(&r.timestamp)),
                ("Role id", r.role_id.clone()),
            ]
        }
    }
}

/// What is odd about the record shown, as the server sent it.
fn target_problem(t: &DetailTarget) -> Option<&str> {
    use crate::api::items::Marked;
    match t {
        DetailTarget::Site(s) => s.problem(),
        DetailTarget::Equipement(e) => e.problem(),
        DetailTarget::User(u) => u.problem(),
        DetailTarget::Role(r) => r.problem(),
        DetailTarget::Individu(_) => None,
        DetailTarget::MaarchUser(m) => m.user.problem(),
    }
}

pub fn draw(f: &mut Frame, app: &App, d: &Detail, area: Rect) {
    f.render_widget(Clear, area);
    let title = match &d.target {
        DetailTarget::Site(s) => format!(" {} ", trf("Site {}", &[&safe(&s.name)])),
        DetailTarget::Equipement(e) => format!(" {} ", trf("Equipement {}", &[&safe(&e.ip)])),
        DetailTarget::User(u) => format!(" {} ", trf("User {}", &[&safe(&u.nom)])),
        DetailTarget::Role(r) => format!(" {} ", trf("Role {}", &[&safe(&r.name)])),
        DetailTarget::Individu(i) => {
            format!(
                " {} ",
                trf("Individu {} {}", &[&safe(&i.prenom()), &safe(&i.nom())])
            )
        }
        DetailTarget::MaarchUser(m) => {
            format!(" {} ", trf("Maarch user {}", &[&safe(&m.user.user_id)]))
        }
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(accent())
        .title(Span::styled(title, accent().bold()));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let mut lines = Vec::new();
    if let Some(p) = target_problem(&d.target) {
        lines.push(Line::from(Span::styled(
            trf("⚠ as the server sent it: {}", &[&safe(p)]),
            super::theme::theme().warn,
        )));
    }
    let fields = fields_with(d, &app.key_label(Scope::Detail, "reveal"));
    // Labels right-aligned on the longest one, in the language shown.
    let label_w = fields
        .iter()
        .map(|(l, _)| tr(l).width())
        .chain([tr("Parapheur login").width()])
        .max()
        .unwrap_or(14)
        .min(24);
    for (label, value) in fields {
        let label = tr(label);
        let mut first = true;
        let value = if value.is_empty() {
            "—".to_string()
        } else {
            value
        };
        for part in value.split('\n') {
            let head = if first {
                format!(
                    "{}{label} ",
                    " ".repeat(label_w.saturating_sub(label.width()))
                )
            } else {
                " ".repeat(label_w + 1)
            };
            first = false;
            lines.push(Line::from(vec![
                Span::styled(head, dim()),
                Span::raw(safe(part)),
            ]));
        }
    }
    if let DetailTarget::MaarchUser(m) = &d.target {
        if let Some(login) = &d.parapheur {
            lines.push(Line::from(vec![
                Span::styled(
                    format!(
                        "{}{} ",
                        " ".repeat(label_w.saturating_sub(tr("Parapheur login").width())),
                        tr("Parapheur login")
                    ),
                    dim(),
                ),
                Span::raw(if login.is_empty() {
                    "—".to_string()
                } else {
                    safe(login)
                }),
            ]));
        }
        lines.push(Line::raw(""));
        if let (false, Some(e)) = (d.loaded, &d.error) {
            lines.push(Line::from(Span::styled(
                trf(
                    "Groups and entities could not be read: {} — r retries",
                    &[&safe(e)],
                ),
                super::err_style(),
            )));
        } else if !d.loaded {
            lines.push(Line::from(Span::styled(
                tr("Reading groups and entities…"),
                dim(),
            )));
        } else {
            lines.extend(links(app, m, d.cursor));
        }
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        return;
    }
    let is_site = matches!(d.target, DetailTarget::Site(_));
    if !is_site {
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        return;
    }
    let h = (lines.len() as u16).min(inner.height / 2);
    let [top, bottom] = Layout::vertical([Constraint::Length(h), Constraint::Min(3)]).areas(inner);
    f.render_widget(Paragraph::new(lines), top);
    let paging = d
        .equipements
        .paging
        .map(|p| {
            trf(
                "Equipements · page {}/{} · {} items",
                &[&p.page, &p.pages.max(1), &crate::app::group(p.total)],
            )
        })
        .unwrap_or_else(|| tr("Equipements").into());
    super::table::draw_table(f, &d.equipements, bottom, &paging, None);
}

/// A Maarch user's groups then entities, the selected one marked.
fn links(
    app: &App,
    m: &crate::api::maarch::MaarchUserDetails,
    cursor: usize,
) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let row = |i: usize, text: String| {
        let st = if i == cursor {
            super::theme::theme().selected
        } else {
            Style::new()
        };
        Line::from(Span::styled(text, st))
    };
    out.push(Line::from(Span::styled(
        trf(
            "Groups ({}) — {} adds, {} removes the selected one",
            &[
                &m.groups.len(),
                &app.key_label(Scope::Maarch, "add_group"),
                &app.key_label(Scope::Maarch, "remove"),
            ],
        ),
        accent().bold(),
    )));
    if m.groups.is_empty() {
        out.push(Line::from(Span::styled(format!("  {}", tr("none")), dim())));
    }
    for (i, g) in m.groups.iter().enumerate() {
        // The user's role in the group ("Chef"), when the group gives one.
        let role = match g.role.as_deref().map(str::trim) {
            Some(r) if !r.is_empty() => format!(" · {}", safe(r)),
            _ => String::new(),
        };
        out.push(row(
            i,
            format!("  {:<16} {}{role}", safe(&g.group_id), safe(&g.group_desc)),
        ));
    }
    out.push(Line::from(Span::styled(
        trf(
            "Entities ({}) — {} adds, {} removes the selected one",
            &[
                &m.entities.len(),
                &app.key_label(Scope::Maarch, "add_entity"),
                &app.key_label(Scope::Maarch, "remove"),
            ],
        ),
        accent().bold(),
    )));
    if m.entities.is_empty() {
        out.push(Line::from(Span::styled(format!("  {}", tr("none")), dim())));
    }
    for (j, e) in m.entities.iter().enumerate() {
        let primary = if e.is_primary() {
            format!(" ({})", tr("primary"))
        } else {
            String::new()
        };
        out.push(row(
            m.groups.len() + j,
            format!(
                "  {:<16} {}{primary}",
                safe(&e.entity_id),
                safe(&e.entity_label)
            ),
        ));
    }
    out
}
