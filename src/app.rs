//! The app shell: context providers (language, online state, sync), the header (name, online
//! state, sync badge, language switch) and every route in one place. A screen lives in `pages/`
//! under the name of its route.

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::components::online::{OnlineIndicator, provide_online};
use crate::components::sync_badge::SyncBadge;
use crate::i18n::{Msg, provide_i18n, use_i18n};
use crate::pages;
use crate::sync::provide_sync;

#[component]
pub fn App() -> impl IntoView {
    provide_i18n();
    provide_online();
    provide_sync();
    view! {
        <Router>
            <Header/>
            <main class="page">
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("/") view=pages::home::Home/>
                    <Route path=path!("/login") view=pages::login::Login/>
                    <Route path=path!("/people") view=pages::people::People/>
                    <Route path=path!("/people/:id") view=pages::person::Person/>
                    <Route path=path!("/units") view=pages::units::Units/>
                    <Route path=path!("/units/import") view=pages::units_import::UnitsImport/>
                    <Route path=path!("/accounts") view=pages::accounts::Accounts/>
                    <Route path=path!("/account/password") view=pages::password::Password/>
                    <Route path=path!("/sync") view=pages::sync::Sync/>
                    <Route path=path!("/sync/transfer") view=pages::transfer::Transfer/>
                    <Route path=path!("/devices") view=pages::devices::Devices/>
                    // ── elections ──
                    <Route path=path!("/elections") view=pages::elections::list::ElectionList/>
                    <Route path=path!("/elections/new") view=pages::elections::new::ElectionNew/>
                    <Route path=path!("/elections/dashboard") view=pages::elections::dashboard::ElectionDashboard/>
                    <Route path=path!("/elections/holidays") view=pages::elections::holidays::ElectionHolidays/>
                    <Route path=path!("/elections/:x") view=pages::elections::detail::ElectionDetail/>
                    <Route path=path!("/elections/:x/notice") view=pages::elections::notice::ElectionNotice/>
                    <Route path=path!("/elections/:x/steps/:code") view=pages::elections::step::ElectionStep/>
                    <Route path=path!("/elections/:x/voters") view=pages::elections_roll::voters::Voters/>
                    <Route path=path!("/elections/:x/candidates") view=pages::elections_roll::candidates::Candidates/>
                    <Route path=path!("/elections/:x/proxies") view=pages::elections_roll::proxies::Proxies/>
                    <Route path=path!("/elections/:x/boxes") view=pages::elections_roll::boxes::Boxes/>
                    <Route path=path!("/elections/:x/tally") view=pages::elections_roll::tally::TallyEntry/>
                    <Route path=path!("/elections/:x/results") view=pages::elections_roll::results::Results/>
                    <Route path=path!("/elections/:x/notices/:kind") view=pages::elections_roll::notices::Notice/>

                    // ── eligibility ──
                    <Route path=path!("/eligibility") view=pages::eligibility::index::EligibilityHome/>
                    <Route path=path!("/eligibility/new") view=pages::eligibility::new::BatchNew/>
                    <Route path=path!("/eligibility/packs") view=pages::eligibility::packs::Packs/>
                    <Route path=path!("/eligibility/batches/:id") view=pages::eligibility::batch::BatchPage/>
                    <Route path=path!("/eligibility/batches/:id/review") view=pages::eligibility::review::Review/>
                    <Route path=path!("/eligibility/batches/:id/result") view=pages::eligibility::result::BatchResult/>
                    <Route path=path!("/eligibility/batches/:id/candidates/:person") view=pages::eligibility::candidate::CandidateCard/>

                    // ── allowances ──
                    <Route path=path!("/allowances") view=pages::allowances::index::AllowancesHome/>
                    <Route path=path!("/allowances/rates") view=pages::allowances::rates::Rates/>
                    <Route path=path!("/allowances/workers/:id") view=pages::allowances::worker::WorkerCard/>
                    <Route path=path!("/allowances/rosters/new") view=pages::allowances::roster_new::RosterNew/>
                    <Route path=path!("/allowances/rosters/:id") view=pages::allowances::roster::RosterPage/>

                    // ── training ──
                    <Route path=path!("/training") view=pages::training::index::TrainingHome/>
                    <Route path=path!("/training/classes/new") view=pages::training::class_new::ClassNew/>
                    <Route path=path!("/training/classes/:id") view=pages::training::class::ClassPage/>
                    <Route path=path!("/training/sessions/:id/attendance") view=pages::training::attendance::Attendance/>
                    <Route path=path!("/training/dashboard") view=pages::training::dashboard::Dashboard/>

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
                <SyncBadge/>
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
