//! The few browser facilities the app needs besides IndexedDB: the service worker,
//! persistent storage, the clock and randomness. Kept here so screens never call web APIs.

use wasm_bindgen_futures::{JsFuture, spawn_local};

/// Registers `/sw.js` so the app loads with the network off after one visit.
/// Failure is not fatal (e.g. an insecure origin): the app still runs online.
pub fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    // `serviceWorker` is missing on insecure origins; check before touching it.
    let has_sw = js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false);
    if !has_sw {
        return;
    }
    let promise = navigator.service_worker().register("/sw.js");
    spawn_local(async move {
        if let Err(err) = JsFuture::from(promise).await {
            web_sys::console::warn_2(&"service worker registration failed".into(), &err);
        }
    });
}

/// Asks the browser not to evict our IndexedDB data under storage pressure.
/// Returns whether the data is now persistent.
pub async fn request_persistent_storage() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let storage = window.navigator().storage();
    let Ok(promise) = storage.persist() else {
        return false;
    };
    match JsFuture::from(promise).await {
        Ok(value) => value.as_bool().unwrap_or(false),
        Err(_) => false,
    }
}

/// Whether the browser currently believes it is online.
pub fn is_online() -> bool {
    web_sys::window()
        .map(|w| w.navigator().on_line())
        .unwrap_or(true)
}

/// Current wall-clock time in milliseconds since the Unix epoch (may be skewed: the HLC copes).
pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Reads a value the user chose earlier (language and similar small preferences).
pub fn local_setting(key: &str) -> Option<String> {
    web_sys::window()?
        .local_storage()
        .ok()??
        .get_item(key)
        .ok()?
}

/// Remembers a small preference; failure (private mode) only loses the preference.
pub fn set_local_setting(key: &str, value: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(key, value);
    }
}

/// Sets `<html lang>` so screen readers and fonts follow the chosen language.
pub fn set_document_lang(tag: &str) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", tag);
    }
}

/// Cryptographically random bytes from the browser (`crypto.getRandomValues`).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    getrandom::getrandom(&mut out)
        .expect("crypto.getRandomValues is available in every supported browser");
    out
}

/// Device-local date and time (`2026-03-08 14:05`) of a timestamp in ms since the epoch.
pub fn format_local_time(ms: u64) -> String {
    chrono::DateTime::from_timestamp_millis(ms as i64)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// Today on this device's calendar.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// A fresh entity id of `kind`: this device's clock and random bytes.
pub fn new_id(kind: cunju_domain::event::EntityKind) -> cunju_domain::ids::EntityId {
    cunju_domain::ids::EntityId::new(
        kind.as_str(),
        cunju_domain::ids::EventId::new(now_ms(), random_bytes()),
    )
}
