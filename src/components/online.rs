//! Whether the device is online, as a signal every screen can read, and the header pill.

use leptos::ev;
use leptos::prelude::*;

use crate::i18n::{Msg, use_i18n};

/// The browser's online state, updated by the `online`/`offline` window events.
#[derive(Clone, Copy)]
pub struct OnlineState(pub ReadSignal<bool>);

/// Starts tracking the online state and puts it in context.
pub fn provide_online() -> OnlineState {
    let (online, set_online) = signal(crate::platform::is_online());
    // The handles live as long as the app; dropping them would not remove the listeners anyway.
    let _ = window_event_listener(ev::online, move |_| set_online.set(true));
    let _ = window_event_listener(ev::offline, move |_| set_online.set(false));
    let state = OnlineState(online);
    provide_context(state);
    state
}

pub fn use_online() -> ReadSignal<bool> {
    expect_context::<OnlineState>().0
}

/// A pill in the header: green "在线" or grey "离线", with a hint when offline.
#[component]
pub fn OnlineIndicator() -> impl IntoView {
    let i18n = use_i18n();
    let online = use_online();
    view! {
        <span
            class="online-pill"
            class:offline=move || !online.get()
            data-testid="online-indicator"
            data-online=move || online.get().to_string()
            title=move || if online.get() { "" } else { i18n.t(Msg::OfflineHint) }
            role="status"
        >
            {move || if online.get() { i18n.t(Msg::Online) } else { i18n.t(Msg::Offline) }}
        </span>
    }
}
