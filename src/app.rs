//! The app shell: context providers, the header (name, online state, language switch) and
//! every route in one place. A screen lives in `pages/` under the name of its route.

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::components::online::{OnlineIndicator, provide_online};
use crate::i18n::{Msg, provide_i18n, use_i18n};
use crate::pages;

#[component]
pub fn App() -> impl IntoView {
    provide_i18n();
    provide_online();
    view! {
        <Router>
            <Header/>
            <main class="page">
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("/") view=pages::home::Home/>
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn Header() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <header class="app-header">
            <A href="/" attr:class="brand">
                <img src="/icons/icon-192.png" alt="" width="32" height="32"/>
                <span>{move || i18n.t(Msg::AppName)}</span>
            </A>
            <div class="header-actions">
                <OnlineIndicator/>
                <button
                    class="lang-switch"
                    data-testid="lang-switch"
                    on:click=move |_| i18n.set_lang(i18n.lang().other())
                >
                    {move || i18n.t(Msg::SwitchLanguage)}
                </button>
            </div>
        </header>
    }
}
