//! The no-network transfer section of `/sync` (离线传输): for a village with no signal at all.
//! Export writes this device's records still waiting to upload into a sealed bundle file
//! (`cunju_domain::bundle`) to carry by USB stick or messaging app; the server operator imports
//! it (`cunju-server bundle import`), or its author uploads it from anywhere. Import reads such a
//! file on another device: the file must be whole (`Bundle::check`), then its records are stored
//! here like records received from the server (importing twice changes nothing).

use cunju_domain::bundle::{Bundle, MAX_BUNDLE_EVENTS};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::components::file_io::{download_text, read_chosen_file};
use crate::i18n::reliability::BundleMsg;
use crate::i18n::{Lang, use_i18n};
use crate::store;

#[component]
pub fn Transfer() -> impl IntoView {
    let i18n = use_i18n();
    let message = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(false);

    let export = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let lang = i18n.lang();
        spawn_local(async move {
            message.set(Some(export_pending(lang).await));
            busy.set(false);
        });
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        busy.set(true);
        let lang = i18n.lang();
        spawn_local(async move {
            let outcome = match read_chosen_file(&input).await {
                Some((_, bytes)) => import_bundle(&bytes, lang).await,
                None => (false, BundleMsg::NotRead.text(lang).to_string()),
            };
            input.set_value("");
            message.set(Some(outcome));
            busy.set(false);
        });
    };
    view! {
        <section class="card transfer" data-testid="transfer">
            <h2>{move || i18n.t(BundleMsg::Heading)}</h2>
            <p class="muted">{move || i18n.t(BundleMsg::Intro)}</p>
            <button type="button" class="secondary" data-testid="bundle-export" on:click=export
                disabled=move || busy.get()>
                {move || i18n.t(BundleMsg::Export)}
            </button>
            <label class="field">
                <span>{move || i18n.t(BundleMsg::Import)}</span>
                <input type="file" accept=".json,application/json" data-testid="bundle-import"
                    on:change=import disabled=move || busy.get()/>
            </label>
            {move || message.get().map(|(ok, text)| if ok {
                view! { <p class="form-ok" role="status" data-testid="bundle-ok">{text}</p> }.into_any()
            } else {
                view! { <p class="form-error" role="alert" data-testid="bundle-error">{text}</p> }.into_any()
            })}
        </section>
    }
}

/// Writes this device's pending records as a bundle file; `(ok, what to tell the user)`.
async fn export_pending(lang: Lang) -> (bool, String) {
    let fail = |e: String| (false, format!("{}：{e}", BundleMsg::Failed.text(lang)));
    let store = match store::shared().await {
        Ok(s) => s,
        Err(e) => return fail(e.message(lang)),
    };
    let (log, pending) = match (
        store.device_log().await,
        store.pending(MAX_BUNDLE_EVENTS).await,
    ) {
        (Ok(Some(log)), Ok(pending)) => (log, pending),
        (Ok(None), _) => return (false, BundleMsg::Nothing.text(lang).to_string()),
        (Err(e), _) | (_, Err(e)) => return fail(e.message(lang)),
    };
    let mine: Vec<_> = pending
        .into_iter()
        .filter(|e| e.device == log.device)
        .collect();
    if mine.is_empty() {
        return (false, BundleMsg::Nothing.text(lang).to_string());
    }
    let count = mine.len();
    let now = chrono::Utc::now().timestamp_millis().max(0) as u64;
    let bundle = Bundle::new(log.device.clone(), mine, now);
    let text = match serde_json::to_string(&bundle) {
        Ok(t) => t,
        Err(e) => return fail(e.to_string()),
    };
    let name = format!(
        "cunju-{}-{}.cunju.json",
        log.device,
        chrono::Utc::now().format("%Y%m%d-%H%M")
    );
    match download_text(&name, "application/json", &text) {
        Ok(()) => (true, format!("{} {count}", BundleMsg::Exported.text(lang))),
        Err(e) => fail(e),
    }
}

/// Checks a bundle file and stores its records on this device.
async fn import_bundle(bytes: &[u8], lang: Lang) -> (bool, String) {
    let bundle: Bundle = match serde_json::from_slice(bytes) {
        Ok(b) => b,
        Err(_) => return (false, BundleMsg::NotBundle.text(lang).to_string()),
    };
    if let Err(e) = bundle.check() {
        return (
            false,
            match lang {
                Lang::Zh => e.message_zh(),
                Lang::En => e.to_string(),
            },
        );
    }
    let store = match store::shared().await {
        Ok(s) => s,
        Err(e) => return (false, e.message(lang)),
    };
    match store.apply_remote(&bundle.events).await {
        Ok(report) => (
            true,
            format!(
                "{} {} · {} {}",
                BundleMsg::Imported.text(lang),
                report.applied,
                BundleMsg::AlreadyHere.text(lang),
                report.duplicates + report.confirmed
            ),
        ),
        Err(e) => (false, e.message(lang)),
    }
}
