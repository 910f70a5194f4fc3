//! `/sync` — where the device stands with the server: records waiting to upload, a "sync now"
//! button with progress, the last successful sync, the last problem, and the records the server
//! refused, each with its reason.

use cunju_domain::event::EventBody;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::online::use_online;
use crate::i18n::devices::DevicesMsg;
use crate::i18n::evidence::EvidenceMsg;
use crate::i18n::{Lang, Msg, use_i18n};
use crate::platform;
use crate::store::RejectedEvent;
use crate::sync::api::server_text;
use crate::sync::{Progress, use_sync};

#[component]
pub fn Sync() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let online = use_online();
    let can_sync = move || online.get() && sync.has_token.get() && !sync.is_running();

    view! {
        <section class="page-head">
            <h1>{move || i18n.t(Msg::SyncTitle)}</h1>
            <p class="muted">{move || i18n.t(Msg::SyncIntro)}</p>
        </section>

        <section class="card sync-status" data-testid="sync-status">
            <Account/>
            <dl class="stats">
                <div>
                    <dt>{move || i18n.t(Msg::SyncPendingLabel)}</dt>
                    <dd data-testid="sync-pending">{move || sync.pending.get()}</dd>
                </div>
                <div>
                    <dt>{move || i18n.t(EvidenceMsg::PendingUploads)}</dt>
                    <dd data-testid="sync-pending-photos">{move || sync.pending_photos.get()}</dd>
                </div>
                <div>
                    <dt>{move || i18n.t(Msg::SyncRejectedLabel)}</dt>
                    <dd data-testid="sync-rejected-count">{move || sync.rejected.with(Vec::len)}</dd>
                </div>
            </dl>
            <ProgressLine/>
            <ThisDevice/>
            <p class="muted" data-testid="sync-last-success" data-at=move || sync.last_success.get().map(|ms| ms.to_string())>
                {move || i18n.t(Msg::SyncLastSuccess)}"："
                {move || sync.last_success.get().map(platform::format_local_time).unwrap_or_else(|| i18n.t(Msg::SyncNever).into())}
                {move || sync.last_report.get().map(|r| {
                    let refused = if r.rejected > 0 {
                        format!(" · {} {}", i18n.t(Msg::SyncRefused), r.rejected)
                    } else {
                        String::new()
                    };
                    format!(
                        "（{} {}{refused} · {} {}）",
                        i18n.t(Msg::SyncUploaded), r.acked, i18n.t(Msg::SyncReceived), r.received
                    )
                })}
            </p>
            <Show when=move || !online.get()>
                <p class="notice" data-testid="sync-offline">{move || i18n.t(Msg::SyncOfflineWait)}</p>
            </Show>
            <Show when=move || sync.last_error.with(Option::is_some)>
                <p class="form-error" role="alert" data-testid="sync-error">
                    {move || i18n.t(Msg::SyncErrorLabel)}"："
                    {move || sync.last_error.with(|e| e.as_ref().map(|e| e.message(i18n.lang())))}
                </p>
            </Show>
            <button type="button" class="wide" data-testid="sync-now"
                disabled=move || !can_sync()
                on:click=move |_| sync.sync_now()>
                {move || if sync.is_running() { i18n.t(Msg::SyncRunning) } else { i18n.t(Msg::SyncNow) }}
            </button>
        </section>

        <RejectedList/>

        <p class="transfer-link">
            <A href="/sync/transfer" attr:data-testid="nav-transfer">{move || i18n.t(DevicesMsg::NavTransfer)}</A>
        </p>
    }
}

/// Who syncs, or what to do first.
#[component]
fn Account() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    view! {
        {move || match sync.profile.get() {
            None => view! {
                <p class="notice" data-testid="sync-not-logged-in">
                    {move || i18n.t(Msg::SyncNotLoggedIn)}" "
                    <A href="/login">{move || i18n.t(Msg::NavLogin)}</A>
                </p>
            }.into_any(),
            Some(profile) => view! {
                <p>
                    {move || i18n.t(Msg::SyncAccount)}"："
                    <strong>{profile.display_name.clone()}</strong>
                    " · "{move || i18n.t(Msg::ScopeLabel)}" "{profile.scope.to_string()}
                </p>
                <Show when=move || sync.needs_login()>
                    <p class="notice" data-testid="sync-needs-login">
                        {move || i18n.t(Msg::SyncNeedsLogin)}" "
                        <A href="/login">{move || i18n.t(Msg::NavLogin)}</A>
                    </p>
                </Show>
            }.into_any(),
        }}
    }
}

/// This device's number, so a user can tell an administrator which phone was lost.
#[component]
fn ThisDevice() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let device = LocalResource::new(move || {
        sync.pending.track();
        async move {
            let store = crate::store::shared().await.ok()?;
            store
                .device_log()
                .await
                .ok()
                .flatten()
                .map(|log| log.device.to_string())
        }
    });
    view! {
        {move || device.get().flatten().map(|id| view! {
            <p class="muted">
                {move || i18n.t(DevicesMsg::ThisDevice)}"："<code data-testid="sync-device-id">{id}</code>
            </p>
        })}
    }
}

/// The progress bar of the run in progress.
#[component]
fn ProgressLine() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    view! {
        {move || sync.progress.get().map(|progress| match progress {
            Progress::Pushing { done, total } => view! {
                <div class="progress" data-testid="sync-progress" data-phase="push">
                    <progress max=total.max(1) value=done></progress>
                    <span>{move || i18n.t(Msg::SyncPushing)}" "{done}" / "{total}</span>
                </div>
            }.into_any(),
            Progress::Pulling { received } => view! {
                <div class="progress" data-testid="sync-progress" data-phase="pull">
                    <progress></progress>
                    <span>{move || i18n.t(Msg::SyncPulling)}" "{received}</span>
                </div>
            }.into_any(),
        })}
    }
}

/// The records the server refused: what they were, why, and a way to submit them again.
#[component]
fn RejectedList() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    view! {
        <section class="rejected" data-testid="rejected-list">
            <h2>{move || i18n.t(Msg::RejectedHeading)}</h2>
            <Show
                when=move || !sync.rejected.with(Vec::is_empty)
                fallback=move || view! { <p class="muted" data-testid="rejected-none">{move || i18n.t(Msg::RejectedNone)}</p> }
            >
                <p class="muted">{move || i18n.t(Msg::RejectedIntro)}</p>
                <ul class="record-list">
                    <For each=move || sync.rejected.get() key=|r| r.event.id let:rejected>
                        <RejectedItem rejected/>
                    </For>
                </ul>
                <button type="button" class="wide secondary" data-testid="retry-rejected"
                    disabled=move || sync.is_running()
                    on:click=move |_| sync.retry_rejected()>
                    {move || i18n.t(Msg::RejectedRetry)}
                </button>
            </Show>
        </section>
    }
}

#[component]
fn RejectedItem(rejected: RejectedEvent) -> impl IntoView {
    let i18n = use_i18n();
    let RejectedEvent { event, rejection } = rejected;
    let kind = Msg::event_kind(&event.body);
    let subject = match &event.body {
        EventBody::PersonRecorded { name, .. } => name.clone(),
        _ => event.entity.to_string(),
    };
    let reason = rejection.reason;
    let recorded = platform::format_local_time(event.hlc.wall_ms);
    view! {
        <li class="record-row rejected-row" data-testid="rejected-row" data-reason=reason.code()>
            <div class="record-main">
                <strong>{move || i18n.t(kind)}</strong>
                <span>{subject}</span>
            </div>
            <p class="reason" data-testid="rejected-reason">
                {move || match i18n.lang() { Lang::Zh => reason.message_zh(), Lang::En => reason.message_en() }}
            </p>
            <div class="record-sub muted">
                <span>{move || i18n.t(Msg::RecordedAt)}" "{recorded.clone()}</span>
                <span>{event.unit.to_string()}</span>
            </div>
            {move || {
                // The server's own words, in the user's language, when they add to the reason.
                let lang = i18n.lang();
                let detail = server_text(&rejection.detail, lang);
                let reason_text = match lang { Lang::Zh => reason.message_zh(), Lang::En => reason.message_en() };
                (!detail.is_empty() && detail != reason_text)
                    .then(|| view! { <small class="muted detail">{detail}</small> })
            }}
        </li>
    }
}
