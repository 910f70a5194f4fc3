//! `/training/dashboard` — completion rate per class and per township (SVG bars and the same
//! numbers as tables), and who is due or overdue this year against their group's annual
//! requirement (domain-spec §4.3).

use std::collections::HashMap;

use chrono::Datelike;
use cunju_domain::authz::{self, Action};
use cunju_domain::sync::Profile;
use cunju_domain::training::RequirementStatus;
use cunju_domain::training::report::{Rate, Standing, completion_rates, group_zh, standings};
use leptos::prelude::*;

use super::data;
use crate::components::require_login::RequireLogin;
use crate::i18n::training::TrainingMsg as T;
use crate::i18n::{Msg, use_i18n};
use crate::pages::units::load_units;
use crate::store;

#[component]
pub fn Dashboard() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <a href="/training" class="back">{move || i18n.t(T::BackToTraining)}</a>
            <h1>{move || i18n.t(T::Dashboard)}</h1>
        </section>
        <RequireLogin render=|profile| view! { <Board profile/> }.into_any()/>
    }
}

#[component]
fn Board(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    if !authz::permits(profile.role, Action::ReadTraining) {
        return view! { <p class="notice" data-testid="training-not-permitted">{move || i18n.t(T::NotPermitted)}</p> }.into_any();
    }
    let scope = profile.scope.clone();
    let today = chrono::Local::now().date_naive();
    // The year whose requirements are shown: this year unless the user picks another.
    let year = RwSignal::new(today.year());
    let loaded = LocalResource::new(move || {
        let scope = scope.clone();
        async move {
            let store = store::shared().await?;
            let files = data::class_files(&store, &scope).await?;
            let names: HashMap<String, String> = load_units(&store, &scope)
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|u| (u.code.to_string(), u.name))
                .collect();
            let (hours, rules) = data::rules();
            let classes: Vec<_> = files
                .into_iter()
                .map(|f| {
                    let done = f.completions(&hours, &rules);
                    (f, done)
                })
                .collect();
            let (per_class, per_town) = completion_rates(&classes, |u| {
                names
                    .get(u.as_str())
                    .cloned()
                    .unwrap_or_else(|| u.to_string())
            });
            Ok::<_, store::StoreError>((per_class, per_town, std::sync::Arc::new(classes)))
        }
    });
    view! {
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || loaded.get().map(|r| match r {
                Err(e) => view! { <p class="form-error" role="alert">{e.message(i18n.lang())}</p> }.into_any(),
                Ok((per_class, per_town, classes)) => {
                    let mut years: Vec<i32> = classes.iter().map(|(f, _)| f.class.year).chain([today.year()]).collect();
                    years.sort_unstable_by(|a, b| b.cmp(a));
                    years.dedup();
                    view! {
                        <h2>{move || i18n.t(T::RateByClass)}</h2>
                        <Bars rates=per_class.clone() testid="chart-class"/>
                        <RateTable rates=per_class testid="table-class"/>
                        <h2>{move || i18n.t(T::RateByTownship)}</h2>
                        <Bars rates=per_town.clone() testid="chart-township"/>
                        <RateTable rates=per_town testid="table-township"/>
                        <h2>{move || i18n.t(T::DueHeading)}</h2>
                        <label class="field inline">
                            <span>{move || i18n.t(T::RequirementYear)}</span>
                            <select data-testid="due-year" on:change=move |ev| {
                                if let Ok(y) = event_target_value(&ev).parse() { year.set(y) }
                            }>
                                {years.into_iter().map(|y| view! { <option value=y.to_string() selected=move || year.get() == y>{y}</option> }).collect_view()}
                            </select>
                        </label>
                        {move || {
                            let (exempt, due): (Vec<_>, Vec<_>) = standings(&classes, year.get(), today)
                                .into_iter()
                                .filter(|s| !matches!(s.status, RequirementStatus::Met | RequirementStatus::NotApplicable))
                                .partition(|s| s.status == RequirementStatus::Exempted);
                            view! { <Standings due exempt/> }
                        }}
                    }.into_any()
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// Who is due or overdue in the chosen year, and who was exempted (免训) apart.
#[component]
fn Standings(due: Vec<Standing>, exempt: Vec<Standing>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        {due.is_empty().then(|| view! { <p class="muted" data-testid="due-none">{move || i18n.t(T::NoneDue)}</p> })}
        <div class="table-scroll"><table class="data-table" data-testid="due-table">
            <thead><tr><th>{move || i18n.t(T::Name)}</th><th>{move || i18n.t(T::Group)}</th><th>{move || i18n.t(T::Status)}</th></tr></thead>
            <tbody>{due.into_iter().map(|s| {
                let status = s.status;
                let text = move || match status {
                    RequirementStatus::Due { deadline, .. } => format!("{}{deadline}", i18n.t(T::StatusDueBy)),
                    RequirementStatus::Overdue { deadline, .. } => format!("{}{deadline}", i18n.t(T::StatusOverdueSince)),
                    _ => String::new(),
                };
                view! { <tr data-testid="due-row"><td>{s.name}</td><td>{group_zh(s.group)}</td><td>{text}</td></tr> }
            }).collect_view()}</tbody>
        </table></div>
        {(!exempt.is_empty()).then(|| view! {
            <h2>{move || i18n.t(T::ExemptHeading)}</h2>
            <div class="table-scroll"><table class="data-table" data-testid="exempt-table">
                <thead><tr><th>{move || i18n.t(T::Name)}</th><th>{move || i18n.t(T::Group)}</th><th>{move || i18n.t(T::ExemptReason)}</th></tr></thead>
                <tbody>{exempt.into_iter().map(|s| view! {
                    <tr data-testid="exempt-row"><td>{s.name}</td><td>{group_zh(s.group)}</td><td>{s.exemption.unwrap_or_default()}</td></tr>
                }).collect_view()}</tbody>
            </table></div>
        })}
    }
}

/// Horizontal bars, one per rate, 0–100 %.
#[component]
fn Bars(rates: Vec<Rate>, testid: &'static str) -> impl IntoView {
    const ROW: usize = 28;
    let height = (rates.len().max(1) * ROW) as u32;
    view! {
        <svg class="chart" data-testid=testid viewBox=format!("0 0 320 {height}") width="100%" role="img">
            {rates.into_iter().enumerate().map(|(i, r)| {
                let y = i * ROW;
                let w = r.per_mille() * 180 / 1000;
                view! {
                    <g>
                        <text x="0" y={y + 18} font-size="11">{r.label.chars().take(10).collect::<String>()}</text>
                        <rect x="120" y={y + 6} width="180" height="16" fill="#eee"/>
                        <rect x="120" y={y + 6} width={w} height="16" fill="#c62828"/>
                        <text x="302" y={y + 18} font-size="10" text-anchor="end">{format!("{}%", r.per_mille() / 10)}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}

#[component]
fn RateTable(rates: Vec<Rate>, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="table-scroll"><table class="data-table" data-testid=testid>
            <thead><tr><th></th><th>{move || i18n.t(T::Enrolled)}</th><th>{move || i18n.t(T::Completed)}</th><th>"%"</th></tr></thead>
            <tbody>{rates.into_iter().map(|r| view! {
                <tr><td>{r.label.clone()}</td><td>{r.enrolled}</td><td>{r.completed}</td><td>{format!("{}.{}", r.per_mille() / 10, r.per_mille() % 10)}</td></tr>
            }).collect_view()}</tbody>
        </table></div>
    }
}
