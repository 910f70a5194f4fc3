//! `/training/sessions/:id/attendance` — the door screen. A searchable roster with one large
//! tap per person (one-handed: the whole row is the button), marks for late, left early and
//! approved leave, and undo (a new event that takes the last mark back). A row turns green
//! only after its event has committed to IndexedDB, so what the screen confirms survives a
//! reload or a dead battery.

use std::sync::Arc;

use chrono::{Local, NaiveTime, TimeDelta, Timelike};
use cunju_domain::event::{EventBody, NewEvent};
use cunju_domain::ids::EntityId;
use cunju_domain::sync::Profile;
use cunju_domain::training::events::{
    AttendanceMarked, AttendanceUndone, ClassFile, SessionScheduled, Trainee,
};
use cunju_domain::training::report::{presence_label_zh, slot_zh};
use cunju_domain::training::{Presence, SignInMethod};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

use super::class::may_change;
use super::data;
use super::qr;
use crate::components::file_io::now_precise_ms;
use crate::components::require_login::RequireLogin;
use crate::i18n::training::TrainingMsg as T;
use crate::i18n::{Msg, use_i18n};
use crate::store;
use crate::sync::use_sync;

#[component]
pub fn Attendance() -> impl IntoView {
    view! { <RequireLogin render=|profile| view! { <Door profile/> }.into_any()/> }
}

/// One trainee's row: their marks (oldest first; the last counts) and whether a write is on
/// its way.
#[derive(Clone, Default)]
struct RowState {
    marks: Vec<Presence>,
    saving: bool,
}

#[derive(Clone)]
struct Row {
    trainee: Trainee,
    state: RwSignal<RowState>,
    /// Lower-case name and the masked number, for the search.
    haystack: String,
}

#[component]
fn Door(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let scope = profile.scope.clone();
    let loaded = LocalResource::new(move || {
        let id = params.with(|p| p.get("id").unwrap_or_default());
        let scope = scope.clone();
        async move {
            let Ok(id) = id.parse::<EntityId>() else {
                return Ok(None);
            };
            let store = store::shared().await?;
            let Some(state) = store.entity(&id).await? else {
                return Ok(None);
            };
            let doc = cunju_domain::training::events::session_doc(&state.doc);
            let Some(session) = doc.session.clone() else {
                return Ok(None);
            };
            let file = data::class_file(&store, &scope, &session.class).await?;
            Ok::<_, store::StoreError>(file.map(|f| (id, session, doc, Arc::new(f))))
        }
    });
    view! {
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || loaded.get().map(|r| match r {
                Err(e) => view! { <p class="form-error" role="alert">{e.message(i18n.lang())}</p> }.into_any(),
                Ok(None) => view! { <p class="notice" data-testid="session-not-found">{move || i18n.t(T::SessionNotFound)}</p> }.into_any(),
                Ok(Some((id, session, doc, file))) => {
                    let rows: Vec<Row> = file.trainees.iter().map(|t| Row {
                        trainee: t.clone(),
                        state: RwSignal::new(RowState { marks: doc.marks.get(&t.person).cloned().unwrap_or_default(), saving: false }),
                        haystack: format!("{} {}", t.name, t.id_masked).to_lowercase(),
                    }).collect();
                    view! { <Roster id session file rows profile=profile.clone()/> }.into_any()
                }
            })}
        </Suspense>
    }
}

/// The time a tap records: now, when the session is today; otherwise (entering a paper sheet
/// afterwards) the session's start, i.e. on time.
fn sign_in_time(session: &SessionScheduled) -> NaiveTime {
    let now = Local::now();
    if now.date_naive() == session.date {
        now.time().with_nanosecond(0).unwrap_or(session.starts_at)
    } else {
        session.starts_at
    }
}

#[component]
fn Roster(
    id: EntityId,
    session: SessionScheduled,
    file: Arc<ClassFile>,
    rows: Vec<Row>,
    profile: Profile,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let editable = may_change(&profile, &file);
    let query = RwSignal::new(String::new());
    let open = RwSignal::new(None::<EntityId>);
    let error = RwSignal::new(None::<String>);
    let last = RwSignal::new(None::<(EntityId, String)>);
    let total = rows.len();
    // The counts follow one trigger that every change of marks notifies, rather than each of
    // the (often hundreds of) rows: a tick then recounts once without re-subscribing to them all.
    let marks_changed = ArcTrigger::new();
    let count = |rows: &[Row], marks_changed: &ArcTrigger, present: bool| {
        marks_changed.track();
        rows.iter()
            .filter(|r| {
                r.state.with_untracked(|s| match s.marks.last() {
                    Some(Presence::Present { .. }) => present,
                    Some(Presence::Leave { .. }) => !present,
                    None => false,
                })
            })
            .count()
    };
    let present = {
        let (rows, marks_changed) = (rows.clone(), marks_changed.clone());
        Memo::new(move |_| count(&rows, &marks_changed, true))
    };
    let leave = {
        let (rows, marks_changed) = (rows.clone(), marks_changed.clone());
        Memo::new(move |_| count(&rows, &marks_changed, false))
    };
    let ctx = DoorCtx {
        id: id.clone(),
        session: session.clone(),
        owner: file.owner.clone(),
        profile: profile.clone(),
        error,
        last,
        marks_changed,
    };
    let header = format!(
        "{} · {} {} {}–{}",
        file.class.name,
        session.date,
        slot_zh(session.slot),
        session.starts_at.format("%H:%M"),
        session.ends_at.format("%H:%M")
    );
    let scan_rows = rows.clone();
    let undo_last = {
        let ctx = ctx.clone();
        let rows = rows.clone();
        move |_| {
            let Some((person, _)) = last.get_untracked() else {
                return;
            };
            if let Some(row) = rows.iter().find(|r| r.trainee.person == person) {
                ctx.undo(row.clone(), sync);
            }
        }
    };
    view! {
        <section class="door" data-testid="door" data-total=total>
            <a href=format!("/training/classes/{}", file.class.id) class="back">{move || i18n.t(T::BackToClass)}</a>
            <h1 class="door-title">{header}</h1>
            <p class="door-count" aria-live="polite">
                {move || i18n.t(T::Present)}" "<strong data-testid="door-present">{move || present.get()}</strong>"/"{total}
                " · "{move || i18n.t(T::OnLeave)}" "<span data-testid="door-leave">{move || leave.get()}</span>
            </p>
            {(!editable).then(|| view! { <p class="notice" data-testid="door-read-only">{move || i18n.t(T::ReadOnly)}</p> })}
            <input type="search" class="door-search" data-testid="door-search" autocomplete="off"
                placeholder=move || i18n.t(T::DoorSearch)
                prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="door-error">{e}</p> })}
            {move || last.get().map(|(_, name)| view! {
                <p class="door-last">{name}" "
                    <button type="button" class="secondary" data-testid="door-undo-last" on:click=undo_last.clone()>{move || i18n.t(T::Undo)}</button></p>
            })}
            {editable.then(|| view! { <QrScan rows=scan_rows.clone() ctx=ctx.clone()/> })}
            <ul class="door-roster" data-testid="door-roster">
                {rows.into_iter().map(|row| view! { <DoorRow row ctx=ctx.clone() query open editable/> }).collect_view()}
            </ul>
        </section>
    }
}

/// What every row needs to write.
#[derive(Clone)]
struct DoorCtx {
    id: EntityId,
    session: SessionScheduled,
    owner: cunju_domain::ids::UserId,
    profile: Profile,
    error: RwSignal<Option<String>>,
    last: RwSignal<Option<(EntityId, String)>>,
    /// Notified whenever a row's marks change (the counts follow it).
    marks_changed: ArcTrigger,
}

impl DoorCtx {
    fn draft(&self, body: EventBody) -> NewEvent {
        NewEvent {
            actor: self.profile.user.clone(),
            unit: self.profile.scope.clone(),
            entity: self.id.clone(),
            body,
        }
    }

    /// Appends the mark; the row shows it once the transaction committed.
    fn mark(&self, row: Row, presence: Presence, sync: crate::sync::SyncState) {
        if row.state.with_untracked(|s| s.saving) {
            return;
        }
        row.state.update(|s| s.saving = true);
        let draft = self.draft(EventBody::AttendanceMarked(AttendanceMarked {
            owner: self.owner.clone(),
            person: row.trainee.person.clone(),
            presence: presence.clone(),
        }));
        let (error, last, marks_changed) = (self.error, self.last, self.marks_changed.clone());
        spawn_local(async move {
            let result = async { store::shared().await?.append(draft).await }.await;
            row.state.update(|s| {
                s.saving = false;
                if result.is_ok() {
                    s.marks.push(presence);
                }
            });
            marks_changed.notify();
            match result {
                Ok(_) => {
                    error.set(None);
                    last.set(Some((row.trainee.person.clone(), row.trainee.name.clone())));
                    sync.after_local_change();
                }
                Err(e) => error.set(Some(e.message(crate::i18n::Lang::Zh))),
            }
        });
    }

    fn undo(&self, row: Row, sync: crate::sync::SyncState) {
        if row.state.with_untracked(|s| s.saving || s.marks.is_empty()) {
            return;
        }
        row.state.update(|s| s.saving = true);
        let draft = self.draft(EventBody::AttendanceUndone(AttendanceUndone {
            owner: self.owner.clone(),
            person: row.trainee.person.clone(),
        }));
        let (error, last, marks_changed) = (self.error, self.last, self.marks_changed.clone());
        spawn_local(async move {
            let result = async { store::shared().await?.append(draft).await }.await;
            row.state.update(|s| {
                s.saving = false;
                if result.is_ok() {
                    s.marks.pop();
                }
            });
            marks_changed.notify();
            match result {
                Ok(_) => {
                    last.set(None);
                    sync.after_local_change();
                }
                Err(e) => error.set(Some(e.message(crate::i18n::Lang::Zh))),
            }
        });
    }
}

#[component]
fn DoorRow(
    row: Row,
    ctx: DoorCtx,
    query: RwSignal<String>,
    open: RwSignal<Option<EntityId>>,
    editable: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let state = row.state;
    let person = row.trainee.person.clone();
    let hay = row.haystack.clone();
    let hidden = move || {
        let q = query.get();
        let q = q.trim().to_lowercase();
        !q.is_empty() && !hay.contains(&q)
    };
    let status = move || {
        state.with(|s| match (s.saving, s.marks.last()) {
            (true, _) => "saving",
            (_, None) => "absent",
            (_, Some(Presence::Present { .. })) => "present",
            (_, Some(Presence::Leave { .. })) => "leave",
        })
    };
    let label = move || state.with(|s| presence_label_zh(s.marks.last()));
    let time = move || {
        state.with(|s| match s.marks.last() {
            Some(Presence::Present {
                signed_in,
                signed_out,
                ..
            }) => format!(
                "{}{}",
                signed_in.format("%H:%M"),
                signed_out
                    .map(|o| format!("–{}", o.format("%H:%M")))
                    .unwrap_or_default()
            ),
            _ => String::new(),
        })
    };
    let tap = {
        let (ctx, row) = (ctx.clone(), row.clone());
        move |_| {
            if !editable || row.state.with_untracked(|s| !s.marks.is_empty()) {
                return;
            }
            let presence = Presence::Present {
                signed_in: sign_in_time(&ctx.session),
                signed_out: None,
                method: SignInMethod::RollCall,
            };
            ctx.mark(row.clone(), presence, sync);
        }
    };
    let is_open = {
        let person = person.clone();
        move || open.with(|o| o.as_ref() == Some(&person))
    };
    let toggle = {
        let person = person.clone();
        move |_| {
            open.update(|o| {
                *o = if o.as_ref() == Some(&person) {
                    None
                } else {
                    Some(person.clone())
                }
            })
        }
    };
    let minutes = RwSignal::new("30".to_string());
    let reason = RwSignal::new(i18n.t(T::LeaveDefault).to_string());
    let late = {
        let (ctx, row) = (ctx.clone(), row.clone());
        move |_| {
            let m: i64 = minutes.get_untracked().trim().parse().unwrap_or(30);
            let signed_in = ctx.session.starts_at + TimeDelta::minutes(m);
            ctx.mark(
                row.clone(),
                Presence::Present {
                    signed_in,
                    signed_out: None,
                    method: SignInMethod::RollCall,
                },
                sync,
            );
            open.set(None);
        }
    };
    let early = {
        let (ctx, row) = (ctx.clone(), row.clone());
        move |_| {
            let m: i64 = minutes.get_untracked().trim().parse().unwrap_or(30);
            let signed_in = row.state.with_untracked(|s| match s.marks.last() {
                Some(Presence::Present { signed_in, .. }) => *signed_in,
                _ => ctx.session.starts_at,
            });
            let signed_out = ctx.session.ends_at - TimeDelta::minutes(m);
            if signed_out <= signed_in {
                ctx.error.set(Some(i18n.t(T::EarlyTooMuch).into()));
                return;
            }
            ctx.mark(
                row.clone(),
                Presence::Present {
                    signed_in,
                    signed_out: Some(signed_out),
                    method: SignInMethod::RollCall,
                },
                sync,
            );
            open.set(None);
        }
    };
    let leave = {
        let (ctx, row) = (ctx.clone(), row.clone());
        move |_| {
            let r = reason.get_untracked().trim().to_string();
            let r = if r.is_empty() {
                i18n.t(T::LeaveDefault).to_string()
            } else {
                r
            };
            ctx.mark(
                row.clone(),
                Presence::Leave {
                    approved_by: Some(ctx.profile.user.clone()),
                    reason: r,
                },
                sync,
            );
            open.set(None);
        }
    };
    let undo = {
        let (ctx, row) = (ctx.clone(), row.clone());
        move |_| {
            ctx.undo(row.clone(), sync);
            open.set(None);
        }
    };
    view! {
        <li class="door-row" class:hidden=hidden data-testid="door-row" data-person=person.to_string() data-state=status>
            <button type="button" class="door-tap" data-testid="door-tap" on:click=tap disabled=!editable>
                <span class="door-name">{row.trainee.name.clone()}</span>
                <span class="door-id muted">{row.trainee.id_masked.clone()}</span>
                <span class="door-status" data-testid="door-status">{label}" "{time}</span>
            </button>
            {editable.then(|| view! {
                <button type="button" class="door-more secondary" data-testid="door-more" on:click=toggle aria-label=move || i18n.t(T::MoreMarks)>"⋯"</button>
            })}
            <Show when=is_open.clone()>
                <div class="door-panel" data-testid="door-panel">
                    <label class="field"><span>{move || i18n.t(T::Minutes)}</span>
                        <input inputmode="numeric" data-testid="door-minutes" prop:value=move || minutes.get() on:input=move |ev| minutes.set(event_target_value(&ev))/></label>
                    <button type="button" data-testid="door-late" on:click=late.clone()>{move || i18n.t(T::MarkLate)}</button>
                    <button type="button" data-testid="door-early" on:click=early.clone()>{move || i18n.t(T::MarkEarly)}</button>
                    <label class="field"><span>{move || i18n.t(T::LeaveReason)}</span>
                        <input data-testid="door-reason" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/></label>
                    <button type="button" data-testid="door-leave-mark" on:click=leave.clone()>{move || i18n.t(T::MarkLeave)}</button>
                    <button type="button" class="secondary" data-testid="door-undo" on:click=undo.clone()>{move || i18n.t(T::Undo)}</button>
                </div>
            </Show>
        </li>
    }
}

/// QR check-in: the camera reads trainees' codes (BarcodeDetector, or frames decoded by the
/// export worker's Rust decoder where the browser has none, at most 4 a second); each code read
/// ticks that trainee as signed in by QR, once. Without a camera API the button is not shown
/// and the screen says why.
#[component]
fn QrScan(rows: Vec<Row>, ctx: DoorCtx) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    if !qr::camera_available() {
        return view! { <p class="muted" data-testid="door-scan-unavailable">{move || i18n.t(T::ScanUnavailable)}</p> }.into_any();
    }
    let scanning = RwSignal::new(false);
    let reader = RwSignal::new("");
    let seen = RwSignal::new(None::<String>);
    let video = NodeRef::<leptos::html::Video>::new();
    let start = move |_| {
        if scanning.get_untracked() {
            scanning.set(false);
            return;
        }
        let Some(el) = video.get_untracked() else {
            return;
        };
        let el: wasm_bindgen::JsValue = el.into();
        let (rows, ctx) = (rows.clone(), ctx.clone());
        scanning.set(true);
        spawn_local(async move {
            let scanner = match qr::Scanner::start(&el).await {
                Ok(s) => s,
                Err(e) => {
                    scanning.set(false);
                    ctx.error.set(Some(format!(
                        "{}{}",
                        i18n.t(T::CameraFailed),
                        e.as_string().unwrap_or_default()
                    )));
                    return;
                }
            };
            reader.set(scanner.reader_name());
            while scanning.get_untracked() {
                let began = now_precise_ms();
                let texts = match scanner.scan(&el).await {
                    Ok(texts) => texts,
                    Err(e) => {
                        ctx.error.set(Some(e.message(i18n.lang())));
                        scanning.set(false);
                        break;
                    }
                };
                for text in texts {
                    let Some(person) = qr::person_of(&text) else {
                        continue;
                    };
                    if let Some(row) = rows.iter().find(|r| r.trainee.person == person) {
                        seen.set(Some(row.trainee.name.clone()));
                        if row.state.with_untracked(|s| s.marks.is_empty()) {
                            let presence = Presence::Present {
                                signed_in: sign_in_time(&ctx.session),
                                signed_out: None,
                                method: SignInMethod::Qr,
                            };
                            ctx.mark(row.clone(), presence, sync);
                        }
                    }
                }
                // At most 4 frames a second, however fast the reader answers.
                let spent = (now_precise_ms() - began).max(0.0) as u32;
                gloo_timers::future::TimeoutFuture::new(250u32.saturating_sub(spent).max(20)).await;
            }
            scanner.stop();
        });
    };
    view! {
        <div class="door-scan">
            <button type="button" data-testid="door-scan" data-reader=move || reader.get() on:click=start>
                {move || if scanning.get() { i18n.t(T::ScanStop) } else { i18n.t(T::ScanStart) }}
            </button>
            {move || seen.get().map(|n| view! { <span class="door-seen">{n}</span> })}
            <video node_ref=video class="door-video" class:hidden=move || !scanning.get() playsinline=true muted=true></video>
        </div>
    }
    .into_any()
}
