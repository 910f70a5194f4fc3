//! `GET /api/v1/elections/holidays`: the holiday calendars set at the caller's district (above
//! the scope of everyone below it), which a sync pull — limited to the scope's own subtree —
//! does not bring. Every device of the district needs them for its election deadlines.

use axum::extract::State;
use cunju_domain::election::holidays::{district_of, may_read_holidays};
use cunju_domain::event::Event;
use serde::{Deserialize, Serialize};

use super::CurrentUser;
use crate::AppState;
use crate::error::ApiError;
use crate::store::db_text;

#[derive(Debug, Serialize, Deserialize)]
pub struct HolidaysResponse {
    /// `holidays_set` events, in commit order; the app stores them like pulled events.
    pub events: Vec<Event>,
}

pub(super) async fn holidays(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<axum::Json<HolidaysResponse>, ApiError> {
    let scope = &user.profile.scope;
    let within = district_of(scope).unwrap_or_else(|| scope.clone());
    let events = state
        .store
        .events_of_kind("holidays_set", &db_text(&within))
        .await?
        .into_iter()
        .filter(|e| may_read_holidays(&user.profile, e))
        .collect();
    Ok(axum::Json(HolidaysResponse { events }))
}
