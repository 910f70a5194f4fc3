//! `/elections/:x` — one election: unit, type, rule pack and election day; the statutory steps
//! with their due dates and colour states (done, due soon, late, breach, needs re-review); the
//! breaches with the rule that fired; the form to move election day, which the domain refuses
//! with the reason and the earliest acceptable day when a step already done would break.

use chrono::NaiveDate;
use cunju_domain::authz::{self, Action};
use cunju_domain::election::{ElectionDayMoved, StepRow};
use cunju_domain::event::{EventBody, NewEvent};
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::{Loaded, colour_msg, label, load_one, loading_view, mode_msg, pick, type_msg};
use crate::components::require_login::RequireLogin;
use crate::i18n::elections::ElectionMsg;
use crate::i18n::{Msg, use_i18n};
use crate::store;
use crate::sync::use_sync;

#[component]
pub fn ElectionDetail() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head no-print">
            <A href="/elections" attr:class="back">{move || i18n.t(ElectionMsg::ProcBack)}</A>
        </section>
        <RequireLogin render=|profile| view! { <Detail profile/> }.into_any()/>
    }
}

#[component]
fn Detail(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let params = use_params_map();
    let scope = profile.scope.clone();
    // Lives above the card, which is rebuilt when the store changes.
    let moved = RwSignal::new(false);
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
                Ok(Some(e)) => view! { <ElectionCard e profile=profile.clone() moved/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn ElectionCard(e: Loaded, profile: Profile, moved: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let v = e.view.clone();
    let (election_type, mode) = (v.opened.election_type, v.opened.mode);
    let (committee_day, pack) = (v.opened.committee_formed_on, v.opened.pack);
    let may_move = authz::permits(profile.role, Action::OpenElection);
    let breaches = v.breaches.clone();
    view! {
        <article class="card election-detail" data-testid="election-detail">
            <h1 data-testid="election-unit-name">{e.unit_name.clone()}</h1>
            <dl class="fields">
                <dt>{move || i18n.t(ElectionMsg::ProcElectionDay)}</dt>
                <dd data-testid="election-day-value">{v.election_day.to_string()}</dd>
                <dt>{move || i18n.t(ElectionMsg::ProcMode)}</dt>
                <dd>{move || format!("{} · {}", i18n.t(type_msg(election_type)), i18n.t(mode_msg(mode)))}</dd>
                <dt>{move || i18n.t(ElectionMsg::ProcCommitteeDay)}</dt>
                <dd>{committee_day.to_string()}</dd>
                <dt>{move || i18n.t(ElectionMsg::ProcPack)}</dt>
                <dd data-testid="election-pack">{pack.code()}</dd>
                <dt>{move || i18n.t(ElectionMsg::ProcDashProgress)}</dt>
                <dd data-testid="election-progress">{format!("{}/{}", v.counts.done, v.counts.total)}</dd>
            </dl>
            <div class="toolbar">
                <A href=e.href("/notice") attr:class="button secondary" attr:data-testid="election-print-link">{move || i18n.t(ElectionMsg::ProcPrint)}</A>
            </div>
        </article>

        <h2>{move || i18n.t(ElectionMsg::ProcBreaches)}</h2>
        {if breaches.is_empty() {
            view! { <p class="muted" data-testid="election-no-breaches">{move || i18n.t(ElectionMsg::ProcNoBreaches)}</p> }.into_any()
        } else {
            view! {
                <ul class="record-list" data-testid="election-breaches">
                    {breaches.into_iter().map(|b| view! {
                        <li class="record-row breach-row" data-testid="election-breach" data-class=b.class.code() data-rule=b.rule>
                            <strong>{b.class.code()}" "{move || pick(b.class.label_zh(), b.class.label_en(), i18n.lang())}</strong>
                            <p>{let (zh, en) = (b.message_zh.clone(), b.message_en.clone()); move || pick(&zh, &en, i18n.lang())}</p>
                            <p class="muted">{move || i18n.t(ElectionMsg::ProcRule)}": "{b.rule}</p>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}

        <h2>{move || i18n.t(ElectionMsg::ProcSteps)}</h2>
        <ol class="step-list" data-testid="step-list">
            {v.rows.iter().cloned().map(|row| view! { <StepLine href=e.href(&format!("/steps/{}", row.code)) row/> }).collect_view()}
        </ol>

        <h2>{move || i18n.t(ElectionMsg::ProcLinksHeading)}</h2>
        <ul class="nav-grid election-links">
            <li><a class="nav-card" href=e.href("/voters") data-testid="election-voters-link"><strong>{move || i18n.t(ElectionMsg::ProcLinkVoters)}</strong></a></li>
            <li><a class="nav-card" href=e.href("/tally") data-testid="election-tally-link"><strong>{move || i18n.t(ElectionMsg::ProcLinkTally)}</strong></a></li>
            <li><a class="nav-card" href=e.href("/results") data-testid="election-results-link"><strong>{move || i18n.t(ElectionMsg::ProcLinkResults)}</strong></a></li>
        </ul>

        {may_move.then(|| view! { <MoveForm e=e.clone() saved=moved/> })}
    }
}

#[component]
fn StepLine(row: StepRow, href: String) -> impl IntoView {
    let i18n = use_i18n();
    let colour = row.colour;
    let due = row.due.map(|d| d.last_day.to_string());
    let ticked = row
        .tick
        .as_ref()
        .map(|t| format!("{} · {}", t.by, t.done_on));
    view! {
        <li class=format!("step-line {}", colour.slug()) data-testid=format!("step-{}", row.code) data-colour=colour.slug()>
            <A href=href attr:class="record-link">
                <div class="record-main">
                    <span class="step-code">{row.code.code()}</span>
                    <strong>{move || label(row.name, i18n.lang())}</strong>
                </div>
                <div class="record-sub">
                    <span class=format!("pill {}", colour.slug())>{move || i18n.t(colour_msg(colour))}</span>
                    <span>{move || match &due {
                        Some(d) => format!("{} {d}", i18n.t(ElectionMsg::ProcDue)),
                        None => i18n.t(ElectionMsg::ProcNoDeadline).to_string(),
                    }}</span>
                    {ticked.map(|t| view! { <span class="muted">{t}</span> })}
                </div>
            </A>
        </li>
    }
}

/// 变更选举日: the domain's `check_move` decides; a refusal shows its reason and earliest day.
#[component]
fn MoveForm(e: Loaded, saved: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let new_day = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let refusals = RwSignal::new(Vec::<(String, String)>::new());
    let error = RwSignal::new(None::<String>);
    let record = e.record.clone();
    let calendar = e.calendar.clone();
    let current = e.view.election_day;
    let (unit, entity) = (e.unit.clone(), e.id.clone());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        refusals.set(vec![]);
        error.set(None);
        let Ok(to) = NaiveDate::parse_from_str(&new_day.get_untracked(), "%Y-%m-%d") else {
            error.set(Some(i18n.t(Msg::ErrRequired).to_string()));
            return;
        };
        if to == current {
            error.set(Some(i18n.t(ElectionMsg::ProcMoveSame).to_string()));
            return;
        }
        if let Err(list) = record.check_move(&calendar, to) {
            refusals.set(
                list.into_iter()
                    .map(|r| (r.message_zh, r.message_en))
                    .collect(),
            );
            return;
        }
        let body = ElectionDayMoved {
            election_day: to,
            reason: reason.get_untracked().trim().to_string(),
        };
        if let Err(err) = body.validate() {
            error.set(Some(err.message_zh()));
            return;
        }
        let Some(profile) = sync.profile.get_untracked() else {
            error.set(Some(i18n.t(Msg::NeedLogin).to_string()));
            return;
        };
        let (unit, entity) = (unit.clone(), entity.clone());
        leptos::task::spawn_local(async move {
            let result = async {
                let store = store::shared().await?;
                store
                    .append(NewEvent {
                        actor: profile.user.clone(),
                        unit,
                        entity,
                        body: EventBody::ElectionDayMoved(body),
                    })
                    .await
            }
            .await;
            match result {
                Ok(_) => {
                    saved.set(true);
                    sync.after_local_change();
                }
                Err(_) => error.set(Some(i18n.t(ElectionMsg::ProcSaveFailed).to_string())),
            }
        });
    };
    view! {
        <form class="form card no-print" data-testid="move-form" on:submit=submit novalidate>
            <h2>{move || i18n.t(ElectionMsg::ProcMoveHeading)}</h2>
            <label class="field">
                <span>{move || i18n.t(ElectionMsg::ProcMoveNewDay)}</span>
                <input type="date" data-testid="move-day" prop:value=move || new_day.get()
                    on:input=move |ev| new_day.set(event_target_value(&ev))/>
            </label>
            <label class="field">
                <span>{move || i18n.t(ElectionMsg::ProcReason)}</span>
                <input type="text" data-testid="move-reason" prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))/>
            </label>
            <Show when=move || !refusals.with(Vec::is_empty)>
                <div class="form-error" role="alert" data-testid="move-refused">
                    <strong>{move || i18n.t(ElectionMsg::ProcMoveRefused)}</strong>
                    <ul>
                        {move || refusals.get().into_iter().map(|(zh, en)| view! {
                            <li data-testid="move-refusal">{pick(&zh, &en, i18n.lang())}</li>
                        }).collect_view()}
                    </ul>
                </div>
            </Show>
            <Show when=move || error.with(Option::is_some)>
                <p class="form-error" role="alert" data-testid="move-error">{move || error.get()}</p>
            </Show>
            <Show when=move || saved.get()>
                <p class="form-ok" role="status" data-testid="move-saved">{move || i18n.t(ElectionMsg::ProcMoveSaved)}</p>
            </Show>
            <button type="submit" data-testid="move-submit">{move || i18n.t(ElectionMsg::ProcMoveSubmit)}</button>
        </form>
    }
}
