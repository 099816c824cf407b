//! Step 3 for account actions and links to Maarch Parapheur: sent, their effect read back.

use super::read::maarch_user;
use super::{Action, Change, Clients, Outcome, Saved, Verdict};
use crate::api::ApiError;
use crate::api::maarch::MaarchClient;
use crate::i18n::{tr, trf};

/// An account action or a link to Maarch Parapheur: sent, its effect read back.
pub(super) async fn action(c: &Clients, ch: &Change, a: &Action) -> Result<Outcome, ApiError> {
    let mut out = Outcome::new(Verdict::Applied, &ch.id);
    let saved = match a {
        Action::AssignEntity {
            individu,
            entite,
            start,
            end,
        } => {
            let o = c.ocean()?;
            o.assign_entity(*individu, *entite, start, end.as_ref())
                .await?;
            let message = trf("Individu {} assigned to entity {}", &[individu, entite]);
            out.message = message.clone();
            match super::after_write(o.list_individus(None).await, &mut out.notes) {
                Some(individus) => Saved::Individus { message, individus },
                None => Saved::Account(message),
            }
        }
        Action::ChangePassword {
            actual,
            new,
            confirmed,
            in_url,
        } => {
            c.ocean()?
                .change_password_in(actual, new, confirmed, *in_url)
                .await?;
            Saved::Account(tr("Password changed").into())
        }
        Action::PasswordReset { login, url } => {
            c.ocean()?
                .request_password_reset(login, url.as_deref())
                .await?;
            Saved::Account(trf("Reset requested for {}", &[login]))
        }
        Action::LinkParapheur { user, parapheur_id } => {
            let m = c.maarch()?;
            m.link_parapheur(*user, *parapheur_id).await?;
            let what = |who: &str| {
                trf(
                    "{} linked to Maarch Parapheur user {}",
                    &[&who, parapheur_id],
                )
            };
            maarch_saved(m, ch, *user, &mut out.notes, what).await
        }
        Action::CreateInParapheur { user, login } => {
            let m = c.maarch()?;
            let id = m.create_in_parapheur(*user, login).await?;
            let what = |_: &str| {
                trf(
                    "{} created in Maarch Parapheur (id {}) and linked",
                    &[login, &id],
                )
            };
            maarch_saved(m, ch, *user, &mut out.notes, what).await
        }
        Action::UnlinkParapheur(user) => {
            let m = c.maarch()?;
            m.unlink_parapheur(*user).await?;
            let what = |who: &str| trf("{} unlinked from Maarch Parapheur", &[&who]);
            maarch_saved(m, ch, *user, &mut out.notes, what).await
        }
    };
    out.saved = Some(saved);
    Ok(out)
}

/// A Maarch user read back after an action, with `what` it did; when the read fails the
/// action still stands (said, with what could not be read).
async fn maarch_saved(
    m: &MaarchClient,
    ch: &Change,
    user: i64,
    notes: &mut Vec<String>,
    what: impl Fn(&str) -> String,
) -> Saved {
    match super::after_write(maarch_user(m, user).await, notes) {
        Some(Some((d, _))) => {
            let w = what(&d.user.user_id);
            Saved::MaarchUser(d, w)
        }
        _ => {
            let who = if ch.label.is_empty() {
                &ch.id
            } else {
                &ch.label
            };
            Saved::Account(what(who))
        }
    }
}
