//! The suspensions of a worker's qualification card (暂停发放): the list of recorded annual
//! assessments 不合格/不称职, sanctions and unpaid leave with the months each takes away under
//! the district's rules (or why it takes none), a form to record one, and the cancellation of a
//! wrongly recorded one with its reason. Only the township desk and the district record them
//! (`Action::RecordSuspension`); everyone who reads the card sees the list.

use chrono::{Datelike, NaiveDate};
use cunju_domain::allowance::entitlement::{AssessmentGrade, EntitlementRules, SuspensionRecord};
use cunju_domain::allowance::records::{
    QualificationFact, QualificationFile, qualification_entity,
};
use cunju_domain::event::{EventBody, NewEvent};
use cunju_domain::ids::{EventId, UnitId};
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::data;
use crate::i18n::allowances::AllowanceMsg as AM;
use crate::i18n::{Lang, use_i18n};
use crate::sync::use_sync;

/// Appends one fact about the worker in `unit` on this device.
async fn record_fact(
    profile: &Profile,
    file: &QualificationFile,
    unit: UnitId,
    fact: QualificationFact,
) -> Result<(), String> {
    let draft = NewEvent {
        actor: profile.user.clone(),
        unit,
        entity: qualification_entity(&file.qualification.person),
        body: EventBody::QualificationRecorded(fact),
    };
    data::append(draft)
        .await
        .map(|_| ())
        .map_err(|e| e.message(Lang::Zh))
}

/// The list of suspensions, and (for those who may) the form and the cancel actions. `unit` is
/// where the worker serves (the unit the file's events belong to).
#[component]
pub fn Suspensions(
    profile: Profile,
    file: QualificationFile,
    unit: UnitId,
    rules: EntitlementRules,
    may_record: bool,
    /// The form's outcome, kept by the card: saving re-reads the file and draws this anew.
    message: RwSignal<Option<Result<(), String>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let records = file.qualification.suspension_records.clone();
    let rows = records
        .into_iter()
        .map(|r| {
            view! {
                <SuspensionRow record=r rules=rules.clone() profile=profile.clone()
                    file=file.clone() unit=unit.clone() may_record/>
            }
        })
        .collect_view();
    let empty = file.qualification.suspension_records.is_empty();
    view! {
        <section class="card" data-testid="suspensions">
            <h2>{move || i18n.t(AM::SuspensionsHeading)}</h2>
            <p class="muted">{move || i18n.t(AM::SuspensionsHint)}</p>
            {empty.then(|| view! { <p class="muted" data-testid="suspensions-none">{move || i18n.t(AM::NoSuspensions)}</p> })}
            <ul class="record-list">{rows}</ul>
            {may_record.then(|| view! { <SuspensionForm profile=profile.clone() file=file.clone() unit=unit.clone() message/> })}
        </section>
    }
}

fn kind_msg(r: &SuspensionRecord) -> AM {
    use cunju_domain::allowance::entitlement::SuspensionKind;
    match r.kind() {
        SuspensionKind::AssessmentFailed => AM::SuspensionAssessment,
        SuspensionKind::Sanction => AM::SuspensionSanction,
        SuspensionKind::UnpaidLeave => AM::SuspensionLeave,
    }
}

#[component]
fn SuspensionRow(
    record: SuspensionRecord,
    rules: EntitlementRules,
    profile: Profile,
    file: QualificationFile,
    unit: UnitId,
    may_record: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let confirming = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let kind = kind_msg(&record);
    let cancelled = record.cancelled.is_some();
    let id: EventId = record.id;
    let target = StoredValue::new((profile, file, unit));
    let cancel = move |_| {
        let fact = QualificationFact::SuspensionCancelled {
            record: id,
            reason: reason.get_untracked().trim().to_string(),
        };
        let (profile, file, unit) = target.get_value();
        if let Err(e) = file.check_cancel(id).and_then(|()| fact.validate()) {
            error.set(Some(e.message_zh()));
            return;
        }
        spawn_local(async move {
            match record_fact(&profile, &file, unit, fact).await {
                Ok(()) => {
                    confirming.set(false);
                    error.set(None);
                    sync.after_local_change();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <li class="record-row" data-testid="suspension-row" data-kind=format!("{:?}", record.kind()) data-cancelled=cancelled.to_string()>
            <div class="record-main">
                <strong>{move || i18n.t(kind)}</strong>
                <span>{record.describe_zh()}" · "{move || i18n.t(AM::Reference)}"："{record.reference.clone()}</span>
                <span class="muted" data-testid="suspension-effect">{record.effect_zh(&rules)}</span>
            </div>
            {(may_record && !cancelled).then(|| view! {
                <Show when=move || confirming.get()
                    fallback=move || view! {
                        <button type="button" class="secondary" data-testid="suspension-cancel"
                            on:click=move |_| confirming.set(true)>{move || i18n.t(AM::CancelSuspension)}</button>
                    }>
                    <div class="form">
                        <p class="notice">{move || i18n.t(AM::CancelSuspensionWarning)}</p>
                        <label class="field"><span>{move || i18n.t(AM::Reason)}</span>
                            <input data-testid="suspension-cancel-reason" prop:value=move || reason.get()
                                on:input=move |ev| reason.set(event_target_value(&ev))/></label>
                        <button type="button" class="danger" data-testid="suspension-cancel-confirm" on:click=cancel>
                            {move || i18n.t(AM::CancelSuspensionConfirm)}</button>
                        <button type="button" class="secondary" on:click=move |_| confirming.set(false)>{move || i18n.t(AM::Back)}</button>
                    </div>
                </Show>
            })}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="suspension-cancel-error">{e}</p> })}
        </li>
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Assessment,
    Sanction,
    Leave,
}

#[component]
fn SuspensionForm(
    profile: Profile,
    file: QualificationFile,
    unit: UnitId,
    message: RwSignal<Option<Result<(), String>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let today = data::today();
    let kind = RwSignal::new(Kind::Sanction);
    let year = RwSignal::new((today.year() - 1).to_string());
    let grade = RwSignal::new(AssessmentGrade::Unqualified);
    let date = RwSignal::new(today.to_string());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let reference = RwSignal::new(String::new());
    let build = move || -> Result<QualificationFact, String> {
        let zh = |m: AM| m.text(Lang::Zh).to_string();
        let day = |s: RwSignal<String>| {
            NaiveDate::parse_from_str(s.get_untracked().trim(), "%Y-%m-%d")
                .map_err(|_| zh(AM::BadDate))
        };
        let reference = reference.get_untracked().trim().to_string();
        let fact = match kind.get_untracked() {
            Kind::Assessment => QualificationFact::AssessmentFailed {
                year: year
                    .get_untracked()
                    .trim()
                    .parse()
                    .map_err(|_| zh(AM::BadYear))?,
                grade: grade.get_untracked(),
                decided_on: day(date)?,
                reference,
            },
            Kind::Sanction => QualificationFact::Sanctioned {
                on: day(date)?,
                reference,
            },
            Kind::Leave => QualificationFact::UnpaidLeave {
                from: day(from)?,
                to: day(to)?,
                reference,
            },
        };
        fact.validate().map_err(|e| e.message_zh())?;
        Ok(fact)
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let fact = match build() {
            Ok(f) => f,
            Err(e) => return message.set(Some(Err(e))),
        };
        let (profile, file, unit) = (profile.clone(), file.clone(), unit.clone());
        spawn_local(async move {
            match record_fact(&profile, &file, unit, fact).await {
                Ok(()) => {
                    message.set(Some(Ok(())));
                    reference.set(String::new());
                    sync.after_local_change();
                }
                Err(e) => message.set(Some(Err(e))),
            }
        });
    };
    let shows = move |k: Kind| move || kind.get() == k;
    let field = move |label: AM,
                      testid: &'static str,
                      signal: RwSignal<String>,
                      input_type: &'static str| {
        view! {
            <label class="field"><span>{move || i18n.t(label)}</span>
                <input type=input_type data-testid=testid prop:value=move || signal.get()
                    on:input=move |ev| signal.set(event_target_value(&ev))/></label>
        }
    };
    view! {
        <form class="form" on:submit=save data-testid="suspension-form">
            <h3>{move || i18n.t(AM::RecordSuspension)}</h3>
            <label class="field"><span>{move || i18n.t(AM::FactKind)}</span>
                <select data-testid="suspension-kind" on:change=move |ev| {
                    kind.set(match event_target_value(&ev).as_str() {
                        "assessment" => Kind::Assessment,
                        "leave" => Kind::Leave,
                        _ => Kind::Sanction,
                    });
                    message.set(None);
                }>
                    <option value="sanction" selected=true>{move || i18n.t(AM::SuspensionSanction)}</option>
                    <option value="assessment">{move || i18n.t(AM::SuspensionAssessment)}</option>
                    <option value="leave">{move || i18n.t(AM::SuspensionLeave)}</option>
                </select></label>
            <Show when=shows(Kind::Assessment)>
                {field(AM::AssessmentYear, "suspension-year", year, "text")}
                <label class="field"><span>{move || i18n.t(AM::AssessmentGradeLabel)}</span>
                    <select data-testid="suspension-grade" on:change=move |ev| grade.set(
                        if event_target_value(&ev) == "incompetent" { AssessmentGrade::Incompetent } else { AssessmentGrade::Unqualified })>
                        <option value="unqualified">{AssessmentGrade::Unqualified.label_zh()}</option>
                        <option value="incompetent">{AssessmentGrade::Incompetent.label_zh()}</option>
                    </select></label>
            </Show>
            <Show when=move || kind.get() != Kind::Leave>
                {move || field(if kind.get() == Kind::Assessment { AM::DecidedOn } else { AM::SanctionedOn }, "suspension-date", date, "date")}
            </Show>
            <Show when=shows(Kind::Leave)>
                {field(AM::LeaveFrom, "suspension-from", from, "date")}
                {field(AM::LeaveTo, "suspension-to", to, "date")}
            </Show>
            {field(AM::SuspensionReference, "suspension-reference", reference, "text")}
            <button type="submit" data-testid="suspension-submit">{move || i18n.t(AM::Save)}</button>
            {move || message.get().map(|m| match m {
                Ok(()) => view! { <p class="form-ok" data-testid="suspension-saved">{move || i18n.t(AM::Saved)}</p> }.into_any(),
                Err(e) => view! { <p class="form-error" role="alert" data-testid="suspension-error">{e}</p> }.into_any(),
            })}
        </form>
    }
}
