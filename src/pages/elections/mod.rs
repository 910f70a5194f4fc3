//! The election procedure screens (`/elections…`): the list of the elections in scope, opening
//! one, its timetable with colour states, one step's detail (tick, untick, material, history),
//! the township dashboard and the printable timetable notice. What they show comes from the
//! domain's `ElectionRecord` (the stored projection) and `ElectionView` (computed for today).

pub mod dashboard;
pub mod detail;
pub mod holidays;
pub mod list;
pub mod new;
pub mod notice;
pub mod step;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use cunju_domain::directory::units::Unit;
use cunju_domain::election::holidays as holiday_rules;
use cunju_domain::election::record::china_date;
use cunju_domain::election::template::{ElectoralMode, Label};
use cunju_domain::election::{
    ElectionRecord, ElectionType, ElectionView, HolidayCalendar, StepColour,
};
use cunju_domain::event::EntityKind;
use cunju_domain::ids::{EntityId, UnitId};
use cunju_domain::projection::EntityState;
use leptos::prelude::*;

use super::units::load_units;
use crate::i18n::Lang;
use crate::i18n::elections::ElectionMsg;
use crate::platform;
use crate::store::{Store, StoreError};

/// Today in China, from the device clock.
pub fn today() -> NaiveDate {
    china_date(platform::now_ms())
}

/// The holiday calendar the deadlines of an election in `unit` use: the years its district
/// configured (`holidays:` entities on this device), ordinary weekends for the others.
pub async fn load_calendar(store: &Store, unit: &UnitId) -> Result<HolidayCalendar, StoreError> {
    let Some(district) = holiday_rules::district_of(unit) else {
        return Ok(HolidayCalendar::default());
    };
    let states = store.query(EntityKind::Holidays, &district).await?;
    Ok(holiday_rules::calendar_for(&states, unit))
}

/// One election as the screens need it.
#[derive(Clone)]
pub struct Loaded {
    pub id: EntityId,
    /// The `X` of `election:X`, used in routes.
    pub slug: String,
    pub unit: UnitId,
    pub unit_name: String,
    pub record: ElectionRecord,
    pub view: ElectionView,
    /// The district's holiday calendar the view was computed with (also for moving E).
    pub calendar: HolidayCalendar,
}

impl Loaded {
    pub fn href(&self, rest: &str) -> String {
        format!("/elections/{}{rest}", self.slug)
    }
}

/// The entity id of the election at `/elections/:x`.
pub fn election_id(slug: &str) -> Option<EntityId> {
    let id: EntityId = format!("election:{slug}").parse().ok()?;
    (EntityKind::of(&id) == Some(EntityKind::Election)).then_some(id)
}

fn loaded(
    state: &EntityState,
    names: &[(UnitId, String)],
    calendar: HolidayCalendar,
) -> Option<Loaded> {
    let record = ElectionRecord::from_doc(&state.doc);
    let view = ElectionView::new(&record, &calendar, today())?;
    let unit_name = names
        .iter()
        .find(|(code, _)| *code == state.unit)
        .map(|(_, name)| name.clone())
        .unwrap_or_else(|| state.unit.to_string());
    Some(Loaded {
        slug: state
            .id
            .as_str()
            .trim_start_matches("election:")
            .to_string(),
        id: state.id.clone(),
        unit: state.unit.clone(),
        unit_name,
        record,
        view,
        calendar,
    })
}

/// Unit names: the tree the sync fetched for the account, and the units recorded on the device.
async fn unit_names(store: &Store, scope: &UnitId, fetched: Vec<Unit>) -> Vec<(UnitId, String)> {
    let recorded = load_units(store, scope).await.unwrap_or_default();
    fetched
        .into_iter()
        .chain(recorded)
        .map(|u| (u.code, u.name))
        .collect()
}

/// Every election within `scope` on this device, by unit code.
pub async fn load_all(
    store: &Store,
    scope: &UnitId,
    fetched: Vec<Unit>,
) -> Result<Vec<Loaded>, StoreError> {
    let names = unit_names(store, scope, fetched).await;
    let mut calendars: BTreeMap<Option<UnitId>, HolidayCalendar> = BTreeMap::new();
    let mut all = Vec::new();
    for state in store.query(EntityKind::Election, scope).await? {
        let district = holiday_rules::district_of(&state.unit);
        let calendar = match calendars.get(&district) {
            Some(c) => c.clone(),
            None => {
                let c = load_calendar(store, &state.unit).await?;
                calendars.insert(district, c.clone());
                c
            }
        };
        all.extend(loaded(&state, &names, calendar));
    }
    all.sort_by(|a, b| (&a.unit, a.view.election_day).cmp(&(&b.unit, b.view.election_day)));
    Ok(all)
}

/// One election at `/elections/:slug`, if it is on this device and within `scope`.
pub async fn load_one(
    store: &Store,
    slug: &str,
    scope: &UnitId,
    fetched: Vec<Unit>,
) -> Result<Option<Loaded>, StoreError> {
    let Some(id) = election_id(slug) else {
        return Ok(None);
    };
    let Some(state) = store.entity(&id).await? else {
        return Ok(None);
    };
    if !state.unit.is_within(scope) {
        return Ok(None);
    }
    let names = unit_names(store, scope, fetched).await;
    let calendar = load_calendar(store, &state.unit).await?;
    Ok(loaded(&state, &names, calendar))
}

pub fn colour_msg(colour: StepColour) -> ElectionMsg {
    match colour {
        StepColour::Pending => ElectionMsg::ProcColourPending,
        StepColour::DueSoon => ElectionMsg::ProcColourDueSoon,
        StepColour::Done => ElectionMsg::ProcColourDone,
        StepColour::Late => ElectionMsg::ProcColourLate,
        StepColour::Breach => ElectionMsg::ProcColourBreach,
        StepColour::NeedsReview => ElectionMsg::ProcColourNeedsReview,
    }
}

pub fn type_msg(t: ElectionType) -> ElectionMsg {
    match t {
        ElectionType::Village => ElectionMsg::ProcTypeVillage,
        ElectionType::Resident => ElectionMsg::ProcTypeResident,
    }
}

pub fn mode_msg(m: ElectoralMode) -> ElectionMsg {
    match m {
        ElectoralMode::Direct => ElectionMsg::ProcModeDirect,
        ElectoralMode::Household => ElectionMsg::ProcModeHousehold,
        ElectoralMode::GroupReps => ElectionMsg::ProcModeGroupReps,
    }
}

/// A fixed text of the domain in the UI language.
pub fn label(l: Label, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => l.zh,
        Lang::En => l.en,
    }
}

/// A domain sentence given in both languages.
pub fn pick(zh: &str, en: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}

/// A loading line, an error line or the content.
pub fn loading_view() -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    view! { <p class="muted">{move || i18n.t(crate::i18n::Msg::Loading)}</p> }
}
