//! Errors, saves and deletes as the console tells them, and where their effects land.

use crate::api::ApiError;
use crate::app::App;
use crate::app::Overlay;
use crate::app::Purpose;
use crate::app::PurposeKind;
use crate::app::kinds::DetailTarget;
use crate::app::screen::Failure;
use crate::app::target_id;
use crate::i18n::tr;
use crate::i18n::trf;
use crate::protocol::Service;

/// The fields a 400's text may be about, most likely first: those `named_field` reads, and
/// the login for Maarch's "already exists" in any of its languages
/// (`L'identifiant utilisateur existe déjà`).
pub fn named_fields(msg: &str) -> Vec<String> {
    let mut out: Vec<String> = named_field(msg).into_iter().collect();
    let m = msg.to_lowercase();
    let login = ["identifiant", "user id", "userid", "user_id", "login"];
    if login.iter().any(|w| m.contains(w)) {
        out.extend(["userId".to_string(), "login".to_string()]);
    }
    out
}

/// The field a 400's text is about: Maarch says `Body mail is empty…`, Ocean (the reference
/// server) `propSpecifiqueDTO.dateFCO: '…' is not a date`.
pub fn named_field(msg: &str) -> Option<String> {
    let word = match msg.strip_prefix("Body ") {
        Some(rest) => rest.split_whitespace().next()?,
        None => msg.split_once(": ")?.0,
    };
    let ok = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_');
    ok.then(|| word.to_string())
}

impl App {
    pub(super) fn on_error(&mut self, id: u64, purpose: Purpose, service: Service, e: ApiError) {
        let purpose_kind = match &purpose {
            Purpose::List(_) | Purpose::LoadAll => PurposeKind::Read,
            Purpose::Login if !matches!(self.overlays.last(), Some(Overlay::Login(_))) => {
                PurposeKind::WhoAmI
            }
            _ => PurposeKind::Other,
        };
        let action = match &purpose {
            Purpose::Save => "save",
            Purpose::Delete => "delete",
            Purpose::Login => "log in",
            _ => "read",
        };
        let words = match &e {
            // Ocean and Maarch say which right is missing better than a role name would.
            ApiError::Forbidden(m) if service != Service::Core => {
                trf("403 — {} refused: {}", &[&service.name(), m])
            }
            _ => self.describe(&e, action),
        };
        let failure = Failure {
            id,
            purpose: &purpose,
            service,
            e: &e,
            words: &words,
        };
        if !self.fail_screen(&failure) {
            return;
        }
        let reading = matches!(purpose_kind, PurposeKind::Read | PurposeKind::WhoAmI);
        if matches!(e, ApiError::Network(_)) && reading {
            // Unreachable: the console stays usable and tries again by itself.
            self.schedule_reconnect();
        }
        if matches!(e, ApiError::Unauthorized(_))
            && !matches!(self.overlays.last(), Some(Overlay::Login(_)))
        {
            // The session is gone and could not be renewed: ask again, keep everything else.
            self.ask_login(service, Some(words.clone()));
        }
        self.status.last_error = Some(words);
    }

    /// An error in words a person understands.
    pub fn describe(&self, e: &ApiError, action: &str) -> String {
        let things = self.current_things();
        match e {
            ApiError::Forbidden(_) => {
                let role = self.session.role.clone().unwrap_or_else(|| "?".into());
                let verb = match action {
                    "save" => "change",
                    "read" => "read",
                    other => other,
                };
                trf(
                    "403 — your role {} cannot {} {}",
                    &[&role, &tr(verb), &tr(things)],
                )
            }
            ApiError::Unauthorized(m) if action == "log in" => format!("401 — {m}"),
            ApiError::Unauthorized(m) => trf("401 — not logged in or session expired ({})", &[m]),
            ApiError::NotFound(m) => trf("404 — {} (it may have been deleted meanwhile)", &[m]),
            ApiError::Conflict(m) => format!("409 — {m}"),
            ApiError::Validation(v) => trf(
                "422 — the server refused: {}",
                &[&v.iter()
                    .map(|f| {
                        if f.field.is_empty() {
                            f.msg.clone()
                        } else {
                            format!("{}: {}", f.field, f.msg)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; ")],
            ),
            ApiError::RateLimited { retry_after, .. } => match retry_after {
                Some(d) => trf("429 — too many requests; retry in {}s", &[&d.as_secs()]),
                None => tr("429 — too many requests; retry in a moment").into(),
            },
            ApiError::Network(m) => trf("cannot reach the server: {}", &[m]),
            ApiError::Server { status, message } => {
                format!("{status} — the server failed ({message}); nothing was lost, try again")
            }
            other => other.to_string(),
        }
    }

    pub(super) fn update_detail(&mut self, t: DetailTarget) {
        let id = target_id(&t).to_string();
        for o in &mut self.overlays {
            if let Overlay::Detail(d) = o
                && target_id(&d.target) == id
                && std::mem::discriminant(&d.target) == std::mem::discriminant(&t)
            {
                d.target = t.clone();
            }
        }
    }
}

impl App {
    /// Keeps the status line's message, if new, among the recent ones (the runtime calls it
    /// after each update): a message longer than the line is read whole with `:messages`.
    pub fn remember_messages(&mut self) {
        let now = chrono::Local::now().format("%H:%M:%S");
        let current = (self.status.notice.clone(), self.status.last_error.clone());
        let fresh = [
            (current.0 != self.status.seen_messages.0).then(|| current.0.clone()),
            (current.1 != self.status.seen_messages.1).then(|| current.1.clone()),
        ];
        for m in fresh.into_iter().flatten().flatten() {
            self.status
                .messages
                .push_back(format!("{now}  {}", crate::text::sanitize(&m)));
            if self.status.messages.len() > 100 {
                self.status.messages.pop_front();
            }
        }
        self.status.seen_messages = current;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_400_names_its_field() {
        use super::named_field;
        assert_eq!(
            named_field("Body mail is empty or not valid").as_deref(),
            Some("mail")
        );
        assert_eq!(
            named_field("propSpecifiqueDTO.dateFCO: '2025-13-01' is not a date").as_deref(),
            Some("propSpecifiqueDTO.dateFCO")
        );
        assert_eq!(named_field("User not found"), None);
        use super::named_fields;
        assert_eq!(
            named_fields("L'identifiant utilisateur existe déjà")[0],
            "userId"
        );
        assert_eq!(named_fields("The user id already exists")[0], "userId");
        assert_eq!(named_fields("Body phone is not correct"), ["phone"]);
        assert!(named_fields("Group not found").is_empty());
        assert_eq!(named_field("Something odd: happened"), None);
    }
}
