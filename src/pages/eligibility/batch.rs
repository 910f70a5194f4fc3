//! `/eligibility/batches/:id` — one review batch for the township and the district: send it
//! to the county joint review (报送县级联审), where each department stands (answered and
//! signed off, or reminded: 催办), each nominee's verdict with the reasons that block it, the
//! formal candidate list that follows (NOT_ELIGIBLE removed, the next nominee moves up), and
//! issuing the verdict codes to the village (下发审查结论). Links to the candidates' cards and
//! the printable result.

use std::collections::BTreeMap;
use std::sync::Arc;

use cunju_domain::authz::{self, Action, Role};
use cunju_domain::eligibility::events::{BatchSent, IssuedVerdict, IssuedVerdicts};
use cunju_domain::eligibility::{BasicCheck, BatchLedger, BatchStatus, Verdict};
use cunju_domain::event::EventBody;
use cunju_domain::ids::EntityId;
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::data;
use crate::components::people_index::shared_index;
use crate::components::require_login::RequireLogin;
use crate::i18n::eligibility::EligibilityMsg as E;
use crate::i18n::{Lang, Msg, use_i18n};
use crate::store;
use crate::sync::use_sync;

#[component]
pub fn BatchPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <a href="/eligibility" class="back">{move || i18n.t(E::BackToBatches)}</a>
            <h1>{move || i18n.t(E::BatchTitle)}</h1>
        </section>
        <RequireLogin render=|profile| view! { <BatchLoad profile/> }.into_any()/>
    }
}

/// The batch as this device knows it, with the basic conditions computed from the directory.
pub type Loaded = Option<(EntityId, BatchLedger, BTreeMap<EntityId, BasicCheck>)>;

/// Reads batch `:id` and the nominees' basic conditions (again after every sync).
pub fn load_batch(profile: &Profile) -> LocalResource<Result<Loaded, store::StoreError>> {
    let params = use_params_map();
    let sync = use_sync();
    let scope = profile.scope.clone();
    LocalResource::new(move || {
        let id = params.with(|p| p.get("id").unwrap_or_default());
        let revision = sync.revision.get();
        let scope = scope.clone();
        async move {
            let Ok(id) = id.parse::<EntityId>() else {
                return Ok(None);
            };
            let store = store::shared().await?;
            let Some(ledger) = data::batch(&store, &id).await? else {
                return Ok(None);
            };
            let index = shared_index(&store, &scope, revision).await?;
            let basics = data::basics(&index, &ledger);
            Ok(Some((id, ledger, basics)))
        }
    })
}

#[component]
fn BatchLoad(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let loaded = load_batch(&profile);
    let profile = StoredValue::new(profile);
    view! {
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || loaded.get().map(|r| match r {
                Err(e) => view! { <p class="form-error" role="alert">{e.message(i18n.lang())}</p> }.into_any(),
                Ok(Some((id, ledger, basics))) if ledger.compiled.is_some() => {
                    view! { <BatchView id ledger=Arc::new(ledger) basics profile=profile.get_value()/> }.into_any()
                }
                Ok(_) => view! { <p class="notice" data-testid="batch-missing">{move || i18n.t(E::BatchMissing)}</p> }.into_any(),
            })}
        </Suspense>
    }
}

/// The heading lines of a batch: unit, committee, election day, list day, pack.
#[component]
pub fn BatchHeading(ledger: Arc<BatchLedger>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let Some(c) = ledger.compiled.clone() else {
        return ().into_any();
    };
    let unit = ledger.unit.clone();
    let unit_name = move || {
        unit.as_ref()
            .map(|u| sync.units.with(|all| data::unit_name(all, u)))
            .unwrap_or_default()
    };
    view! {
        <p class="record-main" data-testid="batch-heading">{unit_name}" · "{move || data::committee_label(c.committee, i18n.lang())}</p>
        <p class="muted">
            {move || i18n.t(E::ElectionDay)}" "{c.election_day.to_string()}
            " · "{move || i18n.t(E::FormalListDay)}" "{c.formal_list_day.to_string()}
            " · "{move || i18n.t(E::Seats)}" "{c.seats}" · "{move || i18n.t(E::Margin)}" "{c.margin}
            " · "{move || i18n.t(E::Pack)}" "{format!("{} v{}", c.pack_id, c.pack_version)}
        </p>
    }
    .into_any()
}

#[component]
fn BatchView(
    id: EntityId,
    ledger: Arc<BatchLedger>,
    basics: BTreeMap<EntityId, BasicCheck>,
    profile: Profile,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let status = ledger.status();
    let c = ledger.compiled.clone().expect("checked by the caller");
    let unit = ledger.unit.clone().expect("a compiled batch has a unit");
    let names: BTreeMap<EntityId, String> = c
        .nominees
        .iter()
        .map(|n| (n.person.clone(), n.name.clone()))
        .collect();
    let verdicts: Vec<Verdict> = ledger.verdicts(&basics);
    let sees_reasons = matches!(profile.role, Role::TownshipSupervisor | Role::DistrictAdmin);
    let may_send = !ledger.is_sent() && authz::permits(profile.role, Action::CompileReviewBatch);
    let may_issue = matches!(status, Some(BatchStatus::Closed | BatchStatus::Issued))
        && authz::permits(profile.role, Action::IssueVerdicts);

    // One write: the batch's unit and entity, then re-read everything.
    let write = {
        let (profile, unit, id) = (profile.clone(), unit.clone(), id.clone());
        move |body: EventBody| {
            if saving.get_untracked() {
                return;
            }
            saving.set(true);
            let (profile, unit, id) = (profile.clone(), unit.clone(), id.clone());
            let lang = i18n.lang();
            spawn_local(async move {
                let result = data::append(&profile, &unit, &id, body, lang).await;
                saving.set(false);
                match result {
                    Ok(_) => {
                        error.set(None);
                        // Bumps the store revision: the batch is read again.
                        sync.after_local_change();
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    let send = {
        let write = write.clone();
        move |_| write(EventBody::ReviewBatchSent(BatchSent {}))
    };
    let issue = {
        let write = write.clone();
        let codes: Vec<IssuedVerdict> = verdicts
            .iter()
            .map(|v| IssuedVerdict {
                person: v.person.clone(),
                code: v.code,
            })
            .collect();
        move |_| {
            write(EventBody::VerdictsIssued(IssuedVerdicts {
                verdicts: codes.clone(),
            }))
        }
    };
    let formal = ledger.formal_list(&basics);
    let status_tag = status.map(data::status_tag).unwrap_or_default();

    view! {
        <section class="card" data-testid="batch" data-status=status_tag>
            <BatchHeading ledger=ledger.clone()/>
            <p>
                <strong data-testid="batch-status">{move || status.map(|s| data::status_label(s, i18n.lang())).unwrap_or_default()}</strong>
            </p>
            <p class="toolbar">
                {may_send.then(|| view! {
                    <button type="button" data-testid="batch-send" on:click=send disabled=move || saving.get()>{move || i18n.t(E::Send)}</button>
                })}
                {may_issue.then(|| view! {
                    <button type="button" data-testid="batch-issue" on:click=issue disabled=move || saving.get()>{move || i18n.t(E::Issue)}</button>
                })}
                {profile.department.map(|_| view! {
                    <A href=format!("/eligibility/batches/{id}/review") attr:class="button" attr:data-testid="batch-review-link">{move || i18n.t(E::OpenReview)}</A>
                })}
                {sees_reasons.then(|| view! {
                    <A href=format!("/eligibility/batches/{id}/result") attr:class="button secondary" attr:data-testid="batch-result-link">{move || i18n.t(E::Export)}</A>
                })}
            </p>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="batch-error">{e}</p> })}
            {ledger.issued_on_ms.is_some().then(|| view! { <p class="form-ok" data-testid="batch-issued">{move || i18n.t(E::IssuedNote)}</p> })}
        </section>

        <h2>{move || i18n.t(E::Departments)}</h2>
        <Departments ledger=ledger.clone()/>

        {sees_reasons.then(|| view! {
            <h2>{move || i18n.t(E::Verdicts)}</h2>
            <ul class="record-list" data-testid="verdicts">
                {verdicts.into_iter().map(|v| {
                    let name = names.get(&v.person).cloned().unwrap_or_default();
                    let href = format!("/eligibility/batches/{id}/candidates/{}", v.person);
                    let blocking: Vec<(String, String)> = v.blocking_reasons().map(|r| (r.zh.clone(), r.en.clone())).collect();
                    let code = v.code;
                    view! {
                        <li class="record-row" data-testid="verdict-row" data-person=v.person.to_string() data-code=data::verdict_tag(code)>
                            <A href=href attr:class="record-link">
                                <span class="record-main">{name}" · "<strong data-testid="verdict-code">{move || data::verdict_label(code, i18n.lang())}</strong></span>
                                {blocking.into_iter().map(|(zh, en)| view! {
                                    <span class="record-sub" data-testid="verdict-reason">{move || if i18n.lang() == Lang::Zh { zh.clone() } else { en.clone() }}</span>
                                }).collect_view()}
                            </A>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <h2>{move || i18n.t(E::FormalList)}</h2>
            {match formal.clone() {
                Some(Ok(list)) => view! {
                    <ol data-testid="formal-list">
                        {list.candidates.iter().map(|p| {
                            let moved = list.moved_up.contains(p);
                            view! { <li data-testid="formal-candidate">{names.get(p).cloned().unwrap_or_default()}
                                {moved.then(|| view! { " ("{move || i18n.t(E::MovedUp)}")" })}</li> }
                        }).collect_view()}
                    </ol>
                    {(!list.removed.is_empty()).then(|| view! {
                        <p class="muted" data-testid="formal-removed">{move || i18n.t(E::Removed)}": "
                            {list.removed.iter().map(|p| names.get(p).cloned().unwrap_or_default()).collect::<Vec<_>>().join("、")}</p>
                    })}
                }.into_any(),
                Some(Err(e)) => {
                    let (zh, en) = (e.message_zh(), e.to_string());
                    view! { <p class="notice" data-testid="formal-waiting">{move || if i18n.lang() == Lang::Zh { zh.clone() } else { en.clone() }}</p> }.into_any()
                }
                None => ().into_any(),
            }}
        })}
    }
}

/// Every department the batch needs, with its answers and sign-off; the rest are reminded.
#[component]
pub fn Departments(ledger: Arc<BatchLedger>) -> impl IntoView {
    let i18n = use_i18n();
    let rows: Vec<_> = ledger
        .progress()
        .into_iter()
        .map(|p| {
            let signed = p.answered()
                && ledger.sign_offs.contains_key(&p.department)
                && ledger.unsigned(p.department) == 0;
            (p, signed)
        })
        .collect();
    let sent = ledger.is_sent();
    view! {
        <div class="table-scroll">
            <table class="data-table" data-testid="departments">
                <thead><tr>
                    <th>{move || i18n.t(E::Department)}</th>
                    <th>{move || i18n.t(E::Answered)}</th>
                    <th>{move || i18n.t(E::State)}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|(p, signed)| {
                        let d = p.department;
                        view! {
                            <tr data-testid="department-row" data-department=d.code() data-done=signed.to_string()>
                                <td>{move || data::department_label(d, i18n.lang())}</td>
                                <td>{format!("{}/{}", p.owed - p.missing, p.owed)}</td>
                                <td>{move || if signed { i18n.t(E::SignedOff) } else if sent { i18n.t(E::Remind) } else { i18n.t(E::NotSent) }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
