//! Accounts, for administrators: list, create, change (role, scope, name, disabled) and reset
//! the password of the accounts within their scope. Who may do what is the domain's
//! (`authz::may_grant_scope`, `may_manage_account`, `may_change_access`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use cunju_domain::authz::{
    Action, Role, check_display_name, check_password, check_username, may_change_access,
    may_grant_scope, may_manage_account, permits,
};
use cunju_domain::ids::UnitId;
use cunju_domain::sync::Profile;
use serde::{Deserialize, Serialize};

use super::{CurrentUser, hash_password, profile_of};
use crate::error::ApiError;
use crate::extract::Json;
use crate::store::{StoreError, UserRow, UserUpdate, db_text};
use crate::{AppState, now_ms, seed};

/// An account as administrators see it (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope: UnitId,
    pub disabled: bool,
}

/// `POST /api/v1/users`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The unit the account's jurisdiction starts at; within the administrator's.
    pub scope: UnitId,
    /// Initial password, at least 8 characters.
    pub password: String,
}

/// `PATCH /api/v1/users/{username}`: only the fields given change.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountChange {
    pub role: Option<Role>,
    pub scope: Option<UnitId>,
    pub display_name: Option<String>,
    pub disabled: Option<bool>,
}

/// `POST /api/v1/users/{username}/password`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PasswordReset {
    password: String,
}

#[derive(Serialize)]
pub(super) struct AccountsResponse {
    users: Vec<Account>,
}

pub(super) async fn list(
    State(state): State<AppState>,
    admin: CurrentUser,
) -> Result<axum::Json<AccountsResponse>, ApiError> {
    if !permits(admin.profile.role, Action::ManageAccounts) {
        return Err(ApiError::Forbidden(
            "只有区县管理员可以管理账号 / only a district administrator manages accounts".into(),
        ));
    }
    let rows = state
        .store
        .users_within(&db_text(&admin.profile.scope))
        .await?;
    let users = rows.iter().map(account_of).collect::<Result<_, _>>()?;
    Ok(axum::Json(AccountsResponse { users }))
}

pub(super) async fn create(
    State(state): State<AppState>,
    admin: CurrentUser,
    Json(req): Json<NewAccount>,
) -> Result<(StatusCode, axum::Json<Account>), ApiError> {
    may_grant_scope(&admin.profile, &req.scope)?;
    let username = req.username.trim();
    let display_name = req.display_name.trim();
    check_username(username)?;
    check_display_name(display_name)?;
    check_password(&req.password)?;
    require_unit(&state, &req.scope).await?;
    let row = UserRow {
        id: db_text(&seed::new_user_id()),
        username: username.to_string(),
        password_hash: hash_password(req.password).await?,
        role: db_text(&req.role),
        scope: db_text(&req.scope),
        display_name: display_name.to_string(),
        disabled: false,
        department: None,
    };
    match state.store.insert_user(&row, now_ms()).await {
        Ok(()) => Ok((StatusCode::CREATED, axum::Json(account_of(&row)?))),
        Err(StoreError::Conflict(_)) => Err(ApiError::UsernameTaken(username.to_string())),
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn change(
    State(state): State<AppState>,
    admin: CurrentUser,
    Path(username): Path<String>,
    Json(req): Json<AccountChange>,
) -> Result<axum::Json<Account>, ApiError> {
    let store = &state.store;
    if req.role.is_none()
        && req.scope.is_none()
        && req.display_name.is_none()
        && req.disabled.is_none()
    {
        return Err(ApiError::BadRequest(
            "没有要修改的内容 / nothing to change: give role, scope, display_name or disabled"
                .into(),
        ));
    }
    let (row, target) = managed_account(&state, &admin.profile, &username).await?;
    let changes_access = req.role.is_some_and(|r| r != target.role)
        || req.scope.as_ref().is_some_and(|s| *s != target.scope)
        || req.disabled.is_some_and(|d| d != row.disabled);
    if changes_access {
        may_change_access(&admin.profile, &target)?;
    }
    if let Some(scope) = &req.scope {
        may_grant_scope(&admin.profile, scope)?;
        require_unit(&state, scope).await?;
    }
    let display_name = req.display_name.as_deref().map(str::trim);
    if let Some(name) = display_name {
        check_display_name(name)?;
    }
    let update = UserUpdate {
        role: req.role.map(|r| db_text(&r)),
        scope: req.scope.as_ref().map(db_text),
        display_name: display_name.map(str::to_string),
    };
    store.update_user(&row.username, &update).await?;
    if let Some(disabled) = req.disabled {
        store
            .set_disabled(&row.username, disabled, now_ms())
            .await?;
    }
    let row = store
        .user_by_username(&row.username)
        .await?
        .ok_or_else(|| ApiError::NoSuchUser(username.clone()))?;
    Ok(axum::Json(account_of(&row)?))
}

/// An administrator sets a new password for an account; every session of it is signed out.
pub(super) async fn reset_password(
    State(state): State<AppState>,
    admin: CurrentUser,
    Path(username): Path<String>,
    Json(req): Json<PasswordReset>,
) -> Result<StatusCode, ApiError> {
    let (row, _) = managed_account(&state, &admin.profile, &username).await?;
    check_password(&req.password)?;
    let hash = hash_password(req.password).await?;
    state
        .store
        .set_password(&row.username, &hash, None, now_ms())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The account named `username`, if `admin` may manage it.
async fn managed_account(
    state: &AppState,
    admin: &Profile,
    username: &str,
) -> Result<(UserRow, Profile), ApiError> {
    if !permits(admin.role, Action::ManageAccounts) {
        return Err(ApiError::Forbidden(
            "只有区县管理员可以管理账号 / only a district administrator manages accounts".into(),
        ));
    }
    // A name no account can have is not looked up at all.
    if check_username(username).is_err() {
        return Err(ApiError::NoSuchUser(username.to_string()));
    }
    let row = state
        .store
        .user_by_username(username)
        .await?
        .ok_or_else(|| ApiError::NoSuchUser(username.to_string()))?;
    let target = profile_of(&row)?;
    may_manage_account(admin, &target)?;
    Ok((row, target))
}

/// A scope must name a unit that has been recorded.
async fn require_unit(state: &AppState, scope: &UnitId) -> Result<(), ApiError> {
    if state.store.unit_recorded(scope).await? {
        Ok(())
    } else {
        Err(ApiError::InvalidField(format!(
            "单位{scope}不存在，请先导入单位 / unit {scope} has not been recorded"
        )))
    }
}

fn account_of(row: &UserRow) -> Result<Account, ApiError> {
    let profile = profile_of(row)?;
    Ok(Account {
        username: row.username.clone(),
        display_name: profile.display_name,
        role: profile.role,
        scope: profile.scope,
        disabled: row.disabled,
    })
}
