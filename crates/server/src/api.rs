//! `/api/v1`: thin handlers — extract, authorise (via the domain), call the store, map errors.

use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::routing::{get, post};
use cunju_domain::app_info::PROTOCOL_VERSION;
use cunju_domain::authz::{Action, permits};
use cunju_domain::event::Event;
use cunju_domain::sync::{
    Cursor, LoginRequest, LoginResponse, MAX_PULL_LIMIT, MAX_PUSH_BATCH, Profile, PullResponse,
    PushRequest, PushResponse,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::auth;
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::store::{RejectionRow, UserRow, from_db_text};
use crate::{AppState, now_ms};

pub fn router(state: AppState) -> Router {
    let v1 = Router::new()
        .route("/health", get(health))
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
        .route("/sync/push", post(push))
        .route("/sync/pull", get(pull))
        .route("/sync/rejections", get(rejections));
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

async fn login(
    State(state): State<AppState>,
    Json(req): Json<LoginRequest>,
) -> Result<axum::Json<LoginResponse>, ApiError> {
    let store = &state.store;
    let now = now_ms();
    let username = req.username.trim().to_string();
    if store
        .failed_logins_since(&username, now - auth::LOGIN_WINDOW_MS)
        .await?
        >= auth::MAX_FAILED_LOGINS
    {
        return Err(ApiError::TooManyAttempts);
    }
    let user = store.user_by_username(&username).await?;
    let stored_hash = user.as_ref().map_or_else(
        || auth::dummy_hash().to_string(),
        |u| u.password_hash.clone(),
    );
    let password = req.password;
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&stored_hash, &password))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let user = match user {
        Some(user) if ok => user,
        _ => {
            store.record_failed_login(&username, now).await?;
            return Err(ApiError::BadCredentials);
        }
    };
    store.clear_failed_logins(&username).await?;
    let issued = auth::new_token();
    store
        .insert_token(&issued.hash, &user.id, now, now + auth::TOKEN_TTL_MS)
        .await?;
    Ok(axum::Json(LoginResponse {
        token: issued.token,
        profile: profile_of(&user)?,
    }))
}

async fn logout(State(state): State<AppState>, user: CurrentUser) -> Result<StatusCode, ApiError> {
    state.store.revoke_token(&user.token_hash, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn me(user: CurrentUser) -> axum::Json<Profile> {
    axum::Json(user.profile)
}

async fn push(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(req): Json<PushRequest>,
) -> Result<axum::Json<PushResponse>, ApiError> {
    let events: Vec<Event> = req.events;
    if events.len() > MAX_PUSH_BATCH {
        return Err(ApiError::BadRequest(format!(
            "每批最多 {MAX_PUSH_BATCH} 个事件 / at most {MAX_PUSH_BATCH} events per push"
        )));
    }
    let results = state.store.push(&user.profile, events, now_ms()).await?;
    Ok(axum::Json(PushResponse { results }))
}

#[derive(Deserialize)]
struct PullParams {
    #[serde(default)]
    after: u64,
    limit: Option<u32>,
}

async fn pull(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<PullParams>,
) -> Result<axum::Json<PullResponse>, ApiError> {
    // Scope is enforced by the query; whether the role may receive records at all is the
    // domain's call. Roles limited to aggregates (city viewer) get none.
    if !permits(user.profile.role, Action::ReadDirectory) {
        return Err(ApiError::Forbidden(
            "您的角色只能查看统计数据，不同步明细记录 / this role sees aggregates only and does not sync records"
                .into(),
        ));
    }
    let limit = params
        .limit
        .unwrap_or(MAX_PULL_LIMIT)
        .clamp(1, MAX_PULL_LIMIT);
    let after = i64::try_from(params.after)
        .map_err(|_| ApiError::BadRequest("cursor out of range".into()))?;
    if after > 0 && !state.store.position_exists(after).await? {
        return Err(ApiError::BadRequest(
            "未知的同步游标，请从 0 重新同步 / unknown cursor, pull again from 0".into(),
        ));
    }
    let scope = crate::store::db_text(&user.profile.scope);
    let page = state.store.pull(&scope, after, limit).await?;
    Ok(axum::Json(PullResponse {
        events: page.events,
        next: Cursor(page.next as u64),
        more: page.more,
    }))
}

#[derive(Deserialize)]
struct RejectionParams {
    device: Option<String>,
}

#[derive(Serialize)]
struct RejectionsResponse {
    rejections: Vec<RejectionRow>,
}

async fn rejections(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<RejectionParams>,
) -> Result<axum::Json<RejectionsResponse>, ApiError> {
    let me = crate::store::db_text(&user.profile.user);
    let rejections = state
        .store
        .rejections(&me, params.device.as_deref())
        .await?;
    Ok(axum::Json(RejectionsResponse { rejections }))
}

/// The signed-in user of a request (`Authorization: Bearer TOKEN`).
pub struct CurrentUser {
    pub profile: Profile,
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
    })
}
