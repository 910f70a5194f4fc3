//! What the allowance screens read from the device's store — qualification files with their
//! persons, the district's rate tables, rosters — and the one thing they fetch: the district's
//! rate tables, which a pull (limited to the user's own subtree) does not bring.

use cunju_domain::allowance::records::{
    self, DistrictRates, QualificationFile, RosterRecord, Worker, district_of, person_of,
    rates_entity,
};
use cunju_domain::allowance::roster::Roster;
use cunju_domain::directory::units::Unit;
use cunju_domain::event::{EntityKind, Event, NewEvent};
use cunju_domain::ids::{EntityId, UnitId};
use cunju_domain::projection::EntityState;
use gloo_net::http::Request;

pub use crate::platform::{new_id, today};
use crate::store::{Store, StoreError};

/// The name of a unit from the cached unit tree, else its code.
pub fn unit_name(units: &[Unit], code: &UnitId) -> String {
    units
        .iter()
        .find(|u| &u.code == code)
        .map_or_else(|| code.to_string(), |u| u.name.clone())
}

/// The rate tables of the district `scope` lies in (empty — the built-in default — if none).
pub async fn district_rates(store: &Store, scope: &UnitId) -> Result<DistrictRates, StoreError> {
    let Some(district) = district_of(scope) else {
        return Ok(DistrictRates::default());
    };
    Ok(store
        .entity(&rates_entity(&district))
        .await?
        .and_then(|s| records::view(&s))
        .unwrap_or_default())
}

/// Every qualification file in `scope` with its person's projection (if on this device).
pub async fn files(
    store: &Store,
    scope: &UnitId,
) -> Result<Vec<(EntityState, Option<EntityState>)>, StoreError> {
    let mut out = vec![];
    for file in store.query(EntityKind::Qualification, scope).await? {
        let person = match person_of(&file.id) {
            Some(id) => store.entity(&id).await?,
            None => None,
        };
        out.push((file, person));
    }
    Ok(out)
}

/// The workers for a roster: every qualification file in `scope` matched to its person.
pub async fn workers(
    store: &Store,
    scope: &UnitId,
    units: &[Unit],
) -> Result<Vec<Worker>, StoreError> {
    let (files, persons): (Vec<EntityState>, Vec<Option<EntityState>>) =
        files(store, scope).await?.into_iter().unzip();
    let persons: Vec<EntityState> = persons.into_iter().flatten().collect();
    Ok(records::workers(&persons, &files, |u| unit_name(units, u)))
}

/// A qualification file as folded, or an empty one for `person`.
pub fn file_of(state: Option<&EntityState>, person: &EntityId) -> QualificationFile {
    state
        .and_then(records::view)
        .unwrap_or_else(|| QualificationFile::new(person.clone()))
}

/// Every roster in `scope`, newest first.
pub async fn rosters(store: &Store, scope: &UnitId) -> Result<Vec<RosterRecord>, StoreError> {
    let mut all: Vec<(u64, RosterRecord)> = store
        .query(EntityKind::Roster, scope)
        .await?
        .iter()
        .filter_map(|s| records::view(s).map(|r| (s.last.0.wall_ms, r)))
        .collect();
    all.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    Ok(all.into_iter().map(|(_, r)| r).collect())
}

/// One roster as it stands, computed by the domain from what is on this device.
#[derive(Clone)]
pub struct RosterView {
    pub record: RosterRecord,
    pub roster: Result<Roster, String>,
    pub workers: Vec<Worker>,
}

/// Loads the roster `id` and computes it (`None` if it is not on this device).
pub async fn roster_view(
    store: &Store,
    scope: &UnitId,
    id: &EntityId,
    units: &[Unit],
) -> Result<Option<RosterView>, StoreError> {
    let Some(record) = store
        .entity(id)
        .await?
        .and_then(|s| records::view::<RosterRecord>(&s))
    else {
        return Ok(None);
    };
    let workers = workers(store, scope, units).await?;
    let rates = district_rates(store, &record.unit).await?;
    let earlier = rosters(store, &record.unit).await?;
    let roster =
        records::current_roster(&record, &workers, &rates, &earlier).map_err(|e| e.message_zh());
    Ok(Some(RosterView {
        record,
        roster,
        workers,
    }))
}

/// Appends one event on this device (confirmed once committed).
pub async fn append(draft: NewEvent) -> Result<Event, StoreError> {
    crate::store::shared().await?.append(draft).await
}

/// When online, fetches the district's rate tables in the background; `fetched` counts the
/// fetches that brought new tables (for screens to re-read the store), `failed` says one failed.
pub fn refresh_rates(
    fetched: leptos::prelude::RwSignal<u32>,
    failed: leptos::prelude::RwSignal<bool>,
) {
    use leptos::prelude::Update;
    if !crate::platform::is_online() {
        return;
    }
    leptos::task::spawn_local(async move {
        let Ok(store) = crate::store::shared().await else {
            return;
        };
        match fetch_rates(&store).await {
            // Re-read only when something new arrived, so forms being filled are not redrawn.
            Ok(new) if new > 0 => fetched.update(|n| *n += 1),
            Ok(_) => {}
            Err(_) => leptos::prelude::Set::set(&failed, true),
        }
    });
}

/// Fetches the district's rate tables (`GET /api/v1/allowances/rates`) and stores them like
/// pulled events. Returns how many were new; an error text when offline or refused.
pub async fn fetch_rates(store: &Store) -> Result<u32, String> {
    #[derive(serde::Deserialize)]
    struct RatesResponse {
        events: Vec<Event>,
    }
    let token = store
        .session()
        .await
        .map_err(|e| e.to_string())?
        .and_then(|s| s.token)
        .ok_or("not logged in")?;
    let response = Request::get("/api/v1/allowances/rates")
        .header("Authorization", &format!("Bearer {token}"))
        .build()
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let body: RatesResponse = response.json().await.map_err(|e| e.to_string())?;
    let report = store
        .apply_remote(&body.events)
        .await
        .map_err(|e| e.to_string())?;
    Ok(report.applied)
}
