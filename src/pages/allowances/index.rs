//! `/allowances` — the qualified workers of the user's scope (level, registration validity, this
//! month's allowance as the domain computes it), the rosters with their status, the rates in
//! force (marked 默认值 while the district has none), and a search to open a new file.

use cunju_domain::allowance::period::{Period, YearMonth};
use cunju_domain::allowance::records::{DistrictRates, RosterBuildError};
use cunju_domain::allowance::roster::{RosterStatus, RosterStep, may_take};
use cunju_domain::authz::{self, Action};
use cunju_domain::event::EntityKind;
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos_router::components::A;

use super::data;
use crate::components::people_index::{SearchOutcome, shared_index};
use crate::components::require_login::RequireLogin;
use crate::i18n::allowances::AllowanceMsg as AM;
use crate::i18n::{Msg, use_i18n};
use crate::store;
use crate::sync::use_sync;

/// The label of a roster status.
pub fn status_msg(status: RosterStatus) -> AM {
    match status {
        RosterStatus::Draft => AM::StatusDraft,
        RosterStatus::TownshipReviewed => AM::StatusReviewed,
        RosterStatus::DistrictApproved => AM::StatusApproved,
    }
}

/// The status as a stable test attribute.
pub fn status_code(status: RosterStatus) -> &'static str {
    match status {
        RosterStatus::Draft => "draft",
        RosterStatus::TownshipReviewed => "township_reviewed",
        RosterStatus::DistrictApproved => "district_approved",
    }
}

/// The rates in force this month: version (or 默认值) and the rule, as a one-line summary.
#[component]
pub fn RatesInForce(rates: DistrictRates) -> impl IntoView {
    let i18n = use_i18n();
    let month = YearMonth::of(data::today());
    let policy = rates.policy();
    let table = policy.rates.in_force(month).cloned();
    let is_default = rates.uses_default() || table.as_ref().is_some_and(|t| t.is_default());
    let version = table.map(|t| t.version).unwrap_or_default();
    view! {
        <p class="muted" data-testid="rates-in-force" data-version=version.clone() data-default=is_default.to_string()>
            {move || i18n.t(AM::RatesInForce)}"："{version.clone()}" · "{rates.proration.label_zh()}
            {is_default.then(|| view! { " " <span class="pill" data-testid="rates-default-mark">{move || i18n.t(AM::DefaultMark)}</span> })}
        </p>
        {is_default.then(|| view! { <p class="notice">{move || i18n.t(AM::DefaultHint)}</p> })}
    }
}

#[component]
pub fn AllowancesHome() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <h1>{move || i18n.t(AM::Title)}</h1>
            <p class="muted">{move || i18n.t(AM::Intro)}</p>
        </section>
        <RequireLogin render=|profile| view! { <Overview profile/> }.into_any()/>
    }
}

#[component]
fn Overview(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    if !authz::permits(profile.role, Action::ReadEvent(EntityKind::Qualification)) {
        return view! { <p class="notice" data-testid="allowances-not-permitted">{move || i18n.t(AM::NotPermitted)}</p> }.into_any();
    }
    // The district's tables come from their own endpoint; fetch them whenever this opens online.
    let fetched = RwSignal::new(0u32);
    let fetch_failed = RwSignal::new(false);
    data::refresh_rates(fetched, fetch_failed);
    let scope = profile.scope.clone();
    let lists = LocalResource::new(move || {
        let _ = (sync.revision.get(), fetched.get());
        let scope = scope.clone();
        let units = sync.units.get();
        async move {
            let store = store::shared().await?;
            let rates = data::district_rates(&store, &scope).await?;
            let workers = data::workers(&store, &scope, &units).await?;
            let rosters = data::rosters(&store, &scope).await?;
            Ok::<_, store::StoreError>((rates, workers, rosters, units))
        }
    });
    let may_prepare = may_take(profile.role, RosterStep::Prepare);
    let may_edit = authz::permits(profile.role, Action::EditQualifications);
    view! {
        <div class="toolbar">
            {may_prepare.then(|| view! {
                <A href="/allowances/rosters/new" attr:class="button" attr:data-testid="allowances-new-roster">{move || i18n.t(AM::NewRoster)}</A>
            })}
            <A href="/allowances/rates" attr:class="button secondary" attr:data-testid="allowances-rates-link">{move || i18n.t(AM::RatesLink)}</A>
        </div>
        {move || fetch_failed.get().then(|| view! { <p class="muted">{move || i18n.t(AM::RatesFetchFailed)}</p> })}
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || lists.get().map(|result| match result {
                Err(err) => view! { <p class="form-error" role="alert">{err.message(i18n.lang())}</p> }.into_any(),
                Ok((rates, workers, rosters, units)) => {
                    let today = data::today();
                    let month = Period::month(YearMonth::of(today));
                    let policy = rates.policy();
                    view! {
                        <RatesInForce rates=rates.clone()/>
                        <h2>{move || i18n.t(AM::RostersHeading)}</h2>
                        {rosters.is_empty().then(|| view! { <p class="muted" data-testid="allowances-no-rosters">{move || i18n.t(AM::NoRosters)}</p> })}
                        <ul class="record-list" data-testid="allowances-rosters">
                            {rosters.into_iter().map(|r| {
                                let (name, period) = r.draft.as_ref().map(|d| (d.unit_name.clone(), d.period.to_string())).unwrap_or_default();
                                let status = r.status;
                                view! {
                                    <li class="record-row" data-testid="allowances-roster-row" data-status=status_code(status)>
                                        <A href=format!("/allowances/rosters/{}", r.id) attr:class="record-link">
                                            <div class="record-main"><strong>{name}</strong><span class="muted">{period}</span></div>
                                            <div class="record-sub muted"><span>{move || i18n.t(status_msg(status))}</span></div>
                                        </A>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <h2>{move || i18n.t(AM::WorkersHeading)}</h2>
                        {workers.is_empty().then(|| view! { <p class="muted">{move || i18n.t(AM::NoWorkers)}</p> })}
                        <div class="table-scroll" style="overflow-x:auto;max-width:100%">
                            <table class="data-table" data-testid="allowances-workers">
                                <thead><tr>
                                    <th>{move || i18n.t(AM::ColName)}</th>
                                    <th>{move || i18n.t(AM::ColUnit)}</th>
                                    <th>{move || i18n.t(AM::ColLevel)}</th>
                                    <th>{move || i18n.t(AM::ColRegistration)}</th>
                                    <th>{move || i18n.t(AM::ColMonthly)}</th>
                                </tr></thead>
                                <tbody>
                                    {workers.into_iter().map(|w| {
                                        let q = &w.file.qualification;
                                        let level = w.file.highest_level();
                                        let registration = level.filter(|l| l.is_registered()).map(|l| {
                                            match q.registrations.iter().filter(|r| r.level == l).max_by_key(|r| r.valid_until) {
                                                Some(r) if r.valid_until >= today => (r.valid_until.to_string(), None),
                                                Some(r) => (r.valid_until.to_string(), Some(AM::RegistrationLapsed)),
                                                None => (String::new(), Some(AM::NotRegistered)),
                                            }
                                        });
                                        let amount = policy.amount(q, month).map_or_else(|e| RosterBuildError::from(e).message_zh(), |f| f.to_string());
                                        let unit = w.file.current_post().map(|t| data::unit_name(&units, &t.unit)).unwrap_or_else(|| w.community.clone());
                                        view! {
                                            <tr data-testid="allowances-worker-row">
                                                <td><A href=format!("/allowances/workers/{}", q.person) attr:data-testid="allowances-worker-link">{w.name.clone()}</A></td>
                                                <td>{unit}</td>
                                                <td>{level.map_or_else(|| i18n.t(AM::NoLevel).to_string(), |l| l.label_zh().to_string())}</td>
                                                <td>{registration.map(|(date, note)| view! {
                                                    {date}{note.map(|m| view! { " " <span class="pill">{move || i18n.t(m)}</span> })}
                                                })}</td>
                                                <td class="num" data-testid="allowances-worker-monthly">{amount}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }
            })}
        </Suspense>
        {may_edit.then(|| view! { <FindPerson profile=profile.clone()/> })}
    }
    .into_any()
}

/// Search the people of the scope to open (or add to) their qualification file.
#[component]
fn FindPerson(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let query = RwSignal::new(String::new());
    let scope = profile.scope.clone();
    let index = LocalResource::new(move || {
        let revision = sync.revision.get();
        let scope = scope.clone();
        async move {
            let store = store::shared().await?;
            shared_index(&store, &scope, revision).await
        }
    });
    view! {
        <section class="card">
            <h2>{move || i18n.t(AM::AddWorkerHeading)}</h2>
            <p class="muted">{move || i18n.t(AM::AddWorkerHint)}</p>
            <label class="field"><span>{move || i18n.t(AM::Search)}</span>
                <input data-testid="allowances-find" prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/></label>
            {move || {
                let q = query.get();
                if q.trim().is_empty() {
                    return None;
                }
                let index = index.get()?.ok()?;
                Some(match index.search(q.trim(), 10) {
                    SearchOutcome::TooFewDigits => view! { <p class="muted">{move || i18n.t(AM::TooFewDigits)}</p> }.into_any(),
                    SearchOutcome::Found { hits, .. } if hits.is_empty() => view! { <p class="muted">{move || i18n.t(AM::NoMatch)}</p> }.into_any(),
                    SearchOutcome::Found { hits, .. } => view! {
                        <ul class="record-list">
                            {hits.into_iter().map(|pos| {
                                let p = index.entry(pos).clone();
                                view! {
                                    <li class="record-row" data-testid="allowances-find-hit">
                                        <A href=format!("/allowances/workers/{}", p.id) attr:class="record-link">
                                            <strong>{p.name.clone()}</strong>" "
                                            <span class="muted">{cunju_domain::directory::person::mask_id_number(&p.id_number)}</span>
                                        </A>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                })
            }}
        </section>
    }
}
