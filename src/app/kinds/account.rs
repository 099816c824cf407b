//! The Ocean account's forms: password change and reset.

use crate::app::Form;
use crate::app::FormKind;
use crate::app::kinds::Ask;
use crate::app::kinds::Field;
use crate::app::kinds::FieldKind;
use crate::app::kinds::opt;
use crate::change;
use crate::protocol::Change;
use secrecy::SecretString;

impl Form {
    pub fn change_password() -> Form {
        let pw = |k, l, min| Field::new(k, l, FieldKind::Password { min }, true);
        Form::build(
            FormKind::ChangePassword,
            None,
            vec![
                pw("actualPassword", "Current password", 1),
                pw("newPassword", "New password", 8),
                pw("newPasswordConfirmed", "New password again", 8),
            ],
        )
    }

    pub fn password_reset(login: &str) -> Form {
        Form::build(
            FormKind::PasswordReset,
            None,
            vec![
                Field::new("login", "Login", FieldKind::Text { min: 1, max: 200 }, true)
                    .with_value(login),
                Field::new(
                    "url",
                    "Link in the mail (optional)",
                    FieldKind::Text { min: 0, max: 500 },
                    false,
                ),
            ],
        )
    }

    /// A password change.
    pub(crate) fn change_password_change(&self) -> Option<Change> {
        let a = change::Action::ChangePassword {
            actual: SecretString::from(self.val("actualPassword")),
            new: SecretString::from(self.val("newPassword")),
            confirmed: SecretString::from(self.val("newPasswordConfirmed")),
            in_url: self.agreed.contains(&Ask::PasswordsInUrl),
        };
        Some(Change::action(change::Kind::Individu, "", a))
    }

    /// A password reset request.
    pub(crate) fn password_reset_change(&self) -> Option<Change> {
        let a = change::Action::PasswordReset {
            login: self.val("login").trim().to_string(),
            url: opt(self.val("url")),
        };
        Some(Change::action(change::Kind::Individu, "", a))
    }
}
