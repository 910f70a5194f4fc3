//! Evidence photos: `PUT /blobs/{sha256}` stores the body under its SHA-256 (checked with the
//! domain's `blob::check`; uploading a blob twice is harmless) and `GET /blobs/{sha256}` serves
//! it, cacheable for ever since a name never changes its bytes. Any signed-in user may do both:
//! a name is only learnt from an event the user may read.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cunju_domain::blob::{self, BlobStored};

use super::CurrentUser;
use crate::error::ApiError;
use crate::store::db_text;
use crate::{AppState, now_ms};

/// What a blob is served as when its uploader said nothing usable.
const UNKNOWN_TYPE: &str = "application/octet-stream";

pub(super) async fn put(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let hash = blob::parse_name(&name)?;
    let bytes = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
        _ => ApiError::BadRequest(rejection.body_text()),
    })?;
    blob::check(hash, &bytes)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|t| t.starts_with("image/") && t.len() <= 64 && t.is_ascii())
        .unwrap_or(UNKNOWN_TYPE);
    let created = state
        .store
        .put_blob(
            &name,
            content_type,
            &bytes,
            &db_text(&user.profile.user),
            now_ms(),
        )
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let answer = BlobStored {
        sha256: hash,
        size: bytes.len() as u64,
        created,
    };
    Ok((status, axum::Json(answer)).into_response())
}

pub(super) async fn get(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    blob::parse_name(&name)?;
    let row = state
        .store
        .blob(&name)
        .await?
        .ok_or(ApiError::NoSuchBlob(name.clone()))?;
    let content_type =
        HeaderValue::from_str(&row.content_type).unwrap_or(HeaderValue::from_static(UNKNOWN_TYPE));
    let mut res = row.bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type);
    // Private: behind a sign-in. Immutable: the name is the hash of the bytes.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{name}\"")) {
        h.insert(header::ETAG, etag);
    }
    Ok(res)
}
