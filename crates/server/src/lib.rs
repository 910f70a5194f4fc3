//! `cunju-server`: the sync and administration server of Cunju (村居台账).
//!
//! It stores the event log (SQLite or PostgreSQL), authenticates users, enforces permissions
//! and jurisdiction scope with `cunju_domain::authz`, and serves the built app. Start reading
//! at [`build_app`] (the routes) and [`store::Store`] (all SQL).

pub mod api;
pub mod auth;
pub mod backup;
pub mod bundle;
pub mod error;
pub mod extract;
pub mod seed;
pub mod store;
pub mod testing;
pub mod units;
pub mod verify;
pub mod web;

use std::path::PathBuf;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::trace::TraceLayer;

use crate::store::Store;

/// Largest accepted request body, after gzip decompression.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Shared state of every request.
#[derive(Clone, Debug)]
pub struct AppState {
    pub store: Store,
    /// The built app (Trunk's `dist/`); `None` serves the API only.
    pub static_dir: Option<PathBuf>,
}

/// The whole HTTP surface: `/api/v1/…` plus the app's static files.
pub async fn build_app(state: AppState) -> Router {
    let static_dir = state.static_dir.clone();
    let mut app = Router::new().nest("/api", api::router(state));
    if let Some(dir) = static_dir {
        app = app.merge(web::static_files(&dir));
    }
    web::with_security_headers(app)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestDecompressionLayer::new())
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
}

/// Current time in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
