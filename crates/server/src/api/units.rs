//! The jurisdiction tree within the caller's scope.

use axum::extract::State;
use cunju_domain::authz::{Action, permits};
use cunju_domain::directory::units::Unit;
use serde::{Deserialize, Serialize};

use super::CurrentUser;
use crate::error::ApiError;
use crate::{AppState, units};

/// `GET /api/v1/units`: the caller's scope and every unit under it, parents before children.
#[derive(Debug, Serialize, Deserialize)]
pub struct UnitsResponse {
    pub units: Vec<Unit>,
}

pub(super) async fn tree(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<axum::Json<UnitsResponse>, ApiError> {
    if !permits(user.profile.role, Action::ReadUnitTree) {
        return Err(ApiError::Forbidden(
            "您的角色不能查看单位树 / this role may not see the unit tree".into(),
        ));
    }
    let units = units::units_within(&state.store, Some(&user.profile.scope)).await?;
    Ok(axum::Json(UnitsResponse { units }))
}
