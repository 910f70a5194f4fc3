//! Everything around the API: the served app (static files with SPA fallback), security
//! headers, compression and body limits.

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
worker-src 'self'; manifest-src 'self'";

/// The export worker's files in `dist/` (`cunju-export-worker.js`, `…_bg.wasm`, `…_loader.js`).
pub const EXPORT_WORKER_PREFIX: &str = "/cunju-export-worker";

/// Serves the built app from `dir`; any path that is not a file gets `index.html`, so the
/// app's client-side routes survive a reload.
pub fn static_files(dir: &Path) -> Router {
    let index = ServeFile::new(dir.join("index.html"));
    let serve = ServeDir::new(dir).fallback(index);
    Router::new()
        .fallback_service(serve)
        .layer(middleware::from_fn(no_cache_for_entry_points))
}

/// The service worker and the HTML shell must be revalidated on every load, or a phone keeps
/// running an old app forever. So must the export worker's files: Trunk gives workers no
/// content hash, so an old copy in the HTTP cache would outlive a new build.
async fn no_cache_for_entry_points(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let is_worker = path.ends_with("/sw.js") || path.starts_with(EXPORT_WORKER_PREFIX);
    let mut res = next.run(req).await;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_worker || is_html {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    res
}

/// Adds the security headers to every response, API or app.
pub fn with_security_headers(router: Router) -> Router {
    router
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
}
