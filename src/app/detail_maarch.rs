//! A Maarch user's detail: its keys (groups, entities, the Parapheur link), its details read before an edit, and the catalogue its pickers need.

use crate::api::maarch::MaarchUser;
use crate::api::maarch::MaarchUserDetails;
use crate::app::App;
use crate::app::Confirm;
use crate::app::Overlay;
use crate::app::Purpose;
use crate::app::form::Form;
use crate::app::keymap::Act;
use crate::app::kinds;
use crate::app::kinds::DetailTarget;
use crate::i18n::tr;
use crate::i18n::trf;
use crate::protocol::DeleteOp;
use crate::protocol::Request;

impl App {
    /// What a Maarch user's detail asks beyond itself (its cursor, Esc, help and the palette
    /// are the view's own).
    pub(super) fn maarch_detail_action(&mut self, act: Act, u: MaarchUserDetails) {
        let uid = u.user.id;
        let mutating = matches!(
            act,
            Act::Edit
                | Act::AddGroup
                | Act::AddEntity
                | Act::Remove
                | Act::Link
                | Act::CreateLink
                | Act::Unlink
        );
        if mutating && self.refuse_if_read_only("changing Maarch users") {
            return;
        }
        let (groups, entities) = self.lists.catalogue.clone().unwrap_or_default();
        match act {
            Act::Edit => self.edit_target(DetailTarget::MaarchUser(u)),
            Act::AddGroup | Act::AddEntity => {
                let entity = act == Act::AddEntity;
                if self.lists.catalogue.is_none() {
                    self.load_catalogue();
                    self.status.notice = Some(tr("Reading Maarch groups and entities…").into());
                    if let Some(Overlay::Detail(d)) = self.overlays.last_mut() {
                        d.pick_after_catalogue = Some(act);
                    }
                    return;
                }
                // Offer only what the user does not have yet.
                let options: Vec<(String, String)> = if entity {
                    entities
                        .into_iter()
                        .filter(|(id, _)| !u.entities.iter().any(|e| &e.entity_id == id))
                        .collect()
                } else {
                    groups
                        .into_iter()
                        .filter(|(id, _)| !u.groups.iter().any(|g| &g.group_id == id))
                        .collect()
                };
                self.push_form(Form::maarch_link(&u.user, entity, options));
            }
            Act::Remove => {
                let op = match self.overlays.last() {
                    Some(Overlay::Detail(d)) => d.selected_link(),
                    _ => None,
                };
                let Some(op) = op else {
                    self.status.notice = Some(tr("No group or entity selected").into());
                    return;
                };
                let message = match &op {
                    DeleteOp::MaarchGroup { group, .. } => {
                        trf("Remove {} from group {}?", &[&u.user.user_id, group])
                    }
                    DeleteOp::MaarchEntity { entity, .. } => {
                        trf("Remove {} from entity {}?", &[&u.user.user_id, entity])
                    }
                    _ => return,
                };
                let target = DetailTarget::MaarchUser(u.clone());
                let change = kinds::delete_change(&target, &op);
                self.overlays
                    .push(Overlay::Confirm(Confirm::new(message, change)));
            }
            Act::Delete => {
                self.status.notice = Some(
                    tr("Maarch users are not deleted through this API: edit them, or suspend them in Maarch")
                        .into(),
                );
            }
            Act::Link => self.push_form(Form::parapheur_link(&u.user)),
            Act::CreateLink => self.push_form(Form::parapheur_create(&u.user)),
            Act::Unlink => {
                let target = DetailTarget::MaarchUser(u.clone());
                let change = kinds::delete_change(&target, &DeleteOp::ParapheurLink(uid));
                self.overlays.push(Overlay::Confirm(Confirm::new(
                    trf("Unlink {} from Maarch Parapheur?", &[&u.user.user_id]),
                    change,
                )));
            }
            Act::Status => {
                self.send(Request::ParapheurStatus(uid), Purpose::MaarchDetails);
            }
            Act::Reload => {
                self.send(Request::MaarchDetails(uid), Purpose::MaarchDetails);
            }
            _ => {}
        }
    }

    /// Reads a Maarch user's details before editing them (once at a time): the read's id,
    /// `None` when one is already on its way.
    pub(super) fn read_maarch_for_edit(&mut self, uid: i64, editor: bool) -> Option<u64> {
        if self.waiting.maarch_edit.is_some() {
            return None;
        }
        let id = self.send(Request::MaarchDetails(uid), Purpose::MaarchEdit(editor));
        self.waiting.maarch_edit = Some((id, self.place()));
        Some(id)
    }

    /// Whether the details read `read` of user `uid` was sent before a change to them landed
    /// while their detail shows the change's answer (a detail not loaded yet takes the read:
    /// it is all it has).
    pub(super) fn maarch_read_is_older(&self, read: u64, uid: i64) -> bool {
        let kind = crate::app::ListKind::MaarchUsers.name();
        self.net.predates_change(read, kind, &uid.to_string())
            && (self.overlays.iter())
                .any(|o| matches!(o, Overlay::Detail(d) if d.loaded && d.target.maarch_uid() == Some(uid)))
    }

    /// Where the user is, as far as an edit being read cares: how deep in the screens, and
    /// whose Maarch detail is on top (another screen as deep is another place).
    fn place(&self) -> crate::app::state::Place {
        let top = self.overlays.last();
        let whose = match top {
            Some(Overlay::Detail(d)) => d.target.maarch_uid(),
            _ => None,
        };
        (self.overlays.len(), top.map(std::mem::discriminant), whose)
    }

    /// A Maarch user's details read to edit them (form or `$EDITOR`): false when the user
    /// moved on meanwhile, and nothing opens.
    pub(super) fn edit_maarch_user_read(
        &mut self,
        id: u64,
        editor: bool,
        uid: i64,
        details: Option<MaarchUserDetails>,
    ) -> bool {
        if self.waiting.maarch_edit.take() != Some((id, self.place())) {
            // The user moved on meanwhile: nothing opens over what they do now.
            return false;
        }
        let d = match details {
            Some(d) => d,
            // No details route: the list's fields are all there is.
            None => {
                let user = self
                    .lists
                    .maarch_users
                    .items
                    .iter()
                    .find(|u| u.id == uid)
                    .cloned()
                    .unwrap_or(MaarchUser {
                        id: uid,
                        ..Default::default()
                    });
                MaarchUserDetails {
                    fetched: true,
                    ..MaarchUserDetails::from_list(user)
                }
            }
        };
        self.lists.maarch_users.upsert(d.user.clone());
        let t = DetailTarget::MaarchUser(d);
        if editor {
            self.edit_in_editor(t);
        } else {
            self.edit_target(t);
            self.apply_undo_values(id);
        }
        true
    }

    /// Every Maarch group and entity read: kept for the pickers, and the picker asked for
    /// meanwhile opens.
    pub(super) fn maarch_catalogue_read(
        &mut self,
        groups: Vec<(String, String)>,
        entities: Vec<(String, String)>,
    ) {
        self.lists.catalogue = Some((groups, entities));
        // The picker asked for meanwhile opens, if the user is still on that detail.
        // The picker opens only over the detail that asked, still on top.
        let top = match self.overlays.last_mut() {
            Some(Overlay::Detail(d)) => match (d.pick_after_catalogue.take(), &d.target) {
                (Some(act), DetailTarget::MaarchUser(u)) => Some((act, u.clone())),
                _ => None,
            },
            _ => None,
        };
        for d in self.details_mut() {
            d.pick_after_catalogue = None;
        }
        if let Some((act, u)) = top {
            self.maarch_detail_action(act, u);
        }
    }
}
