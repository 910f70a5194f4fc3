//! `/accounts` — accounts (账号) for district administrators: the accounts within their scope,
//! creating one, disabling or enabling it and resetting its password. Online only: accounts
//! live on the server. Who may do what is the domain's (`authz`); the server checks it again.

use cunju_domain::authz::{
    self, Action, Role, check_display_name, check_password, check_username, may_grant_scope,
};
use cunju_domain::ids::UnitId;
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::units::load_units;
use crate::components::online::use_online;
use crate::components::require_login::RequireLogin;
use crate::i18n::{Lang, Msg, use_i18n};
use crate::store;
use crate::sync::api::{self, Account, AccountChange, ApiError, NewAccount};

/// The role's name in the UI language.
pub fn role_label(role: Role, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => role.label_zh(),
        Lang::En => role.label_en(),
    }
}

/// The token of the cached session, or a clear error.
pub async fn session_token() -> Result<String, ApiError> {
    let store = store::shared()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    match store.session().await {
        Ok(Some(store::Session {
            token: Some(token), ..
        })) => Ok(token),
        _ => Err(ApiError::Unauthorized {
            code: "unauthenticated".into(),
            message: String::new(),
        }),
    }
}

#[component]
pub fn Accounts() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <h1>{move || i18n.t(Msg::AccountsTitle)}</h1>
            <p class="muted">{move || i18n.t(Msg::AccountsIntro)}</p>
        </section>
        <RequireLogin render=|profile| view! { <AccountsOf profile/> }.into_any()/>
    }
}

#[component]
fn AccountsOf(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let online = use_online();
    if !authz::permits(profile.role, Action::ManageAccounts) {
        return view! {
            <p class="notice" data-testid="accounts-not-permitted">{move || i18n.t(Msg::AccountsNotPermitted)}</p>
        }
        .into_any();
    }
    let reload = RwSignal::new(0u32);
    let users = LocalResource::new(move || {
        reload.track();
        let online = online.get();
        async move {
            if !online {
                return Err(ApiError::Network("offline".into()));
            }
            api::users(&session_token().await?).await
        }
    });
    view! {
        <Show when=move || !online.get()>
            <p class="notice" data-testid="accounts-offline">{move || i18n.t(Msg::AccountsOffline)}</p>
        </Show>
        <CreateAccount profile=profile.clone() reload/>
        <h2>{move || i18n.t(Msg::AccountsListHeading)}</h2>
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || users.get().map(|result| match result {
                Err(ApiError::Network(_)) if !online.get() => ().into_any(),
                Err(err) => view! { <p class="form-error" role="alert">{err.message(i18n.lang())}</p> }.into_any(),
                Ok(list) => view! {
                    <ul class="record-list" data-testid="accounts-list">
                        {list.into_iter().map(|account| view! { <AccountRow account reload/> }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </Suspense>
    }
    .into_any()
}

/// A field rule of the domain that the typed value breaks, said in the UI language.
fn field_message(
    result: Result<(), cunju_domain::authz::AccountFieldError>,
    lang: Lang,
) -> Option<String> {
    result.err().map(|e| match lang {
        Lang::Zh => e.message_zh(),
        Lang::En => e.to_string(),
    })
}

#[component]
fn CreateAccount(profile: Profile, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let online = use_online();
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::VillageOfficial);
    let scope = RwSignal::new(profile.scope.to_string());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let admin = StoredValue::new(profile.clone());
    let admin_scope = profile.scope.clone();
    let units = LocalResource::new(move || {
        let scope = admin_scope.clone();
        async move {
            match store::shared().await {
                Ok(store) => load_units(&store, &scope).await.unwrap_or_default(),
                Err(_) => Vec::new(),
            }
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        done.set(None);
        let lang = i18n.lang();
        let name = username.get_untracked().trim().to_string();
        let display = display_name.get_untracked().trim().to_string();
        let pass = password.get_untracked();
        let problem = if !online.get_untracked() {
            Some(Msg::AccountsOffline.text(lang).to_string())
        } else {
            field_message(check_username(&name), lang)
                .or_else(|| field_message(check_display_name(&display), lang))
                .or_else(|| field_message(check_password(&pass), lang))
        };
        let scope_id = scope.get_untracked().trim().parse::<UnitId>().ok();
        let problem = problem.or_else(|| match &scope_id {
            None => Some(Msg::ErrUnitInvalid.text(lang).to_string()),
            Some(id) => may_grant_scope(&admin.get_value(), id)
                .err()
                .map(|e| match lang {
                    Lang::Zh => e.message_zh(),
                    Lang::En => e.to_string(),
                }),
        });
        if let Some(problem) = problem {
            error.set(Some(problem));
            return;
        }
        error.set(None);
        busy.set(true);
        let request = NewAccount {
            username: name,
            display_name: display,
            role: role.get_untracked(),
            scope: scope_id.expect("checked above"),
            password: pass,
        };
        spawn_local(async move {
            let result = match session_token().await {
                Ok(token) => api::create_user(&token, &request).await,
                Err(e) => Err(e),
            };
            busy.set(false);
            match result {
                Ok(account) => {
                    done.set(Some(account.username));
                    username.set(String::new());
                    display_name.set(String::new());
                    password.set(String::new());
                    reload.update(|n| *n += 1);
                }
                Err(err) => error.set(Some(err.message(lang))),
            }
        });
    };

    view! {
        <form class="card form" data-testid="account-create" on:submit=submit novalidate>
            <h2>{move || i18n.t(Msg::AccountsCreateHeading)}</h2>
            <label class="field">
                <span>{move || i18n.t(Msg::LoginUsername)}</span>
                <input type="text" autocapitalize="none" autocomplete="off" spellcheck="false"
                    data-testid="account-username" prop:value=move || username.get()
                    on:input=move |ev| username.set(event_target_value(&ev))/>
            </label>
            <label class="field">
                <span>{move || i18n.t(Msg::AccountsDisplayName)}</span>
                <input type="text" autocomplete="off" data-testid="account-display-name"
                    prop:value=move || display_name.get()
                    on:input=move |ev| display_name.set(event_target_value(&ev))/>
            </label>
            <label class="field">
                <span>{move || i18n.t(Msg::AccountsRole)}</span>
                <select data-testid="account-role"
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        if let Ok(r) = serde_json::from_value::<Role>(value.into()) {
                            role.set(r);
                        }
                    }>
                    {Role::ALL.into_iter().map(|r| {
                        let value = serde_json::to_value(r).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
                        view! {
                            <option value=value selected=move || role.get() == r>
                                {move || role_label(r, i18n.lang())}
                            </option>
                        }
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>{move || i18n.t(Msg::AccountsScope)}</span>
                <input type="text" inputmode="numeric" autocomplete="off" list="account-scope-options"
                    data-testid="account-scope" prop:value=move || scope.get()
                    on:input=move |ev| scope.set(event_target_value(&ev))/>
                <datalist id="account-scope-options">
                    {move || units.get().unwrap_or_default().into_iter().map(|u| view! {
                        <option value=u.code.to_string()>{u.name.clone()}</option>
                    }).collect_view()}
                </datalist>
            </label>
            <label class="field">
                <span>{move || i18n.t(Msg::AccountsInitialPassword)}</span>
                <input type="password" autocomplete="new-password" data-testid="account-password"
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))/>
            </label>
            <Show when=move || error.with(Option::is_some)>
                <p class="form-error" role="alert" data-testid="account-error">{move || error.get()}</p>
            </Show>
            <Show when=move || done.with(Option::is_some)>
                <p class="form-ok" role="status" data-testid="account-created">
                    {move || i18n.t(Msg::AccountsCreated)}" "{move || done.get()}
                </p>
            </Show>
            <button type="submit" class="wide" data-testid="account-submit"
                disabled=move || busy.get() || !online.get()>
                {move || i18n.t(Msg::AccountsCreateSubmit)}
            </button>
        </form>
    }
}

/// One account: who, role and scope, and the actions on it.
#[component]
fn AccountRow(account: Account, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let online = use_online();
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<Msg>);
    let new_password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let username = StoredValue::new(account.username.clone());
    let disabled = account.disabled;
    let role = account.role;

    let toggle = move |_| {
        if busy.get_untracked() {
            return;
        }
        let lang = i18n.lang();
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let change = AccountChange {
                disabled: Some(!disabled),
                ..AccountChange::default()
            };
            let result = match session_token().await {
                Ok(token) => api::change_user(&token, &username.get_value(), &change).await,
                Err(e) => Err(e),
            };
            busy.set(false);
            match result {
                Ok(_) => reload.update(|n| *n += 1),
                Err(err) => error.set(Some(err.message(lang))),
            }
        });
    };
    let reset = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let lang = i18n.lang();
        let password = new_password.get_untracked();
        notice.set(None);
        if let Some(problem) = field_message(check_password(&password), lang) {
            error.set(Some(problem));
            return;
        }
        error.set(None);
        busy.set(true);
        spawn_local(async move {
            let result = match session_token().await {
                Ok(token) => api::reset_password(&token, &username.get_value(), &password).await,
                Err(e) => Err(e),
            };
            busy.set(false);
            match result {
                Ok(()) => {
                    new_password.set(String::new());
                    notice.set(Some(Msg::AccountsPasswordReset));
                }
                Err(err) => error.set(Some(err.message(lang))),
            }
        });
    };
    view! {
        <li class="record-row account-row" data-testid="account-row" data-username=account.username.clone()
            class:disabled=disabled>
            <div class="record-main">
                <strong>{account.display_name.clone()}</strong>
                <span class="muted">{account.username.clone()}</span>
            </div>
            <div class="record-sub muted">
                <span>{move || role_label(role, i18n.lang())}</span>
                <span>{move || i18n.t(Msg::ScopeLabel)}" "{account.scope.to_string()}</span>
                {disabled.then(|| view! {
                    <span class="badge" data-testid="account-disabled">{move || i18n.t(Msg::AccountsDisabled)}</span>
                })}
            </div>
            <div class="row-actions">
                <button type="button" class="secondary" data-testid="account-toggle" on:click=toggle
                    disabled=move || busy.get() || !online.get()>
                    {move || if disabled { i18n.t(Msg::AccountsEnable) } else { i18n.t(Msg::AccountsDisable) }}
                </button>
                <form class="inline-form" on:submit=reset novalidate>
                    <input type="password" autocomplete="new-password" data-testid="account-reset-password"
                        placeholder=move || i18n.t(Msg::AccountsNewPassword)
                        prop:value=move || new_password.get()
                        on:input=move |ev| new_password.set(event_target_value(&ev))/>
                    <button type="submit" class="secondary" data-testid="account-reset"
                        disabled=move || busy.get() || !online.get()>
                        {move || i18n.t(Msg::AccountsReset)}
                    </button>
                </form>
            </div>
            <Show when=move || error.with(Option::is_some)>
                <p class="form-error" role="alert" data-testid="account-row-error">{move || error.get()}</p>
            </Show>
            <Show when=move || notice.with(Option::is_some)>
                <p class="form-ok" role="status" data-testid="account-row-ok">{move || notice.get().map(|m| i18n.t(m))}</p>
            </Show>
        </li>
    }
}
