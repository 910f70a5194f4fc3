//! `/elections` — the elections in the user's scope: unit, election day, the step each is at,
//! and its late, breach and re-review counts; links to open one and to the dashboard.

use cunju_domain::authz::{self, Action, Role};
use cunju_domain::event::EntityKind;
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos_router::components::A;

use super::{Loaded, label, load_all, loading_view};
use crate::components::require_login::RequireLogin;
use crate::i18n::elections::ElectionMsg;
use crate::i18n::use_i18n;
use crate::store;
use crate::sync::use_sync;

#[component]
pub fn ElectionList() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <h1>{move || i18n.t(ElectionMsg::Title)}</h1>
            <p class="muted">{move || i18n.t(ElectionMsg::ProcListIntro)}</p>
        </section>
        <RequireLogin render=|profile| view! { <Elections profile/> }.into_any()/>
    }
}

/// May this role see elections at all?
pub fn reads_elections(role: Role) -> bool {
    authz::permits(role, Action::ReadEvent(EntityKind::Election))
}

#[component]
fn Elections(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    if !reads_elections(profile.role) {
        return view! {
            <p class="notice" data-testid="elections-not-permitted">{move || i18n.t(ElectionMsg::ProcNotPermitted)}</p>
        }
        .into_any();
    }
    let may_open = authz::permits(profile.role, Action::OpenElection);
    let scope = profile.scope.clone();
    let elections = LocalResource::new(move || {
        let _ = sync.revision.get();
        let scope = scope.clone();
        let fetched = sync.units.get();
        async move {
            let store = store::shared().await?;
            load_all(&store, &scope, fetched).await
        }
    });
    view! {
        <div class="toolbar">
            {may_open.then(|| view! {
                <A href="/elections/new" attr:class="button" attr:data-testid="election-new">{move || i18n.t(ElectionMsg::ProcNew)}</A>
            })}
            <A href="/elections/dashboard" attr:class="button secondary" attr:data-testid="election-dashboard-link">{move || i18n.t(ElectionMsg::ProcDashboard)}</A>
            <A href="/elections/holidays" attr:class="button secondary" attr:data-testid="election-holidays-link">{move || i18n.t(ElectionMsg::HolLink)}</A>
        </div>
        <Suspense fallback=loading_view>
            {move || elections.get().map(|result| match result {
                Err(err) => view! { <p class="form-error" role="alert">{err.message(i18n.lang())}</p> }.into_any(),
                Ok(list) if list.is_empty() => view! {
                    <p class="notice" data-testid="elections-empty">{move || i18n.t(ElectionMsg::ProcListEmpty)}</p>
                }.into_any(),
                Ok(list) => view! {
                    <ul class="record-list" data-testid="election-list">
                        {list.into_iter().map(|e| view! { <ElectionRow e/> }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn ElectionRow(e: Loaded) -> impl IntoView {
    let i18n = use_i18n();
    let counts = e.view.counts;
    let current = e
        .view
        .current
        .and_then(|c| e.view.row(c))
        .map(|r| (r.code, r.name));
    view! {
        <li class="record-row election-row" data-testid="election-row" data-unit=e.unit.to_string()>
            <A href=e.href("") attr:class="record-link">
                <div class="record-main">
                    <strong>{e.unit_name.clone()}</strong>
                    <span class="muted">{format!("{} {}", i18n.t(ElectionMsg::ProcElectionDay), e.view.election_day)}</span>
                </div>
                <div class="record-sub">
                    <span>{move || match current {
                        Some((code, name)) => format!("{}：{} {}", i18n.t(ElectionMsg::ProcCurrent), code, label(name, i18n.lang())),
                        None => i18n.t(ElectionMsg::ProcAllDone).to_string(),
                    }}</span>
                    <span>{format!("{}/{}", counts.done, counts.total)}</span>
                    {(counts.late > 0).then(|| view! { <span class="pill late">{move || format!("{} {}", i18n.t(ElectionMsg::ProcColourLate), counts.late)}</span> })}
                    {(counts.breach > 0).then(|| view! { <span class="pill breach">{move || format!("{} {}", i18n.t(ElectionMsg::ProcColourBreach), counts.breach)}</span> })}
                    {(counts.needs_review > 0).then(|| view! { <span class="pill needs-review">{move || format!("{} {}", i18n.t(ElectionMsg::ProcColourNeedsReview), counts.needs_review)}</span> })}
                </div>
            </A>
        </li>
    }
}
