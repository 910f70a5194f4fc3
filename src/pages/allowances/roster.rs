//! `/allowances/rosters/:id` — one payment roster (发放花名册) as the domain computes it from the
//! records on this device: the spec's header, columns and footer (head count and amount per
//! level, the grand total in figures and in capital numerals), the warnings to check before
//! approval, each row's month-by-month calculation, and the steps draft → township reviewed →
//! district approved, each an event by the role allowed to take it. Approved is frozen: edits are
//! refused (with the domain's reason) and later changes become adjustment lines on the next
//! roster. Printable (print CSS) and downloadable as CSV and `.xlsx` (made in the export worker).

use cunju_domain::allowance::entitlement::{Adjustment, AdjustmentKind};
use cunju_domain::allowance::period::{Period, YearMonth};
use cunju_domain::allowance::records::{
    QualificationFact, RosterApproval, RosterDraft, RosterRecord, RosterReview, RosterSendBack,
    Worker, qualification_entity,
};
use cunju_domain::allowance::roster::{Disclosure, Roster, RosterStatus, RosterStep, may_take};
use cunju_domain::allowance::sheet::{file_stem, roster_workbook};
use cunju_domain::authz::{self, Action};
use cunju_domain::event::{EventBody, NewEvent};
use cunju_domain::ids::EntityId;
use cunju_domain::money::Fen;
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

use super::data::{self, RosterView};
use super::index::{status_code, status_msg};
use crate::components::export_worker::ExcelButton;
use crate::components::file_io::download_text;
use crate::components::require_login::RequireLogin;
use crate::i18n::allowances::AllowanceMsg as AM;
use crate::i18n::exports::ExportMsg;
use crate::i18n::{Msg, use_i18n};
use crate::store;
use crate::sync::use_sync;

#[component]
pub fn RosterPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head no-print">
            <a href="/allowances" class="back">{move || i18n.t(AM::BackToAllowances)}</a>
            <h1>{move || i18n.t(AM::RosterTitle)}</h1>
        </section>
        <RequireLogin render=|profile| view! { <RosterScreen profile/> }.into_any()/>
    }
}

#[component]
fn RosterScreen(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let params = use_params_map();
    let id = move || {
        params
            .with(|p| p.get("id"))
            .and_then(|id| id.parse::<EntityId>().ok())
    };
    // The district's rates as the server has them, so every phone computes with the same table.
    let fetched = RwSignal::new(0u32);
    data::refresh_rates(fetched, RwSignal::new(false));
    let scope = profile.scope.clone();
    let loaded = LocalResource::new(move || {
        let _ = (sync.revision.get(), fetched.get());
        let id = id();
        let scope = scope.clone();
        let units = sync.units.get();
        async move {
            let Some(id) = id else { return Ok(None) };
            let store = store::shared().await?;
            data::roster_view(&store, &scope, &id, &units).await
        }
    });
    view! {
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || loaded.get().map(|result| match result {
                Err(err) => view! { <p class="form-error" role="alert">{err.message(i18n.lang())}</p> }.into_any(),
                Ok(None) => view! { <p class="notice" data-testid="roster-missing">{move || i18n.t(AM::RosterMissing)}</p> }.into_any(),
                Ok(Some(view)) => view! { <Loaded profile=profile.clone() view/> }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Loaded(profile: Profile, view: RosterView) -> impl IntoView {
    let i18n = use_i18n();
    let RosterView {
        record,
        roster,
        workers,
    } = view;
    let status = record.status;
    let roster = match roster {
        Ok(r) => r,
        Err(e) => {
            return view! {
                <p class="form-error" role="alert" data-testid="roster-build-error">{e}</p>
                <History record/>
            }
            .into_any();
        }
    };
    let may_edit_facts = authz::permits(profile.role, Action::EditQualifications);
    let may_prepare = may_take(profile.role, RosterStep::Prepare);
    view! {
        <p class="no-print">{move || i18n.t(AM::Status)}"："
            <strong data-testid="roster-status" data-status=status_code(status)>{move || i18n.t(status_msg(status))}</strong></p>
        {record.sent_back.clone().map(|reason| view! {
            <p class="notice no-print" data-testid="roster-sent-back">{move || i18n.t(AM::SentBackWith)}{reason.clone()}</p>
        })}
        {(status == RosterStatus::DistrictApproved).then(|| view! {
            <p class="notice no-print" data-testid="roster-frozen">{move || i18n.t(AM::Frozen)}</p>
        })}
        <Warnings roster=roster.clone()/>
        <Steps profile=profile.clone() record=record.clone() roster=roster.clone()/>
        <Exports profile=profile.clone() roster=roster.clone()/>
        <Sheet roster=roster.clone()/>
        <Details roster=roster.clone()/>
        {may_prepare.then(|| view! { <EditForm profile=profile.clone() record=record.clone()/> })}
        {may_edit_facts.then(|| view! { <AdjustmentForm profile=profile.clone() record=record.clone() workers/> })}
        <History record/>
    }
    .into_any()
}

/// What to check before approval (registration expiring, hours short, no bank card).
#[component]
fn Warnings(roster: Roster) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card no-print" data-testid="roster-warnings" data-count=roster.warnings.len().to_string()>
            <h2>{move || i18n.t(AM::WarningsHeading)}</h2>
            {roster.warnings.is_empty().then(|| view! { <p class="muted">{move || i18n.t(AM::NoWarnings)}</p> })}
            <ul>
                {roster.warnings.iter().map(|w| view! { <li data-testid="roster-warning">{w.message_zh()}</li> }).collect_view()}
            </ul>
        </section>
    }
}

/// The approval steps the user may take now: review, approve, send back.
#[component]
fn Steps(profile: Profile, record: RosterRecord, roster: Roster) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let message = RwSignal::new(None::<Result<(), String>>);
    let reason = RwSignal::new(String::new());
    let role = profile.role;
    let write = move |body: EventBody| {
        let draft = NewEvent {
            actor: profile.user.clone(),
            unit: record.unit.clone(),
            entity: record.id.clone(),
            body,
        };
        spawn_local(async move {
            match data::append(draft).await {
                Ok(_) => {
                    message.set(Some(Ok(())));
                    sync.after_local_change();
                }
                Err(e) => message.set(Some(Err(e.message(i18n.lang())))),
            }
        });
    };
    let name = profile.display_name.clone();
    let (r1, r2, r3) = (roster.clone(), roster.clone(), roster.clone());
    let (w1, w2, w3) = (write.clone(), write.clone(), write);
    let (n1, n2) = (name.clone(), name);
    let review = move |_| {
        let mut r = r1.clone();
        match r.review(role, &n1) {
            Ok(()) => w1(EventBody::RosterReviewed(RosterReview {
                reviewer: n1.clone(),
                rows: r.rows.len() as u32,
                total: r.footer.total,
            })),
            Err(e) => message.set(Some(Err(e.message_zh()))),
        }
    };
    let approve = move |_| match r2.approve(role, &n2, data::today()) {
        Ok(approved) => w2(EventBody::RosterApproved(RosterApproval { approved })),
        Err(e) => message.set(Some(Err(e.message_zh()))),
    };
    let send_back = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut r = r3.clone();
        if let Err(e) = r.send_back(role) {
            message.set(Some(Err(e.message_zh())));
            return;
        }
        let body = RosterSendBack {
            reason: reason.get_untracked().trim().to_string(),
        };
        if let Err(e) = body.validate() {
            message.set(Some(Err(e.message_zh())));
            return;
        }
        w3(EventBody::RosterSentBack(body));
    };
    let status = roster.status;
    let can_review = may_take(role, RosterStep::Review) && status == RosterStatus::Draft;
    let can_approve =
        may_take(role, RosterStep::Approve) && status == RosterStatus::TownshipReviewed;
    let can_send_back =
        may_take(role, RosterStep::SendBack) && status == RosterStatus::TownshipReviewed;
    view! {
        <section class="toolbar no-print" data-testid="roster-steps">
            {can_review.then(|| view! {
                <button type="button" data-testid="roster-review" on:click=review>{move || i18n.t(AM::Review)}</button>
            })}
            {can_approve.then(|| view! {
                <button type="button" data-testid="roster-approve" on:click=approve>{move || i18n.t(AM::Approve)}</button>
            })}
        </section>
        {can_send_back.then(|| view! {
            <form class="inline-form no-print" on:submit=send_back data-testid="roster-send-back-form">
                <label class="field"><span>{move || i18n.t(AM::SendBackReason)}</span>
                    <input data-testid="roster-send-back-reason" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/></label>
                <button type="submit" class="secondary" data-testid="roster-send-back">{move || i18n.t(AM::SendBack)}</button>
            </form>
        })}
        {move || message.get().map(|m| match m {
            Ok(()) => view! { <p class="form-ok no-print" data-testid="roster-step-done">{move || i18n.t(AM::Done)}</p> }.into_any(),
            Err(e) => view! { <p class="form-error no-print" role="alert" data-testid="roster-step-error">{e}</p> }.into_any(),
        })}
    }
}

/// Print, CSV (masked) and, for the district on an approved roster, the CSV to finance.
#[component]
fn Exports(profile: Profile, roster: Roster) -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<String>);
    let stem = file_stem(&roster);
    let masked = roster_workbook(&roster, Disclosure::Masked);
    let finance = (roster.status == RosterStatus::DistrictApproved
        && may_take(profile.role, RosterStep::ExportToFinance))
    .then(|| roster_workbook(&roster, Disclosure::Full));
    let download = move |name: String, book: &cunju_domain::export::Workbook| {
        // `to_csv` starts with the byte-order mark spreadsheet programs need for UTF-8 Chinese.
        let text = book.sheets[0].to_csv();
        if let Err(e) = download_text(&name, "text/csv;charset=utf-8", &text) {
            error.set(Some(e));
        }
    };
    let stem2 = stem.clone();
    let (xlsx_name, xlsx_finance_name) = (format!("{stem}.xlsx"), format!("{stem}_财务.xlsx"));
    let (masked_xlsx, finance_xlsx) = (masked.clone(), finance.clone());
    view! {
        <section class="toolbar no-print" data-testid="roster-exports">
            <button type="button" class="secondary" data-testid="roster-print" on:click=move |_| {
                if let Some(w) = web_sys::window() { let _ = w.print(); }
            }>{move || i18n.t(AM::Print)}</button>
            <button type="button" class="secondary" data-testid="roster-csv"
                on:click=move |_| download(format!("{stem}.csv"), &masked)>{move || i18n.t(AM::DownloadCsv)}</button>
            <ExcelButton testid="roster-xlsx" filename=xlsx_name book=masked_xlsx/>
            {finance.map(|book| view! {
                <button type="button" class="secondary" data-testid="roster-finance-csv"
                    on:click=move |_| download(format!("{stem2}_财务.csv"), &book)>{move || i18n.t(AM::DownloadFinance)}</button>
            })}
            {finance_xlsx.map(|book| view! { <ExcelButton testid="roster-finance-xlsx" filename=xlsx_finance_name book label=ExportMsg::DownloadExcelFinance/> })}
        </section>
        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
    }
}

/// The printable sheet: header lines, the table with every column of §3.4, the footer.
#[component]
fn Sheet(roster: Roster) -> impl IntoView {
    let i18n = use_i18n();
    let sheet = roster_workbook(&roster, Disclosure::Masked)
        .sheets
        .remove(0);
    let footer = &roster.footer;
    view! {
        <article class="print-sheet" data-testid="roster-sheet">
            {sheet.title.iter().enumerate().map(|(i, line)| if i == 0 {
                view! { <h2 class="sheet-title">{line.clone()}</h2> }.into_any()
            } else {
                view! { <p data-testid="roster-header-line">{line.clone()}</p> }.into_any()
            }).collect_view()}
            <div class="table-scroll" style="overflow-x:auto;max-width:100%">
                <table class="sheet-table" data-testid="roster-table">
                    <thead><tr>{sheet.columns.iter().map(|c| view! { <th>{c.clone()}</th> }).collect_view()}</tr></thead>
                    <tbody>{sheet.rows.iter().map(|row| view! {
                        <tr data-testid="roster-row">{row.iter().map(|c| view! { <td>{c.display()}</td> }).collect_view()}</tr>
                    }).collect_view()}</tbody>
                </table>
            </div>
            <div class="table-scroll" style="overflow-x:auto;max-width:100%"><table class="sheet-table" data-testid="roster-footer">
                <tbody>
                    {sheet.footer.iter().map(|row| view! {
                        <tr data-testid="roster-footer-row">{row.iter().map(|c| view! { <td>{c.display()}</td> }).collect_view()}</tr>
                    }).collect_view()}
                </tbody>
            </table></div>
            <p>{move || i18n.t(AM::GrandTotal)}"："
                <strong data-testid="roster-total" data-fen=footer.total.0.to_string()>{footer.total.to_string()}</strong>
                "　"{move || i18n.t(AM::InCapitals)}"："
                <strong data-testid="roster-total-capital">{footer.total_capital.clone()}</strong></p>
        </article>
    }
}

/// Each row's month-by-month calculation and adjustment lines, as the domain traced them.
#[component]
fn Details(roster: Roster) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card no-print" data-testid="roster-details">
            <h2>{move || i18n.t(AM::DetailsHeading)}</h2>
            {roster.rows.iter().map(|row| view! {
                <details data-testid="roster-trace">
                    <summary>{format!("{}. {} — {}", row.no, row.name, row.net)}</summary>
                    <ul>
                        {row.trace.iter().map(|m| view! {
                            <li>{format!("{} {} {} × {} = {}（{}）", m.month, m.level.map_or("—", |l| l.label_zh()), m.rate,
                                match m.factor {
                                    cunju_domain::allowance::entitlement::Factor::Full => "1".to_string(),
                                    cunju_domain::allowance::entitlement::Factor::Zero => "0".to_string(),
                                    cunju_domain::allowance::entitlement::Factor::Days { entitled, of } => format!("{entitled}/{of}"),
                                }, m.amount, m.reason_zh)}</li>
                        }).collect_view()}
                        {row.adjustments.iter().map(|a| view! {
                            <li>{format!("{} {} {}（{}；{}）", a.pay_month, a.kind.label_zh(), a.amount, a.reason, a.reference)}</li>
                        }).collect_view()}
                    </ul>
                </details>
            }).collect_view()}
        </section>
    }
}

/// Redraft the header and period. Refused by the domain unless the roster is still a draft.
#[component]
fn EditForm(profile: Profile, record: RosterRecord) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let Some(current) = record.draft.clone() else {
        return ().into_any();
    };
    let from = RwSignal::new(current.period.from().to_string());
    let to = RwSignal::new(current.period.to().to_string());
    let unit_head = RwSignal::new(current.unit_head.clone().unwrap_or_default());
    let message = RwSignal::new(None::<Result<(), String>>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Err(e) = record.check_edit() {
            message.set(Some(Err(e.message_zh())));
            return;
        }
        let zh = |m: AM| m.text(crate::i18n::Lang::Zh).to_string();
        let (Ok(f), Ok(t)) = (
            from.get_untracked().parse::<YearMonth>(),
            to.get_untracked().parse::<YearMonth>(),
        ) else {
            message.set(Some(Err(zh(AM::BadMonth))));
            return;
        };
        let Ok(period) = Period::new(f, t) else {
            message.set(Some(Err(
                cunju_domain::allowance::records::RecordError::BadPeriod.message_zh(),
            )));
            return;
        };
        let head = unit_head.get_untracked().trim().to_string();
        let draft = RosterDraft {
            period,
            unit_head: (!head.is_empty()).then_some(head),
            date: data::today(),
            ..current.clone()
        };
        if let Err(e) = draft.validate() {
            message.set(Some(Err(e.message_zh())));
            return;
        }
        let event = NewEvent {
            actor: profile.user.clone(),
            unit: record.unit.clone(),
            entity: record.id.clone(),
            body: EventBody::RosterDrafted(draft),
        };
        spawn_local(async move {
            match data::append(event).await {
                Ok(_) => {
                    message.set(Some(Ok(())));
                    sync.after_local_change();
                }
                Err(e) => message.set(Some(Err(e.message(i18n.lang())))),
            }
        });
    };
    view! {
        <form class="form card no-print" on:submit=save data-testid="roster-edit-form">
            <h2>{move || i18n.t(AM::EditRoster)}</h2>
            <label class="field"><span>{move || i18n.t(AM::PeriodFrom)}</span>
                <input type="month" data-testid="roster-edit-from" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev))/></label>
            <label class="field"><span>{move || i18n.t(AM::PeriodTo)}</span>
                <input type="month" data-testid="roster-edit-to" prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev))/></label>
            <label class="field"><span>{move || i18n.t(AM::UnitHead)}</span>
                <input data-testid="roster-edit-head" prop:value=move || unit_head.get() on:input=move |ev| unit_head.set(event_target_value(&ev))/></label>
            <button type="submit" data-testid="roster-edit-submit">{move || i18n.t(AM::Save)}</button>
            {move || message.get().map(|m| match m {
                Ok(()) => view! { <p class="form-ok" data-testid="roster-edit-saved">{move || i18n.t(AM::Saved)}</p> }.into_any(),
                Err(e) => view! { <p class="form-error" role="alert" data-testid="roster-edit-error">{e}</p> }.into_any(),
            })}
        </form>
    }
    .into_any()
}

/// A 补发/扣回 line for one worker, paid in this roster's first month. Refused by the domain
/// once the roster is reviewed or approved.
#[component]
fn AdjustmentForm(profile: Profile, record: RosterRecord, workers: Vec<Worker>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let choices: Vec<(EntityId, String, cunju_domain::ids::UnitId)> = workers
        .iter()
        .filter_map(|w| {
            let unit = w.file.current_post().map(|t| t.unit.clone())?;
            unit.is_within(&record.unit)
                .then(|| (w.file.qualification.person.clone(), w.name.clone(), unit))
        })
        .collect();
    let person = RwSignal::new(0usize);
    let kind = RwSignal::new("back_pay".to_string());
    let amount = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let reference = RwSignal::new(String::new());
    let message = RwSignal::new(None::<Result<(), String>>);
    let options = choices.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let pay_month = match record.adjustment_month() {
            Ok(m) => m,
            Err(e) => {
                message.set(Some(Err(e.message_zh())));
                return;
            }
        };
        let Some((person_id, _, unit)) = choices.get(person.get_untracked()).cloned() else {
            return;
        };
        let Ok(fen) = amount.get_untracked().parse::<Fen>() else {
            message.set(Some(Err(AM::BadAmount
                .text(crate::i18n::Lang::Zh)
                .to_string())));
            return;
        };
        let fact = QualificationFact::Adjustment {
            adjustment: Adjustment {
                pay_month,
                kind: if kind.get_untracked() == "recovery" {
                    AdjustmentKind::Recovery
                } else {
                    AdjustmentKind::BackPay
                },
                amount: fen,
                reason: reason.get_untracked().trim().to_string(),
                reference: reference.get_untracked().trim().to_string(),
            },
        };
        if let Err(e) = fact.validate() {
            message.set(Some(Err(e.message_zh())));
            return;
        }
        let event = NewEvent {
            actor: profile.user.clone(),
            unit,
            entity: qualification_entity(&person_id),
            body: EventBody::QualificationRecorded(fact),
        };
        spawn_local(async move {
            match data::append(event).await {
                Ok(_) => {
                    message.set(Some(Ok(())));
                    amount.set(String::new());
                    sync.after_local_change();
                }
                Err(e) => message.set(Some(Err(e.message(i18n.lang())))),
            }
        });
    };
    let field = move |label: AM, testid: &'static str, signal: RwSignal<String>| {
        view! {
            <label class="field"><span>{move || i18n.t(label)}</span>
                <input data-testid=testid prop:value=move || signal.get() on:input=move |ev| signal.set(event_target_value(&ev))/></label>
        }
    };
    view! {
        <form class="form card no-print" on:submit=save data-testid="roster-adjustment-form">
            <h2>{move || i18n.t(AM::AddAdjustment)}</h2>
            <label class="field"><span>{move || i18n.t(AM::Worker)}</span>
                <select data-testid="roster-adjustment-person" on:change=move |ev| person.set(event_target_value(&ev).parse().unwrap_or(0))>
                    {options.iter().enumerate().map(|(i, (_, name, _))| view! { <option value=i.to_string()>{name.clone()}</option> }).collect_view()}
                </select></label>
            <label class="field"><span>{move || i18n.t(AM::AdjustmentKind)}</span>
                <select data-testid="roster-adjustment-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                    <option value="back_pay">{AdjustmentKind::BackPay.label_zh()}</option>
                    <option value="recovery">{AdjustmentKind::Recovery.label_zh()}</option>
                </select></label>
            {field(AM::Amount, "roster-adjustment-amount", amount)}
            {field(AM::Reason, "roster-adjustment-reason", reason)}
            {field(AM::Reference, "roster-adjustment-reference", reference)}
            <button type="submit" data-testid="roster-adjustment-submit">{move || i18n.t(AM::Save)}</button>
            {move || message.get().map(|m| match m {
                Ok(()) => view! { <p class="form-ok" data-testid="roster-adjustment-saved">{move || i18n.t(AM::Saved)}</p> }.into_any(),
                Err(e) => view! { <p class="form-error" role="alert" data-testid="roster-adjustment-error">{e}</p> }.into_any(),
            })}
        </form>
    }
}

/// Who took which step, and whether it took effect.
#[component]
fn History(record: RosterRecord) -> impl IntoView {
    let i18n = use_i18n();
    let step_msg = |step: &str| match step {
        "drafted" => AM::StepDrafted,
        "reviewed" => AM::StepReviewed,
        "sent_back" => AM::StepSentBack,
        _ => AM::StepApproved,
    };
    view! {
        <section class="card no-print" data-testid="roster-history">
            <h2>{move || i18n.t(AM::HistoryHeading)}</h2>
            <ul>
                {record.log.iter().map(|line| {
                    let m = step_msg(&line.step);
                    let applied = line.applied;
                    view! {
                        <li data-testid="roster-history-line" data-step=line.step.clone()>
                            {crate::platform::format_local_time(line.at_ms)}" · "{move || i18n.t(m)}
                            {(!applied).then(|| view! { " " {move || i18n.t(AM::StepNotApplied)} })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
