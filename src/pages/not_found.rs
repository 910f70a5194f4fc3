//! Any route the app does not know.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{Msg, use_i18n};

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card">
            <h1>{move || i18n.t(Msg::NotFoundTitle)}</h1>
            <A href="/">{move || i18n.t(Msg::NotFoundBack)}</A>
        </section>
    }
}
