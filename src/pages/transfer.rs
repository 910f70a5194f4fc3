//! `/sync/transfer` — the offline transfer bundle (离线传输包), for villages with no signal at
//! all: this device's records waiting to upload are written to a sealed file
//! (`cunju_domain::bundle`), carried by USB stick or messaging app, and imported to the server
//! from a connected device by the same account. The server judges every record exactly as a
//! push, so importing twice stores nothing twice.

use cunju_domain::bundle::{Bundle, MAX_BUNDLE_EVENTS};
use cunju_domain::sync::{PushResponse, PushStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use wasm_bindgen::JsCast;

use super::accounts::session_token;
use crate::components::file_io::{download_text, read_chosen_file};
use crate::components::online::use_online;
use crate::components::require_login::RequireLogin;
use crate::i18n::devices::DevicesMsg;
use crate::i18n::{Lang, Msg, use_i18n};
use crate::platform;
use crate::store::{self, StoreError};
use crate::sync::api;
use crate::sync::use_sync;

#[component]
pub fn Transfer() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page-head">
            <p><A href="/sync">"‹ "{move || i18n.t(Msg::SyncTitle)}</A></p>
            <h1>{move || i18n.t(DevicesMsg::TransferTitle)}</h1>
            <p class="muted">{move || i18n.t(DevicesMsg::TransferIntro)}</p>
        </section>
        <RequireLogin render=|_| view! { <Export/><Import/> }.into_any()/>
    }
}

/// What exporting did.
#[derive(Clone, PartialEq)]
enum Exported {
    Nothing,
    Written { count: usize, more: bool },
}

/// This device's records waiting to upload, sealed and signed with the account's key
/// (`None`: nothing waits); `true` when more wait than one bundle holds.
async fn build_bundle(lang: Lang) -> Result<Option<(Bundle, bool)>, String> {
    let said = |e: StoreError| e.message(lang);
    let store = store::shared().await.map_err(said)?;
    let Some(key) = store
        .session()
        .await
        .map_err(said)?
        .and_then(|s| s.bundle_key)
    else {
        return Err(DevicesMsg::ExportNeedsLogin.text(lang).into());
    };
    let Some(log) = store.device_log().await.map_err(said)? else {
        return Ok(None);
    };
    let mut events = store.pending(MAX_BUNDLE_EVENTS + 1).await.map_err(said)?;
    // Only this device's own chain travels (pending events are this device's by construction).
    events.retain(|e| e.device == log.device);
    if events.is_empty() {
        return Ok(None);
    }
    let more = events.len() > MAX_BUNDLE_EVENTS;
    events.truncate(MAX_BUNDLE_EVENTS);
    Ok(Some((
        Bundle::new(log.device.clone(), events, platform::now_ms(), &key),
        more,
    )))
}

fn bundle_file_name(bundle: &Bundle) -> String {
    let stamp = chrono::DateTime::from_timestamp_millis(bundle.created_ms as i64)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y%m%d-%H%M")
                .to_string()
        })
        .unwrap_or_default();
    let device: String = bundle.device.to_string().chars().take(8).collect();
    format!("cunju-bundle-{device}-{stamp}.json")
}

#[component]
fn Export() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let busy = RwSignal::new(false);
    let result = RwSignal::new(None::<Exported>);
    let error = RwSignal::new(None::<String>);
    let export = move |_| {
        if busy.get_untracked() {
            return;
        }
        let lang = i18n.lang();
        busy.set(true);
        error.set(None);
        result.set(None);
        spawn_local(async move {
            let outcome = match build_bundle(lang).await {
                Err(message) => Err(message),
                Ok(None) => Ok(Exported::Nothing),
                Ok(Some((bundle, more))) => match serde_json::to_string(&bundle) {
                    Err(e) => Err(e.to_string()),
                    Ok(text) => {
                        download_text(&bundle_file_name(&bundle), "application/json", &text).map(
                            |()| Exported::Written {
                                count: bundle.events.len(),
                                more,
                            },
                        )
                    }
                },
            };
            busy.set(false);
            match outcome {
                Ok(done) => result.set(Some(done)),
                Err(message) => error.set(Some(message)),
            }
        });
    };
    view! {
        <section class="card" data-testid="transfer-export">
            <h2>{move || i18n.t(DevicesMsg::ExportHeading)}</h2>
            <p>{move || i18n.t(Msg::SyncPendingLabel)}"："<strong data-testid="transfer-pending">{move || sync.pending.get()}</strong></p>
            <button type="button" class="wide" data-testid="transfer-export-button" on:click=export disabled=move || busy.get()>
                {move || if busy.get() { i18n.t(DevicesMsg::Working) } else { i18n.t(DevicesMsg::ExportButton) }}
            </button>
            {move || result.get().map(|r| match r {
                Exported::Nothing => view! {
                    <p class="notice" data-testid="transfer-export-nothing">{move || i18n.t(DevicesMsg::ExportNothing)}</p>
                }.into_any(),
                Exported::Written { count, more } => view! {
                    <p class="form-ok" role="status" data-testid="transfer-export-done" data-count=count>
                        {move || i18n.t(DevicesMsg::ExportDone)}{count}
                    </p>
                    {more.then(|| view! { <p class="notice">{move || i18n.t(DevicesMsg::ExportMore)}</p> })}
                }.into_any(),
            })}
            <Show when=move || error.with(Option::is_some)>
                <p class="form-error" role="alert" data-testid="transfer-export-error">{move || error.get()}</p>
            </Show>
        </section>
    }
}

/// Counts of what the server did with an imported bundle.
#[derive(Clone, PartialEq)]
struct ImportReport {
    accepted: usize,
    duplicates: usize,
    /// Each refused record's reason, in the UI language.
    rejected: Vec<String>,
}

fn report_of(response: &PushResponse, lang: Lang) -> ImportReport {
    let mut report = ImportReport {
        accepted: 0,
        duplicates: 0,
        rejected: Vec::new(),
    };
    for outcome in &response.results {
        match &outcome.status {
            PushStatus::Accepted => report.accepted += 1,
            PushStatus::Duplicate => report.duplicates += 1,
            PushStatus::Rejected { reason, detail } => report.rejected.push(match lang {
                Lang::Zh => format!(
                    "{}（{}）",
                    reason.message_zh(),
                    api::server_text(detail, lang)
                ),
                Lang::En => format!(
                    "{} ({})",
                    reason.message_en(),
                    api::server_text(detail, lang)
                ),
            }),
        }
    }
    report
}

/// Reads and checks the chosen file; the error is said in the UI language.
fn read_bundle(bytes: &[u8], lang: Lang) -> Result<Bundle, String> {
    let bundle: Bundle = serde_json::from_slice(bytes)
        .map_err(|_| DevicesMsg::ImportNotBundle.text(lang).to_string())?;
    bundle.check().map_err(|e| match lang {
        Lang::Zh => e.message_zh(),
        Lang::En => e.to_string(),
    })?;
    Ok(bundle)
}

#[component]
fn Import() -> impl IntoView {
    let i18n = use_i18n();
    let online = use_online();
    let sync = use_sync();
    let busy = RwSignal::new(false);
    let report = RwSignal::new(None::<ImportReport>);
    let error = RwSignal::new(None::<String>);
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let lang = i18n.lang();
        report.set(None);
        error.set(None);
        if !online.get_untracked() {
            error.set(Some(DevicesMsg::ImportOffline.text(lang).into()));
            input.set_value("");
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let outcome = async {
                let (_, bytes) = read_chosen_file(&input)
                    .await
                    .ok_or_else(|| DevicesMsg::ImportNoFile.text(lang).to_string())?;
                let bundle = read_bundle(&bytes, lang)?;
                let token = session_token().await.map_err(|e| e.message(lang))?;
                api::import_bundle(&token, &bundle)
                    .await
                    .map_err(|e| e.message(lang))
            }
            .await;
            input.set_value("");
            busy.set(false);
            match outcome {
                Ok(response) => {
                    report.set(Some(report_of(&response, lang)));
                    // The imported records come back to this device with the next pull.
                    sync.sync_now();
                }
                Err(message) => error.set(Some(message)),
            }
        });
    };
    view! {
        <section class="card" data-testid="transfer-import">
            <h2>{move || i18n.t(DevicesMsg::ImportHeading)}</h2>
            <Show when=move || !online.get()>
                <p class="notice" data-testid="transfer-import-offline">{move || i18n.t(DevicesMsg::ImportOffline)}</p>
            </Show>
            <label>
                {move || i18n.t(DevicesMsg::ImportChoose)}
                <input type="file" accept=".json,application/json" data-testid="transfer-import-file"
                    on:change=on_file disabled=move || busy.get()/>
            </label>
            <Show when=move || busy.get()>
                <p class="muted">{move || i18n.t(DevicesMsg::Working)}</p>
            </Show>
            <Show when=move || error.with(Option::is_some)>
                <p class="form-error" role="alert" data-testid="transfer-import-error">{move || error.get()}</p>
            </Show>
            {move || report.get().map(|r| {
                let refused = r.rejected.len();
                view! {
                <div class="transfer-result" role="status" data-testid="transfer-import-done"
                    data-accepted=r.accepted data-duplicates=r.duplicates data-rejected=refused>
                    <h3>{move || i18n.t(DevicesMsg::ImportDone)}</h3>
                    <dl>
                        <dt>{move || i18n.t(DevicesMsg::Accepted)}</dt><dd>{r.accepted}</dd>
                        <dt>{move || i18n.t(DevicesMsg::Duplicates)}</dt><dd>{r.duplicates}</dd>
                        <dt>{move || i18n.t(DevicesMsg::Rejected)}</dt><dd>{refused}</dd>
                    </dl>
                    <ul>{r.rejected.into_iter().map(|reason| view! { <li class="form-error">{reason}</li> }).collect_view()}</ul>
                </div>
                }
            })}
        </section>
    }
}
