//! Devices, for administrators: the devices of the accounts within their scope, and revoking a
//! lost phone (its later events are refused and its sessions end). Who may is the domain's
//! (`authz::may_manage_account`, on the device's account).

use axum::extract::{Path, State};
use cunju_domain::authz::{Action, may_manage_account, permits};
use cunju_domain::devices::{DeviceInfo, DevicesResponse, RevokeResponse};
use cunju_domain::ids::DeviceId;
use cunju_domain::sync::Profile;

use super::CurrentUser;
use crate::error::ApiError;
use crate::store::{DeviceRow, db_text, from_db_text};
use crate::{AppState, now_ms};

pub(super) async fn list(
    State(state): State<AppState>,
    admin: CurrentUser,
) -> Result<axum::Json<DevicesResponse>, ApiError> {
    require_admin(&admin.profile)?;
    let rows = state
        .store
        .devices_within(&db_text(&admin.profile.scope))
        .await?;
    let devices = rows.iter().map(device_info).collect::<Result<_, _>>()?;
    Ok(axum::Json(DevicesResponse { devices }))
}

pub(super) async fn revoke(
    State(state): State<AppState>,
    admin: CurrentUser,
    Path(device): Path<String>,
) -> Result<axum::Json<RevokeResponse>, ApiError> {
    require_admin(&admin.profile)?;
    if from_db_text::<DeviceId>(&device).is_err() {
        return Err(ApiError::NoSuchDevice(device));
    }
    let store = &state.store;
    let row = store
        .device(&device)
        .await?
        .ok_or_else(|| ApiError::NoSuchDevice(device.clone()))?;
    let info = device_info(&row)?;
    let owner = Profile {
        user: from_db_text(&row.user_id)?,
        display_name: info.display_name.clone(),
        role: info.role,
        scope: info.scope.clone(),
        department: None,
    };
    may_manage_account(&admin.profile, &owner)?;
    let tokens_revoked = store
        .revoke_device(&row.device, &db_text(&admin.profile.user), now_ms())
        .await?
        .ok_or_else(|| ApiError::NoSuchDevice(device.clone()))?;
    tracing::info!(
        device = %row.device,
        by = %admin.username,
        tokens_revoked,
        "device revoked"
    );
    let row = store
        .device(&row.device)
        .await?
        .ok_or(ApiError::NoSuchDevice(device))?;
    Ok(axum::Json(RevokeResponse {
        device: device_info(&row)?,
        tokens_revoked,
    }))
}

fn require_admin(profile: &Profile) -> Result<(), ApiError> {
    if permits(profile.role, Action::ManageAccounts) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "只有区县管理员可以管理设备 / only a district administrator manages devices".into(),
        ))
    }
}

pub(crate) fn device_info(row: &DeviceRow) -> Result<DeviceInfo, ApiError> {
    Ok(DeviceInfo {
        device: from_db_text(&row.device)?,
        username: row.username.clone(),
        display_name: row.display_name.clone(),
        role: from_db_text(&row.role)?,
        scope: from_db_text(&row.scope)?,
        first_seen: row.first_seen,
        last_seen: row.last_seen,
        events: row.events,
        revoked_at: row.revoked_at,
    })
}
