//! `/elections/holidays` — the district's holiday calendar (节假日与调休): pick a year, see its
//! statutory holidays and make-up working days, and — for the district admin — add and remove
//! days and save the year as one `holidays_set` event. The domain validates; deadlines of every
//! election in the district are recomputed from it.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use cunju_domain::authz::{self, Action};
use cunju_domain::election::holidays::{self as rules, HolidayError, HolidaysSet};
use cunju_domain::event::{EntityKind, EventBody, NewEvent};
use cunju_domain::ids::UnitId;
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use super::list::reads_elections;
use super::{loading_view, pick, today};
use crate::components::require_login::RequireLogin;
use crate::i18n::elections::ElectionMsg;
use crate::i18n::{Lang, use_i18n};
use crate::store;
use crate::sync::use_sync;

#[component]
pub fn ElectionHolidays() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <A href="/elections" attr:class="back">{move || i18n.t(ElectionMsg::ProcBack)}</A>
            <h1>{move || i18n.t(ElectionMsg::HolTitle)}</h1>
            <p class="muted">{move || i18n.t(ElectionMsg::HolIntro)}</p>
            <p class="notice" data-testid="holidays-note">{move || i18n.t(ElectionMsg::HolRollOverNote)}</p>
        </section>
        <RequireLogin render=|profile| view! { <HolidaysPage profile/> }.into_any()/>
    }
}

#[component]
fn HolidaysPage(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    if !reads_elections(profile.role) {
        return view! {
            <p class="notice" data-testid="elections-not-permitted">{move || i18n.t(ElectionMsg::ProcNotPermitted)}</p>
        }
        .into_any();
    }
    let Some(district) = rules::district_of(&profile.scope) else {
        return view! {
            <p class="notice" data-testid="holidays-no-district">{move || i18n.t(ElectionMsg::HolNoDistrict)}</p>
        }
        .into_any();
    };
    // The admin of the district itself; an admin scoped to a township or a village is not.
    let may_set = authz::permits(profile.role, Action::SetHolidays) && profile.scope == district;
    let this_year = today().year();
    let year = RwSignal::new(this_year);
    // Lives above the editor, which is rebuilt when the saved year comes back from the store.
    let message = RwSignal::new(None::<Result<(), String>>);
    let stored = {
        let district = district.clone();
        LocalResource::new(move || {
            let _ = sync.revision.get();
            let district = district.clone();
            async move {
                let store = store::shared().await?;
                let states = store.query(EntityKind::Holidays, &district).await?;
                Ok::<_, store::StoreError>(rules::years_for(&states, &district))
            }
        })
    };
    view! {
        <label class="field">
            <span>{move || i18n.t(ElectionMsg::HolYear)}</span>
            <select data-testid="holidays-year" on:change=move |ev| {
                if let Ok(y) = event_target_value(&ev).parse() { message.set(None); year.set(y) }
            }>
                {(this_year - 1..=this_year + 2).map(|y| view! {
                    <option value=y.to_string() selected={y == this_year}>{y.to_string()}</option>
                }).collect_view()}
            </select>
        </label>
        {(!may_set).then(|| view! {
            <p class="notice" data-testid="holidays-not-admin">{move || i18n.t(ElectionMsg::HolNotAdmin)}</p>
        })}
        <Suspense fallback=loading_view>
            {move || stored.get().map(|result| match result {
                Err(err) => view! { <p class="form-error" role="alert">{err.message(i18n.lang())}</p> }.into_any(),
                Ok(years) => {
                    let y = year.get();
                    let set = years.into_iter().find(|s| s.year == y);
                    view! { <YearEditor year=y stored=set may_set district=district.clone() message/> }.into_any()
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// One year's days: the stored arrangement as a draft the admin edits and saves whole.
#[component]
fn YearEditor(
    year: i32,
    stored: Option<HolidaysSet>,
    may_set: bool,
    district: UnitId,
    message: RwSignal<Option<Result<(), String>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let configured = stored.is_some();
    let stored = stored.unwrap_or(HolidaysSet {
        year,
        ..HolidaysSet::default()
    });
    let holidays = RwSignal::new(stored.holidays);
    let working = RwSignal::new(stored.working_days);
    let error_text = move |e: HolidayError| pick(&e.message_zh(), &e.to_string(), i18n.lang());
    let draft = move || HolidaysSet {
        year,
        holidays: holidays.get_untracked(),
        working_days: working.get_untracked(),
    };
    // Adds `day` to one list if the year stays valid with it; else says why and changes nothing.
    let add = move |text: String, to_holidays: bool| {
        message.set(None);
        let Ok(day) = NaiveDate::parse_from_str(&text, "%Y-%m-%d") else {
            message.set(Some(Err(i18n.t(ElectionMsg::HolPickDate).to_string())));
            return;
        };
        let mut next = draft();
        let list = if to_holidays {
            &mut next.holidays
        } else {
            &mut next.working_days
        };
        if !list.insert(day) {
            message.set(Some(Err(i18n.t(ElectionMsg::HolAlreadyListed).to_string())));
            return;
        }
        if let Err(e) = next.validate() {
            message.set(Some(Err(error_text(e))));
            return;
        }
        holidays.set(next.holidays);
        working.set(next.working_days);
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        message.set(None);
        let set = draft();
        if let Err(e) = set.validate() {
            message.set(Some(Err(error_text(e))));
            return;
        }
        let Some(profile) = sync.profile.get_untracked() else {
            message.set(Some(Err(i18n.t(crate::i18n::Msg::NeedLogin).to_string())));
            return;
        };
        let draft = NewEvent {
            actor: profile.user.clone(),
            unit: district.clone(),
            entity: rules::holidays_entity(&district, year),
            body: EventBody::HolidaysSet(set),
        };
        spawn_local(async move {
            let result = async { store::shared().await?.append(draft).await }.await;
            match result {
                Ok(_) => {
                    message.set(Some(Ok(())));
                    sync.after_local_change();
                }
                Err(_) => message.set(Some(Err(i18n.t(ElectionMsg::ProcSaveFailed).to_string()))),
            }
        });
    };
    let new_holiday = RwSignal::new(String::new());
    let new_working = RwSignal::new(String::new());
    view! {
        <form class="form card" data-testid="holidays-form" data-year=year.to_string() on:submit=save novalidate>
            {(!configured).then(|| view! {
                <p class="muted" data-testid="holidays-none">{move || i18n.t(ElectionMsg::HolNoneConfigured)}</p>
            })}
            <h2>{move || i18n.t(ElectionMsg::HolHolidays)}</h2>
            <DayList days=holidays may_set testid="holidays-list"/>
            {may_set.then(|| view! {
                <div class="toolbar">
                    <input type="date" data-testid="holidays-add-date" prop:value=move || new_holiday.get()
                        on:input=move |ev| new_holiday.set(event_target_value(&ev))/>
                    <button type="button" class="secondary" data-testid="holidays-add"
                        on:click=move |_| add(new_holiday.get_untracked(), true)>{move || i18n.t(ElectionMsg::HolAddHoliday)}</button>
                </div>
            })}
            <h2>{move || i18n.t(ElectionMsg::HolWorkingDays)}</h2>
            <DayList days=working may_set testid="workdays-list"/>
            {may_set.then(|| view! {
                <div class="toolbar">
                    <input type="date" data-testid="workdays-add-date" prop:value=move || new_working.get()
                        on:input=move |ev| new_working.set(event_target_value(&ev))/>
                    <button type="button" class="secondary" data-testid="workdays-add"
                        on:click=move |_| add(new_working.get_untracked(), false)>{move || i18n.t(ElectionMsg::HolAddWorkingDay)}</button>
                </div>
            })}
            {move || message.get().map(|m| match m {
                Ok(()) => view! { <p class="form-ok" role="status" data-testid="holidays-saved">{move || i18n.t(ElectionMsg::HolSaved)}</p> }.into_any(),
                Err(text) => view! { <p class="form-error" role="alert" data-testid="holidays-error">{text}</p> }.into_any(),
            })}
            {may_set.then(|| view! {
                <button type="submit" data-testid="holidays-save">{move || i18n.t(ElectionMsg::HolSave)}</button>
            })}
        </form>
    }
}

/// The days of one list, each with its weekday and (for the admin) a remove button.
#[component]
fn DayList(
    days: RwSignal<BTreeSet<NaiveDate>>,
    may_set: bool,
    testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="record-list" data-testid=testid>
            {move || {
                let list = days.get();
                if list.is_empty() {
                    return view! { <li class="muted">{move || i18n.t(ElectionMsg::HolEmpty)}</li> }.into_any();
                }
                list.into_iter().map(|day| view! {
                    <li class="record-row" data-testid="holiday-day" data-date=day.to_string()>
                        <span>{format!("{day} {}", weekday(day, i18n.lang()))}</span>
                        {may_set.then(|| view! {
                            <button type="button" class="secondary" data-testid="holiday-remove"
                                on:click=move |_| days.update(|d| { d.remove(&day); })>{move || i18n.t(ElectionMsg::HolRemove)}</button>
                        })}
                    </li>
                }).collect_view().into_any()
            }}
        </ul>
    }
}

fn weekday(day: NaiveDate, lang: Lang) -> &'static str {
    let i = day.weekday().num_days_from_monday() as usize;
    [
        ElectionMsg::Mon,
        ElectionMsg::Tue,
        ElectionMsg::Wed,
        ElectionMsg::Thu,
        ElectionMsg::Fri,
        ElectionMsg::Sat,
        ElectionMsg::Sun,
    ][i]
        .text(lang)
}
