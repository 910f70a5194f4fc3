//! `/api/v1`: thin handlers — extract, authorise (via the domain), call the store, map errors.
//!
//! `session` signs users in and out, `sync` moves events, `accounts` lets administrators manage
//! users, `units` serves the jurisdiction tree, `blobs` stores and serves evidence photos.

mod accounts;
mod allowances;
mod blobs;
mod devices;
mod holidays;
mod session;
mod sync;
mod units;

use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::routing::{get, patch, post, put};
use cunju_domain::app_info::PROTOCOL_VERSION;
use cunju_domain::sync::Profile;
use serde_json::{Value, json};

use crate::auth;
use crate::error::ApiError;
use crate::store::{UserRow, from_db_text};
use crate::{AppState, now_ms};

pub use accounts::{Account, AccountChange, NewAccount};
pub use allowances::RatesResponse;
pub use holidays::HolidaysResponse;
pub use units::UnitsResponse;

pub fn router(state: AppState) -> Router {
    let v1 = Router::new()
        .route("/health", get(health))
        .route("/auth/login", post(session::login))
        .route("/auth/logout", post(session::logout))
        .route("/me", get(session::me))
        .route("/me/password", post(session::change_own_password))
        .route("/sync/push", post(sync::push))
        .route("/sync/pull", get(sync::pull))
        .route("/sync/bundle", post(sync::import_bundle))
        .route("/sync/rejections", get(sync::rejections))
        .route("/users", get(accounts::list).post(accounts::create))
        .route("/users/{username}", patch(accounts::change))
        .route("/users/{username}/password", post(accounts::reset_password))
        .route("/units", get(units::tree))
        .route("/allowances/rates", get(allowances::rates))
        .route("/elections/holidays", get(holidays::holidays))
        .route("/devices", get(devices::list))
        .route("/devices/{device}/revoke", post(devices::revoke))
        .route("/blobs/{sha256}", put(blobs::put).get(blobs::get));
    Router::new()
        .nest("/v1", v1)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

async fn health(State(state): State<AppState>) -> Result<axum::Json<Value>, ApiError> {
    state.store.ping().await?;
    Ok(axum::Json(json!({
        "status": "ok",
        "protocol": PROTOCOL_VERSION,
        "db": state.store.backend().name(),
    })))
}

/// The signed-in user of a request (`Authorization: Bearer TOKEN`). A disabled account's
/// tokens are refused even before they are revoked.
pub struct CurrentUser {
    pub profile: Profile,
    pub username: String,
    pub token_hash: String,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthenticated)?;
        let token_hash = auth::token_hash(token);
        let user = state
            .store
            .user_by_token(&token_hash, now_ms())
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        Ok(CurrentUser {
            profile: profile_of(&user)?,
            username: user.username,
            token_hash,
        })
    }
}

fn profile_of(user: &UserRow) -> Result<Profile, ApiError> {
    Ok(Profile {
        user: from_db_text(&user.id)?,
        display_name: user.display_name.clone(),
        role: from_db_text(&user.role)?,
        scope: from_db_text(&user.scope)?,
        department: user.department.as_deref().map(from_db_text).transpose()?,
    })
}

/// Hashes a password off the async workers (argon2 is slow on purpose).
async fn hash_password(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))
}

/// Checks a password off the async workers.
async fn verify_password(stored_hash: String, password: String) -> Result<bool, ApiError> {
    tokio::task::spawn_blocking(move || auth::verify_password(&stored_hash, &password))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))
}
