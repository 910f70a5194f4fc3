//! Shows a screen only to a logged-in user (the cached profile works offline); otherwise
//! "loading" until the session is read, then "please log in" with a link.

use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{Msg, use_i18n};
use crate::sync::use_sync;

#[component]
pub fn RequireLogin(render: fn(Profile) -> AnyView) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    view! {
        <Show
            when=move || sync.profile.with(Option::is_some)
            fallback=move || view! {
                <Show when=move || sync.loaded.get() fallback=move || view! {
                    <p class="muted">{move || i18n.t(Msg::Loading)}</p>
                }>
                    <p class="notice" data-testid="need-login">
                        {move || i18n.t(Msg::NeedLogin)}" "
                        <A href="/login">{move || i18n.t(Msg::NavLogin)}</A>
                    </p>
                </Show>
            }
        >
            {move || sync.profile.get().map(render)}
        </Show>
    }
}
