//! `/devices` — devices (设备) for district administrators: every device that has uploaded
//! records for an account within their scope, and revoking a lost phone. Online only: devices
//! are known to the server. Who may is the domain's (`authz`); the server checks it again.

use cunju_domain::authz::{self, Action};
use cunju_domain::devices::DeviceInfo;
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::accounts::{role_label, session_token};
use crate::components::online::use_online;
use crate::components::require_login::RequireLogin;
use crate::i18n::devices::DevicesMsg;
use crate::i18n::{Msg, use_i18n};
use crate::platform;
use crate::sync::api::{self, ApiError};

#[component]
pub fn Devices() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <h1>{move || i18n.t(DevicesMsg::Title)}</h1>
            <p class="muted">{move || i18n.t(DevicesMsg::Intro)}</p>
        </section>
        <RequireLogin render=|profile| view! { <DevicesOf profile/> }.into_any()/>
    }
}

#[component]
fn DevicesOf(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let online = use_online();
    if !authz::permits(profile.role, Action::ManageAccounts) {
        return view! {
            <p class="notice" data-testid="devices-not-permitted">{move || i18n.t(DevicesMsg::NotPermitted)}</p>
        }
        .into_any();
    }
    let reload = RwSignal::new(0u32);
    let devices = LocalResource::new(move || {
        reload.track();
        let online = online.get();
        async move {
            if !online {
                return Err(ApiError::Network("offline".into()));
            }
            api::devices(&session_token().await?).await
        }
    });
    view! {
        <Show when=move || !online.get()>
            <p class="notice" data-testid="devices-offline">{move || i18n.t(DevicesMsg::Offline)}</p>
        </Show>
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || devices.get().map(|result| match result {
                Err(ApiError::Network(_)) if !online.get() => ().into_any(),
                Err(err) => view! { <p class="form-error" role="alert">{err.message(i18n.lang())}</p> }.into_any(),
                Ok(list) if list.is_empty() => view! {
                    <p class="muted" data-testid="devices-none">{move || i18n.t(DevicesMsg::None)}</p>
                }.into_any(),
                Ok(list) => view! {
                    <ul class="record-list" data-testid="devices-list">
                        {list.into_iter().map(|device| view! { <DeviceRow device reload/> }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </Suspense>
    }
    .into_any()
}

fn time(ms: i64) -> String {
    platform::format_local_time(u64::try_from(ms).unwrap_or(0))
}

#[component]
fn DeviceRow(device: DeviceInfo, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let online = use_online();
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<u64>);
    let busy = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let id = StoredValue::new(device.device.clone());
    let revoked_at = device.revoked_at;
    let role = device.role;

    let revoke = move |_| {
        if busy.get_untracked() {
            return;
        }
        let lang = i18n.lang();
        confirming.set(false);
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = match session_token().await {
                Ok(token) => api::revoke_device(&token, &id.get_value()).await,
                Err(e) => Err(e),
            };
            busy.set(false);
            match result {
                Ok(response) => {
                    done.set(Some(response.tokens_revoked));
                    reload.update(|n| *n += 1);
                }
                Err(err) => error.set(Some(err.message(lang))),
            }
        });
    };
    view! {
        <li class="record-row device-row" data-testid="device-row" data-device=device.device.to_string()
            data-username=device.username.clone() class:disabled=revoked_at.is_some()>
            <div class="record-main">
                <strong>{device.display_name.clone()}</strong>
                <span class="muted">{device.username.clone()}</span>
                {revoked_at.map(|at| view! {
                    <span class="badge" data-testid="device-revoked">{move || i18n.t(DevicesMsg::Revoked)}" "{time(at)}</span>
                })}
            </div>
            <div class="record-sub muted">
                <span>{move || role_label(role, i18n.lang())}</span>
                <span>{move || i18n.t(Msg::ScopeLabel)}" "{device.scope.to_string()}</span>
                <span>{move || i18n.t(DevicesMsg::Device)}" "<code>{device.device.to_string()}</code></span>
            </div>
            <div class="record-sub muted">
                <span>{move || i18n.t(DevicesMsg::FirstSeen)}" "{time(device.first_seen)}</span>
                <span>{move || i18n.t(DevicesMsg::LastSeen)}" "{time(device.last_seen)}</span>
                <span>{move || i18n.t(DevicesMsg::Events)}" "{device.events}</span>
            </div>
            {revoked_at.is_none().then(|| view! {
                <div class="row-actions">
                    <Show
                        when=move || confirming.get()
                        fallback=move || view! {
                            <button type="button" class="danger" data-testid="device-revoke"
                                on:click=move |_| confirming.set(true)
                                disabled=move || busy.get() || !online.get()>
                                {move || i18n.t(DevicesMsg::Revoke)}
                            </button>
                        }
                    >
                        <p class="notice" data-testid="device-revoke-warning">{move || i18n.t(DevicesMsg::RevokeConfirm)}</p>
                        <button type="button" class="danger" data-testid="device-revoke-confirm" on:click=revoke
                            disabled=move || busy.get() || !online.get()>
                            {move || i18n.t(DevicesMsg::RevokeYes)}
                        </button>
                        <button type="button" class="secondary" data-testid="device-revoke-cancel"
                            on:click=move |_| confirming.set(false)>
                            {move || i18n.t(DevicesMsg::Cancel)}
                        </button>
                    </Show>
                </div>
            })}
            <Show when=move || error.with(Option::is_some)>
                <p class="form-error" role="alert" data-testid="device-row-error">{move || error.get()}</p>
            </Show>
            <Show when=move || done.with(Option::is_some)>
                <p class="form-ok" role="status" data-testid="device-row-ok">
                    {move || i18n.t(DevicesMsg::RevokedDone)}{move || done.get()}
                </p>
            </Show>
        </li>
    }
}
