//! `/elections/:x/steps/:code` — one step of an election: what it is, who acts, the time rule
//! and due date, its state; the township supervisor ticks it (done on, notes), the supervisor
//! or district admin withdraws a tick with a reason, the village official adds material (after a
//! tick: needs re-review), both with evidence photos taken on the device; its evidence photos and
//! its history.

use chrono::NaiveDate;
use cunju_domain::authz::{self, Action};
use cunju_domain::election::record::{HistoryKind, parse_step};
use cunju_domain::election::{StepCode, StepEdited, StepRow, StepTicked, StepUnticked};
use cunju_domain::event::{EventBody, NewEvent};
use cunju_domain::ids::{EventId, Hash};
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::{Loaded, colour_msg, label, load_one, loading_view, pick, today};
use crate::components::evidence::{Attached, EvidencePhoto, PhotoPicker, store_attached};
use crate::components::require_login::RequireLogin;
use crate::i18n::elections::ElectionMsg;
use crate::i18n::{Msg, use_i18n};
use crate::platform;
use crate::store;
use crate::sync::{SyncState, use_sync};

#[component]
pub fn ElectionStep() -> impl IntoView {
    view! { <RequireLogin render=|profile| view! { <StepPage profile/> }.into_any()/> }
}

/// What the last action on this screen did (kept above the card, which is rebuilt on change).
#[derive(Clone, Copy, PartialEq)]
enum Done {
    Ticked,
    Unticked,
    Edited,
}

#[component]
fn StepPage(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let params = use_params_map();
    let scope = profile.scope.clone();
    let status = RwSignal::new(None::<Done>);
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
    // A new step (the "next step" link) starts without the previous step's message.
    Effect::new(move |_| {
        params.with(|p| p.get("code"));
        status.set(None);
    });
    view! {
        <Suspense fallback=loading_view>
            {move || election.get().map(|result| {
                let code = params.with(|p| p.get("code").unwrap_or_default());
                match result {
                    Err(err) => view! { <p class="form-error" role="alert">{err.message(i18n.lang())}</p> }.into_any(),
                    Ok(None) => view! {
                        <section class="page-head"><A href="/elections" attr:class="back">{move || i18n.t(ElectionMsg::ProcBack)}</A></section>
                        <p class="notice" data-testid="election-missing">{move || i18n.t(ElectionMsg::ProcMissing)}</p>
                    }.into_any(),
                    Ok(Some(e)) => match parse_step(&code).and_then(|c| e.view.row(c).cloned()) {
                        None => view! {
                            <section class="page-head"><A href=e.href("") attr:class="back">{move || i18n.t(ElectionMsg::ProcBackToElection)}</A></section>
                            <p class="notice" data-testid="step-missing">{move || i18n.t(ElectionMsg::ProcStepMissing)}</p>
                        }.into_any(),
                        Some(row) => view! { <StepCard e row profile=profile.clone() status/> }.into_any(),
                    },
                }
            })}
        </Suspense>
    }
}

#[component]
fn StepCard(
    e: Loaded,
    row: StepRow,
    profile: Profile,
    status: RwSignal<Option<Done>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let colour = row.colour;
    let code = row.code;
    let next = e
        .view
        .rows
        .iter()
        .skip_while(|r| r.code != code)
        .nth(1)
        .map(|r| e.href(&format!("/steps/{}", r.code)));
    let ticked = row.tick.is_some();
    let may_tick =
        authz::permits(profile.role, Action::TickElectionStep) && (!ticked || row.needs_review);
    let may_untick = authz::permits(profile.role, Action::UntickElectionStep) && ticked;
    let may_edit = authz::permits(profile.role, Action::EditElectionStep);
    let history: Vec<_> = e
        .record
        .history
        .iter()
        .filter(|h| h.kind.step() == Some(code))
        .rev()
        .cloned()
        .collect();
    let (timing_zh, timing_en) = row.timing.clone();
    let tick = row.tick.clone();
    let evidence = row.evidence.clone();
    view! {
        <section class="page-head">
            <A href=e.href("") attr:class="back" attr:data-testid="step-back">{move || i18n.t(ElectionMsg::ProcBackToElection)}</A>
        </section>
        <article class=format!("card step-detail {}", colour.slug()) data-testid="step-detail" data-colour=colour.slug()>
            <p class="muted">{e.unit_name.clone()}" · "{move || i18n.t(ElectionMsg::ProcElectionDay)}" "{e.view.election_day.to_string()}</p>
            <h1 data-testid="step-title">{code.code()}" "{move || label(row.name, i18n.lang())}</h1>
            <p><span class=format!("pill {}", colour.slug()) data-testid="step-state">{move || i18n.t(colour_msg(colour))}</span></p>
            {row.needs_review.then(|| view! { <p class="notice" data-testid="step-needs-review">{move || i18n.t(ElectionMsg::ProcNeedsReviewNote)}</p> })}
            {row.breach.clone().map(|b| view! {
                <p class="form-error" data-testid="step-breach" data-rule=b.rule>
                    {b.class.code()}": "{let (zh, en) = (b.message_zh.clone(), b.message_en.clone()); move || pick(&zh, &en, i18n.lang())}
                </p>
            })}
            <dl class="fields">
                <dt>{move || i18n.t(ElectionMsg::ProcStepWho)}</dt>
                <dd>{move || label(row.actor, i18n.lang())}</dd>
                <dt>{move || i18n.t(ElectionMsg::ProcStepTiming)}</dt>
                <dd>{move || pick(&timing_zh, &timing_en, i18n.lang())}</dd>
                <dt>{move || i18n.t(ElectionMsg::ProcDue)}</dt>
                <dd data-testid="step-due">{match row.due {
                    Some(d) => d.last_day.to_string(),
                    None => "—".to_string(),
                }}</dd>
                <dt>{move || i18n.t(ElectionMsg::ProcStepEvidence)}</dt>
                <dd>{move || row.evidence_expected.iter().map(|(zh, en)| pick(zh, en, i18n.lang())).collect::<Vec<_>>().join("、")}</dd>
                {tick.map(|t| view! {
                    <dt>{move || i18n.t(ElectionMsg::ProcDoneOn)}</dt>
                    <dd data-testid="step-done-on">{t.done_on.to_string()}</dd>
                    <dt>{move || i18n.t(ElectionMsg::ProcTickedBy)}</dt>
                    <dd data-testid="step-ticked-by">{t.by.to_string()}</dd>
                    <dt>{move || i18n.t(ElectionMsg::ProcTickedAt)}</dt>
                    <dd>{platform::format_local_time(t.device_time_ms)}</dd>
                    <dt>{move || i18n.t(ElectionMsg::ProcServerAt)}</dt>
                    <dd data-testid="step-received"><ServerReceipt event=t.event/></dd>
                    <dt>{move || i18n.t(ElectionMsg::ProcNotes)}</dt>
                    <dd data-testid="step-notes">{if t.notes.is_empty() { "—".to_string() } else { t.notes.clone() }}</dd>
                })}
            </dl>
            <h2>{move || i18n.t(ElectionMsg::ProcEvidence)}</h2>
            <EvidenceList hashes=evidence/>
        </article>

        <Show when=move || status.get().is_some()>
            <p class="form-ok" role="status" data-testid="step-saved">{move || status.get().map(|d| i18n.t(match d {
                Done::Ticked => ElectionMsg::ProcTicked,
                Done::Unticked => ElectionMsg::ProcUnticked,
                Done::Edited => ElectionMsg::ProcEdited,
            }))}</p>
        </Show>
        {next.map(|href| view! {
            <p><A href=href attr:class="button secondary" attr:data-testid="step-next">{move || i18n.t(ElectionMsg::ProcNextStep)}</A></p>
        })}
        {may_tick.then(|| view! { <TickForm e=e.clone() code re_review=ticked status/> })}
        {may_untick.then(|| view! { <UntickForm e=e.clone() code status/> })}
        {may_edit.then(|| view! { <EditForm e=e.clone() code status/> })}

        <h2>{move || i18n.t(ElectionMsg::ProcHistory)}</h2>
        <ol class="history" data-testid="step-history">
            {history.into_iter().map(|h| {
                let (what, detail) = match &h.kind {
                    HistoryKind::Ticked { done_on, notes, .. } => (ElectionMsg::ProcHistoryTicked, format!("{done_on} {notes}")),
                    HistoryKind::Unticked { reason, .. } => (ElectionMsg::ProcHistoryUnticked, reason.clone()),
                    HistoryKind::Edited { notes, .. } => (ElectionMsg::ProcHistoryEdited, notes.clone()),
                    HistoryKind::Opened { election_day } => (ElectionMsg::ProcHistoryOpened, election_day.to_string()),
                    HistoryKind::DayMoved { from, to, reason } => (ElectionMsg::ProcHistoryMoved, format!("{from} → {to} {reason}")),
                };
                view! {
                    <li data-testid="step-history-item">
                        <strong>{move || i18n.t(what)}</strong>" "{detail}
                        <span class="muted">" "{h.by.to_string()}" · "{platform::format_local_time(h.at_ms)}</span>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

/// When the server received the tick, as the last pull reported it (read again after every
/// sync); until then, "not yet synced".
#[component]
fn ServerReceipt(event: EventId) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let received = LocalResource::new(move || {
        let _ = sync.revision.get();
        async move {
            let store = store::shared().await.ok()?;
            store.received_ms(&event).await.ok().flatten()
        }
    });
    move || {
        match received.get().flatten() {
        Some(ms) => view! { <span data-received=ms.to_string()>{platform::format_local_time(ms)}</span> }.into_any(),
        None => view! { <span class="muted" data-received="">{move || i18n.t(ElectionMsg::ProcNotYetReceived)}</span> }.into_any(),
    }
    }
}

/// The evidence photos of a step (each from the device, the server, or "not yet synced").
#[component]
fn EvidenceList(hashes: Vec<Hash>) -> impl IntoView {
    let i18n = use_i18n();
    if hashes.is_empty() {
        return view! { <p class="muted" data-testid="step-no-evidence">{move || i18n.t(ElectionMsg::ProcNoEvidence)}</p> }.into_any();
    }
    view! {
        <ul class="evidence-list" data-testid="step-evidence">
            {hashes.into_iter().map(|hash| view! { <EvidencePhoto hash/> }).collect_view()}
        </ul>
    }
    .into_any()
}

/// Appends one election event for this step; `Err` carries the message to show.
/// The attached photos are stored first: an event never references a photo this device lacks.
async fn append(
    sync: SyncState,
    e: &Loaded,
    body: EventBody,
    photos: &[Attached],
) -> Result<(), String> {
    let Some(profile) = sync.profile.get_untracked() else {
        return Err(ElectionMsg::ProcSaveFailed
            .text(crate::i18n::Lang::Zh)
            .to_string());
    };
    let store = store::shared()
        .await
        .map_err(|err| err.message(crate::i18n::Lang::Zh))?;
    store_attached(&store, photos)
        .await
        .map_err(|err| err.message(crate::i18n::Lang::Zh))?;
    store
        .append(NewEvent {
            actor: profile.user.clone(),
            unit: e.unit.clone(),
            entity: e.id.clone(),
            body,
        })
        .await
        .map_err(|err| err.message(crate::i18n::Lang::Zh))?;
    sync.after_local_change();
    Ok(())
}

#[component]
fn TickForm(
    e: Loaded,
    code: StepCode,
    re_review: bool,
    status: RwSignal<Option<Done>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let done_on = RwSignal::new(today().to_string());
    let notes = RwSignal::new(String::new());
    let photos = RwSignal::new(Vec::<Attached>::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Ok(on) = NaiveDate::parse_from_str(&done_on.get_untracked(), "%Y-%m-%d") else {
            error.set(Some(i18n.t(Msg::ErrRequired).to_string()));
            return;
        };
        let body = StepTicked {
            step: code,
            done_on: on,
            notes: notes.get_untracked().trim().to_string(),
            evidence: photos.with_untracked(|p| p.iter().map(|a| a.hash).collect()),
            device_time_ms: platform::now_ms(),
        };
        if let Err(err) = body.validate() {
            error.set(Some(err.message_zh()));
            return;
        }
        let e = e.clone();
        busy.set(true);
        let attached = photos.get_untracked();
        leptos::task::spawn_local(async move {
            match append(sync, &e, EventBody::StepTicked(body), &attached).await {
                Ok(()) => {
                    photos.set(Vec::new());
                    status.set(Some(Done::Ticked));
                }
                Err(msg) => error.set(Some(msg)),
            }
            busy.set(false);
        });
    };
    let button = if re_review {
        ElectionMsg::ProcReTick
    } else {
        ElectionMsg::ProcTick
    };
    view! {
        <form class="form card" data-testid="tick-form" on:submit=submit novalidate>
            <h2>{move || i18n.t(ElectionMsg::ProcTickHeading)}</h2>
            <label class="field">
                <span>{move || i18n.t(ElectionMsg::ProcDoneOn)}</span>
                <input type="date" data-testid="tick-done-on" prop:value=move || done_on.get()
                    on:input=move |ev| done_on.set(event_target_value(&ev))/>
            </label>
            <label class="field">
                <span>{move || i18n.t(ElectionMsg::ProcNotes)}</span>
                <textarea data-testid="tick-notes" prop:value=move || notes.get()
                    on:input=move |ev| notes.set(event_target_value(&ev))></textarea>
            </label>
            <PhotoPicker photos testid="tick-photos"/>
            <Show when=move || error.with(Option::is_some)>
                <p class="form-error" role="alert" data-testid="tick-error">{move || error.get()}</p>
            </Show>
            <button type="submit" data-testid="tick-submit" prop:disabled=move || busy.get()>{move || i18n.t(button)}</button>
        </form>
    }
}

#[component]
fn UntickForm(e: Loaded, code: StepCode, status: RwSignal<Option<Done>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = StepUnticked {
            step: code,
            reason: reason.get_untracked().trim().to_string(),
        };
        if let Err(err) = body.validate() {
            error.set(Some(err.message_zh()));
            return;
        }
        let e = e.clone();
        leptos::task::spawn_local(async move {
            match append(sync, &e, EventBody::StepUnticked(body), &[]).await {
                Ok(()) => status.set(Some(Done::Unticked)),
                Err(msg) => error.set(Some(msg)),
            }
        });
    };
    view! {
        <form class="form card" data-testid="untick-form" on:submit=submit novalidate>
            <h2>{move || i18n.t(ElectionMsg::ProcUntickHeading)}</h2>
            <label class="field">
                <span>{move || i18n.t(ElectionMsg::ProcReason)}</span>
                <input type="text" data-testid="untick-reason" prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))/>
            </label>
            <Show when=move || error.with(Option::is_some)>
                <p class="form-error" role="alert" data-testid="untick-error">{move || error.get()}</p>
            </Show>
            <button type="submit" class="secondary" data-testid="untick-submit">{move || i18n.t(ElectionMsg::ProcUntick)}</button>
        </form>
    }
}

#[component]
fn EditForm(e: Loaded, code: StepCode, status: RwSignal<Option<Done>>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let notes = RwSignal::new(String::new());
    let photos = RwSignal::new(Vec::<Attached>::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = StepEdited {
            step: code,
            notes: notes.get_untracked().trim().to_string(),
            evidence: photos.with_untracked(|p| p.iter().map(|a| a.hash).collect()),
        };
        if let Err(err) = body.validate() {
            error.set(Some(err.message_zh()));
            return;
        }
        let e = e.clone();
        let attached = photos.get_untracked();
        leptos::task::spawn_local(async move {
            match append(sync, &e, EventBody::StepEdited(body), &attached).await {
                Ok(()) => {
                    photos.set(Vec::new());
                    status.set(Some(Done::Edited));
                }
                Err(msg) => error.set(Some(msg)),
            }
        });
    };
    view! {
        <form class="form card" data-testid="edit-form" on:submit=submit novalidate>
            <h2>{move || i18n.t(ElectionMsg::ProcEditHeading)}</h2>
            <label class="field">
                <span>{move || i18n.t(ElectionMsg::ProcNotes)}</span>
                <textarea data-testid="edit-notes" prop:value=move || notes.get()
                    on:input=move |ev| notes.set(event_target_value(&ev))></textarea>
            </label>
            <PhotoPicker photos testid="edit-photos"/>
            <Show when=move || error.with(Option::is_some)>
                <p class="form-error" role="alert" data-testid="edit-error">{move || error.get()}</p>
            </Show>
            <button type="submit" data-testid="edit-submit">{move || i18n.t(ElectionMsg::ProcEdit)}</button>
        </form>
    }
}
