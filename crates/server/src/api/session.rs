//! Signing in and out, the current profile, and changing one's own password.

use axum::extract::State;
use axum::http::StatusCode;
use cunju_domain::authz::{check_password, check_username};
use cunju_domain::sync::{LoginRequest, LoginResponse, Profile};
use serde::Deserialize;

use super::{CurrentUser, hash_password, profile_of, verify_password};
use crate::auth;
use crate::error::ApiError;
use crate::extract::Json;
use crate::store::Store;
use crate::{AppState, now_ms};

pub(super) async fn login(
    State(state): State<AppState>,
    Json(req): Json<LoginRequest>,
) -> Result<axum::Json<LoginResponse>, ApiError> {
    let store = &state.store;
    let now = now_ms();
    let username = req.username.trim().to_string();
    if check_username(&username).is_err() {
        // No account can have this name: answer like a wrong password (after the same work),
        // and keep the name out of the database.
        verify_password(auth::dummy_hash().to_string(), req.password).await?;
        return Err(ApiError::BadCredentials);
    }
    locked_out(store, &username, now).await?;
    let user = store.user_by_username(&username).await?;
    let stored_hash = user.as_ref().map_or_else(
        || auth::dummy_hash().to_string(),
        |u| u.password_hash.clone(),
    );
    let ok = verify_password(stored_hash, req.password).await?;
    let user = match user {
        Some(user) if ok => user,
        _ => {
            store.record_failed_login(&username, now).await?;
            return Err(ApiError::BadCredentials);
        }
    };
    // Said only to someone who knows the password, so it reveals nothing to a guesser.
    if user.disabled {
        return Err(ApiError::AccountDisabled);
    }
    store.clear_failed_logins(&username).await?;
    let issued = auth::new_token();
    store
        .insert_token(&issued.hash, &user.id, now, now + auth::TOKEN_TTL_MS)
        .await?;
    let bundle_key = auth::bundle_key_of(store, &user.id).await?;
    Ok(axum::Json(LoginResponse {
        token: issued.token,
        profile: profile_of(&user)?,
        bundle_key: Some(bundle_key),
    }))
}

/// `TooManyAttempts` while `username` is locked out: `MAX_FAILED_LOGINS` failures within the
/// window. The lock ends when the oldest of them leaves the window.
async fn locked_out(store: &Store, username: &str, now: i64) -> Result<(), ApiError> {
    let since = now - auth::LOGIN_WINDOW_MS;
    if store.failed_logins_since(username, since).await? < auth::MAX_FAILED_LOGINS {
        return Ok(());
    }
    let oldest = store
        .oldest_failed_login_since(username, since)
        .await?
        .unwrap_or(now);
    let left_ms = (oldest + auth::LOGIN_WINDOW_MS - now).max(0);
    Err(ApiError::TooManyAttempts(
        (left_ms + 59_999).div_euclid(60_000).max(1),
    ))
}

pub(super) async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<StatusCode, ApiError> {
    state.store.revoke_token(&user.token_hash, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn me(user: CurrentUser) -> axum::Json<Profile> {
    axum::Json(user.profile)
}

/// `POST /api/v1/me/password`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OwnPasswordChange {
    old_password: String,
    new_password: String,
}

/// A user changes their own password. Wrong guesses count against the login rate limit; on
/// success every other session of the user is signed out and this one stays.
pub(super) async fn change_own_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(req): Json<OwnPasswordChange>,
) -> Result<StatusCode, ApiError> {
    let store = &state.store;
    let now = now_ms();
    locked_out(store, &user.username, now).await?;
    let row = store
        .user_by_username(&user.username)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    if !verify_password(row.password_hash, req.old_password).await? {
        store.record_failed_login(&user.username, now).await?;
        return Err(ApiError::WrongPassword);
    }
    check_password(&req.new_password)?;
    let hash = hash_password(req.new_password).await?;
    store
        .set_password(&user.username, &hash, Some(&user.token_hash), now)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
