//! `/units/import` — import units (单位) from a CSV file (代码,名称,类型,上级代码; UTF-8 or GBK).
//! The file is planned by the domain (`plan_unit_import`) against the units already known; if
//! any row is bad the screen lists every problem by line and writes nothing. Otherwise it appends
//! one `UnitRecorded` event per new or renamed unit, with a progress bar.

use cunju_domain::authz::{self, Action};
use cunju_domain::directory::units::{RowError, Unit, UnitImport, plan_unit_import};
use cunju_domain::event::{EventBody, NewEvent};
use cunju_domain::ids::EntityId;
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use wasm_bindgen::JsCast;

use super::units::load_units;
use crate::components::file_io::{decode_text, read_chosen_file};
use crate::components::require_login::RequireLogin;
use crate::i18n::{Lang, Msg, use_i18n};
use crate::store::{self, Store, StoreError};
use crate::sync::use_sync;

/// What importing a file would write: one draft event per unit to record.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportPlan {
    pub drafts: Vec<NewEvent>,
    /// Rows identical to a unit already known.
    pub unchanged: usize,
}

/// Why a file cannot be imported; nothing is written.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportRefused {
    /// The role may not record units.
    NotPermitted,
    /// Neither UTF-8 nor GBK text.
    NotText,
    /// Bad rows, every one with its line.
    Rows(Vec<RowError>),
}

impl ImportRefused {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ImportRefused::NotPermitted => Msg::UnitsImportNotPermitted.text(lang).into(),
            ImportRefused::NotText => Msg::UnitsImportNotText.text(lang).into(),
            ImportRefused::Rows(rows) => {
                format!("{}{}", Msg::UnitsImportRowsBad.text(lang), rows.len())
            }
        }
    }
}

/// Decodes and plans a unit CSV for `profile`, against the units already `known`: the whole
/// path of the import screen short of writing.
pub fn plan_file(
    bytes: &[u8],
    known: &[Unit],
    profile: &Profile,
) -> Result<ImportPlan, ImportRefused> {
    if !authz::permits(profile.role, Action::EditUnitTree) {
        return Err(ImportRefused::NotPermitted);
    }
    let (text, _) = decode_text(bytes).map_err(|_| ImportRefused::NotText)?;
    let UnitImport {
        to_record,
        unchanged,
    } = plan_unit_import(&text, known).map_err(ImportRefused::Rows)?;
    let mut errors = Vec::new();
    let mut drafts = Vec::with_capacity(to_record.len());
    for unit in to_record {
        let draft = NewEvent {
            actor: profile.user.clone(),
            unit: unit.code.clone(),
            entity: EntityId::unit(&unit.code),
            body: EventBody::UnitRecorded {
                code: unit.code.clone(),
                name: unit.name.clone(),
                unit_kind: unit.kind,
                parent: unit.parent.clone(),
            },
        };
        // The server refuses units outside the user's jurisdiction; say so now, by line.
        let line = line_of(&text, unit.code.as_str());
        if !unit.code.is_within(&profile.scope) {
            errors.push(RowError {
                line,
                message_zh: format!("单位{}不在您的辖区（{}）内", unit.code, profile.scope),
                message_en: format!(
                    "unit {} is outside your jurisdiction {}",
                    unit.code, profile.scope
                ),
            });
        } else if let Err(e) = draft.validate() {
            errors.push(RowError {
                line,
                message_zh: format!("单位{}无效：{}", unit.code, e.0),
                message_en: format!("unit {} is not valid: {}", unit.code, e.0),
            });
        } else {
            drafts.push(draft);
        }
    }
    if errors.is_empty() {
        Ok(ImportPlan { drafts, unchanged })
    } else {
        errors.sort_by_key(|e| e.line);
        Err(ImportRefused::Rows(errors))
    }
}

/// The line (1 = header) whose first field is `code`.
fn line_of(text: &str, code: &str) -> usize {
    text.lines()
        .position(|line| {
            line.split(',')
                .next()
                .is_some_and(|f| f.trim().trim_matches('"').trim() == code)
        })
        .map_or(0, |i| i + 1)
}

/// Appends the planned events one by one, reporting `(done, total)` after each commit.
/// Returns how many were written; on a storage failure, those before it stay (importing the
/// same file again records only the rest).
pub async fn record_plan(
    store: &Store,
    plan: &ImportPlan,
    mut progress: impl FnMut(usize, usize),
) -> Result<usize, StoreError> {
    let total = plan.drafts.len();
    for (done, draft) in plan.drafts.iter().enumerate() {
        store.append(draft.clone()).await?;
        progress(done + 1, total);
    }
    Ok(total)
}

/// Plans and, only if every row is good, records: what the screen does, in one call.
pub async fn import_file(
    store: &Store,
    bytes: &[u8],
    profile: &Profile,
) -> Result<Result<(usize, usize), ImportRefused>, StoreError> {
    let known = load_units(store, &profile.scope).await?;
    match plan_file(bytes, &known, profile) {
        Err(refused) => Ok(Err(refused)),
        Ok(plan) => {
            let written = record_plan(store, &plan, |_, _| ()).await?;
            Ok(Ok((written, plan.unchanged)))
        }
    }
}

#[component]
pub fn UnitsImport() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <A href="/units" attr:class="back">{move || i18n.t(Msg::UnitsBack)}</A>
            <h1>{move || i18n.t(Msg::UnitsImportTitle)}</h1>
            <p class="muted">{move || i18n.t(Msg::UnitsImportIntro)}</p>
        </section>
        <RequireLogin render=|profile| view! { <ImportForm profile/> }.into_any()/>
    }
}

/// Where the screen stands.
#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Choose,
    Reading,
    Refused(ImportRefused),
    Ready(ImportPlan),
    Writing { done: usize, total: usize },
    Done { written: usize, unchanged: usize },
    Failed { written: usize, error: StoreError },
}

#[component]
fn ImportForm(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    if !authz::permits(profile.role, Action::EditUnitTree) {
        return view! {
            <p class="notice" data-testid="units-import-not-permitted">
                {move || i18n.t(Msg::UnitsImportNotPermitted)}
            </p>
        }
        .into_any();
    }
    let stage = RwSignal::new(Stage::Choose);
    let profile = StoredValue::new(profile);

    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        stage.set(Stage::Reading);
        spawn_local(async move {
            let Some((_, bytes)) = read_chosen_file(&input).await else {
                stage.set(Stage::Choose);
                return;
            };
            let profile = profile.get_value();
            let next = match store::shared().await {
                Err(error) => Stage::Failed { written: 0, error },
                Ok(store) => match load_units(&store, &profile.scope).await {
                    Err(error) => Stage::Failed { written: 0, error },
                    Ok(mut known) => {
                        // The tree fetched from the server knows parents this device may lack.
                        for unit in sync.units.get_untracked() {
                            if !known.iter().any(|k| k.code == unit.code) {
                                known.push(unit);
                            }
                        }
                        match plan_file(&bytes, &known, &profile) {
                            Ok(plan) => Stage::Ready(plan),
                            Err(refused) => Stage::Refused(refused),
                        }
                    }
                },
            };
            stage.set(next);
        });
    };

    let submit = move |_| {
        let Stage::Ready(plan) = stage.get_untracked() else {
            return;
        };
        let total = plan.drafts.len();
        stage.set(Stage::Writing { done: 0, total });
        spawn_local(async move {
            let mut written = 0;
            let result = match store::shared().await {
                Ok(store) => {
                    record_plan(&store, &plan, |done, total| {
                        written = done;
                        stage.set(Stage::Writing { done, total });
                    })
                    .await
                }
                Err(err) => Err(err),
            };
            if written > 0 {
                sync.after_local_change();
            }
            stage.set(match result {
                Ok(written) => Stage::Done {
                    written,
                    unchanged: plan.unchanged,
                },
                Err(error) => Stage::Failed { written, error },
            });
        });
    };

    let busy = move || matches!(stage.get(), Stage::Reading | Stage::Writing { .. });
    view! {
        <div class="card form">
            <label class="field">
                <span>{move || i18n.t(Msg::UnitsImportChoose)}</span>
                <input type="file" accept=".csv,text/csv" data-testid="units-import-file"
                    on:change=on_file disabled=busy/>
                <small class="hint">{move || i18n.t(Msg::UnitsImportFormat)}</small>
            </label>
            {move || match stage.get() {
                Stage::Choose => ().into_any(),
                Stage::Reading => view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }.into_any(),
                Stage::Refused(refused) => view! { <Refusal refused/> }.into_any(),
                Stage::Ready(plan) => {
                    let (n, unchanged) = (plan.drafts.len(), plan.unchanged);
                    view! {
                        <p data-testid="units-import-plan">
                            {move || i18n.t(Msg::UnitsImportWillRecord)}" "<strong>{n}</strong>" · "
                            {move || i18n.t(Msg::UnitsImportUnchanged)}" "{unchanged}
                        </p>
                        <button type="button" class="wide" data-testid="units-import-submit"
                            on:click=submit disabled=n == 0>
                            {move || i18n.t(Msg::UnitsImportSubmit)}
                        </button>
                    }.into_any()
                }
                Stage::Writing { done, total } => view! {
                    <progress data-testid="units-import-progress" max=total.max(1) value=done></progress>
                    <p class="muted">{move || i18n.t(Msg::Saving)}" "{done}" / "{total}</p>
                }.into_any(),
                Stage::Done { written, unchanged } => view! {
                    <p class="form-ok" role="status" data-testid="units-import-done"
                        data-written=written data-unchanged=unchanged>
                        {move || i18n.t(Msg::UnitsImportDoneRecorded)}" "{written}" · "
                        {move || i18n.t(Msg::UnitsImportUnchanged)}" "{unchanged}
                    </p>
                    <A href="/units">{move || i18n.t(Msg::UnitsBack)}</A>
                }.into_any(),
                Stage::Failed { written, error } => view! {
                    <p class="form-error" role="alert" data-testid="units-import-failed">
                        {error.message(i18n.lang())}" "
                        {move || i18n.t(Msg::UnitsImportPartial)}" "{written}
                    </p>
                }.into_any(),
            }}
        </div>
    }
    .into_any()
}

/// Why nothing was imported, with every bad line.
#[component]
fn Refusal(refused: ImportRefused) -> impl IntoView {
    let i18n = use_i18n();
    let rows = match &refused {
        ImportRefused::Rows(rows) => rows.clone(),
        _ => Vec::new(),
    };
    let summary = refused.clone();
    view! {
        <div class="import-errors" data-testid="units-import-errors" role="alert">
            <p class="form-error">
                {move || summary.message(i18n.lang())}" "{move || i18n.t(Msg::UnitsImportNothing)}
            </p>
            {(!rows.is_empty()).then(|| view! {
                <table class="error-table">
                    <thead><tr>
                        <th>{move || i18n.t(Msg::UnitsImportLine)}</th>
                        <th>{move || i18n.t(Msg::UnitsImportProblem)}</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|row| {
                            let (zh, en) = (row.message_zh.clone(), row.message_en.clone());
                            view! {
                                <tr data-testid="units-import-error-row" data-line=row.line>
                                    <td>{row.line}</td>
                                    <td>{move || match i18n.lang() { Lang::Zh => zh.clone(), Lang::En => en.clone() }}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </div>
    }
}
