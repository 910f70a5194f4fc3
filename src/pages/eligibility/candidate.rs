//! `/eligibility/batches/:id/candidates/:person` — one candidate's eligibility card: the basic
//! conditions the app computes (age on election day from the ID number, registered in this
//! unit, not on the election committee), each rule's status, the verdict with its reasons, the
//! township party committee's decisions on WARN hits (乡镇党委研究决定, with a reason) and, on a
//! district admin's device only, the HIT details. The ID number is always masked.

use std::collections::BTreeMap;

use cunju_domain::authz::{self, Action, Role};
use cunju_domain::directory::person::{IdNumber, age_on, mask_id_number};
use cunju_domain::eligibility::{
    BasicCheck, BatchLedger, DecisionOutcome, Reason, ReasonStatus, RuleId, RuleKind, WarnDecision,
};
use cunju_domain::event::EventBody;
use cunju_domain::ids::EntityId;
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

use super::data;
use crate::components::people_index::{PersonEntry, shared_index};
use crate::components::require_login::RequireLogin;
use crate::i18n::eligibility::EligibilityMsg as E;
use crate::i18n::{Lang, Msg, use_i18n};
use crate::store;
use crate::sync::use_sync;

#[component]
pub fn CandidateCard() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let back = move || {
        format!(
            "/eligibility/batches/{}",
            params.with(|p| p.get("id").unwrap_or_default())
        )
    };
    view! {
        <section class="page-head">
            <a href=back class="back">{move || i18n.t(E::BackToBatch)}</a>
            <h1>{move || i18n.t(E::CardTitle)}</h1>
        </section>
        <RequireLogin render=|profile| view! { <CardLoad profile/> }.into_any()/>
    }
}

#[derive(Clone)]
struct Card {
    batch: EntityId,
    person: EntityId,
    ledger: BatchLedger,
    basics: BTreeMap<EntityId, BasicCheck>,
    entry: Option<PersonEntry>,
}

#[component]
fn CardLoad(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let sync = use_sync();
    let scope = profile.scope.clone();
    let loaded = LocalResource::new(move || {
        let (id, person) = params.with(|p| {
            (
                p.get("id").unwrap_or_default(),
                p.get("person").unwrap_or_default(),
            )
        });
        let revision = sync.revision.get();
        let scope = scope.clone();
        async move {
            let (Ok(batch), Ok(person)) = (id.parse::<EntityId>(), person.parse::<EntityId>())
            else {
                return Ok(None);
            };
            let store = store::shared().await?;
            let Some(ledger) = data::batch(&store, &batch).await? else {
                return Ok(None);
            };
            let index = shared_index(&store, &scope, revision).await?;
            let basics = data::basics(&index, &ledger);
            let entry = index.by_entity(&person).cloned();
            Ok::<_, store::StoreError>(Some(Card {
                batch,
                person,
                ledger,
                basics,
                entry,
            }))
        }
    });
    let profile = StoredValue::new(profile);
    view! {
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || loaded.get().map(|r| match r {
                Err(e) => view! { <p class="form-error" role="alert">{e.message(i18n.lang())}</p> }.into_any(),
                Ok(Some(card)) => view! { <CardView card profile=profile.get_value()/> }.into_any(),
                Ok(None) => view! { <p class="notice" data-testid="batch-missing">{move || i18n.t(E::BatchMissing)}</p> }.into_any(),
            })}
        </Suspense>
    }
}

fn reason_status_tag(s: ReasonStatus) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[component]
fn CardView(card: Card, profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let Card {
        batch,
        person,
        ledger,
        basics,
        entry,
    } = card;
    // A village device: the issued code, nothing else.
    let Some(c) = ledger.compiled.clone() else {
        let code = ledger.issued.get(&person).copied();
        let name = entry.as_ref().map(|e| e.name.clone()).unwrap_or_default();
        return view! {
            <section class="card" data-testid="card">
                <p class="record-main">{name}</p>
                {match code {
                    Some(code) => view! { <p data-testid="card-code" data-code=data::verdict_tag(code)>{move || data::verdict_label(code, i18n.lang())}</p> }.into_any(),
                    None => view! { <p class="notice">{move || i18n.t(E::NoCodesYet)}</p> }.into_any(),
                }}
            </section>
        }
        .into_any();
    };
    let Some(nominee) = c.nominees.iter().find(|n| n.person == person).cloned() else {
        return view! { <p class="notice" data-testid="card-missing">{move || i18n.t(E::NotInBatch)}</p> }.into_any();
    };
    let verdict = ledger
        .verdicts(&basics)
        .into_iter()
        .find(|v| v.person == person);
    let sees_reasons = matches!(profile.role, Role::TownshipSupervisor | Role::DistrictAdmin);
    let masked = entry
        .as_ref()
        .map(|e| mask_id_number(&e.id_number))
        .unwrap_or_default();
    let age = entry
        .as_ref()
        .and_then(|e| IdNumber::parse(&e.id_number, c.election_day).ok())
        .map(|id| age_on(id.birth_date(), c.election_day));
    let basic = basics.get(&person).cloned();
    // HIT details reach only a district admin's device (and the department's own).
    let hits: Vec<(String, String, String)> = ledger
        .answers
        .keys()
        .flat_map(|&d| {
            c.rules
                .iter()
                .filter_map(|r| {
                    ledger
                        .given(d, &person, &r.id)
                        .map(|g| (d, r.id.clone(), g))
                })
                .filter(|(_, _, g)| g.result == cunju_domain::eligibility::RuleResult::Hit)
                .map(|(d, rule, g)| {
                    (
                        d.label_zh().to_string(),
                        rule.to_string(),
                        format!(
                            "{} {}",
                            g.record_date.map(|d| d.to_string()).unwrap_or_default(),
                            g.note.unwrap_or_default()
                        ),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let decisions: Vec<WarnDecision> = ledger
        .decisions
        .iter()
        .filter(|d| d.person == person)
        .cloned()
        .collect();
    let may_decide = authz::permits(profile.role, Action::DecideWarn);
    let unit = ledger.unit.clone().expect("a compiled batch has a unit");

    view! {
        <section class="card" data-testid="card" data-person=person.to_string()>
            <p class="record-main" data-testid="card-name">{nominee.name.clone()}</p>
            <p class="muted"><span data-testid="card-id">{masked}</span>
                {age.map(|a| view! { " · "{move || i18n.t(E::AgeOnElectionDay)}" "<span data-testid="card-age">{a}</span> })}</p>
            {verdict.clone().map(|v| {
                let code = v.code;
                view! { <p><strong data-testid="card-code" data-code=data::verdict_tag(code)>{move || data::verdict_label(code, i18n.lang())}</strong></p> }
            })}
        </section>

        <h2>{move || i18n.t(E::BasicConditions)}</h2>
        <ul class="record-list" data-testid="card-basics">
            {["B01", "B03", "B06"].into_iter().map(|rule| {
                let result = basic.as_ref().and_then(|b| b.result(&RuleId::new(rule)));
                let label = c.rules.iter().find(|r| r.id == rule).map(|r| r.zh.clone()).unwrap_or_default();
                view! {
                    <li class="record-row" data-testid="card-basic" data-rule=rule>
                        <span class="record-main">{rule}" "{label}</span>
                        <span class="pill">{move || match result {
                            Some(r) => data::result_label(r, i18n.lang()),
                            None => i18n.t(E::NoDirectoryRecord),
                        }}</span>
                    </li>
                }
            }).collect_view()}
            {basic.as_ref().filter(|b| !b.actions.is_empty()).map(|_| view! {
                <li class="notice" data-testid="card-leave-vec">{move || i18n.t(E::LeaveVec)}</li>
            })}
        </ul>

        {(sees_reasons && verdict.is_some()).then(|| {
            let reasons = verdict.clone().map(|v| v.reasons).unwrap_or_default();
            view! {
                <h2>{move || i18n.t(E::Reasons)}</h2>
                <ul class="record-list" data-testid="card-reasons">
                    {reasons.into_iter().map(|r| view! { <ReasonRow r/> }).collect_view()}
                </ul>
            }
        })}

        {(!hits.is_empty()).then(|| view! {
            <h2>{move || i18n.t(E::HitDetails)}</h2>
            <ul class="record-list" data-testid="card-hits">
                {hits.into_iter().map(|(d, rule, detail)| view! {
                    <li class="record-row" data-testid="card-hit"><span class="record-main">{rule}" · "{d}</span><span class="record-sub">{detail}</span></li>
                }).collect_view()}
            </ul>
        })}

        {(sees_reasons && (!decisions.is_empty() || may_decide)).then(|| {
            let warn_rules: Vec<(RuleId, String)> = verdict.clone().map(|v| v.reasons).unwrap_or_default().into_iter()
                .filter(|r| r.kind == RuleKind::Warn && matches!(r.status, ReasonStatus::NeedsDecision | ReasonStatus::KeptByDecision | ReasonStatus::RemovedByDecision))
                .map(|r| (r.rule.clone(), r.zh.clone()))
                .collect();
            view! {
                <h2>{move || i18n.t(E::Decisions)}</h2>
                <ul class="record-list" data-testid="card-decisions">
                    {decisions.into_iter().map(|d| {
                        let keep = d.outcome == DecisionOutcome::Keep;
                        view! {
                            <li class="record-row" data-testid="card-decision">
                                <span class="record-main">{d.rule.to_string()}" · "{move || if keep { i18n.t(E::Keep) } else { i18n.t(E::RemoveCandidate) }}</span>
                                <span class="record-sub">{d.decided_on.to_string()}" · "{d.reason.clone()}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {(may_decide && !warn_rules.is_empty()).then(|| view! {
                    <DecisionForm batch=batch.clone() unit=unit.clone() person=person.clone() rules=warn_rules profile=profile.clone()
                        list_day=c.formal_list_day/>
                })}
            }
        })}
    }
    .into_any()
}

#[component]
fn ReasonRow(r: Reason) -> impl IntoView {
    let i18n = use_i18n();
    let tag = reason_status_tag(r.status);
    let blocking = !matches!(
        r.status,
        ReasonStatus::Clear
            | ReasonStatus::NotApplicable
            | ReasonStatus::ClearOutsideLookback
            | ReasonStatus::KeptByDecision
    );
    let kind = r.kind;
    let (zh, en) = (r.zh.clone(), r.en.clone());
    view! {
        <li class="record-row" class:breach-row=blocking data-testid="card-reason" data-rule=r.rule.to_string() data-status=tag>
            <span class="record-main">{move || if i18n.lang() == Lang::Zh { zh.clone() } else { en.clone() }}</span>
            <span class="record-sub">{move || data::kind_label(kind, i18n.lang())}</span>
        </li>
    }
}

/// 乡镇党委研究决定 on one WARN hit: keep or remove, with the reason (required).
#[component]
fn DecisionForm(
    batch: EntityId,
    unit: cunju_domain::ids::UnitId,
    person: EntityId,
    rules: Vec<(RuleId, String)>,
    profile: Profile,
    list_day: chrono::NaiveDate,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let rule_pick = RwSignal::new(0usize);
    let keep = RwSignal::new(true);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let late = data::today() > list_day;
    let rules_for_save = rules.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let lang = i18n.lang();
        let text = reason.get_untracked().trim().to_string();
        if text.is_empty() {
            error.set(Some(E::ReasonRequired.text(lang).into()));
            return;
        }
        let Some((rule, _)) = rules_for_save.get(rule_pick.get_untracked()).cloned() else {
            return;
        };
        let decision = WarnDecision {
            rule,
            person: person.clone(),
            outcome: if keep.get_untracked() {
                DecisionOutcome::Keep
            } else {
                DecisionOutcome::Remove
            },
            reason: text,
            decided_on: data::today(),
            decided_by: profile.user.clone(),
        };
        let (profile, unit, batch) = (profile.clone(), unit.clone(), batch.clone());
        saving.set(true);
        spawn_local(async move {
            let result = data::append(
                &profile,
                &unit,
                &batch,
                EventBody::WarnDecided(decision),
                lang,
            )
            .await;
            saving.set(false);
            match result {
                Ok(_) => {
                    error.set(None);
                    reason.set(String::new());
                    sync.after_local_change();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="form" on:submit=save data-testid="decision-form">
            {late.then(|| view! { <p class="notice">{move || i18n.t(E::DecisionLate)}</p> })}
            <label class="field"><span>{move || i18n.t(E::Rule)}</span>
                <select data-testid="decision-rule" on:change=move |ev| rule_pick.set(event_target_value(&ev).parse().unwrap_or(0))>
                    {rules.iter().enumerate().map(|(i, (_, zh))| view! { <option value=i.to_string()>{zh.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label class="field"><span>{move || i18n.t(E::Outcome)}</span>
                <select data-testid="decision-outcome" on:change=move |ev| keep.set(event_target_value(&ev) == "keep")>
                    <option value="keep">{move || i18n.t(E::Keep)}</option>
                    <option value="remove">{move || i18n.t(E::RemoveCandidate)}</option>
                </select>
            </label>
            <label class="field"><span>{move || i18n.t(E::DecisionReason)}</span>
                <textarea data-testid="decision-reason" prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))></textarea></label>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="decision-error">{e}</p> })}
            <button type="submit" data-testid="decision-save" disabled=move || saving.get()>{move || i18n.t(E::RecordDecision)}</button>
        </form>
    }
}
