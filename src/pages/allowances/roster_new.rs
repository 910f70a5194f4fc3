//! `/allowances/rosters/new` — draft a payment roster (编制发放花名册) for a unit and a period:
//! the unit (a village or community of the scope, or the township), the months (the last full
//! quarter proposed), who prepared it and the unit head. Works offline; the rows are computed
//! on the roster's own screen.

use cunju_domain::allowance::period::{Period, YearMonth};
use cunju_domain::allowance::records::RosterDraft;
use cunju_domain::allowance::roster::{RosterStep, may_take};
use cunju_domain::event::{EntityKind, EventBody, NewEvent, UnitKind};
use cunju_domain::ids::UnitId;
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use super::data;
use crate::components::require_login::RequireLogin;
use crate::i18n::allowances::AllowanceMsg as AM;
use crate::i18n::use_i18n;
use crate::sync::use_sync;

/// Months a new roster covers unless changed (a quarter).
const PROPOSED_MONTHS: u32 = 3;

#[component]
pub fn RosterNew() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <a href="/allowances" class="back">{move || i18n.t(AM::BackToAllowances)}</a>
            <h1>{move || i18n.t(AM::RosterNewTitle)}</h1>
        </section>
        <RequireLogin render=|profile| view! { <RosterForm profile/> }.into_any()/>
    }
}

#[component]
fn RosterForm(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let navigate = use_navigate();
    if !may_take(profile.role, RosterStep::Prepare) {
        return view! { <p class="notice" data-testid="roster-not-permitted">{move || i18n.t(AM::RosterNotPermitted)}</p> }.into_any();
    }
    let today = data::today();
    let proposed = Period::last_full_months(today, PROPOSED_MONTHS);
    // The units a roster may be for: the scope itself and the villages/communities under it.
    let scope = profile.scope.clone();
    let choices = move || -> Vec<(UnitId, String)> {
        let units = sync.units.get();
        let mut out: Vec<(UnitId, String)> = units
            .iter()
            .filter(|u| u.code.is_within(&scope))
            .filter(|u| {
                u.code == scope || matches!(u.kind, UnitKind::Village | UnitKind::Community)
            })
            .map(|u| (u.code.clone(), u.name.clone()))
            .collect();
        if out.is_empty() {
            out.push((scope.clone(), scope.to_string()));
        }
        out
    };
    let unit = RwSignal::new(profile.scope.to_string());
    let unit_name = RwSignal::new(String::new());
    // The unit's name follows the unit chosen (and the tree once it arrives), until typed over.
    Effect::new(move |_| {
        let code = unit.get();
        let units = sync.units.get();
        if let Some(u) = units.iter().find(|u| u.code.as_str() == code) {
            unit_name.set(u.name.clone());
        }
    });
    let from = RwSignal::new(proposed.from().to_string());
    let to = RwSignal::new(proposed.to().to_string());
    let prepared_by = RwSignal::new(profile.display_name.clone());
    let unit_head = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let zh = |m: AM| m.text(crate::i18n::Lang::Zh).to_string();
        let (Ok(f), Ok(t)) = (
            from.get_untracked().parse::<YearMonth>(),
            to.get_untracked().parse::<YearMonth>(),
        ) else {
            error.set(Some(zh(AM::BadMonth)));
            return;
        };
        let period = match Period::new(f, t) {
            Ok(p) => p,
            Err(_) => {
                error.set(Some(
                    cunju_domain::allowance::records::RecordError::BadPeriod.message_zh(),
                ));
                return;
            }
        };
        let Ok(unit_id) = unit.get_untracked().parse::<UnitId>() else {
            error.set(Some(zh(AM::NoUnitForFact)));
            return;
        };
        let head = unit_head.get_untracked().trim().to_string();
        let draft = RosterDraft {
            unit_name: unit_name.get_untracked().trim().to_string(),
            period,
            prepared_by: prepared_by.get_untracked().trim().to_string(),
            unit_head: (!head.is_empty()).then_some(head),
            date: data::today(),
        };
        if let Err(e) = draft.validate() {
            error.set(Some(e.message_zh()));
            return;
        }
        let id = data::new_id(EntityKind::Roster);
        let event = NewEvent {
            actor: profile.user.clone(),
            unit: unit_id,
            entity: id.clone(),
            body: EventBody::RosterDrafted(draft),
        };
        let navigate = navigate.clone();
        spawn_local(async move {
            match data::append(event).await {
                Ok(_) => {
                    sync.after_local_change();
                    navigate(&format!("/allowances/rosters/{id}"), Default::default());
                }
                Err(e) => error.set(Some(e.message(i18n.lang()))),
            }
        });
    };
    let text = move |label: AM,
                     testid: &'static str,
                     signal: RwSignal<String>,
                     kind: &'static str| {
        view! {
            <label class="field"><span>{move || i18n.t(label)}</span>
                <input type=kind data-testid=testid prop:value=move || signal.get() on:input=move |ev| signal.set(event_target_value(&ev))/></label>
        }
    };
    view! {
        <form class="form card" on:submit=save data-testid="roster-form">
            <label class="field"><span>{move || i18n.t(AM::RosterUnit)}</span>
                <select data-testid="roster-unit" on:change=move |ev| unit.set(event_target_value(&ev))>
                    {move || choices().into_iter().map(|(code, name)| {
                        let selected = code.as_str() == unit.get_untracked();
                        view! { <option value=code.to_string() selected=selected>{format!("{name}（{code}）")}</option> }
                    }).collect_view()}
                </select></label>
            {text(AM::UnitName, "roster-unit-name", unit_name, "text")}
            {text(AM::PeriodFrom, "roster-from", from, "month")}
            {text(AM::PeriodTo, "roster-to", to, "month")}
            {text(AM::PreparedBy, "roster-prepared-by", prepared_by, "text")}
            {text(AM::UnitHead, "roster-unit-head", unit_head, "text")}
            <p class="muted">{move || i18n.t(AM::RosterDate)}"："{today.to_string()}</p>
            <button type="submit" data-testid="roster-submit">{move || i18n.t(AM::CreateRoster)}</button>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="roster-error">{e}</p> })}
        </form>
    }
    .into_any()
}
