//! The header badge: how many records wait to be uploaded, or that sync is running, needs a
//! login or had records refused. Tapping it opens `/sync`.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{Msg, use_i18n};
use crate::sync::use_sync;

/// What the badge says, most urgent first.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BadgeState {
    Syncing,
    /// Nobody has signed in on this device yet (or they signed out): nothing can sync.
    SignedOut,
    NeedsLogin,
    Rejected,
    Pending,
    Synced,
}

impl BadgeState {
    fn msg(self) -> Msg {
        match self {
            BadgeState::Syncing => Msg::BadgeSyncing,
            BadgeState::SignedOut => Msg::BadgeSignedOut,
            BadgeState::NeedsLogin => Msg::BadgeNeedsLogin,
            BadgeState::Rejected => Msg::BadgeRejected,
            BadgeState::Pending => Msg::BadgePending,
            BadgeState::Synced => Msg::BadgeSynced,
        }
    }

    fn class(self) -> &'static str {
        match self {
            BadgeState::Syncing => "sync-badge syncing",
            BadgeState::SignedOut => "sync-badge",
            BadgeState::NeedsLogin | BadgeState::Rejected => "sync-badge alert",
            BadgeState::Pending => "sync-badge pending",
            BadgeState::Synced => "sync-badge synced",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            BadgeState::Syncing => "syncing",
            BadgeState::SignedOut => "signed-out",
            BadgeState::NeedsLogin => "needs-login",
            BadgeState::Rejected => "rejected",
            BadgeState::Pending => "pending",
            BadgeState::Synced => "synced",
        }
    }
}

#[component]
pub fn SyncBadge() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let state = Memo::new(move |_| {
        if sync.is_running() {
            BadgeState::Syncing
        } else if sync.profile.with(Option::is_none) {
            BadgeState::SignedOut
        } else if sync.needs_login() {
            BadgeState::NeedsLogin
        } else if !sync.rejected.with(Vec::is_empty) {
            BadgeState::Rejected
        } else if sync.pending.get() > 0 {
            BadgeState::Pending
        } else {
            BadgeState::Synced
        }
    });
    view! {
        <A href="/sync" attr:class=move || state.get().class() attr:data-testid="sync-badge"
            attr:data-state=move || state.get().slug()>
            <span class="sync-badge-label">{move || i18n.t(state.get().msg())}</span>
            <span class="sync-badge-count" data-testid="pending-count"
                class:hidden=move || sync.pending.get() == 0>
                {move || sync.pending.get()}
            </span>
        </A>
    }
}
