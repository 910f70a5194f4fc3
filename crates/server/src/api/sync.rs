//! Push and pull of events, and the rejections a device has to show its user.

use axum::extract::State;
use cunju_domain::authz::{may_read_event, reads_records};
use cunju_domain::bundle::Bundle;
use cunju_domain::event::Event;
use cunju_domain::ids::DeviceId;
use cunju_domain::sync::{
    Cursor, MAX_PULL_LIMIT, MAX_PUSH_BATCH, PullParams, PullResponse, PushRequest, PushResponse,
};
use serde::{Deserialize, Serialize};

use super::CurrentUser;
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::store::{RejectionRow, db_text, from_db_text};
use crate::{AppState, now_ms};

pub(super) async fn push(
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
    check_storable(&events)?;
    let results = store_pushed(&state, &user, events).await?;
    Ok(axum::Json(PushResponse { results }))
}

/// Stores pushed events in a task of its own: a phone that drops off the network mid-request
/// cancels the request, but never the database transaction half-way (which could leave the
/// write lock held), so every write either commits or rolls back.
async fn store_pushed(
    state: &AppState,
    user: &CurrentUser,
    events: Vec<Event>,
) -> Result<Vec<cunju_domain::sync::PushOutcome>, ApiError> {
    let store = state.store.clone();
    let profile = user.profile.clone();
    let token_hash = user.token_hash.clone();
    tokio::spawn(async move {
        store
            .push_from(&profile, Some(&token_hash), events, now_ms())
            .await
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(ApiError::from)
}

/// `POST /api/v1/sync/bundle`: a device's events carried as a file (no network where they were
/// made). The file must be whole and signed with the signed-in account's key (`Bundle::verify`);
/// then every event is judged exactly as if that user pushed it, so importing twice changes
/// nothing.
pub(super) async fn import_bundle(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(bundle): Json<Bundle>,
) -> Result<axum::Json<PushResponse>, ApiError> {
    let key = crate::auth::bundle_key_of(&state.store, &db_text(&user.profile.user)).await?;
    bundle.verify(&key).map_err(ApiError::BadBundle)?;
    check_storable(&bundle.events)?;
    let results = store_pushed(&state, &user, bundle.events).await?;
    Ok(axum::Json(PushResponse { results }))
}

/// Sequence numbers and clock readings are stored as signed 64-bit integers; a pushed event
/// beyond that is forged or corrupt, and the whole batch is refused before anything is written.
pub(crate) fn check_storable(events: &[Event]) -> Result<(), ApiError> {
    for e in events {
        if !e.fits_storage() {
            return Err(ApiError::BadRequest(format!(
                "事件 {} 的序号或时间超出范围 / event {}: seq or clock out of range",
                e.id, e.id
            )));
        }
    }
    Ok(())
}

/// Events after the cursor that the user may receive. The store pages through the user's
/// scope in commit order; each event is then checked with the domain's `may_read_event`, and
/// the cursor moves past every event looked at, served or not — so a page can hold fewer
/// events than `limit` (even none) while `more` is true.
///
/// A role that receives no records at all (the city viewer, which sees aggregates only) gets
/// an empty page, not an error: every device runs the same sync, and the app decides from the
/// same table which screens to show.
///
/// With `skip_device`, that device's own events are left out (it learnt their receipt times
/// from its push), and the cursor moves past them all the same.
pub(super) async fn pull(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<PullParams>,
) -> Result<axum::Json<PullResponse>, ApiError> {
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
    if !reads_records(user.profile.role) {
        return Ok(axum::Json(PullResponse {
            events: vec![],
            received_ms: vec![],
            next: Cursor(params.after),
            more: false,
        }));
    }
    let page = state
        .store
        .pull(&db_text(&user.profile.scope), after, limit)
        .await?;
    let (events, received_ms) = page
        .events
        .into_iter()
        .filter(|s| params.serves(&s.event))
        .filter(|s| may_read_event(&user.profile, &s.event))
        .map(|s| (s.event, u64::try_from(s.received_ms).unwrap_or(0)))
        .unzip();
    Ok(axum::Json(PullResponse {
        events,
        received_ms,
        next: Cursor(page.next as u64),
        more: page.more,
    }))
}

#[derive(Deserialize)]
pub(super) struct RejectionParams {
    device: Option<String>,
}

#[derive(Serialize)]
pub(super) struct RejectionsResponse {
    rejections: Vec<RejectionRow>,
}

pub(super) async fn rejections(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<RejectionParams>,
) -> Result<axum::Json<RejectionsResponse>, ApiError> {
    let me = db_text(&user.profile.user);
    if let Some(device) = &params.device
        && from_db_text::<DeviceId>(device).is_err()
    {
        return Err(ApiError::BadRequest(format!(
            "设备编号无效 / not a device id: {device:?}"
        )));
    }
    let rejections = state
        .store
        .rejections(&me, params.device.as_deref())
        .await?;
    Ok(axum::Json(RejectionsResponse { rejections }))
}
