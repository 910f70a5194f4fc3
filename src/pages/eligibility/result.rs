//! `/eligibility/batches/:id/result` — 联审结果表 for the files: the domain's result workbook
//! (one row per nominee with the verdict and every reason, and each department's answer count)
//! as a printable sheet and as a CSV download. Built on the township's or district's device
//! from what it may see: verdicts and reasons, never HIT details.

use std::collections::BTreeMap;

use cunju_domain::authz::Role;
use cunju_domain::eligibility::ledger::result_workbook;
use cunju_domain::eligibility::{BasicCheck, BatchLedger};
use cunju_domain::export::Workbook;
use cunju_domain::ids::EntityId;
use cunju_domain::sync::Profile;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::batch::load_batch;
use super::data;
use crate::components::file_io::download_text;
use crate::components::require_login::RequireLogin;
use crate::i18n::eligibility::EligibilityMsg as E;
use crate::i18n::{Msg, use_i18n};
use crate::sync::use_sync;

#[component]
pub fn BatchResult() -> impl IntoView {
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
        </section>
        <RequireLogin render=|profile| view! { <ResultLoad profile/> }.into_any()/>
    }
}

#[component]
fn ResultLoad(profile: Profile) -> impl IntoView {
    let i18n = use_i18n();
    if !matches!(profile.role, Role::TownshipSupervisor | Role::DistrictAdmin) {
        return view! { <p class="notice" data-testid="not-permitted">{move || i18n.t(E::NotPermitted)}</p> }.into_any();
    }
    let loaded = load_batch(&profile);
    view! {
        <Suspense fallback=move || view! { <p class="muted">{move || i18n.t(Msg::Loading)}</p> }>
            {move || loaded.get().map(|r| match r {
                Err(e) => view! { <p class="form-error" role="alert">{e.message(i18n.lang())}</p> }.into_any(),
                Ok(Some((id, ledger, basics))) if ledger.compiled.is_some() => view! { <Sheet id ledger basics/> }.into_any(),
                Ok(_) => view! { <p class="notice" data-testid="batch-missing">{move || i18n.t(E::BatchMissing)}</p> }.into_any(),
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Sheet(
    id: EntityId,
    ledger: BatchLedger,
    basics: BTreeMap<EntityId, BasicCheck>,
) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let unit_name = ledger
        .unit
        .as_ref()
        .map(|u| sync.units.with_untracked(|all| data::unit_name(all, u)))
        .unwrap_or_default();
    let book: Workbook = result_workbook(&ledger, &unit_name, &basics);
    let Some(sheet) = book.sheets.first().cloned() else {
        return ().into_any();
    };
    let filename = format!(
        "联审结果-{unit_name}-{}.csv",
        id.as_str().rsplit(':').next().unwrap_or_default()
    );
    let error = RwSignal::new(None::<String>);
    let csv = sheet.to_csv();
    let download = move |_| {
        if let Err(e) = download_text(&filename, "text/csv;charset=utf-8", &csv) {
            error.set(Some(format!("{}{e}", i18n.t(E::ExportFailed))));
        }
    };
    view! {
        <p class="toolbar">
            <button type="button" data-testid="result-print"
                on:click=move |_| { if let Some(w) = web_sys::window() { let _ = w.print(); } }>{move || i18n.t(E::Print)}</button>
            <button type="button" class="secondary" data-testid="result-csv" on:click=download>{move || i18n.t(E::DownloadCsv)}</button>
        </p>
        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        <article class="print-sheet" data-testid="result-sheet">
            {sheet.title.iter().map(|t| view! { <p class="sheet-title">{t.clone()}</p> }).collect_view()}
            <table class="sheet-table" data-testid="result-table">
                <thead><tr>{sheet.columns.iter().map(|c| view! { <th>{c.clone()}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {sheet.rows.iter().map(|row| view! {
                        <tr data-testid="result-row">{row.iter().map(|c| view! { <td>{c.display()}</td> }).collect_view()}</tr>
                    }).collect_view()}
                </tbody>
                <tfoot>
                    {sheet.footer.iter().map(|row| view! {
                        <tr data-testid="result-footer">{row.iter().map(|c| view! { <td>{c.display()}</td> }).collect_view()}</tr>
                    }).collect_view()}
                </tfoot>
            </table>
        </article>
    }
    .into_any()
}
