//! Routes of the core service: users, roles, client sites, equipements.

mod equipements;
mod roles;
mod sites;
mod users;

use axum::Router;
use axum::extract::Query;
use axum::routing::{delete, get, post, put};

use self::equipements::{
    all_equipements, delete_equipement, register_equipement, update_equipement,
};
use self::roles::{add_permissions, create_role, delete_role, list_roles, update_role};
use self::sites::{all_sites, delete_site, register_site, site_equipements, update_site};
use self::users::{create_user, deactivate_user, get_user, list_users, update_user};
use super::AppState;
use super::db::is_unique_violation;
use super::fastapi::HttpError;

pub const RESSOURCES: [&str; 4] = ["users", "roles", "client_site", "equipements"];
pub const ACTIONS: [&str; 4] = ["read", "create", "update", "delete"];

type Q = Query<Vec<(String, String)>>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(super::auth::login))
        .route("/auth/refresh", post(super::auth::refresh))
        .route("/users/list", get(list_users))
        .route("/users/create", post(create_user))
        .route("/users/update", put(update_user))
        .route("/users/delete/{user_id}", delete(deactivate_user))
        .route("/users/{user_id}", get(get_user))
        .route("/roles/create", post(create_role))
        .route("/roles/update", put(update_role))
        .route("/roles/add_permissions", post(add_permissions))
        .route("/roles/list", get(list_roles))
        .route("/roles/{role_id}", delete(delete_role))
        .route("/client_site/register", post(register_site))
        .route("/client_site/all", get(all_sites))
        .route("/client_site/update", put(update_site))
        .route(
            "/client_site/{site_id}/all_equipements",
            get(site_equipements),
        )
        .route("/client_site/{site_id}", delete(delete_site))
        .route("/equipements/register", post(register_equipement))
        .route("/equipements/all", get(all_equipements))
        .route("/equipements/update", put(update_equipement))
        .route("/equipements/{equipement_id}", delete(delete_equipement))
}

fn not_found(what: &str) -> HttpError {
    HttpError::NotFound(format!("{what} not found"))
}

fn conflict_or_internal(e: rusqlite::Error) -> HttpError {
    if is_unique_violation(&e) {
        HttpError::Conflict("A record with the same unique value already exists".into())
    } else {
        e.into()
    }
}
