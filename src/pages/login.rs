//! `/login` — log in with username and password (online, once); the profile and token are
//! cached on the device so the app keeps working offline. Also shows who is logged in and
//! offers to log out.

use cunju_domain::sync::{LoginRequest, Profile};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::components::online::use_online;
use crate::i18n::{Lang, Msg, use_i18n};
use crate::store::{self, Session, StoreError};
use crate::sync::api::{self, ApiError};
use crate::sync::use_sync;

/// Why a login did not go through.
#[derive(Debug, Clone, PartialEq)]
enum LoginError {
    Missing,
    Api(ApiError),
    Store(StoreError),
}

impl LoginError {
    fn message(&self, lang: Lang) -> String {
        match self {
            LoginError::Missing => Msg::LoginMissing.text(lang).into(),
            LoginError::Api(ApiError::Network(_)) if !crate::platform::is_online() => {
                Msg::LoginOffline.text(lang).into()
            }
            LoginError::Api(ApiError::Network(_)) => Msg::LoginUnreachable.text(lang).into(),
            LoginError::Api(e) => match e.code() {
                Some("bad_credentials") => Msg::LoginBadCredentials.text(lang).into(),
                Some("too_many_attempts") => Msg::LoginTooMany.text(lang).into(),
                _ => e.message(lang),
            },
            LoginError::Store(e) => e.message(lang),
        }
    }
}

#[component]
pub fn Login() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let online = use_online();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<LoginError>);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let request = LoginRequest {
            username: username.get_untracked().trim().to_string(),
            password: password.get_untracked(),
        };
        if request.username.is_empty() || request.password.is_empty() {
            error.set(Some(LoginError::Missing));
            return;
        }
        error.set(None);
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = log_in(&request).await;
            busy.set(false);
            match result {
                Ok(session) => {
                    password.set(String::new());
                    sync.logged_in(session);
                    navigate("/", Default::default());
                }
                Err(err) => error.set(Some(err)),
            }
        });
    };

    view! {
        <section class="page-head">
            <h1>{move || i18n.t(Msg::LoginTitle)}</h1>
            <p class="muted">{move || i18n.t(Msg::LoginIntro)}</p>
        </section>
        {move || sync.profile.get().map(|profile| view! { <CurrentAccount profile/> })}
        <form class="card form" data-testid="login-form" on:submit=submit novalidate>
            <Show when=move || !online.get()>
                <p class="notice" data-testid="login-offline">{move || i18n.t(Msg::LoginOffline)}</p>
            </Show>
            <Show when=move || { sync.profile.with(Option::is_some) && sync.pending.get() > 0 }>
                <p class="notice">{move || i18n.t(Msg::LoginSwitchWarning)}</p>
            </Show>
            <label class="field">
                <span>{move || i18n.t(Msg::LoginUsername)}</span>
                <input type="text" name="username" autocomplete="username" autocapitalize="none"
                    spellcheck="false" data-testid="login-username"
                    prop:value=move || username.get()
                    on:input=move |ev| username.set(event_target_value(&ev))/>
            </label>
            <label class="field">
                <span>{move || i18n.t(Msg::LoginPassword)}</span>
                <input type="password" name="password" autocomplete="current-password"
                    data-testid="login-password"
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))/>
            </label>
            <Show when=move || error.with(Option::is_some)>
                <p class="form-error" role="alert" data-testid="login-error">
                    {move || error.with(|e| e.as_ref().map(|e| e.message(i18n.lang())))}
                </p>
            </Show>
            <button type="submit" class="wide" data-testid="login-submit" disabled=move || busy.get()>
                {move || if busy.get() { i18n.t(Msg::LoginWorking) } else { i18n.t(Msg::LoginSubmit) }}
            </button>
        </form>
    }
}

/// Asks the server, then caches the session; the login counts only once it is stored.
async fn log_in(request: &LoginRequest) -> Result<Session, LoginError> {
    let response = api::login(request).await.map_err(LoginError::Api)?;
    let session = Session {
        profile: response.profile,
        token: Some(response.token),
        bundle_key: response.bundle_key,
    };
    let store = store::shared().await.map_err(LoginError::Store)?;
    store
        .save_session(&session)
        .await
        .map_err(LoginError::Store)?;
    Ok(session)
}

/// Who is logged in, and the way out.
#[component]
fn CurrentAccount(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let role = profile.role;
    let logout = move |_| {
        spawn_local(async move {
            if let Ok(store) = store::shared().await {
                if let Ok(Some(Session {
                    token: Some(token), ..
                })) = store.session().await
                {
                    // Revoke on the server if we can; offline, the token simply expires there.
                    let _ = api::logout(&token).await;
                }
                if let Err(err) = store.clear_session().await {
                    web_sys::console::warn_1(&format!("cunju: logout: {err}").into());
                }
            }
            sync.logged_out();
        });
    };
    view! {
        <section class="card account" data-testid="current-account">
            <p>
                {move || i18n.t(Msg::LoginCurrent)}"："
                <strong data-testid="account-name">{profile.display_name.clone()}</strong>
            </p>
            <p class="muted">
                {move || match i18n.lang() { Lang::Zh => role.label_zh(), Lang::En => role.label_en() }}
                " · "{move || i18n.t(Msg::ScopeLabel)}" "{profile.scope.to_string()}
            </p>
            <Show when=move || { sync.pending.get() > 0 }>
                <p class="notice">{move || i18n.t(Msg::LogoutPendingWarning)}</p>
            </Show>
            <button type="button" class="secondary" data-testid="logout" on:click=logout>
                {move || i18n.t(Msg::Logout)}
            </button>
        </section>
    }
}
