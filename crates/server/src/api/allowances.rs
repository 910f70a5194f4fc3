//! `GET /api/v1/allowances/rates`: the allowance rate tables set above the caller's scope (at
//! the district), which a sync pull — limited to the scope's own subtree — does not bring.

use axum::extract::State;
use cunju_domain::allowance::records::{district_of, may_read_rates};
use cunju_domain::event::Event;
use serde::{Deserialize, Serialize};

use super::CurrentUser;
use crate::AppState;
use crate::error::ApiError;
use crate::store::db_text;

#[derive(Debug, Serialize, Deserialize)]
pub struct RatesResponse {
    /// `allowance_rates_set` events, in commit order; the app stores them like pulled events.
    pub events: Vec<Event>,
}

pub(super) async fn rates(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<axum::Json<RatesResponse>, ApiError> {
    let scope = &user.profile.scope;
    let within = district_of(scope).unwrap_or_else(|| scope.clone());
    let events = state
        .store
        .events_of_kind("allowance_rates_set", &db_text(&within))
        .await?
        .into_iter()
        .filter(|e| may_read_rates(&user.profile, e))
        .collect();
    Ok(axum::Json(RatesResponse { events }))
}
