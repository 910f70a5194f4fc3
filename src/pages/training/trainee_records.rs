//! The class page's 考核与学籍 section: whether the class requires an assessment (and the owner
//! switching it), each trainee's status (在读 / 免训 with the reason) and latest assessment, and
//! for the class's trainer or a district admin the actions — record an assessment (合格/不合格,
//! optional score, date), 免训 or 退学 with a reason after a confirmation, 恢复在读 — and the
//! withdrawn trainees, who may be brought back. Every check is the domain's (`ClassFile`).

use std::sync::Arc;

use chrono::NaiveDate;
use cunju_domain::event::{EventBody, NewEvent};
use cunju_domain::ids::EntityId;
use cunju_domain::sync::Profile;
use cunju_domain::training::events::{
    AssessmentRecorded, ClassFile, ClassRecorded, EnrollmentChanged, parse_score,
};
use cunju_domain::training::{AssessmentRequirement, AssessmentResult, EnrollmentStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::training::TrainingMsg as T;
use crate::i18n::{Lang, use_i18n};
use crate::store;
use crate::sync::{SyncState, use_sync};

/// What the panel under the table is doing, for whom.
#[derive(Clone, PartialEq, Eq)]
enum Panel {
    Closed,
    Assess(EntityId, String),
    Status(EntityId, String, EnrollmentStatus),
}

/// Appends one event about the class on this device.
async fn append(profile: &Profile, file: &ClassFile, body: EventBody) -> Result<(), String> {
    let draft = NewEvent {
        actor: profile.user.clone(),
        unit: profile.scope.clone(),
        entity: file.class.id.clone(),
        body,
    };
    match store::shared().await {
        Ok(s) => s.append(draft).await.map(|_| ()),
        Err(e) => Err(e),
    }
    .map_err(|e| e.message(Lang::Zh))
}

/// Appends `body` in the background. On success runs `then` (e.g. closes the form), confirms in
/// `message` and tells the sync; a failure is shown in `message`.
fn save_in_background(
    sync: SyncState,
    profile: Profile,
    file: Arc<ClassFile>,
    body: EventBody,
    message: RwSignal<Option<Result<(), String>>>,
    then: impl FnOnce() + 'static,
) {
    spawn_local(async move {
        match append(&profile, &file, body).await {
            Ok(()) => {
                then();
                message.set(Some(Ok(())));
                sync.after_local_change();
            }
            Err(e) => message.set(Some(Err(e))),
        }
    });
}

/// The outcome of the last action of the section. It lives with the class page (provided by
/// `ClassView`), not with the section, because a saved record re-reads the class and draws the
/// section anew — the confirmation must survive that.
#[derive(Clone, Copy)]
pub struct RecordsMessage(RwSignal<Option<Result<(), String>>>);

impl RecordsMessage {
    pub fn provide() {
        provide_context(RecordsMessage(RwSignal::new(None)));
    }

    fn get() -> RwSignal<Option<Result<(), String>>> {
        use_context::<RecordsMessage>().map_or_else(|| RwSignal::new(None), |m| m.0)
    }
}

#[component]
pub fn TraineeRecords(file: Arc<ClassFile>, profile: Profile, editable: bool) -> impl IntoView {
    let i18n = use_i18n();
    let panel = RwSignal::new(Panel::Closed);
    let message = RecordsMessage::get();
    let ctx = StoredValue::new((file.clone(), profile.clone()));
    let required = file.class.assessment == AssessmentRequirement::MustPass;
    let rows = file
        .trainees
        .iter()
        .map(|t| {
            let person = t.person.clone();
            let name = t.name.clone();
            let exempt_reason = file.exempted.get(&person).cloned();
            let status = file.status_of(&person);
            let assessment = file.assessments.get(&person).map(|a| {
                let result = match a.result {
                    AssessmentResult::Passed => T::Passed,
                    AssessmentResult::Failed => T::Failed,
                };
                (result, a.score.map(|s| format!(" {s}")).unwrap_or_default(), a.on.to_string())
            });
            let open = move |p: Panel| {
                move |_| {
                    message.set(None);
                    panel.set(p.clone());
                }
            };
            let actions = editable.then(|| {
                let (p1, n1) = (person.clone(), name.clone());
                let (p2, n2) = (person.clone(), name.clone());
                let (p3, n3) = (person.clone(), name.clone());
                let (p4, n4) = (person.clone(), name.clone());
                view! {
                    <div class="row-actions">
                        {(status == EnrollmentStatus::Enrolled).then(|| view! {
                            <button type="button" class="secondary" data-testid="record-assess" on:click=open(Panel::Assess(p1, n1))>{move || i18n.t(T::RecordAssessment)}</button>
                            <button type="button" class="secondary" data-testid="record-exempt" on:click=open(Panel::Status(p2, n2, EnrollmentStatus::Exempted))>{move || i18n.t(T::Exempt)}</button>
                        })}
                        {(status == EnrollmentStatus::Exempted).then(|| view! {
                            <button type="button" class="secondary" data-testid="record-reinstate" on:click=open(Panel::Status(p4, n4, EnrollmentStatus::Enrolled))>{move || i18n.t(T::Reinstate)}</button>
                        })}
                        <button type="button" class="danger" data-testid="record-withdraw" on:click=open(Panel::Status(p3, n3, EnrollmentStatus::Withdrawn))>{move || i18n.t(T::Withdraw)}</button>
                    </div>
                }
            });
            let status_msg = if status == EnrollmentStatus::Exempted { T::StatusExempted } else { T::StatusEnrolled };
            view! {
                <tr data-testid="trainee-record-row" data-person=person.to_string() data-status=format!("{status:?}").to_lowercase()>
                    <td>{name}</td>
                    <td>{move || i18n.t(status_msg)}{exempt_reason.map(|r| format!("（{r}）"))}</td>
                    <td data-testid="trainee-assessment">{match assessment {
                        Some((result, score, on)) => view! { {move || i18n.t(result)}{score}" · "{on} }.into_any(),
                        None => view! { <span class="muted">{move || i18n.t(T::NotAssessed)}</span> }.into_any(),
                    }}</td>
                    <td>{actions}</td>
                </tr>
            }
        })
        .collect_view();
    let withdrawn = file
        .withdrawn
        .iter()
        .map(|(t, reason)| {
            let p = Panel::Status(t.person.clone(), t.name.clone(), EnrollmentStatus::Enrolled);
            view! {
                <li class="record-row" data-testid="withdrawn-row">
                    <span>{t.name.clone()}" · "{t.id_masked.clone()}" · "{reason.clone()}</span>
                    {editable.then(|| view! {
                        <button type="button" class="secondary" data-testid="record-reenrol" on:click=move |_| {
                            message.set(None);
                            panel.set(p.clone());
                        }>{move || i18n.t(T::Reinstate)}</button>
                    })}
                </li>
            }
        })
        .collect_view();
    let has_withdrawn = !file.withdrawn.is_empty();
    view! {
        <section data-testid="trainee-records">
            <h2>{move || i18n.t(T::RecordsHeading)}</h2>
            <p data-testid="class-assessment-flag" data-required=required.to_string()>
                {move || i18n.t(if required { T::AssessmentRequiredNote } else { T::AssessmentNotRequiredNote })}
                {editable.then(|| view! { " " <AssessmentSwitch file=file.clone() profile=profile.clone() message/> })}
            </p>
            <div class="table-scroll"><table class="data-table" data-testid="trainee-records-table">
                <thead><tr>
                    <th>{move || i18n.t(T::Name)}</th><th>{move || i18n.t(T::Status)}</th>
                    <th>{move || i18n.t(T::AssessmentCol)}</th><th></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
            {move || match panel.get() {
                Panel::Closed => ().into_any(),
                Panel::Assess(person, name) => view! { <AssessForm ctx person name panel message/> }.into_any(),
                Panel::Status(person, name, to) => view! { <StatusForm ctx person name to panel message/> }.into_any(),
            }}
            {move || message.get().map(|m| match m {
                Ok(()) => view! { <p class="form-ok" data-testid="records-ok">{move || i18n.t(T::Saved)}</p> }.into_any(),
                Err(e) => view! { <p class="form-error" role="alert" data-testid="records-error">{e}</p> }.into_any(),
            })}
            {has_withdrawn.then(|| view! {
                <h3>{move || i18n.t(T::WithdrawnHeading)}</h3>
                <ul class="record-list" data-testid="withdrawn-list">{withdrawn}</ul>
            })}
        </section>
    }
}

/// 改为须考核 / 不须考核: the class recorded again by its owner with the flag switched.
#[component]
fn AssessmentSwitch(
    file: Arc<ClassFile>,
    profile: Profile,
    message: RwSignal<Option<Result<(), String>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let required = file.class.assessment == AssessmentRequirement::MustPass;
    let switch = move |_| {
        let c = &file.class;
        let body = ClassRecorded {
            owner: file.owner.clone(),
            plan: c.plan.clone(),
            name: c.name.clone(),
            organiser: c.organiser.clone(),
            organiser_code: c.organiser_code.clone(),
            contractor: c.contractor.clone(),
            target_group: c.target_group,
            topics: c.topics.clone(),
            year: c.year,
            seq: c.seq,
            assessment: if required {
                AssessmentRequirement::NotRequired
            } else {
                AssessmentRequirement::MustPass
            },
        };
        let (file, profile) = (file.clone(), profile.clone());
        save_in_background(
            sync,
            profile,
            file,
            EventBody::TrainingClassRecorded(body),
            message,
            || (),
        );
    };
    view! {
        <button type="button" class="secondary" data-testid="toggle-assessment" on:click=switch>
            {move || i18n.t(if required { T::DropAssessment } else { T::RequireAssessment })}</button>
    }
}

#[component]
fn AssessForm(
    ctx: StoredValue<(Arc<ClassFile>, Profile)>,
    person: EntityId,
    name: String,
    panel: RwSignal<Panel>,
    message: RwSignal<Option<Result<(), String>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let result = RwSignal::new(String::new());
    let score = RwSignal::new(String::new());
    let date = RwSignal::new(crate::platform::today().to_string());
    let person = StoredValue::new(person);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (file, profile) = ctx.get_value();
        let person = person.get_value();
        let zh = |m: T| m.text(Lang::Zh).to_string();
        let built = (|| {
            file.check_assessment(&person).map_err(|e| e.message_zh())?;
            let result = match result.get_untracked().as_str() {
                "passed" => AssessmentResult::Passed,
                "failed" => AssessmentResult::Failed,
                _ => return Err(zh(T::ChooseResult)),
            };
            let score = parse_score(&score.get_untracked()).map_err(|e| e.message_zh())?;
            let on = NaiveDate::parse_from_str(date.get_untracked().trim(), "%Y-%m-%d")
                .map_err(|_| zh(T::BadAssessmentDate))?;
            let body = AssessmentRecorded {
                owner: file.owner.clone(),
                person: person.clone(),
                result,
                score,
                on,
            };
            body.validate().map_err(|e| e.message_zh())?;
            Ok(EventBody::AssessmentRecorded(body))
        })();
        let body = match built {
            Ok(b) => b,
            Err(e) => return message.set(Some(Err(e))),
        };
        save_in_background(sync, profile, file, body, message, move || {
            panel.set(Panel::Closed)
        });
    };
    view! {
        <form class="form card" on:submit=save data-testid="assess-form">
            <h3>{move || i18n.t(T::RecordAssessment)}" · "{name}</h3>
            <label class="field"><span>{move || i18n.t(T::AssessmentCol)}</span>
                <select data-testid="assess-result" on:change=move |ev| result.set(event_target_value(&ev))>
                    <option value="">{move || i18n.t(T::ChooseResultOption)}</option>
                    <option value="passed">{move || i18n.t(T::Passed)}</option>
                    <option value="failed">{move || i18n.t(T::Failed)}</option>
                </select></label>
            <label class="field"><span>{move || i18n.t(T::Score)}</span>
                <input data-testid="assess-score" inputmode="numeric" prop:value=move || score.get() on:input=move |ev| score.set(event_target_value(&ev))/></label>
            <label class="field"><span>{move || i18n.t(T::AssessmentDate)}</span>
                <input type="date" data-testid="assess-date" prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev))/></label>
            <button type="submit" data-testid="assess-submit">{move || i18n.t(T::Save)}</button>
            <button type="button" class="secondary" data-testid="panel-close" on:click=move |_| panel.set(Panel::Closed)>{move || i18n.t(T::Cancel)}</button>
        </form>
    }
}

/// 免训 / 退学 / 恢复在读 for one trainee, after a confirmation that says what follows.
#[component]
fn StatusForm(
    ctx: StoredValue<(Arc<ClassFile>, Profile)>,
    person: EntityId,
    name: String,
    to: EnrollmentStatus,
    panel: RwSignal<Panel>,
    message: RwSignal<Option<Result<(), String>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let reason = RwSignal::new(String::new());
    let person = StoredValue::new(person);
    let (title, warning, confirm) = match to {
        EnrollmentStatus::Withdrawn => (T::Withdraw, T::ConfirmWithdraw, T::ConfirmWithdrawButton),
        EnrollmentStatus::Exempted => (T::Exempt, T::ConfirmExempt, T::ConfirmExemptButton),
        EnrollmentStatus::Enrolled => {
            (T::Reinstate, T::ConfirmReinstate, T::ConfirmReinstateButton)
        }
    };
    let save = move |_| {
        let (file, profile) = ctx.get_value();
        let person = person.get_value();
        let body = EnrollmentChanged {
            owner: file.owner.clone(),
            person: person.clone(),
            status: to,
            reason: reason.get_untracked().trim().to_string(),
        };
        if let Err(e) = file
            .check_status_change(&person, to)
            .and_then(|()| body.validate())
        {
            return message.set(Some(Err(e.message_zh())));
        }
        let body = EventBody::EnrollmentChanged(body);
        save_in_background(sync, profile, file, body, message, move || {
            panel.set(Panel::Closed)
        });
    };
    view! {
        <div class="form card" data-testid="status-form">
            <h3>{move || i18n.t(title)}" · "{name}</h3>
            <p class="notice" data-testid="status-warning">{move || i18n.t(warning)}</p>
            <label class="field"><span>{move || i18n.t(T::StatusReason)}</span>
                <input data-testid="status-reason" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/></label>
            <button type="button" class="danger" data-testid="status-confirm" on:click=save>{move || i18n.t(confirm)}</button>
            <button type="button" class="secondary" data-testid="panel-close" on:click=move |_| panel.set(Panel::Closed)>{move || i18n.t(T::Cancel)}</button>
        </div>
    }
}
