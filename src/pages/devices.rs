//! The devices section of `/accounts`: the phones and computers of the accounts in the
//! administrator's scope, and revoking a lost one (two taps: revoke, then confirm). Online only;
//! the server decides who may (`authz::may_manage_account`) and refuses the device's later
//! uploads.

use cunju_domain::devices::DeviceInfo;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::accounts::session_token;
use crate::components::online::use_online;
use crate::i18n::reliability::DeviceMsg;
use crate::i18n::{Msg, use_i18n};
use crate::platform::format_local_time;
use crate::sync::api::{self, ApiError};

#[component]
pub fn Devices() -> impl IntoView {
    let i18n = use_i18n();
    let online = use_online();
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
        <section class="devices" data-testid="devices">
            <h2>{move || i18n.t(DeviceMsg::Heading)}</h2>
            <p class="muted">{move || i18n.t(DeviceMsg::Intro)}</p>
            <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
                {move || devices.get().map(|result| match result {
                    Err(ApiError::Network(_)) if !online.get() => ().into_any(),
                    Err(err) => view! { <p class="form-error" role="alert">{err.message(i18n.lang())}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="muted" data-testid="devices-none">{move || i18n.t(DeviceMsg::None)}</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="record-list" data-testid="devices-list">
                            {list.into_iter().map(|device| view! { <DeviceRow device reload/> }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn DeviceRow(device: DeviceInfo, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let online = use_online();
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let id = StoredValue::new(device.device.to_string());
    let revoked = device.revoked_at.is_some();
    let revoke = move |_| {
        if busy.get_untracked() {
            return;
        }
        if !confirming.get_untracked() {
            confirming.set(true);
            return;
        }
        let lang = i18n.lang();
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = match session_token().await {
                Ok(token) => api::revoke_device(&token, &id.get_value()).await,
                Err(e) => Err(e),
            };
            busy.set(false);
            confirming.set(false);
            match result {
                Ok(_) => reload.update(|n| *n += 1),
                Err(err) => error.set(Some(err.message(lang))),
            }
        });
    };
    let last_seen = format_local_time(device.last_seen.max(0) as u64);
    view! {
        <li class="record-row device-row" data-testid="device-row" data-device=device.device.to_string()
            class:disabled=revoked>
            <div class="record-main">
                <strong>{device.display_name.clone()}</strong>
                <span class="muted">{device.username.clone()}</span>
            </div>
            <div class="record-sub muted">
                <span>{device.device.to_string()}</span>
                <span>{device.events}" "{move || i18n.t(DeviceMsg::Records)}</span>
                <span>{move || i18n.t(DeviceMsg::LastSeen)}" "{last_seen.clone()}</span>
                {revoked.then(|| view! {
                    <span class="badge" data-testid="device-revoked">{move || i18n.t(DeviceMsg::Revoked)}</span>
                })}
            </div>
            {(!revoked).then(|| view! {
                <div class="row-actions">
                    <button type="button" class="secondary" data-testid="device-revoke" on:click=revoke
                        disabled=move || busy.get() || !online.get()>
                        {move || if confirming.get() { i18n.t(DeviceMsg::ConfirmRevoke) } else { i18n.t(DeviceMsg::Revoke) }}
                    </button>
                </div>
            })}
            <Show when=move || error.with(Option::is_some)>
                <p class="form-error" role="alert" data-testid="device-error">{move || error.get()}</p>
            </Show>
        </li>
    }
}
