//! `/elections/new` — open an election for a village or community of the user's scope: election
//! day, the day the election committee is formed (which pins the rule pack), the electoral mode
//! (resident committees only) and the nomination mode. Writes one `ElectionOpened` event.

use chrono::NaiveDate;
use cunju_domain::authz::{self, Action};
use cunju_domain::directory::units::Unit;
use cunju_domain::election::template::{ElectoralMode, NominationMode};
use cunju_domain::election::{ElectionOpened, ElectionType};
use cunju_domain::event::{EventBody, NewEvent, UnitKind};
use cunju_domain::ids::EntityId;
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::{loading_view, mode_msg};
use crate::components::require_login::RequireLogin;
use crate::i18n::elections::ElectionMsg;
use crate::i18n::{Msg, use_i18n};
use crate::pages::units::load_units;
use crate::store;
use crate::sync::use_sync;

#[component]
pub fn ElectionNew() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <A href="/elections" attr:class="back">{move || i18n.t(ElectionMsg::ProcBack)}</A>
            <h1>{move || i18n.t(ElectionMsg::ProcNew)}</h1>
            <p class="muted">{move || i18n.t(ElectionMsg::ProcNewIntro)}</p>
        </section>
        <RequireLogin render=|profile| view! { <NewForm profile/> }.into_any()/>
    }
}

/// What went wrong with the form.
#[derive(Clone)]
enum FormError {
    Msg(ElectionMsg),
    Core(Msg),
    Domain(String),
}

#[component]
fn NewForm(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    if !authz::permits(profile.role, Action::OpenElection) {
        return view! {
            <p class="notice" data-testid="election-new-not-permitted">{move || i18n.t(ElectionMsg::ProcNewNotPermitted)}</p>
        }
        .into_any();
    }
    let scope = profile.scope.clone();
    // The unit tree the sync fetched for this account, else the units recorded on the device.
    let units = LocalResource::new(move || {
        let fetched = sync.units.get();
        let scope = scope.clone();
        async move {
            let all = if fetched.is_empty() {
                let store = store::shared().await?;
                load_units(&store, &scope).await?
            } else {
                fetched
            };
            let units: Vec<Unit> = all
                .into_iter()
                .filter(|u| u.code.is_within(&scope))
                .filter(|u| matches!(u.kind, UnitKind::Village | UnitKind::Community))
                .collect();
            Ok::<_, store::StoreError>(units)
        }
    });
    let unit = RwSignal::new(String::new());
    let election_day = RwSignal::new(String::new());
    let committee_day = RwSignal::new(String::new());
    let mode = RwSignal::new("direct".to_string());
    let nomination = RwSignal::new("candidates".to_string());
    let error = RwSignal::new(None::<FormError>);
    let navigate = use_navigate();

    let is_resident = move || {
        units.get().and_then(|r| r.ok()).is_some_and(|list| {
            list.iter()
                .any(|u| u.code.as_str() == unit.get() && u.kind == UnitKind::Community)
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let list = units
            .get_untracked()
            .and_then(|r| r.ok())
            .unwrap_or_default();
        let Some(chosen) = list
            .iter()
            .find(|u| u.code.as_str() == unit.get_untracked())
            .cloned()
        else {
            error.set(Some(FormError::Core(Msg::ErrRequired)));
            return;
        };
        let parse = |s: String| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok();
        let (Some(e_day), Some(c_day)) = (
            parse(election_day.get_untracked()),
            parse(committee_day.get_untracked()),
        ) else {
            error.set(Some(FormError::Core(Msg::ErrRequired)));
            return;
        };
        let election_type = if chosen.kind == UnitKind::Community {
            ElectionType::Resident
        } else {
            ElectionType::Village
        };
        let mode = match (election_type, mode.get_untracked().as_str()) {
            (ElectionType::Resident, "household") => ElectoralMode::Household,
            (ElectionType::Resident, "group_reps") => ElectoralMode::GroupReps,
            _ => ElectoralMode::Direct,
        };
        let nomination = if nomination.get_untracked() == "self_declared" {
            NominationMode::SelfDeclared
        } else {
            NominationMode::Candidates
        };
        let opened = match ElectionOpened::new(election_type, mode, nomination, e_day, c_day) {
            Ok(o) => o,
            Err(e) => {
                error.set(Some(FormError::Domain(e.message_zh())));
                return;
            }
        };
        let Some(profile) = sync.profile.get_untracked() else {
            error.set(Some(FormError::Core(Msg::NeedLogin)));
            return;
        };
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let result = async {
                let store = store::shared().await?;
                let id = EntityId::new(
                    "election",
                    cunju_domain::ids::EventId::new(
                        crate::platform::now_ms(),
                        crate::platform::random_bytes(),
                    ),
                );
                store
                    .append(NewEvent {
                        actor: profile.user.clone(),
                        unit: chosen.code.clone(),
                        entity: id.clone(),
                        body: EventBody::ElectionOpened(opened),
                    })
                    .await?;
                Ok::<_, store::StoreError>(id)
            }
            .await;
            match result {
                Ok(id) => {
                    sync.after_local_change();
                    let slug = id.as_str().trim_start_matches("election:").to_string();
                    navigate(&format!("/elections/{slug}"), Default::default());
                }
                Err(_) => error.set(Some(FormError::Msg(ElectionMsg::ProcSaveFailed))),
            }
        });
    };
    view! {
        <Suspense fallback=loading_view>
            {move || units.get().map(|result| match result {
                Err(err) => view! { <p class="form-error" role="alert">{err.message(i18n.lang())}</p> }.into_any(),
                Ok(list) if list.is_empty() => view! {
                    <p class="notice" data-testid="election-no-units">{move || i18n.t(ElectionMsg::ProcNoUnits)}</p>
                }.into_any(),
                Ok(list) => view! {
                    <form class="form card" data-testid="election-form" on:submit=submit.clone() novalidate>
                        <label class="field">
                            <span>{move || i18n.t(ElectionMsg::ProcUnit)}</span>
                            <select data-testid="election-unit" prop:value=move || unit.get()
                                on:change=move |ev| unit.set(event_target_value(&ev))>
                                <option value="">"—"</option>
                                {list.into_iter().map(|u| view! {
                                    <option value=u.code.to_string()>{format!("{}（{}）", u.name, u.code)}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <label class="field">
                            <span>{move || i18n.t(ElectionMsg::ProcElectionDay)}</span>
                            <input type="date" data-testid="election-day" prop:value=move || election_day.get()
                                on:input=move |ev| election_day.set(event_target_value(&ev))/>
                        </label>
                        <label class="field">
                            <span>{move || i18n.t(ElectionMsg::ProcCommitteeDay)}</span>
                            <input type="date" data-testid="election-committee-day" prop:value=move || committee_day.get()
                                on:input=move |ev| committee_day.set(event_target_value(&ev))/>
                        </label>
                        <Show when=is_resident>
                            <label class="field">
                                <span>{move || i18n.t(ElectionMsg::ProcMode)}</span>
                                <select data-testid="election-mode" prop:value=move || mode.get()
                                    on:change=move |ev| mode.set(event_target_value(&ev))>
                                    {[("direct", ElectoralMode::Direct), ("household", ElectoralMode::Household), ("group_reps", ElectoralMode::GroupReps)]
                                        .into_iter()
                                        .map(|(v, m)| view! { <option value=v>{move || i18n.t(mode_msg(m))}</option> })
                                        .collect_view()}
                                </select>
                            </label>
                        </Show>
                        <label class="field">
                            <span>{move || i18n.t(ElectionMsg::ProcNomination)}</span>
                            <select data-testid="election-nomination" prop:value=move || nomination.get()
                                on:change=move |ev| nomination.set(event_target_value(&ev))>
                                <option value="candidates">{move || i18n.t(ElectionMsg::ProcNominationCandidates)}</option>
                                <option value="self_declared">{move || i18n.t(ElectionMsg::ProcNominationSelf)}</option>
                            </select>
                        </label>
                        <Show when=move || error.with(Option::is_some)>
                            <p class="form-error" role="alert" data-testid="election-form-error">
                                {move || error.get().map(|e| match e {
                                    FormError::Msg(m) => i18n.t(m).to_string(),
                                    FormError::Core(m) => i18n.t(m).to_string(),
                                    FormError::Domain(text) => text,
                                })}
                            </p>
                        </Show>
                        <button type="submit" class="wide" data-testid="election-submit">{move || i18n.t(ElectionMsg::ProcCreate)}</button>
                    </form>
                }.into_any(),
            })}
        </Suspense>
    }
    .into_any()
}
