//! Windows about credentials: the login, and the account's password change and reset.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::boxed;
use crate::app::{Account, App, Login};
use crate::i18n::{tr, trf};
use crate::protocol::Service;
use crate::ui::{accent, dim, err_style, popup, safe, theme};

pub fn login(f: &mut Frame, app: &App, l: &Login, area: Rect) {
    let r = popup(f, area, 60, 9);
    let title = match l.service {
        Service::Core => tr("Log in").to_string(),
        s => trf("Log in to {}", &[&s.name()]),
    };
    let block = boxed(&title, accent());
    let inner = block.inner(r);
    f.render_widget(block, r);
    let field = |label: &str, value: String, focused: bool| {
        let st = if focused {
            theme::theme().focus
        } else {
            Style::new()
        };
        Line::from(vec![
            Span::styled(
                format!("{:>10} ", tr(label)),
                if focused {
                    accent().bold()
                } else {
                    Style::new()
                },
            ),
            Span::styled(format!("{value:<30}"), st),
        ])
    };
    let mut lines = vec![
        Line::from(Span::styled(
            match l.service {
                Service::Core => trf("Server {}", &[&safe(&app.session.server)]),
                s => trf(
                    "{} of profile {}",
                    &[&s.name(), &safe(app.session.profile_shown())],
                ),
            },
            dim(),
        )),
        field("Login", safe(l.username.value()), l.focus == 0),
        // A fixed mask: the password's length is not told.
        field("Password", mask(l.password.value()), l.focus == 1),
    ];
    if l.pending.is_some() {
        lines.push(Line::from(Span::styled(tr("Logging in…"), dim())));
    } else if let Some(e) = &l.error {
        lines.push(Line::from(Span::styled(safe(e), err_style())));
    }
    lines.push(Line::from(Span::styled(
        if l.service == Service::Core && app.overlays.len() == 1 {
            tr("Enter logs in · Tab switches · Esc quits")
        } else {
            tr("Enter logs in · Tab switches · Esc closes")
        },
        dim(),
    )));
    // Not trimmed: the labels are right-aligned with spaces, and the cursor counts on them.
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    let (row, len) = if l.focus == 0 {
        (1, l.username.visual_cursor())
    } else {
        (2, mask(l.password.value()).chars().count())
    };
    let cx = inner.x + 11 + len as u16;
    if cx < inner.x + inner.width {
        f.set_cursor_position(Position::new(cx, inner.y + row));
    }
}

/// A password as shown while typed: nothing, or the same eight dots whatever its length.
fn mask(typed: &str) -> String {
    if typed.is_empty() {
        String::new()
    } else {
        "••••••••".into()
    }
}

/// The Ocean account screen: rights by element type, and the demo outbox.
pub fn account(f: &mut Frame, app: &App, a: &Account, area: Rect) {
    f.render_widget(ratatui::widgets::Clear, area);
    let who = app
        .session
        .ocean_user
        .as_deref()
        .map(safe)
        .unwrap_or_else(|| "?".into());
    let block = boxed(&trf("My Ocean account · {}", &[&who]), accent());
    let inner = block.inner(area);
    f.render_widget(block, area);
    let mut lines = vec![Line::from(vec![
        Span::styled("p", Style::new().bold()),
        Span::raw(format!(" {}   ", tr("change my password"))),
        Span::styled("R", Style::new().bold()),
        Span::raw(format!(" {}", tr("request a reset for a login"))),
    ])];
    let mut tabs = vec![Span::styled(
        format!("{} ", tr("Rights by element type:")),
        dim(),
    )];
    for (i, t) in a.types.iter().enumerate() {
        let st = if i == a.element_type {
            accent().bold().reversed()
        } else {
            Style::new()
        };
        tabs.push(Span::styled(format!(" {} ", safe(t)), st));
    }
    tabs.push(Span::styled(
        format!("  ←→ · t {}", tr("another type")),
        dim(),
    ));
    lines.push(Line::from(tabs));
    if a.pending.is_some() {
        lines.push(Line::from(Span::styled(tr("Reading…"), dim())));
    } else if let Some(e) = &a.error {
        lines.push(Line::from(Span::styled(safe(e), err_style())));
    } else if a.functionalities.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("  {}", tr("none of this type")),
            dim(),
        )));
    }
    let outbox_h = match &a.outbox {
        Some(Some(m)) => m.len().min(5) + 2,
        _ => 0,
    };
    let room = (inner.height as usize)
        .saturating_sub(lines.len() + outbox_h)
        .max(1);
    let start = a.selected.saturating_sub(room.saturating_sub(1));
    for (i, fct) in a.functionalities.iter().enumerate().skip(start).take(room) {
        let d = &fct.fonctionnalite_dto;
        let st = if i == a.selected {
            theme::theme().selected
        } else {
            Style::new()
        };
        lines.push(Line::from(Span::styled(
            format!(
                "  {:>4}  {:<28} {}",
                d.id_fonctionnalite
                    .map(|x| x.to_string())
                    .unwrap_or_default(),
                safe(&fct.enum_code),
                safe(d.description.as_deref().unwrap_or_default())
            ),
            st,
        )));
    }
    if let Some(Some(mails)) = &a.outbox {
        lines.push(Line::raw(""));
        lines.push(Line::from(Span::styled(
            trf(
                "Outbox of the demo server ({} reset mail(s) it would have sent)",
                &[&mails.len()],
            ),
            accent().bold(),
        )));
        for m in mails.iter().take(5) {
            lines.push(Line::from(Span::raw(format!(
                "  {}",
                trf(
                    "{}  to {} — {}",
                    &[
                        &safe(m.at.as_deref().unwrap_or_default()),
                        &safe(m.to.as_deref().or(m.login.as_deref()).unwrap_or("?")),
                        &safe(m.subject.as_deref().unwrap_or_default()),
                    ],
                )
            ))));
        }
    }
    f.render_widget(Paragraph::new(lines), inner);
}
