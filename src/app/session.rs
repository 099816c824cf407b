//! The session shown in the status bar, and how a missing service is worded.

use crate::i18n::trf;
use crate::protocol::Service;

/// Who and where: shown in the status bar.
#[derive(Debug, Clone)]
pub struct Session {
    pub profile: String,
    pub server: String,
    pub user: Option<String>,
    pub role: Option<String>,
    pub read_only: bool,
    /// A production deployment (shown in the status bar).
    pub production: bool,
    /// Edits show what they will send and ask before sending it.
    pub confirm_saves: bool,
    pub insecure_tls: bool,
    /// The services the profile declares.
    pub services: Vec<Service>,
    /// Ocean and Maarch logins, to prefill their login forms.
    pub ocean_user: Option<String>,
    pub maarch_user: Option<String>,
    /// The profile's colour (`color` in the config): the status bar is tinted with it.
    pub color: Option<String>,
    /// What the journal, the drafts and the kept lists are filed under when not the server's
    /// address: the demo's server takes a new port each run but stays the same deployment.
    pub files_as: Option<String>,
}

/// The profile of a console started with `--url` and no profile.
pub const COMMAND_LINE: &str = "(command line)";

impl Session {
    /// The profile's name as shown: the command line's in the user's language.
    pub fn profile_shown(&self) -> &str {
        if self.profile == COMMAND_LINE {
            crate::i18n::tr(COMMAND_LINE)
        } else {
            &self.profile
        }
    }

    /// The deployment's name for the files kept between runs.
    pub fn files_key(&self) -> &str {
        self.files_as.as_deref().unwrap_or(&self.server)
    }
}

impl Default for Session {
    fn default() -> Self {
        Session {
            profile: String::new(),
            server: String::new(),
            user: None,
            role: None,
            read_only: false,
            production: false,
            confirm_saves: false,
            insecure_tls: false,
            services: vec![Service::Core, Service::Ocean, Service::Maarch],
            ocean_user: None,
            files_as: None,
            color: None,
            maarch_user: None,
        }
    }
}

impl Session {
    /// Who is logged in on a service (by its profile section: `core`, `ocean`, `maarch`).
    pub fn user_on(&self, section: &str) -> Option<String> {
        match section {
            "ocean" => self.ocean_user.clone(),
            "maarch" => self.maarch_user.clone(),
            _ => self.user.clone(),
        }
    }

    pub fn has(&self, s: Service) -> bool {
        self.services.contains(&s)
    }
}

/// What a tab of an unconfigured service says.
pub fn not_configured(s: Service, profile: &str) -> String {
    let p = if profile.is_empty() {
        "<name>"
    } else {
        profile
    };
    trf(
        "{} is not configured for profile {}: add a [profiles.{}.{}] section (base_url, username, password_env) to the config file — see config.example.toml",
        &[&s.name(), &p, &p, &s.section()],
    )
}
