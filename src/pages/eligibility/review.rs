//! `/eligibility/batches/:id/review` — a joint-review department's fast screen (联审填报): only
//! the rules the domain gives this department in this batch, every nominee with one tap per
//! rule for 通过 (CLEAR) or 命中 (HIT, which asks for the record date and a case number), one
//! tap to clear the rest of a person, and the sign-off (签署) once every answer is in. Each tap
//! is an event committed to IndexedDB before the screen shows it, so it works offline and
//! uploads with the next sync.

use std::sync::Arc;

use chrono::NaiveDate;
use cunju_domain::eligibility::events::{AnswerLine, DepartmentAnswers, MAX_HIT_NOTE_CHARS};
use cunju_domain::eligibility::ledger::sign_off;
use cunju_domain::eligibility::{BatchLedger, Department, RuleId, RuleResult};
use cunju_domain::event::EventBody;
use cunju_domain::ids::EntityId;
use cunju_domain::projection::Projection;
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

use super::batch::BatchHeading;
use super::data;
use crate::components::require_login::RequireLogin;
use crate::i18n::eligibility::EligibilityMsg as E;
use crate::i18n::{I18n, Msg, use_i18n};
use crate::store;
use crate::sync::{SyncState, use_sync};

#[component]
pub fn Review() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <a href="/eligibility" class="back">{move || i18n.t(E::BackToBatches)}</a>
            <h1>{move || i18n.t(E::ReviewTitle)}</h1>
        </section>
        <RequireLogin render=|profile| view! { <ReviewLoad profile/> }.into_any()/>
    }
}

#[component]
fn ReviewLoad(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let Some(department) = profile.department else {
        return view! { <p class="notice" data-testid="not-a-department">{move || i18n.t(E::NotADepartment)}</p> }.into_any();
    };
    // Read once: this screen then keeps the batch itself, so a tap never re-reads the store.
    let loaded = LocalResource::new(move || {
        let id = params.with(|p| p.get("id").unwrap_or_default());
        async move {
            let Ok(id) = id.parse::<EntityId>() else {
                return Ok(None);
            };
            let store = store::shared().await?;
            Ok::<_, store::StoreError>(data::batch(&store, &id).await?.map(|l| (id, l)))
        }
    });
    let profile = StoredValue::new(profile);
    view! {
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || loaded.get().map(|r| match r {
                Err(e) => view! { <p class="form-error" role="alert">{e.message(i18n.lang())}</p> }.into_any(),
                Ok(Some((id, ledger))) if ledger.compiled.is_some() => view! {
                    <Desk id ledger=RwSignal::new(ledger) department profile=profile.get_value()/>
                }.into_any(),
                Ok(_) => view! { <p class="notice" data-testid="batch-missing">{move || i18n.t(E::BatchMissing)}</p> }.into_any(),
            })}
        </Suspense>
    }
    .into_any()
}

/// What every row needs to write an answer.
#[derive(Clone)]
struct DeskCtx {
    id: EntityId,
    department: Department,
    profile: Profile,
    ledger: RwSignal<BatchLedger>,
    error: RwSignal<Option<String>>,
    sync: SyncState,
    i18n: I18n,
}

impl DeskCtx {
    /// Appends `body` and folds the committed event into the screen's batch.
    fn write(&self, body: EventBody) {
        let ctx = self.clone();
        let sync = ctx.sync;
        let lang = ctx.i18n.lang();
        spawn_local(async move {
            let Some(unit) = ctx.ledger.with_untracked(|l| l.unit.clone()) else {
                return;
            };
            match data::append(&ctx.profile, &unit, &ctx.id, body, lang).await {
                Ok(event) => {
                    ctx.error.set(None);
                    ctx.ledger.update(|l| l.apply(&event));
                    sync.after_local_change();
                }
                Err(e) => ctx.error.set(Some(e)),
            }
        });
    }

    fn answer(&self, lines: Vec<AnswerLine>) {
        if lines.is_empty() {
            return;
        }
        self.write(EventBody::ReviewAnswered(DepartmentAnswers {
            department: self.department,
            answers: lines,
        }));
    }
}

#[component]
fn Desk(
    id: EntityId,
    ledger: RwSignal<BatchLedger>,
    department: Department,
    profile: Profile,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<String>);
    let snapshot = ledger.get_untracked();
    let compiled = snapshot.compiled.clone().expect("checked by the caller");
    let rules: Vec<(RuleId, String, String)> = snapshot
        .rules_for(department)
        .into_iter()
        .filter_map(|id| {
            compiled
                .rules
                .iter()
                .find(|r| r.id == id)
                .map(|r| (id.clone(), r.zh.clone(), r.en.clone()))
        })
        .collect();
    let ctx = DeskCtx {
        id: id.clone(),
        department,
        profile,
        ledger,
        error,
        sync: use_sync(),
        i18n,
    };
    if rules.is_empty() {
        return view! {
            <BatchHeading ledger=Arc::new(snapshot)/>
            <p class="notice" data-testid="review-no-rules">{move || i18n.t(E::NoRulesForYou)}</p>
        }
        .into_any();
    }
    let progress = Memo::new(move |_| {
        ledger.with(|l| {
            let p = l
                .progress()
                .into_iter()
                .find(|p| p.department == department);
            let (owed, missing) = p.map(|p| (p.owed, p.missing)).unwrap_or((0, 0));
            (
                owed,
                missing,
                l.unsigned(department),
                l.sign_offs.contains_key(&department),
            )
        })
    });
    let late = data::today() > compiled.formal_list_day;
    let sent = snapshot.is_sent();
    let sign = {
        let ctx = ctx.clone();
        let compiled = compiled.clone();
        move |_| {
            let (_, missing, _, _) = progress.get_untracked();
            if missing > 0 {
                ctx.error.set(Some(i18n.t(E::SignOffIncomplete).into()));
                return;
            }
            let Some(answers) = ctx
                .ledger
                .with_untracked(|l| l.department_answers(department))
            else {
                return;
            };
            ctx.write(EventBody::ReviewSignedOff(sign_off(&compiled, &answers)));
        }
    };
    let signed = move || {
        let (_, missing, unsigned, any) = progress.get();
        missing == 0 && unsigned == 0 && any
    };
    view! {
        <section class="card" data-testid="review-desk" data-department=department.code()>
            <BatchHeading ledger=Arc::new(snapshot.clone())/>
            <p>
                <strong>{move || data::department_label(department, i18n.lang())}</strong>" · "
                {move || i18n.t(E::Answered)}" "
                <span data-testid="review-count">{move || { let (owed, missing, _, _) = progress.get(); format!("{}/{}", owed - missing, owed) }}</span>
                " · "<span data-testid="review-signed" data-signed=move || signed().to_string()>
                    {move || if signed() { i18n.t(E::SignedOff) } else { i18n.t(E::NotSignedOff) }}</span>
            </p>
            {(!sent).then(|| view! { <p class="notice" data-testid="review-not-sent">{move || i18n.t(E::NotSentYet)}</p> })}
            {late.then(|| view! { <p class="notice" data-testid="review-late">{move || i18n.t(E::LateWarning)}</p> })}
            <details class="evidence">
                <summary>{move || i18n.t(E::YourRules)}" ("{rules.len()}")"</summary>
                <ul>{rules.iter().map(|(id, zh, en)| {
                    let (id, zh, en) = (id.to_string(), zh.clone(), en.clone());
                    view! { <li>{id}" "{move || if i18n.lang() == crate::i18n::Lang::Zh { zh.clone() } else { en.clone() }}</li> }
                }).collect_view()}</ul>
            </details>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="review-error">{e}</p> })}
            <p>
                <button type="button" data-testid="review-sign-off" on:click=sign
                    disabled=move || { let (_, missing, unsigned, any) = progress.get(); !sent || missing > 0 || (unsigned == 0 && any) }>
                    {move || i18n.t(E::SignOff)}</button>
            </p>
        </section>
        <ul class="record-list" data-testid="review-people">
            {compiled.nominees.iter().enumerate().map(|(i, n)| view! {
                <Person no={i + 1} person=n.person.clone() name=n.name.clone() rules=rules.clone() ctx=ctx.clone() enabled=sent/>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn Person(
    no: usize,
    person: EntityId,
    name: String,
    rules: Vec<(RuleId, String, String)>,
    ctx: DeskCtx,
    enabled: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let department = ctx.department;
    let ledger = ctx.ledger;
    let open = {
        let person = person.clone();
        Memo::new(move |_| ledger.with(|l| l.open_rules(department, &person).len()))
    };
    let clear_rest = {
        let (ctx, person) = (ctx.clone(), person.clone());
        move |_| {
            let lines = ctx
                .ledger
                .with_untracked(|l| l.clear_rest(department, &person, data::today()));
            ctx.answer(lines);
        }
    };
    view! {
        <li class="card" data-testid="review-person" data-person=person.to_string() data-name=name.clone()
            data-open=move || open.get().to_string()>
            <p class="record-main">{no}". "{name.clone()}
                <button type="button" class="secondary" data-testid="review-all-clear" on:click=clear_rest
                    disabled=move || !enabled || open.get() == 0>{move || i18n.t(E::ClearRest)}</button>
            </p>
            <ul class="record-list">
                {rules.into_iter().map(|(rule, zh, _)| view! {
                    <RuleRow person=person.clone() rule zh ctx=ctx.clone() enabled/>
                }).collect_view()}
            </ul>
        </li>
    }
}

#[component]
fn RuleRow(
    person: EntityId,
    rule: RuleId,
    zh: String,
    ctx: DeskCtx,
    enabled: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let department = ctx.department;
    let ledger = ctx.ledger;
    let given = {
        let (person, rule) = (person.clone(), rule.clone());
        Memo::new(move |_| ledger.with(|l| l.given(department, &person, &rule)))
    };
    let result = move || given.get().map(|g| g.result);
    let asking = RwSignal::new(false);
    let record_date = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let line = {
        let (person, rule) = (person.clone(), rule.clone());
        move |result: RuleResult, record_date: Option<NaiveDate>, note: Option<String>| AnswerLine {
            person: person.clone(),
            rule: rule.clone(),
            result,
            record_date,
            note,
            date: data::today(),
            seal_photo_hash: None,
        }
    };
    let clear = {
        let (ctx, line) = (ctx.clone(), line.clone());
        move |_| {
            asking.set(false);
            if result() != Some(RuleResult::Clear) {
                ctx.answer(vec![line(RuleResult::Clear, None, None)]);
            }
        }
    };
    let save_hit = {
        let (ctx, line) = (ctx.clone(), line.clone());
        move |_| {
            let lang = i18n.lang();
            let date_text = record_date.get_untracked();
            let date = if date_text.trim().is_empty() {
                None
            } else {
                match date_text.trim().parse::<NaiveDate>() {
                    Ok(d) if d <= data::today() => Some(d),
                    _ => {
                        ctx.error.set(Some(E::BadRecordDate.text(lang).into()));
                        return;
                    }
                }
            };
            let text = note.get_untracked().trim().to_string();
            if text.chars().count() > MAX_HIT_NOTE_CHARS {
                ctx.error.set(Some(E::NoteTooLong.text(lang).into()));
                return;
            }
            ctx.answer(vec![line(
                RuleResult::Hit,
                date,
                (!text.is_empty()).then_some(text),
            )]);
            asking.set(false);
        }
    };
    let tag = move || match result() {
        Some(r) => serde_json::to_value(r)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        None => "NONE".to_string(),
    };
    let detail = move || {
        given
            .get()
            .filter(|g| g.result == RuleResult::Hit)
            .map(|g| {
                format!(
                    "{}{}",
                    g.record_date.map(|d| d.to_string()).unwrap_or_default(),
                    g.note.map(|n| format!(" {n}")).unwrap_or_default()
                )
            })
    };
    view! {
        <li class="record-row" data-testid="review-rule" data-rule=rule.to_string() data-result=tag>
            <span class="record-main">{rule.to_string()}" "{zh}</span>
            <span class="row-actions">
                <button type="button" data-testid="review-clear" class:secondary=move || result() != Some(RuleResult::Clear)
                    disabled=!enabled on:click=clear>{move || i18n.t(E::Clear)}</button>
                <button type="button" data-testid="review-hit" class:secondary=move || result() != Some(RuleResult::Hit)
                    disabled=!enabled on:click=move |_| asking.set(true)>{move || i18n.t(E::Hit)}</button>
            </span>
            {move || detail().map(|d| view! { <span class="record-sub" data-testid="review-hit-detail">{d}</span> })}
            <Show when=move || asking.get()>
                <div class="inline-form" data-testid="review-hit-form">
                    <label class="field"><span>{move || i18n.t(E::RecordDate)}</span>
                        <input type="date" data-testid="review-hit-date" prop:value=move || record_date.get()
                            on:input=move |ev| record_date.set(event_target_value(&ev))/></label>
                    <label class="field"><span>{move || i18n.t(E::HitNote)}</span>
                        <input data-testid="review-hit-note" maxlength=MAX_HIT_NOTE_CHARS.to_string() prop:value=move || note.get()
                            on:input=move |ev| note.set(event_target_value(&ev))/></label>
                    <button type="button" data-testid="review-hit-save" on:click=save_hit.clone()>{move || i18n.t(E::ConfirmHit)}</button>
                    <button type="button" class="secondary" on:click=move |_| asking.set(false)>{move || i18n.t(E::Cancel)}</button>
                </div>
            </Show>
        </li>
    }
}
