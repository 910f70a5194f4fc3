//! `/elections/:x/notice` — the printable timetable notice (换届选举工作日程安排公告): every
//! step with its time rule and due date, for posting in the village; print CSS hides the app's
//! header and buttons.

use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::{Loaded, label, load_one, loading_view, pick, type_msg};
use crate::components::require_login::RequireLogin;
use crate::i18n::elections::ElectionMsg;
use crate::i18n::use_i18n;
use crate::store;
use crate::sync::use_sync;

#[component]
pub fn ElectionNotice() -> impl IntoView {
    view! { <RequireLogin render=|profile| view! { <Notice profile/> }.into_any()/> }
}

#[component]
fn Notice(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let params = use_params_map();
    let scope = profile.scope.clone();
    let election = LocalResource::new(move || {
        let _ = sync.revision.get();
        let slug = params.with(|p| p.get("x").unwrap_or_default());
        let scope = scope.clone();
        let fetched = sync.units.get();
        async move {
            let store = store::shared().await?;
            load_one(&store, &slug, &scope, fetched).await
        }
    });
    view! {
        <Suspense fallback=loading_view>
            {move || election.get().map(|result| match result {
                Err(err) => view! { <p class="form-error" role="alert">{err.message(i18n.lang())}</p> }.into_any(),
                Ok(None) => view! {
                    <p class="notice" data-testid="election-missing">{move || i18n.t(ElectionMsg::ProcMissing)}</p>
                }.into_any(),
                Ok(Some(e)) => view! { <Sheet e/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Sheet(e: Loaded) -> impl IntoView {
    let i18n = use_i18n();
    let election_type = e.view.opened.election_type;
    view! {
        <div class="toolbar no-print">
            <A href=e.href("") attr:class="back">{move || i18n.t(ElectionMsg::ProcBackToElection)}</A>
            <button type="button" data-testid="notice-print" on:click=move |_| {
                if let Some(w) = web_sys::window() {
                    let _ = w.print();
                }
            }>{move || i18n.t(ElectionMsg::ProcPrintNow)}</button>
        </div>
        <article class="print-sheet" data-testid="election-notice">
            <h1 class="sheet-title">{e.unit_name.clone()}{move || i18n.t(type_msg(election_type))}<br/>{move || i18n.t(ElectionMsg::ProcNoticeTitle)}</h1>
            <p>{move || i18n.t(ElectionMsg::ProcNoticeIntro)}</p>
            <p><strong>{move || i18n.t(ElectionMsg::ProcElectionDay)}"："{e.view.election_day.to_string()}</strong></p>
            <table class="sheet-table" data-testid="notice-table">
                <thead>
                    <tr>
                        <th>{move || i18n.t(ElectionMsg::ProcNoticeStep)}</th>
                        <th>{move || i18n.t(ElectionMsg::ProcNoticeWhen)}</th>
                        <th>{move || i18n.t(ElectionMsg::ProcNoticeStatus)}</th>
                    </tr>
                </thead>
                <tbody>
                    {e.view.rows.iter().cloned().map(|r| {
                        let (zh, en) = r.timing.clone();
                        let when = match (r.opens, r.due) {
                            (Some(open), Some(due)) if open < due.last_day => format!("{open} — {}", due.last_day),
                            (_, Some(due)) => due.last_day.to_string(),
                            _ => String::new(),
                        };
                        let done = r.tick.as_ref().map(|t| t.done_on.to_string()).unwrap_or_default();
                        view! {
                            <tr data-testid="notice-row">
                                <td>{r.code.code()}" "{move || label(r.name, i18n.lang())}</td>
                                <td>{when}<br/><small>{move || pick(&zh, &en, i18n.lang())}</small></td>
                                <td>{done}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <p class="sheet-sign">{e.unit_name.clone()}{move || i18n.t(ElectionMsg::ProcNoticeIssuer)}<br/>{super::today().to_string()}</p>
        </article>
    }
}
