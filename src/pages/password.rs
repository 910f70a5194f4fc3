//! `/account/password` — any logged-in user changes their own password (old, new, repeat).
//! Online only; the new password follows the domain's rule (`authz::check_password`).

use cunju_domain::authz::check_password;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::accounts::session_token;
use crate::components::online::use_online;
use crate::components::require_login::RequireLogin;
use crate::i18n::{Lang, Msg, use_i18n};
use crate::sync::api;

#[component]
pub fn Password() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <h1>{move || i18n.t(Msg::PasswordTitle)}</h1>
        </section>
        <RequireLogin render=|_| view! { <PasswordForm/> }.into_any()/>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let i18n = use_i18n();
    let online = use_online();
    let old = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        done.set(false);
        let lang = i18n.lang();
        let (old_pw, new_pw) = (old.get_untracked(), new.get_untracked());
        let problem = if !online.get_untracked() {
            Some(Msg::PasswordOffline.text(lang).to_string())
        } else if old_pw.is_empty() {
            Some(Msg::PasswordOldMissing.text(lang).to_string())
        } else if let Err(e) = check_password(&new_pw) {
            Some(match lang {
                Lang::Zh => e.message_zh(),
                Lang::En => e.to_string(),
            })
        } else if new_pw != repeat.get_untracked() {
            Some(Msg::PasswordMismatch.text(lang).to_string())
        } else {
            None
        };
        if let Some(problem) = problem {
            error.set(Some(problem));
            return;
        }
        error.set(None);
        busy.set(true);
        spawn_local(async move {
            let result = match session_token().await {
                Ok(token) => api::change_own_password(&token, &old_pw, &new_pw).await,
                Err(e) => Err(e),
            };
            busy.set(false);
            match result {
                Ok(()) => {
                    old.set(String::new());
                    new.set(String::new());
                    repeat.set(String::new());
                    done.set(true);
                }
                Err(err) => error.set(Some(err.message(lang))),
            }
        });
    };
    let input = move |label: Msg,
                      value: RwSignal<String>,
                      testid: &'static str,
                      autocomplete: &'static str| {
        view! {
            <label class="field">
                <span>{move || i18n.t(label)}</span>
                <input type="password" data-testid=testid autocomplete=autocomplete
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))/>
            </label>
        }
    };
    view! {
        <form class="card form" data-testid="password-form" on:submit=submit novalidate>
            <Show when=move || !online.get()>
                <p class="notice" data-testid="password-offline">{move || i18n.t(Msg::PasswordOffline)}</p>
            </Show>
            {input(Msg::PasswordOld, old, "password-old", "current-password")}
            {input(Msg::PasswordNew, new, "password-new", "new-password")}
            {input(Msg::PasswordRepeat, repeat, "password-repeat", "new-password")}
            <Show when=move || error.with(Option::is_some)>
                <p class="form-error" role="alert" data-testid="password-error">{move || error.get()}</p>
            </Show>
            <Show when=move || done.get()>
                <p class="form-ok" role="status" data-testid="password-done">{move || i18n.t(Msg::PasswordDone)}</p>
            </Show>
            <button type="submit" class="wide" data-testid="password-submit"
                disabled=move || busy.get() || !online.get()>
                {move || i18n.t(Msg::PasswordSubmit)}
            </button>
        </form>
    }
}
