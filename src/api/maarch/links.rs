//! A user's links: its groups and entities (each with its role) and its Maarch Parapheur
//! account; the groups and entities there are.

use reqwest::Method;
use serde_json::{Value, json};

use super::records::list_of;
use super::{MaarchClient, MaarchEntity, MaarchGroup};
use crate::api::{ApiError, seg};

impl MaarchClient {
    /// `POST /rest/users/{id}/groups` → the user's groups after the change.
    pub async fn add_group(&self, id: i64, group_id: &str) -> Result<Vec<MaarchGroup>, ApiError> {
        self.link(id, "groups", "groupId", group_id).await
    }

    pub async fn remove_group(&self, id: i64, group_id: &str) -> Result<(), ApiError> {
        self.unlink(id, "groups", group_id).await
    }

    /// `POST /rest/users/{id}/entities` → the user's entities after the change.
    pub async fn add_entity(
        &self,
        id: i64,
        entity_id: &str,
    ) -> Result<Vec<MaarchEntity>, ApiError> {
        self.link(id, "entities", "entityId", entity_id).await
    }

    pub async fn remove_entity(&self, id: i64, entity_id: &str) -> Result<(), ApiError> {
        self.unlink(id, "entities", entity_id).await
    }

    /// `POST /rest/users/{id}/{kind}` with `{key: value}` → the user's `kind` after the change.
    async fn link<T: serde::de::DeserializeOwned>(
        &self,
        id: i64,
        kind: &str,
        key: &str,
        value: &str,
    ) -> Result<Vec<T>, ApiError> {
        self.link_with_role(id, kind, key, value, None).await
    }

    /// The same, with the user's `role` in that group or entity (Maarch 21.03 stores an
    /// entity's as `user_role`); the role is left out when `None`.
    async fn link_with_role<T: serde::de::DeserializeOwned>(
        &self,
        id: i64,
        kind: &str,
        key: &str,
        value: &str,
        role: Option<&str>,
    ) -> Result<Vec<T>, ApiError> {
        let mut body = json!({ key: value });
        if let Some(r) = role {
            body["role"] = json!(r);
        }
        let v: Value = self
            .send(
                Method::POST,
                &Self::user_path(id, &format!("/{kind}")),
                Some(&body),
            )
            .await?
            .json()?;
        Ok(list_of(&v, kind))
    }

    /// `POST /rest/users/{id}/groups` `{groupId, role}`.
    pub async fn add_group_as(
        &self,
        id: i64,
        group_id: &str,
        role: Option<&str>,
    ) -> Result<Vec<MaarchGroup>, ApiError> {
        self.link_with_role(id, "groups", "groupId", group_id, role)
            .await
    }

    /// `POST /rest/users/{id}/entities` `{entityId, role}`.
    pub async fn add_entity_as(
        &self,
        id: i64,
        entity_id: &str,
        role: Option<&str>,
    ) -> Result<Vec<MaarchEntity>, ApiError> {
        self.link_with_role(id, "entities", "entityId", entity_id, role)
            .await
    }

    /// `PUT /rest/users/{id}/groups/{groupId}` `{role}`: the user's role in the group.
    pub async fn set_group_role(
        &self,
        id: i64,
        group_id: &str,
        role: &str,
    ) -> Result<(), ApiError> {
        self.send(
            Method::PUT,
            &Self::user_path(id, &format!("/groups/{}", seg(group_id))),
            Some(&json!({ "role": role })),
        )
        .await?
        .ok()
    }

    /// `PUT /rest/users/{id}/entities/{entityId}` `{user_role}`.
    pub async fn set_entity_role(
        &self,
        id: i64,
        entity_id: &str,
        role: &str,
    ) -> Result<(), ApiError> {
        self.send(
            Method::PUT,
            &Self::user_path(id, &format!("/entities/{}", seg(entity_id))),
            Some(&json!({ "user_role": role })),
        )
        .await?
        .ok()
    }

    /// `PUT /rest/users/{id}/entities/{entityId}/primaryEntity`: that entity becomes primary.
    pub async fn set_primary_entity(&self, id: i64, entity_id: &str) -> Result<(), ApiError> {
        self.send(
            Method::PUT,
            &Self::user_path(id, &format!("/entities/{}/primaryEntity", seg(entity_id))),
            None,
        )
        .await?
        .ok()
    }

    /// `DELETE /rest/users/{id}/{kind}/{value}`.
    async fn unlink(&self, id: i64, kind: &str, value: &str) -> Result<(), ApiError> {
        self.send(
            Method::DELETE,
            &Self::user_path(id, &format!("/{kind}/{}", seg(value))),
            None,
        )
        .await?
        .ok()
    }

    /// Every group (`GET /rest/groups`), for pickers.
    pub async fn groups(&self) -> Result<Vec<MaarchGroup>, ApiError> {
        let v: Value = self.send(Method::GET, "groups", None).await?.json()?;
        Ok(list_of(&v, "groups"))
    }

    /// Every entity (`GET /rest/entities`), for pickers.
    pub async fn entities(&self) -> Result<Vec<MaarchEntity>, ApiError> {
        let v: Value = self.send(Method::GET, "entities", None).await?.json()?;
        Ok(list_of(&v, "entities"))
    }

    // ---- Maarch Parapheur --------------------------------------------------------------------

    pub async fn link_parapheur(&self, id: i64, parapheur_user_id: i64) -> Result<(), ApiError> {
        self.send(
            Method::PUT,
            &Self::user_path(id, "/linkToMaarchParapheur"),
            Some(&json!({ "maarchParapheurUserId": parapheur_user_id })),
        )
        .await?
        .ok()
    }

    pub async fn unlink_parapheur(&self, id: i64) -> Result<(), ApiError> {
        self.send(
            Method::PUT,
            &Self::user_path(id, "/unlinkToMaarchParapheur"),
            None,
        )
        .await?
        .ok()
    }

    /// Creates the user in Maarch Parapheur and links it → the Parapheur id.
    pub async fn create_in_parapheur(&self, id: i64, login: &str) -> Result<i64, ApiError> {
        let v: Value = self
            .send(
                Method::PUT,
                &Self::user_path(id, "/createInMaarchParapheur"),
                Some(&json!({ "login": login })),
            )
            .await?
            .json()?;
        v.get("externalId")
            .and_then(|i| i.as_i64().or_else(|| i.as_str()?.parse().ok()))
            .ok_or_else(|| ApiError::Decode {
                status: 200,
                message: "no externalId in the answer".into(),
                excerpt: v.to_string(),
            })
    }

    /// The Parapheur login the user is linked to. GET as the real service; PUT (the doc) when
    /// GET is refused.
    pub async fn parapheur_status(&self, id: i64) -> Result<String, ApiError> {
        let path = Self::user_path(id, "/statusInMaarchParapheur");
        let mut raw = self.send(Method::GET, &path, None).await?;
        if raw.status.as_u16() == 405 {
            raw = self.send(Method::PUT, &path, None).await?;
        }
        let v: Value = raw.json()?;
        let errors = v.get("errors").and_then(Value::as_str).unwrap_or("");
        if !errors.is_empty() {
            return Err(ApiError::BadRequest(errors.to_string()));
        }
        Ok(v.get("link")
            .or_else(|| v.get("linbk"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string())
    }
}
