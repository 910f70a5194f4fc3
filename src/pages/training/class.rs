//! `/training/classes/:id` — one class: its sessions (and a form to add one), enrolment by
//! picking people or importing a roster file (姓名,身份证号码; UTF-8 or GBK; every bad row listed,
//! nothing enrolled from a bad file), the completion list with credited 学时, certificates
//! (issued by the domain's numbering, printable) and CSV and `.xlsx` exports.

use std::sync::Arc;

use cunju_domain::authz::{self, Action, Role};
use cunju_domain::directory::units::RowError;
use cunju_domain::event::{EntityKind, EventBody, NewEvent};
use cunju_domain::export::Workbook;
use cunju_domain::ids::EntityId;
use cunju_domain::sync::Profile;
use cunju_domain::training::events::{
    CertificatesIssued, ClassFile, SessionScheduled, Trainee, TraineesEnrolled,
};
use cunju_domain::training::report::{
    Tally, attendance_sheet, completion_list, outcome_zh, slot_zh,
};
use cunju_domain::training::roster::{
    KnownPerson, SheetCell, plan_roster_import, plan_roster_sheet,
};
use cunju_domain::training::{Completion, Slot, StudyHours, Venue};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use wasm_bindgen::JsCast;

use super::class_new::group_msg;
use super::data;
use super::trainee_records::TraineeRecords;
use crate::components::export_worker::{self, ExcelButton, ExportFailure};
use crate::components::file_io::{decode_text, download_text, read_chosen_file};
use crate::components::people_index::{PeopleIndex, SearchOutcome, shared_index};
use crate::components::require_login::RequireLogin;
use crate::i18n::training::{TrainingMsg as T, certificate_text, class_term};
use crate::i18n::{Msg, use_i18n};
use crate::store;
use crate::sync::use_sync;

#[component]
pub fn ClassPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <a href="/training" class="back">{move || i18n.t(T::BackToTraining)}</a>
        </section>
        <RequireLogin render=|profile| view! { <ClassView profile/> }.into_any()/>
    }
}

/// May this user change the class (trainer: only their own; district admin: any in scope)?
pub fn may_change(profile: &Profile, file: &ClassFile) -> bool {
    authz::permits(profile.role, Action::ManageTraining)
        && (profile.role != Role::Trainer || file.owner == profile.user)
}

/// Offers a workbook's first sheet as a CSV download.
pub fn download_csv(filename: &str, book: &Workbook) {
    if let Some(sheet) = book.sheets.first() {
        let _ = download_text(filename, "text/csv;charset=utf-8", &sheet.to_csv());
    }
}

#[component]
fn ClassView(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    super::trainee_records::RecordsMessage::provide();
    ImportOutcome::provide();
    let sync = use_sync();
    let params = use_params_map();
    let scope = profile.scope.clone();
    let file = LocalResource::new(move || {
        let _ = sync.revision.get();
        let id = params.with(|p| p.get("id").unwrap_or_default());
        let scope = scope.clone();
        async move {
            let Ok(id) = id.parse::<EntityId>() else {
                return Ok(None);
            };
            let store = store::shared().await?;
            data::class_file(&store, &scope, &id).await
        }
    });
    view! {
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || file.get().map(|result| match result {
                Err(err) => view! { <p class="form-error" role="alert">{err.message(i18n.lang())}</p> }.into_any(),
                Ok(None) => view! { <p class="notice" data-testid="class-not-found">{move || i18n.t(T::ClassNotFound)}</p> }.into_any(),
                Ok(Some(file)) => view! { <ClassBody file=Arc::new(file) profile=profile.clone()/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn ClassBody(file: Arc<ClassFile>, profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let c = file.class.clone();
    let editable = may_change(&profile, &file);
    let (hours, rules) = data::rules();
    let completions = Arc::new(file.completions(&hours, &rules));
    let topics: Vec<String> = c
        .topics
        .iter()
        .map(|t| {
            super::class_new::topics()
                .iter()
                .find(|(k, _)| k == t)
                .map(|(_, m)| i18n.t(*m).to_string())
                .unwrap_or_else(|| match t {
                    cunju_domain::training::Topic::Other(s) => s.clone(),
                    _ => String::new(),
                })
        })
        .collect();
    let group = group_msg(c.target_group);
    view! {
        <h1 data-testid="class-title">{c.name.clone()}</h1>
        <p class="muted">{let (organiser, contractor, year, seq) = (c.organiser.clone(), c.contractor.clone(), c.year, c.seq);
            move || format!("{organiser}{} · {} · ", contractor.as_ref().map(|x| format!("（{}{x}）", i18n.t(T::ContractedBy))).unwrap_or_default(), class_term(year, seq, i18n.lang()))}
            {move || i18n.t(group)}" · "{topics.join("、")}</p>
        <Sessions file=file.clone() profile=profile.clone() editable/>
        <Enrolment file=file.clone() profile=profile.clone() editable/>
        <TraineeRecords file=file.clone() profile=profile.clone() editable/>
        <CompletionList file=file.clone() completions=completions.clone() profile=profile.clone() editable/>
        <Certificates file=file.clone()/>
        <TraineeCodes file=file.clone()/>
    }
}

#[component]
fn Sessions(file: Arc<ClassFile>, profile: Profile, editable: bool) -> impl IntoView {
    let i18n = use_i18n();
    let (hours, _) = data::rules();
    let rows = file
        .sessions
        .iter()
        .enumerate()
        .map(|(i, (s, doc))| {
            let present = doc.current().filter(|(_, p)| matches!(p, cunju_domain::training::Presence::Present { .. })).count();
            let book = attendance_sheet(&file, i, &hours);
            let name = format!("签到表-{}-{}.csv", s.date, slot_zh(s.slot));
            let (xlsx_name, xlsx_book) = (name.replace(".csv", ".xlsx"), book.clone());
            view! {
                <li class="record-row" data-testid="session-row">
                    <div class="record-main">
                        <strong>{format!("{} {} {}–{}", s.date, slot_zh(s.slot), s.starts_at.format("%H:%M"), s.ends_at.format("%H:%M"))}</strong>
                        <span class="muted">{let (venue, instructor, planned) = (s.venue.clone(), s.instructor.clone(), s.planned);
                            move || format!("{} · {instructor} · {planned}{}", venue_text(&venue, i18n.lang()), i18n.t(T::HoursUnit))}</span>
                    </div>
                    <div class="row-actions">
                        <span data-testid="session-present" data-count=present>{move || i18n.t(T::Present)}" "{present}"/"{file.trainees.len()}</span>
                        <A href=format!("/training/sessions/{}/attendance", s.id) attr:class="button" attr:data-testid="session-attendance">{move || i18n.t(T::TakeAttendance)}</A>
                        <button type="button" class="secondary" data-testid="session-export" on:click=move |_| download_csv(&name, &book)>{move || i18n.t(T::ExportCsv)}</button>
                        <ExcelButton testid="session-xlsx" filename=xlsx_name book=xlsx_book/>
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <section>
            <h2>{move || i18n.t(T::SessionsHeading)}" · "{move || i18n.t(T::Planned)}" "{file.planned().to_string()}</h2>
            <ul class="record-list" data-testid="sessions">{rows}</ul>
            {editable.then(|| view! { <SessionForm file=file.clone() profile=profile.clone()/> })}
        </section>
    }
}

fn venue_text(v: &Venue, lang: crate::i18n::Lang) -> String {
    match v {
        Venue::Site(s) => s.clone(),
        Venue::Online { platform } => format!("{}{platform}", T::VenueOnline.text(lang)),
    }
}

#[component]
fn SessionForm(file: Arc<ClassFile>, profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let date = RwSignal::new(String::new());
    let slot = RwSignal::new("am".to_string());
    let starts = RwSignal::new("09:00".to_string());
    let ends = RwSignal::new("12:00".to_string());
    let venue = RwSignal::new(String::new());
    let instructor = RwSignal::new(String::new());
    let planned = RwSignal::new("4".to_string());
    let error = RwSignal::new(None::<String>);
    let class_id = file.class.id.clone();
    let owner = file.owner.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let time = |s: String| chrono::NaiveTime::parse_from_str(s.trim(), "%H:%M").ok();
        let tenths = planned
            .get_untracked()
            .trim()
            .parse::<f64>()
            .ok()
            .map(|h| (h * 10.0).round() as u32);
        let (Ok(d), Some(a), Some(b), Some(t)) = (
            chrono::NaiveDate::parse_from_str(date.get_untracked().trim(), "%Y-%m-%d"),
            time(starts.get_untracked()),
            time(ends.get_untracked()),
            tenths,
        ) else {
            error.set(Some(i18n.t(T::SessionFieldsBad).to_string()));
            return;
        };
        let body = SessionScheduled {
            owner: owner.clone(),
            class: class_id.clone(),
            date: d,
            slot: match slot.get_untracked().as_str() {
                "pm" => Slot::Pm,
                "eve" => Slot::Eve,
                _ => Slot::Am,
            },
            starts_at: a,
            ends_at: b,
            venue: Venue::Site(venue.get_untracked().trim().to_string()),
            instructor: instructor.get_untracked().trim().to_string(),
            planned: StudyHours::from_tenths(t),
        };
        if let Err(e) = body.validate() {
            error.set(Some(e.message_zh()));
            return;
        }
        let draft = NewEvent {
            actor: profile.user.clone(),
            unit: profile.scope.clone(),
            entity: data::new_id(EntityKind::TrainingSession),
            body: EventBody::TrainingSessionScheduled(body),
        };
        spawn_local(async move {
            match async { store::shared().await?.append(draft).await }.await {
                Ok(_) => {
                    error.set(None);
                    sync.after_local_change();
                }
                Err(e) => error.set(Some(e.message(i18n.lang()))),
            }
        });
    };
    let field = move |label: T,
                      testid: &'static str,
                      kind: &'static str,
                      signal: RwSignal<String>| {
        view! {
            <label class="field"><span>{move || i18n.t(label)}</span>
                <input type=kind data-testid=testid prop:value=move || signal.get() on:input=move |ev| signal.set(event_target_value(&ev))/></label>
        }
    };
    view! {
        <form class="form card" on:submit=save data-testid="session-form">
            <h3>{move || i18n.t(T::NewSession)}</h3>
            {field(T::Date, "session-date", "date", date)}
            <label class="field"><span>{move || i18n.t(T::Slot)}</span>
                <select data-testid="session-slot" on:change=move |ev| slot.set(event_target_value(&ev))>
                    <option value="am">{move || i18n.t(T::SlotAm)}</option><option value="pm">{move || i18n.t(T::SlotPm)}</option><option value="eve">{move || i18n.t(T::SlotEve)}</option>
                </select></label>
            {field(T::Starts, "session-starts", "time", starts)}
            {field(T::Ends, "session-ends", "time", ends)}
            {field(T::Venue, "session-venue", "text", venue)}
            {field(T::Instructor, "session-instructor", "text", instructor)}
            {field(T::PlannedHours, "session-planned", "text", planned)}
            <button type="submit" data-testid="session-submit">{move || i18n.t(T::Save)}</button>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="session-error">{e}</p> })}
        </form>
    }
}

/// Enrolment: the trainees, picking people from the directory, and the roster import.
#[component]
fn Enrolment(file: Arc<ClassFile>, profile: Profile, editable: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section>
            <h2>{move || i18n.t(T::EnrolmentHeading)}" "<span data-testid="trainee-count">{file.trainees.len()}</span></h2>
            {editable.then(|| view! {
                <RosterImport file=file.clone() profile=profile.clone()/>
                <PickPeople file=file.clone() profile=profile.clone()/>
            })}
        </section>
    }
}

async fn enrol(
    profile: &Profile,
    file: &ClassFile,
    trainees: Vec<Trainee>,
) -> Result<(), store::StoreError> {
    let draft = NewEvent {
        actor: profile.user.clone(),
        unit: profile.scope.clone(),
        entity: file.class.id.clone(),
        body: EventBody::TraineesEnrolled(TraineesEnrolled {
            owner: file.owner.clone(),
            trainees,
        }),
    };
    store::shared().await?.append(draft).await.map(|_| ())
}

fn known_people(index: &PeopleIndex) -> Vec<KnownPerson> {
    (0..index.len())
        .map(|i| {
            let e = index.entry(i);
            KnownPerson {
                person: e.id.clone(),
                name: e.name.clone(),
                id_number: e.id_number.clone(),
                unit: e.unit.clone(),
            }
        })
        .collect()
}

/// A roster file as chosen: CSV text, or the first sheet of an `.xlsx` read by the worker.
enum Roster {
    Csv(String),
    Sheet(Vec<Vec<SheetCell>>),
}

/// An `.xlsx` by its name or its zip signature (a CSV never starts with `PK\x03\x04`).
fn is_xlsx(name: &str, bytes: &[u8]) -> bool {
    name.to_ascii_lowercase().ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04")
}

/// What the last roster import said. It lives with the page, not the import card: a successful
/// import changes the class, the card is rebuilt, and its "已报名学员：N" must still be read.
#[derive(Clone, Copy)]
struct ImportOutcome {
    errors: RwSignal<Vec<RowError>>,
    message: RwSignal<Option<Result<String, String>>>,
}

impl ImportOutcome {
    fn provide() {
        provide_context(ImportOutcome {
            errors: RwSignal::new(vec![]),
            message: RwSignal::new(None),
        });
    }

    fn get() -> ImportOutcome {
        use_context::<ImportOutcome>().unwrap_or_else(|| ImportOutcome {
            errors: RwSignal::new(vec![]),
            message: RwSignal::new(None),
        })
    }
}

#[component]
fn RosterImport(file: Arc<ClassFile>, profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let ImportOutcome { errors, message } = ImportOutcome::get();
    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let file = file.clone();
        let profile = profile.clone();
        spawn_local(async move {
            errors.set(vec![]);
            message.set(None);
            let Some((name, bytes)) = read_chosen_file(&input).await else {
                return;
            };
            // Clear the input, so choosing the same file again after fixing it reads it again.
            input.set_value("");
            let content = if is_xlsx(&name, &bytes) {
                match export_worker::read_sheet(&bytes).await {
                    Ok(sheet) => Roster::Sheet(sheet),
                    Err(ExportFailure::Unavailable) => {
                        return message
                            .set(Some(Err(ExportFailure::Unavailable.message(i18n.lang()))));
                    }
                    Err(ExportFailure::Failed(_)) => {
                        return message.set(Some(Err(i18n.t(T::RosterNotXlsx).into())));
                    }
                }
            } else {
                match decode_text(&bytes) {
                    Ok((text, _)) => Roster::Csv(text),
                    Err(_) => return message.set(Some(Err(i18n.t(T::RosterNotText).into()))),
                }
            };
            let result = async {
                let store = store::shared().await?;
                let index =
                    shared_index(&store, &profile.scope, sync.revision.get_untracked()).await?;
                Ok::<_, store::StoreError>(known_people(&index))
            }
            .await;
            let people = match result {
                Ok(p) => p,
                Err(e) => return message.set(Some(Err(e.message(i18n.lang())))),
            };
            let enrolled: Vec<EntityId> = file.trainees.iter().map(|t| t.person.clone()).collect();
            let planned = match &content {
                Roster::Csv(text) => plan_roster_import(text, &people, &enrolled),
                Roster::Sheet(sheet) => plan_roster_sheet(sheet, &people, &enrolled),
            };
            match planned {
                Err(rows) => errors.set(rows),
                Ok(plan) if plan.to_enrol.is_empty() => message.set(Some(Ok(format!(
                    "{}{}",
                    i18n.t(T::RosterNothingNew),
                    plan.already
                )))),
                Ok(plan) => {
                    let n = plan.to_enrol.len();
                    match enrol(&profile, &file, plan.to_enrol).await {
                        Ok(()) => {
                            message.set(Some(Ok(format!("{}{n}", i18n.t(T::RosterEnrolled)))));
                            sync.after_local_change();
                        }
                        Err(e) => message.set(Some(Err(e.message(i18n.lang())))),
                    }
                }
            }
        });
    };
    view! {
        <div class="card">
            <h3>{move || i18n.t(T::RosterImport)}</h3>
            <p class="muted">{move || i18n.t(T::RosterHint)}</p>
            <input type="file" data-testid="roster-file" on:change=on_change
                accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"/>
            {move || message.get().map(|m| match m {
                Ok(t) => view! { <p class="form-ok" data-testid="roster-ok">{t}</p> }.into_any(),
                Err(t) => view! { <p class="form-error" role="alert">{t}</p> }.into_any(),
            })}
            <Show when=move || !errors.with(Vec::is_empty)>
                <div class="import-errors" data-testid="roster-errors">
                    <p class="form-error">{move || i18n.t(T::RosterBad)}" "{move || errors.with(Vec::len)}</p>
                    <table class="error-table"><tbody>
                        {move || errors.get().into_iter().map(|e| view! {
                            <tr data-testid="roster-error-row"><td>{e.line}</td><td>{match i18n.lang() { crate::i18n::Lang::Zh => e.message_zh.clone(), crate::i18n::Lang::En => e.message_en.clone() }}</td></tr>
                        }).collect_view()}
                    </tbody></table>
                </div>
            </Show>
        </div>
    }
}

#[component]
fn PickPeople(file: Arc<ClassFile>, profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let query = RwSignal::new(String::new());
    let scope = profile.scope.clone();
    let index = LocalResource::new(move || {
        let revision = sync.revision.get();
        let scope = scope.clone();
        async move { shared_index(&*store::shared().await?, &scope, revision).await }
    });
    let error = RwSignal::new(None::<String>);
    view! {
        <div class="card">
            <h3>{move || i18n.t(T::PickPeople)}</h3>
            <input type="search" data-testid="pick-search" placeholder=move || i18n.t(T::PickSearch)
                prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {move || {
                let q = query.get();
                if q.trim().is_empty() { return None; }
                let index = index.get()?.ok()?;
                let SearchOutcome::Found { hits, .. } = index.search(&q, 20) else { return None };
                let rows = hits.into_iter().map(|pos| {
                    let e = index.entry(pos).clone();
                    let enrolled = file.trainees.iter().any(|t| t.person == e.id);
                    let trainee = KnownPerson { person: e.id.clone(), name: e.name.clone(), id_number: e.id_number.clone(), unit: e.unit.clone() }.trainee();
                    let (file, profile) = (file.clone(), profile.clone());
                    let label = format!("{} {}", trainee.name, trainee.id_masked);
                    view! {
                        <li class="record-row">
                            <span>{label}</span>" "
                            {if enrolled {
                                view! { <span class="badge">{move || i18n.t(T::AlreadyEnrolled)}</span> }.into_any()
                            } else {
                                view! { <button type="button" data-testid="pick-add" on:click=move |_| {
                                    let (file, profile, trainee) = (file.clone(), profile.clone(), trainee.clone());
                                    spawn_local(async move {
                                        match enrol(&profile, &file, vec![trainee]).await {
                                            Ok(()) => sync.after_local_change(),
                                            Err(e) => error.set(Some(e.message(i18n.lang()))),
                                        }
                                    });
                                }>{move || i18n.t(T::Enrol)}</button> }.into_any()
                            }}
                        </li>
                    }
                }).collect_view();
                Some(view! { <ul class="record-list" data-testid="pick-results">{rows}</ul> })
            }}
        </div>
    }
}

#[component]
fn CompletionList(
    file: Arc<ClassFile>,
    completions: Arc<Vec<Completion>>,
    profile: Profile,
    editable: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let tally = Tally::of(&completions);
    let book = completion_list(&file, &completions);
    let filename = format!("结业名单-{}-{}.csv", file.class.year, file.class.seq);
    let (xlsx_name, xlsx_book) = (filename.replace(".csv", ".xlsx"), book.clone());
    let to_issue = file.certificates_to_issue(&completions);
    let error = RwSignal::new(None::<String>);
    let rows = completions
        .iter()
        .map(|c| {
            let t = file.trainees.iter().find(|t| t.person == c.person);
            let cert = file
                .certificates
                .iter()
                .find(|x| x.person == c.person)
                .map(|x| x.number.to_string())
                .unwrap_or_default();
            view! {
                <tr data-testid="completion-row" data-completed=c.is_completed().to_string()>
                    <td>{t.map(|t| t.name.clone())}</td>
                    <td>{c.hours.credited.to_string()}"/"{c.hours.planned.to_string()}</td>
                    <td>{c.hours.approved_leave.to_string()}</td>
                    <td>{outcome_zh(&c.outcome)}</td>
                    <td>{cert}</td>
                </tr>
            }
        })
        .collect_view();
    let issue = {
        let file = file.clone();
        move |_| {
            let certificates = match to_issue.clone() {
                Ok(c) if !c.is_empty() => c,
                Ok(_) => return error.set(Some(i18n.t(T::NothingToIssue).into())),
                Err(e) => return error.set(Some(format!("{e}"))),
            };
            let draft = NewEvent {
                actor: profile.user.clone(),
                unit: profile.scope.clone(),
                entity: file.class.id.clone(),
                body: EventBody::CertificatesIssued(CertificatesIssued {
                    owner: file.owner.clone(),
                    certificates,
                }),
            };
            spawn_local(async move {
                match async { store::shared().await?.append(draft).await }.await {
                    Ok(_) => sync.after_local_change(),
                    Err(e) => error.set(Some(e.message(i18n.lang()))),
                }
            });
        }
    };
    view! {
        <section>
            <h2>{move || i18n.t(T::CompletionHeading)}" "<span data-testid="completed-count">{tally.completed}</span>"/"{tally.expected}
                {(tally.exempted > 0).then(|| view! { " · "{move || i18n.t(T::ExemptedApart)}" "<span data-testid="exempted-count">{tally.exempted}</span> })}</h2>
            <div class="toolbar">
                <button type="button" class="secondary" data-testid="completion-export" on:click=move |_| download_csv(&filename, &book)>{move || i18n.t(T::ExportCsv)}</button>
                <ExcelButton testid="completion-xlsx" filename=xlsx_name book=xlsx_book/>
                {editable.then(|| view! { <button type="button" data-testid="issue-certificates" on:click=issue.clone()>{move || i18n.t(T::IssueCertificates)}</button> })}
            </div>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <div class="table-scroll"><table class="data-table" data-testid="completion-table">
                <thead><tr>
                    <th>{move || i18n.t(T::Name)}</th><th>{move || i18n.t(T::CreditedOfPlanned)}</th>
                    <th>{move || i18n.t(T::LeaveHours)}</th><th>{move || i18n.t(T::Outcome)}</th><th>{move || i18n.t(T::CertificateNo)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table></div>
        </section>
    }
}

/// The issued certificates as printable pages (one per certificate; the print stylesheet
/// hides everything else).
#[component]
fn Certificates(file: Arc<ClassFile>) -> impl IntoView {
    let i18n = use_i18n();
    if file.certificates.is_empty() {
        return ().into_any();
    }
    let c = file.class.clone();
    let cards = file
        .certificates
        .iter()
        .map(|cert| {
            let name = file.trainees.iter().find(|t| t.person == cert.person).map(|t| t.name.clone()).unwrap_or_default();
            view! {
                <article class="certificate" data-testid="certificate">
                    <h3>{move || i18n.t(T::CertificateTitle)}</h3>
                    <p class="certificate-no">{move || i18n.t(T::CertificateNumber)}{cert.number.to_string()}</p>
                    <p>{let (class, year, seq, hours) = (c.name.clone(), c.year, c.seq, cert.credited.to_string());
                        move || certificate_text(&name, year, &class, seq, &hours, i18n.lang())}</p>
                    <p class="certificate-by">{c.organiser.clone()}</p>
                </article>
            }
        })
        .collect_view();
    view! {
        <section class="certificates">
            <h2>{move || i18n.t(T::CertificatesHeading)}</h2>
            <button type="button" class="secondary no-print" data-testid="print-certificates"
                on:click=move |_| { if let Some(w) = web_sys::window() { let _ = w.print(); } }>{move || i18n.t(T::Print)}</button>
            {cards}
        </section>
    }
    .into_any()
}

/// Each trainee's check-in QR code, drawn on this device (printable, to hand out).
#[component]
fn TraineeCodes(file: Arc<ClassFile>) -> impl IntoView {
    let i18n = use_i18n();
    let shown = RwSignal::new(false);
    view! {
        <section class="trainee-codes">
            <h2>{move || i18n.t(T::QrHeading)}</h2>
            <button type="button" class="secondary" data-testid="show-qr" on:click=move |_| shown.update(|s| *s = !*s)>{move || i18n.t(T::QrShow)}</button>
            <Show when=move || shown.get()>
                <ul class="qr-grid" data-testid="qr-codes">
                    {file.trainees.iter().map(|t| view! {
                        <li class="qr-card" data-testid="qr-card">
                            <div class="qr" inner_html=super::qr::svg(&super::qr::payload(&t.person))></div>
                            <span>{t.name.clone()}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </Show>
        </section>
    }
}
