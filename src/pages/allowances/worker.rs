//! `/allowances/workers/:id` — a worker's qualification card (资格档案): level, certificates,
//! registrations with their validity and the continuing-education hours of each registration
//! period, posts, approval, bank card and adjustments; a form to record each of these facts (an
//! event per fact); the suspensions (暂停发放, `suspensions`); and the month-by-month entitlement
//! trace the domain computes.

use chrono::NaiveDate;
use cunju_domain::allowance::entitlement::{Adjustment, AdjustmentKind, Factor, LeaveReason, Post};
use cunju_domain::allowance::level::Level;
use cunju_domain::allowance::period::YearMonth;
use cunju_domain::allowance::records::{
    DistrictRates, QualificationFact, QualificationFile, RosterBuildError, next_registration,
    parse_hours, qualification_entity,
};
use cunju_domain::allowance::roster::{PaymentMarker, mask_bank_card};
use cunju_domain::authz::{self, Action};
use cunju_domain::directory::person::mask_id_number;
use cunju_domain::event::{EventBody, NewEvent, UnitKind};
use cunju_domain::ids::{EntityId, UnitId};
use cunju_domain::money::Fen;
use cunju_domain::projection::EntityState;
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use serde_json::Value;

use super::data;
use super::suspensions::Suspensions;
use crate::components::require_login::RequireLogin;
use crate::i18n::allowances::AllowanceMsg as AM;
use crate::i18n::{Msg, use_i18n};
use crate::store;
use crate::sync::use_sync;

/// How many months of the trace the card shows (the latest ones).
const TRACE_MONTHS: usize = 24;

#[component]
pub fn WorkerCard() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <a href="/allowances" class="back">{move || i18n.t(AM::BackToAllowances)}</a>
            <h1>{move || i18n.t(AM::WorkerTitle)}</h1>
        </section>
        <RequireLogin render=|profile| view! { <Card profile/> }.into_any()/>
    }
}

#[derive(Clone)]
struct Loaded {
    person: EntityState,
    file: QualificationFile,
    rates: DistrictRates,
}

#[component]
fn Card(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let params = use_params_map();
    let person_id = move || {
        params
            .with(|p| p.get("id"))
            .and_then(|id| id.parse::<EntityId>().ok())
    };
    let scope = profile.scope.clone();
    let loaded = LocalResource::new(move || {
        let _ = sync.revision.get();
        let id = person_id();
        let scope = scope.clone();
        async move {
            let Some(id) = id else { return Ok(None) };
            let store = store::shared().await?;
            let Some(person) = store.entity(&id).await? else {
                return Ok(None);
            };
            let file_state = store.entity(&qualification_entity(&id)).await?;
            let file = data::file_of(file_state.as_ref(), &id);
            let rates = data::district_rates(&store, &scope).await?;
            Ok::<_, store::StoreError>(Some(Loaded {
                person,
                file,
                rates,
            }))
        }
    });
    let may_edit = authz::permits(profile.role, Action::EditQualifications);
    let may_suspend = authz::permits(profile.role, Action::RecordSuspension);
    let suspension_message = RwSignal::new(None::<Result<(), String>>);
    view! {
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || loaded.get().map(|result| match result {
                Err(err) => view! { <p class="form-error" role="alert">{err.message(i18n.lang())}</p> }.into_any(),
                Ok(None) => view! { <p class="notice" data-testid="worker-missing">{move || i18n.t(AM::NotFound)}</p> }.into_any(),
                Ok(Some(l)) => {
                    let form = may_edit.then(|| view! {
                        <FactForm profile=profile.clone() person=l.person.clone() file=l.file.clone() rates=l.rates.clone()/>
                    });
                    let unit = l.file.current_post().map(|t| t.unit.clone()).unwrap_or_else(|| l.person.unit.clone());
                    let rules = l.rates.policy().rules;
                    view! {
                        <Summary person=l.person.clone() file=l.file.clone()/>
                        <Trace file=l.file.clone() rates=l.rates/>
                        <Suspensions profile=profile.clone() file=l.file.clone() unit rules may_record=may_suspend message=suspension_message/>
                        {form}
                        {(!may_edit).then(|| view! { <p class="muted">{move || i18n.t(AM::MayNotEdit)}</p> })}
                    }.into_any()
                }
            })}
        </Suspense>
    }
}

fn text_of(state: &EntityState, field: &str) -> String {
    state
        .doc
        .get(field)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The file as facts: level, certificates, registrations with hours, posts, bank card.
#[component]
fn Summary(person: EntityState, file: QualificationFile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let units = sync.units.get_untracked();
    let q = file.qualification.clone();
    let today = data::today();
    let name = text_of(&person, "name");
    let id_number = mask_id_number(&text_of(&person, "id_number"));
    let level = file.highest_level();
    let dash = || "—".to_string();
    view! {
        <section class="card" data-testid="worker-card">
            <h2 data-testid="worker-name">{name}" "<span class="muted">{id_number}</span></h2>
            <p>{move || i18n.t(AM::CurrentLevel)}"："
                <strong data-testid="worker-level">{level.map_or_else(|| i18n.t(AM::NoLevel).to_string(), |l| l.label_zh().to_string())}</strong></p>
            <p>{move || i18n.t(AM::ApprovedOn)}"："{q.approved_on.map_or_else(|| i18n.t(AM::NotApprovedYet).to_string(), |d| d.to_string())}</p>
            <p>{move || i18n.t(AM::BankCard)}"："
                <span data-testid="worker-bank-card">{file.bank_card.as_deref().map_or_else(|| i18n.t(AM::NoBankCard).to_string(), mask_bank_card)}</span>
                " · "{move || i18n.t(payment_msg(file.payment))}</p>

            <h3>{move || i18n.t(AM::Certificates)}</h3>
            <div class="table-scroll" style="overflow-x:auto;max-width:100%"><table class="data-table" data-testid="worker-certificates">
                <thead><tr><th>{move || i18n.t(AM::Level)}</th><th>{move || i18n.t(AM::CertificateNo)}</th>
                    <th>{move || i18n.t(AM::ObtainedOn)}</th><th>{move || i18n.t(AM::RevokedOn)}</th></tr></thead>
                <tbody>{q.certificates.iter().map(|c| view! {
                    <tr><td>{c.level.label_zh()}</td><td>{c.number.clone()}</td><td>{c.obtained_on.to_string()}</td>
                        <td>{c.revoked_on.map_or_else(dash, |d| d.to_string())}</td></tr>
                }).collect_view()}</tbody>
            </table></div>

            <h3>{move || i18n.t(AM::Registrations)}</h3>
            <div class="table-scroll" style="overflow-x:auto;max-width:100%"><table class="data-table" data-testid="worker-registrations">
                <thead><tr><th>{move || i18n.t(AM::Level)}</th><th>{move || i18n.t(AM::RegistrationNo)}</th>
                    <th>{move || i18n.t(AM::RegisteredOn)}</th><th>{move || i18n.t(AM::ValidFrom)}</th>
                    <th>{move || i18n.t(AM::ValidUntil)}</th><th>{move || i18n.t(AM::CeHours)}</th></tr></thead>
                <tbody>{q.registrations.iter().map(|r| {
                    let have = q.continuing_education_in(r);
                    let need = r.level.continuing_education_required();
                    let short = need.is_some_and(|n| have < n);
                    let lapsed = r.valid_until < today;
                    view! {
                        <tr data-testid="worker-registration-row">
                            <td>{r.level.label_zh()}</td><td>{r.number.clone()}</td><td>{r.registered_on.to_string()}</td>
                            <td>{r.valid_from.to_string()}</td>
                            <td>{r.valid_until.to_string()}{lapsed.then(|| view! { " " <span class="pill">{move || i18n.t(AM::RegistrationLapsed)}</span> })}</td>
                            <td>{have.to_string()}{need.map(|n| format!(" / {n}"))}
                                {short.then(|| view! { " " <span class="pill">{move || i18n.t(AM::CeShort)}</span> })}</td>
                        </tr>
                    }
                }).collect_view()}</tbody>
            </table></div>

            <h3>{move || i18n.t(AM::CeRecords)}</h3>
            <ul class="record-list" data-testid="worker-education">
                {q.continuing_education.iter().map(|c| view! {
                    <li class="record-row">{c.on.to_string()}" · "{c.what.clone()}" · "{c.hours.to_string()}" "{move || i18n.t(AM::Hours)}</li>
                }).collect_view()}
            </ul>

            <h3>{move || i18n.t(AM::Posts)}</h3>
            <ul class="record-list" data-testid="worker-posts">
                {q.posts.iter().map(|t| {
                    let left = t.left.map(|(on, reason)| format!("{on} {}", reason.label_zh()));
                    view! {
                        <li class="record-row">{data::unit_name(&units, &t.unit)}" · "{t.post.label_zh()}" · "
                            {t.appointed_on.to_string()}" — "{left.unwrap_or_else(|| i18n.t(AM::InPost).to_string())}</li>
                    }
                }).collect_view()}
            </ul>

            <h3>{move || i18n.t(AM::Adjustments)}</h3>
            <ul class="record-list" data-testid="worker-adjustments">
                {q.adjustments.iter().map(|a| view! {
                    <li class="record-row">{a.pay_month.to_string()}" · "{a.kind.label_zh()}" "{a.amount.to_string()}" · "{a.reason.clone()}" · "{a.reference.clone()}</li>
                }).collect_view()}
            </ul>
        </section>
    }
}

fn payment_msg(p: PaymentMarker) -> AM {
    match p {
        PaymentMarker::BankTransfer => AM::PaymentBank,
        PaymentMarker::Signature => AM::PaymentSignature,
    }
}

/// The domain's month-by-month history up to this month (the latest `TRACE_MONTHS`).
#[component]
fn Trace(file: QualificationFile, rates: DistrictRates) -> impl IntoView {
    let i18n = use_i18n();
    let policy = rates.policy();
    let history = policy.history(&file.qualification, YearMonth::of(data::today()));
    view! {
        <section class="card">
            <h2>{move || i18n.t(AM::TraceHeading)}</h2>
            <p class="muted">{move || i18n.t(AM::TraceHint)}</p>
            {match history {
                Err(e) => view! { <p class="form-error" role="alert">{RosterBuildError::from(e).message_zh()}</p> }.into_any(),
                Ok(lines) => {
                    let skip = lines.len().saturating_sub(TRACE_MONTHS);
                    view! {
                        <div class="table-scroll" style="overflow-x:auto;max-width:100%"><table class="data-table" data-testid="worker-trace">
                            <thead><tr><th>{move || i18n.t(AM::TraceMonth)}</th><th>{move || i18n.t(AM::Level)}</th>
                                <th>{move || i18n.t(AM::TraceRate)}</th><th>{move || i18n.t(AM::TraceFactor)}</th>
                                <th>{move || i18n.t(AM::TraceAmount)}</th><th>{move || i18n.t(AM::TraceReason)}</th></tr></thead>
                            <tbody>{lines.into_iter().skip(skip).map(|m| {
                                let factor = match m.factor {
                                    Factor::Full => i18n.t(AM::FactorFull).to_string(),
                                    Factor::Zero => i18n.t(AM::FactorZero).to_string(),
                                    Factor::Days { entitled, of } => format!("{entitled}/{of}"),
                                };
                                view! {
                                    <tr data-testid="worker-trace-row" data-month=m.month.to_string()>
                                        <td>{m.month.to_string()}</td><td>{m.level.map_or("—", Level::label_zh)}</td>
                                        <td>{m.rate.to_string()}</td><td>{factor}</td>
                                        <td data-testid="worker-trace-amount">{m.amount.to_string()}</td><td>{m.reason_zh.clone()}</td>
                                    </tr>
                                }
                            }).collect_view()}</tbody>
                        </table></div>
                    }.into_any()
                }
            }}
        </section>
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FactKind {
    Certificate,
    Revoked,
    Registered,
    Education,
    Appointed,
    Left,
    Approved,
    BankCard,
    Adjustment,
}

const FACT_KINDS: [(FactKind, &str, AM); 9] = [
    (FactKind::Certificate, "certificate", AM::FactCertificate),
    (FactKind::Registered, "registered", AM::FactRegistered),
    (FactKind::Education, "education", AM::FactEducation),
    (FactKind::Appointed, "appointed", AM::FactAppointed),
    (FactKind::Approved, "approved", AM::FactApproved),
    (FactKind::BankCard, "bank_card", AM::FactBankCard),
    (FactKind::Adjustment, "adjustment", AM::FactAdjustment),
    (FactKind::Left, "left", AM::FactLeft),
    (FactKind::Revoked, "revoked", AM::FactRevoked),
];

const POSTS: [Post; 5] = [
    Post::SecretaryDirector,
    Post::Deputy,
    Post::CommitteeMember,
    Post::CommunityStaff,
    Post::VillageStaff,
];

const LEAVE_REASONS: [LeaveReason; 5] = [
    LeaveReason::Resigned,
    LeaveReason::Dismissed,
    LeaveReason::ContractEnded,
    LeaveReason::Retired,
    LeaveReason::Died,
];

/// One form for every kind of fact: the fields shown follow the kind chosen.
#[component]
fn FactForm(
    profile: Profile,
    person: EntityState,
    file: QualificationFile,
    rates: DistrictRates,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let kind = RwSignal::new(FactKind::Certificate);
    let level = RwSignal::new(Level::SwIntermediate.code().to_string());
    let number = RwSignal::new(String::new());
    let date = RwSignal::new(data::today().to_string());
    let hours = RwSignal::new(String::new());
    let what = RwSignal::new(String::new());
    let unit = RwSignal::new(person.unit.to_string());
    let post = RwSignal::new(0usize);
    let leave = RwSignal::new(0usize);
    let month = RwSignal::new(YearMonth::of(data::today()).to_string());
    let adj_kind = RwSignal::new("back_pay".to_string());
    let amount = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let reference = RwSignal::new(String::new());
    let card = RwSignal::new(String::new());
    let signature = RwSignal::new(false);
    let message = RwSignal::new(None::<Result<(), String>>);
    let units: Vec<(UnitId, String)> = sync
        .units
        .get_untracked()
        .into_iter()
        .filter(|u| matches!(u.kind, UnitKind::Village | UnitKind::Community))
        .map(|u| (u.code, u.name))
        .collect();
    let person_id = file.qualification.person.clone();
    let years = rates.policy().rules.registration_validity_years;

    let build = move || -> Result<(QualificationFact, UnitId), String> {
        let zh = |m: AM| m.text(crate::i18n::Lang::Zh).to_string();
        let day = || {
            NaiveDate::parse_from_str(date.get_untracked().trim(), "%Y-%m-%d")
                .map_err(|_| zh(AM::BadDate))
        };
        let level = Level::ALL
            .into_iter()
            .find(|l| l.code() == level.get_untracked())
            .unwrap_or(Level::SwIntermediate);
        let q = &file.qualification;
        let fact = match kind.get_untracked() {
            FactKind::Certificate => QualificationFact::Certificate {
                level,
                number: number.get_untracked().trim().to_string(),
                obtained_on: day()?,
            },
            FactKind::Revoked => QualificationFact::CertificateRevoked { level, on: day()? },
            FactKind::Registered => QualificationFact::Registered {
                registration: next_registration(q, level, &number.get_untracked(), day()?, years),
            },
            FactKind::Education => QualificationFact::ContinuingEducation {
                on: day()?,
                hours: parse_hours(&hours.get_untracked()).map_err(|_| zh(AM::BadHours))?,
                what: what.get_untracked().trim().to_string(),
            },
            FactKind::Appointed => QualificationFact::Appointed {
                unit: unit
                    .get_untracked()
                    .parse()
                    .map_err(|_| zh(AM::NoUnitForFact))?,
                post: POSTS[post.get_untracked()],
                on: day()?,
            },
            FactKind::Left => QualificationFact::Left {
                on: day()?,
                reason: LEAVE_REASONS[leave.get_untracked()],
            },
            FactKind::Approved => QualificationFact::Approved { on: day()? },
            FactKind::BankCard => {
                let text = card.get_untracked().trim().to_string();
                QualificationFact::BankCard {
                    card: (!text.is_empty()).then_some(text),
                    payment: if signature.get_untracked() {
                        PaymentMarker::Signature
                    } else {
                        PaymentMarker::BankTransfer
                    },
                }
            }
            FactKind::Adjustment => QualificationFact::Adjustment {
                adjustment: Adjustment {
                    pay_month: month
                        .get_untracked()
                        .parse()
                        .map_err(|_| zh(AM::BadMonth))?,
                    kind: if adj_kind.get_untracked() == "recovery" {
                        AdjustmentKind::Recovery
                    } else {
                        AdjustmentKind::BackPay
                    },
                    amount: amount
                        .get_untracked()
                        .parse::<Fen>()
                        .map_err(|_| zh(AM::BadAmount))?,
                    reason: reason.get_untracked().trim().to_string(),
                    reference: reference.get_untracked().trim().to_string(),
                },
            },
        };
        fact.validate().map_err(|e| e.message_zh())?;
        // The file lives in the unit the worker serves in (an appointment: the new unit).
        let unit = match &fact {
            QualificationFact::Appointed { unit, .. } => unit.clone(),
            _ => file
                .current_post()
                .map(|t| t.unit.clone())
                .unwrap_or_else(|| person.unit.clone()),
        };
        Ok((fact, unit))
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (fact, unit) = match build() {
            Ok(ok) => ok,
            Err(e) => {
                message.set(Some(Err(e)));
                return;
            }
        };
        let draft = NewEvent {
            actor: profile.user.clone(),
            unit,
            entity: qualification_entity(&person_id),
            body: EventBody::QualificationRecorded(fact),
        };
        spawn_local(async move {
            match data::append(draft).await {
                Ok(_) => {
                    message.set(Some(Ok(())));
                    number.set(String::new());
                    sync.after_local_change();
                }
                Err(e) => message.set(Some(Err(e.message(i18n.lang())))),
            }
        });
    };
    let shows = move |kinds: &'static [FactKind]| move || kinds.contains(&kind.get());
    let field = move |label: AM,
                      testid: &'static str,
                      signal: RwSignal<String>,
                      input_type: &'static str| {
        view! {
            <label class="field"><span>{move || i18n.t(label)}</span>
                <input type=input_type data-testid=testid prop:value=move || signal.get() on:input=move |ev| signal.set(event_target_value(&ev))/></label>
        }
    };
    view! {
        <form class="form card" on:submit=save data-testid="fact-form">
            <h2>{move || i18n.t(AM::RecordHeading)}</h2>
            <label class="field"><span>{move || i18n.t(AM::FactKind)}</span>
                <select data-testid="fact-kind" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some((k, _, _)) = FACT_KINDS.iter().find(|(_, code, _)| *code == v) { kind.set(*k); }
                    message.set(None);
                }>
                    {FACT_KINDS.iter().map(|(_, code, m)| { let m = *m; view! { <option value=*code>{move || i18n.t(m)}</option> } }).collect_view()}
                </select></label>
            <Show when=shows(&[FactKind::Certificate, FactKind::Revoked, FactKind::Registered])>
                <label class="field"><span>{move || i18n.t(AM::Level)}</span>
                    <select data-testid="fact-level" on:change=move |ev| level.set(event_target_value(&ev))>
                        {Level::ALL.into_iter().rev().map(|l| view! {
                            <option value=l.code() selected=l == Level::SwIntermediate>{l.label_zh()}</option>
                        }).collect_view()}
                    </select></label>
            </Show>
            <Show when=shows(&[FactKind::Certificate, FactKind::Registered])>{field(AM::Number, "fact-number", number, "text")}</Show>
            <Show when=shows(&[FactKind::Certificate, FactKind::Revoked, FactKind::Registered, FactKind::Education, FactKind::Appointed, FactKind::Left, FactKind::Approved])>{field(AM::Date, "fact-date", date, "date")}</Show>
            <Show when=shows(&[FactKind::Education])>
                {field(AM::Hours, "fact-hours", hours, "text")}
                {field(AM::What, "fact-what", what, "text")}
            </Show>
            <Show when=shows(&[FactKind::Appointed])>
                <label class="field"><span>{move || i18n.t(AM::Unit)}</span>
                    <select data-testid="fact-unit" on:change=move |ev| unit.set(event_target_value(&ev))>
                        {units.iter().map(|(code, name)| view! {
                            <option value=code.to_string() selected=code.to_string() == unit.get_untracked()>{name.clone()}</option>
                        }).collect_view()}
                    </select></label>
                <label class="field"><span>{move || i18n.t(AM::Post)}</span>
                    <select data-testid="fact-post" on:change=move |ev| post.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {POSTS.iter().enumerate().map(|(i, p)| view! { <option value=i.to_string()>{p.label_zh()}</option> }).collect_view()}
                    </select></label>
            </Show>
            <Show when=shows(&[FactKind::Left])>
                <label class="field"><span>{move || i18n.t(AM::LeaveReason)}</span>
                    <select data-testid="fact-leave-reason" on:change=move |ev| leave.set(event_target_value(&ev).parse().unwrap_or(0))>
                        {LEAVE_REASONS.iter().enumerate().map(|(i, r)| view! { <option value=i.to_string()>{r.label_zh()}</option> }).collect_view()}
                    </select></label>
            </Show>
            <Show when=shows(&[FactKind::BankCard])>
                {field(AM::BankCard, "fact-card", card, "text")}
                <label class="check"><input type="checkbox" data-testid="fact-signature"
                    on:change=move |ev| signature.set(event_target_checked(&ev))/>{move || i18n.t(AM::PaymentSignature)}</label>
            </Show>
            <Show when=shows(&[FactKind::Adjustment])>
                {field(AM::PayMonth, "fact-month", month, "month")}
                <label class="field"><span>{move || i18n.t(AM::AdjustmentKind)}</span>
                    <select data-testid="fact-adjustment-kind" on:change=move |ev| adj_kind.set(event_target_value(&ev))>
                        <option value="back_pay">{AdjustmentKind::BackPay.label_zh()}</option>
                        <option value="recovery">{AdjustmentKind::Recovery.label_zh()}</option>
                    </select></label>
                {field(AM::Amount, "fact-amount", amount, "text")}
                {field(AM::Reason, "fact-reason", reason, "text")}
                {field(AM::Reference, "fact-reference", reference, "text")}
            </Show>
            <button type="submit" data-testid="fact-submit">{move || i18n.t(AM::Save)}</button>
            {move || message.get().map(|m| match m {
                Ok(()) => view! { <p class="form-ok" data-testid="fact-saved">{move || i18n.t(AM::Saved)}</p> }.into_any(),
                Err(e) => view! { <p class="form-error" role="alert" data-testid="fact-error">{e}</p> }.into_any(),
            })}
        </form>
    }
}
