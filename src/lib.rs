//! Cunju (村居台账), the app: screens, IndexedDB storage ([`store`]), the sync client ([`sync`])
//! and i18n.
//!
//! It holds no business rule of its own: every decision is a call into `cunju-domain`.
//! Routes are declared in [`app`]; each screen lives in [`pages`] under its route's name.

pub mod app;
pub mod components;
pub mod i18n;
pub mod pages;
pub mod platform;
pub mod store;
pub mod sync;

// bench: a page hook for `cargo xtask bench` (issue 9), only in builds with `--features bench-hook`.
#[cfg(feature = "bench-hook")]
pub mod bench_hook;

/// Mounts the app on `<body>`; called once by `main`.
pub fn start() {
    console_error_panic_hook::set_once();
    platform::register_service_worker();
    leptos::mount::mount_to_body(app::App);
}

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
