//! `/elections/dashboard` — the township dashboard (乡镇进度总览): every election in the
//! user's scope with the step it is at, its progress, and its late, breach and re-review counts,
//! with totals at the top.

use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos_router::components::A;

use super::list::reads_elections;
use super::{Loaded, label, load_all, loading_view};
use crate::components::require_login::RequireLogin;
use crate::i18n::elections::ElectionMsg;
use crate::i18n::use_i18n;
use crate::store;
use crate::sync::use_sync;

#[component]
pub fn ElectionDashboard() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <A href="/elections" attr:class="back">{move || i18n.t(ElectionMsg::ProcBack)}</A>
            <h1>{move || i18n.t(ElectionMsg::ProcDashboard)}</h1>
            <p class="muted">{move || i18n.t(ElectionMsg::ProcDashIntro)}</p>
        </section>
        <RequireLogin render=|profile| view! { <Dashboard profile/> }.into_any()/>
    }
}

#[component]
fn Dashboard(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    if !reads_elections(profile.role) {
        return view! {
            <p class="notice" data-testid="elections-not-permitted">{move || i18n.t(ElectionMsg::ProcNotPermitted)}</p>
        }
        .into_any();
    }
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
        <Suspense fallback=loading_view>
            {move || elections.get().map(|result| match result {
                Err(err) => view! { <p class="form-error" role="alert">{err.message(i18n.lang())}</p> }.into_any(),
                Ok(list) => view! { <Table list/> }.into_any(),
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Table(list: Vec<Loaded>) -> impl IntoView {
    let i18n = use_i18n();
    let sum = |f: fn(&Loaded) -> u32| list.iter().map(f).sum::<u32>();
    let (late, breach, review) = (
        sum(|e| e.view.counts.late),
        sum(|e| e.view.counts.breach),
        sum(|e| e.view.counts.needs_review),
    );
    let total = list.len();
    view! {
        <dl class="stats" data-testid="dashboard-totals">
            <div><dt>{move || i18n.t(ElectionMsg::ProcDashElections)}</dt><dd data-testid="dashboard-elections">{total}</dd></div>
            <div><dt>{move || i18n.t(ElectionMsg::ProcDashLate)}</dt><dd data-testid="dashboard-late">{late}</dd></div>
            <div><dt>{move || i18n.t(ElectionMsg::ProcDashBreach)}</dt><dd data-testid="dashboard-breach">{breach}</dd></div>
            <div><dt>{move || i18n.t(ElectionMsg::ProcDashReview)}</dt><dd data-testid="dashboard-review">{review}</dd></div>
        </dl>
        <div class="table-wrap">
            <table class="error-table dashboard-table" data-testid="dashboard-table">
                <thead>
                    <tr>
                        <th>{move || i18n.t(ElectionMsg::ProcUnit)}</th>
                        <th>{move || i18n.t(ElectionMsg::ProcElectionDay)}</th>
                        <th>{move || i18n.t(ElectionMsg::ProcCurrent)}</th>
                        <th>{move || i18n.t(ElectionMsg::ProcDashProgress)}</th>
                        <th>{move || i18n.t(ElectionMsg::ProcDashLate)}</th>
                        <th>{move || i18n.t(ElectionMsg::ProcDashBreach)}</th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|e| {
                        let current = e.view.current.and_then(|c| e.view.row(c)).map(|r| (r.code, r.name));
                        let c = e.view.counts;
                        let late_class = if c.late > 0 { "late" } else { "" };
                        let breach_class = if c.breach > 0 { "breach" } else { "" };
                        view! {
                            <tr data-testid="dashboard-row" data-unit=e.unit.to_string()>
                                <td><A href=e.href("")>{e.unit_name.clone()}</A></td>
                                <td>{e.view.election_day.to_string()}</td>
                                <td data-testid="dashboard-current">{move || match current {
                                    Some((code, name)) => format!("{code} {}", label(name, i18n.lang())),
                                    None => i18n.t(ElectionMsg::ProcAllDone).to_string(),
                                }}</td>
                                <td>{format!("{}/{}", c.done, c.total)}</td>
                                <td class=late_class>{c.late}</td>
                                <td class=breach_class data-testid="dashboard-row-breach">{c.breach}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
