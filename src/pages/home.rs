//! `/` — the home screen: links to daily work (people, units, accounts, sync, login), the four modules and the
//! state of on-device storage.

use cunju_domain::app_info::Module;
use cunju_domain::authz::{self, Action};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::online::use_online;
use crate::i18n::{Msg, use_i18n};
use crate::store;
use crate::sync::use_sync;

#[component]
pub fn Home() -> impl IntoView {
    let i18n = use_i18n();
    let online = use_online();
    let sync = use_sync();
    // Opening the store here proves on first paint that the device can keep records.
    let permitted = move |action: Action| {
        sync.profile
            .with(|p| p.as_ref().is_some_and(|p| authz::permits(p.role, action)))
    };
    let storage = LocalResource::new(|| async { store::shared().await.map(|_| ()) });

    view! {
        <section class="hero">
            <h1>{move || i18n.t(Msg::AppName)}</h1>
            <p>{move || i18n.t(Msg::AppTagline)}</p>
            <Show when=move || !online.get()>
                <p class="notice" data-testid="offline-hint">{move || i18n.t(Msg::OfflineHint)}</p>
            </Show>
        </section>
        <h2>{move || i18n.t(Msg::HomeWorkHeading)}</h2>
        <ul class="nav-grid" data-testid="work-links">
            <Show when=move || sync.profile.with(Option::is_none)>
                <NavCard href="/login" title=Msg::NavLogin description=Msg::NavLoginDesc testid="nav-login"/>
            </Show>
            <NavCard href="/people" title=Msg::NavPeople description=Msg::NavPeopleDesc testid="nav-people"/>
            <Show when=move || permitted(Action::ReadUnitTree)>
                <NavCard href="/units" title=Msg::NavUnits description=Msg::NavUnitsDesc testid="nav-units"/>
            </Show>
            <Show when=move || permitted(Action::ManageAccounts)>
                <NavCard href="/accounts" title=Msg::NavAccounts description=Msg::NavAccountsDesc testid="nav-accounts"/>
            </Show>
            <Show when=move || permitted(Action::ManageAccounts)>
                <NavCard href="/devices" title=Msg::NavDevices description=Msg::NavDevicesDesc testid="nav-devices"/>
            </Show>
            <Show when=move || sync.profile.with(Option::is_some)>
                <NavCard href="/account/password" title=Msg::NavPassword description=Msg::NavPasswordDesc testid="nav-password"/>
            </Show>
            <NavCard href="/sync" title=Msg::NavSync description=Msg::NavSyncDesc testid="nav-sync"/>
        </ul>
        <h2>{move || i18n.t(Msg::HomeModulesHeading)}</h2>
        <ul class="module-grid" data-testid="modules">
            {Module::ALL.into_iter().map(|module| view! { <ModuleCard module/> }).collect_view()}
        </ul>
        <p class="storage-state" data-testid="storage-state">
            <Suspense fallback=|| "…">
                {move || storage.get().map(|result| match result {
                    Ok(()) => i18n.t(Msg::StorageReady).to_string(),
                    Err(err) => format!("{}：{}", i18n.t(Msg::StorageFailed), err.message(i18n.lang())),
                })}
            </Suspense>
        </p>
    }
}

/// The screen a module opens on, once the module has screens.
fn module_href(module: Module) -> Option<&'static str> {
    match module {
        // ── elections ──
        Module::Elections => Some("/elections"),
        // ── eligibility ──
        Module::Eligibility => Some("/eligibility"),
        // ── allowances ──
        Module::Allowances => Some("/allowances"),
        // ── training ──
        Module::Training => Some("/training"),
    }
}

/// One module: its name, what it is for, and a link to it (or a note that it is not open yet).
#[component]
fn ModuleCard(module: Module) -> impl IntoView {
    let i18n = use_i18n();
    let body = view! {
        <h3>{move || i18n.t(Msg::module_name(module))}</h3>
        <p>{move || i18n.t(Msg::module_description(module))}</p>
    };
    match module_href(module) {
        Some(href) => view! {
            <li class="module-card" data-module=module.slug()>
                <A href=href attr:class="module-link" attr:data-testid=format!("module-{}", module.slug())>{body}</A>
            </li>
        }
        .into_any(),
        None => view! {
            <li class="module-card" data-module=module.slug()>
                {body}
                <p class="module-status">{move || i18n.t(Msg::ModuleNotYetOpen)}</p>
            </li>
        }
        .into_any(),
    }
}

/// A large link to a screen of daily work.
#[component]
fn NavCard(
    href: &'static str,
    title: Msg,
    description: Msg,
    testid: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <li>
            <A href=href attr:class="nav-card" attr:data-testid=testid>
                <strong>{move || i18n.t(title)}</strong>
                <span>{move || i18n.t(description)}</span>
            </A>
        </li>
    }
}
