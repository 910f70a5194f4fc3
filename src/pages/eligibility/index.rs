//! `/eligibility` — the review batches on this device. A township supervisor or district admin
//! sees each batch's status and which departments have answered (the rest are reminded, 催办);
//! a joint-review department user sees the batches it owes answers on; a village official sees
//! only the verdict codes issued for its candidates.

use std::sync::Arc;

use cunju_domain::authz::{self, Action, Role};
use cunju_domain::eligibility::BatchLedger;
use cunju_domain::ids::EntityId;
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos_router::components::A;

use super::data;
use crate::components::people_index::shared_index;
use crate::components::require_login::RequireLogin;
use crate::i18n::eligibility::EligibilityMsg as E;
use crate::i18n::{Msg, use_i18n};
use crate::store;
use crate::sync::use_sync;

#[component]
pub fn EligibilityHome() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <h1>{move || i18n.t(E::Title)}</h1>
            <p class="muted">{move || i18n.t(E::Intro)}</p>
        </section>
        <RequireLogin render=|profile| view! { <Batches profile/> }.into_any()/>
    }
}

#[component]
fn Batches(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let scope = profile.scope.clone();
    let village = profile.role == Role::VillageOfficial;
    let loaded = LocalResource::new(move || {
        let scope = scope.clone();
        let revision = sync.revision.get();
        async move {
            let store = store::shared().await?;
            let batches = data::batches(&store, &scope).await?;
            // Names of the village's candidates come from its own directory.
            let index = if village {
                Some(shared_index(&store, &scope, revision).await?)
            } else {
                None
            };
            Ok::<_, store::StoreError>((batches, index))
        }
    });
    let may_compile = authz::permits(profile.role, Action::CompileReviewBatch);
    let may_packs = authz::permits(profile.role, Action::ReadRulePack);
    let profile = StoredValue::new(profile);
    view! {
        <p class="toolbar">
            {may_compile.then(|| view! {
                <A href="/eligibility/new" attr:class="button" attr:data-testid="batch-new">{move || i18n.t(E::NewBatch)}</A>
            })}
            {may_packs.then(|| view! {
                <A href="/eligibility/packs" attr:class="button secondary" attr:data-testid="packs-link">{move || i18n.t(E::Packs)}</A>
            })}
        </p>
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || loaded.get().map(|r| match r {
                Err(e) => view! { <p class="form-error" role="alert">{e.message(i18n.lang())}</p> }.into_any(),
                Ok((batches, _)) if batches.is_empty() => {
                    view! { <p class="notice" data-testid="batches-empty">{move || i18n.t(E::NoBatches)}</p> }.into_any()
                }
                Ok((batches, Some(index))) => view! { <VillageCodes batches index/> }.into_any(),
                Ok((batches, None)) => {
                    let profile = profile.get_value();
                    view! {
                        <ul class="record-list" data-testid="batch-list">
                            {batches.into_iter().map(|(id, ledger)| view! { <BatchRow id ledger profile=profile.clone()/> }).collect_view()}
                        </ul>
                    }.into_any()
                }
            })}
        </Suspense>
    }
}

/// One batch: unit, committee, election day, status and the departments still owing answers.
#[component]
fn BatchRow(id: EntityId, ledger: BatchLedger, profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let Some(c) = ledger.compiled.clone() else {
        return ().into_any();
    };
    let unit = ledger.unit.clone().unwrap_or_else(|| profile.scope.clone());
    let unit_name = sync.units.with_untracked(|u| data::unit_name(u, &unit));
    let status = ledger.status();
    let progress = ledger.progress();
    let answered = progress
        .iter()
        .filter(|p| p.answered() && ledger.sign_offs.contains_key(&p.department))
        .count();
    let total = progress.len();
    let reminders: Vec<_> = ledger.reminders();
    let department = profile.department;
    let href = match department {
        Some(_) => format!("/eligibility/batches/{id}/review"),
        None => format!("/eligibility/batches/{id}"),
    };
    // A department user: its own answers only.
    let mine = department.map(|d| {
        let owed = progress
            .iter()
            .find(|p| p.department == d)
            .map(|p| (p.owed, p.missing));
        (
            d,
            owed,
            ledger.unsigned(d),
            ledger.sign_offs.contains_key(&d),
        )
    });
    let status_tag = status.map(data::status_tag).unwrap_or_default();
    view! {
        <li class="record-row" data-testid="batch-row" data-batch=id.to_string() data-unit=unit.to_string() data-status=status_tag>
            <A href=href attr:class="record-link">
                <span class="record-main">{unit_name}" · "{move || data::committee_label(c.committee, i18n.lang())}</span>
                <span class="record-sub">
                    {move || i18n.t(E::ElectionDay)}" "{c.election_day.to_string()}
                    " · "{move || i18n.t(E::Nominees)}" "{c.nominees.len()}
                    " · "<strong data-testid="batch-status">{move || status.map(|s| data::status_label(s, i18n.lang())).unwrap_or_default()}</strong>
                </span>
                {match mine {
                    Some((d, owed, unsigned, signed)) => view! {
                        <span class="record-sub" data-testid="batch-mine">
                            {move || data::department_label(d, i18n.lang())}": "
                            {match owed {
                                Some((owed, missing)) => format!("{}/{}", owed - missing, owed),
                                None => "0/0".into(),
                            }}
                            " · "{move || if signed && unsigned == 0 { i18n.t(E::SignedOff) } else { i18n.t(E::NotSignedOff) }}
                        </span>
                    }.into_any(),
                    None => view! {
                        <span class="record-sub" data-testid="batch-departments">
                            {move || i18n.t(E::DepartmentsAnswered)}" "{answered}"/"{total}
                            {(!reminders.is_empty() && ledger.is_sent()).then(|| {
                                let names = reminders.clone();
                                view! {
                                    " · "{move || i18n.t(E::Reminders)}": "
                                    {move || names.iter().map(|p| format!("{}({})", data::department_label(p.department, i18n.lang()), p.missing)).collect::<Vec<_>>().join("、")}
                                }
                            })}
                        </span>
                    }.into_any(),
                }}
            </A>
        </li>
    }
    .into_any()
}

/// A village device: the verdict codes issued for its candidates, with their names from the
/// village's own directory (it never receives the batch itself).
#[component]
fn VillageCodes(
    batches: Vec<(EntityId, BatchLedger)>,
    index: Arc<crate::components::people_index::PeopleIndex>,
) -> impl IntoView {
    let i18n = use_i18n();
    let rows: Vec<(String, cunju_domain::eligibility::VerdictCode)> = batches
        .iter()
        .flat_map(|(_, l)| l.issued.iter())
        .map(|(person, code)| {
            let name = index
                .by_entity(person)
                .map(|e| e.name.clone())
                .unwrap_or_else(|| person.to_string());
            (name, *code)
        })
        .collect();
    if rows.is_empty() {
        return view! { <p class="notice" data-testid="codes-empty">{move || i18n.t(E::NoCodesYet)}</p> }.into_any();
    }
    view! {
        <h2>{move || i18n.t(E::IssuedCodes)}</h2>
        <ul class="record-list" data-testid="village-codes">
            {rows.into_iter().map(|(name, code)| view! {
                <li class="record-row" data-testid="village-code" data-code=data::verdict_tag(code)>
                    <span class="record-main">{name}</span>
                    <span class="pill">{move || data::verdict_label(code, i18n.lang())}</span>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}
