//! The one error type of the HTTP API. `ApiError` is the only place where HTTP status codes are
//! chosen; every error leaves the server as JSON `{"code": "...", "message": "..."}`.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cunju_domain::authz::{AccountDenied, AccountFieldError};
use cunju_domain::sync::ApiErrorBody;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("malformed request: {0}")]
    BadRequest(String),
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("not authenticated")]
    Unauthenticated,
    #[error("wrong username or password")]
    BadCredentials,
    /// Locked out: no sign-in (not even with the right password) for this many more minutes.
    #[error("too many failed logins; locked for {0} more minute(s)")]
    TooManyAttempts(i64),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("account disabled")]
    AccountDisabled,
    #[error("weak password: {0}")]
    WeakPassword(String),
    #[error("invalid field: {0}")]
    InvalidField(String),
    #[error("wrong current password")]
    WrongPassword,
    #[error("username {0:?} is taken")]
    UsernameTaken(String),
    #[error("no user {0:?}")]
    NoSuchUser(String),
    #[error("bad bundle: {0}")]
    BadBundle(cunju_domain::bundle::BundleError),
    #[error("no device {0:?}")]
    NoSuchDevice(String),
    #[error("blob refused: {0}")]
    Blob(#[from] cunju_domain::blob::BlobError),
    #[error("no blob {0:?}")]
    NoSuchBlob(String),
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        use ApiError::*;
        match self {
            BadRequest(detail) => (
                StatusCode::BAD_REQUEST,
                "bad_request",
                format!("请求格式错误 / malformed request: {detail}"),
            ),
            PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "请求体过大，请分批同步 / request body too large, send smaller batches".into(),
            ),
            UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请求须为 JSON（Content-Type: application/json） / expected a JSON body".into(),
            ),
            Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "未登录或登录已过期，请重新登录 / not signed in or session expired, please sign in"
                    .into(),
            ),
            BadCredentials => (
                StatusCode::UNAUTHORIZED,
                "bad_credentials",
                "用户名或密码错误 / wrong username or password".into(),
            ),
            TooManyAttempts(minutes) => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                format!(
                    "登录失败次数过多，账号已暂时锁定，请 {minutes} 分钟后再试，或请管理员重置密码 / \
                     too many failed logins: this account is locked, try again in {minutes} minute(s) \
                     or ask your administrator to reset the password"
                ),
            ),
            Forbidden(detail) => (
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("无权执行此操作 / not permitted: {detail}"),
            ),
            AccountDisabled => (
                StatusCode::FORBIDDEN,
                "account_disabled",
                "账号已停用，请联系管理员 / this account is disabled, contact your administrator"
                    .into(),
            ),
            WeakPassword(message) => (StatusCode::BAD_REQUEST, "weak_password", message.clone()),
            InvalidField(message) => (StatusCode::BAD_REQUEST, "invalid_field", message.clone()),
            WrongPassword => (
                StatusCode::BAD_REQUEST,
                "wrong_password",
                "原密码不正确，请重新输入 / the current password is wrong".into(),
            ),
            UsernameTaken(username) => (
                StatusCode::CONFLICT,
                "username_taken",
                format!("用户名“{username}”已被使用，请换一个 / username {username:?} is taken"),
            ),
            NoSuchUser(username) => (
                StatusCode::NOT_FOUND,
                "no_such_user",
                format!("没有用户名为“{username}”的账号 / no account named {username:?}"),
            ),
            BadBundle(e) => (
                StatusCode::BAD_REQUEST,
                "bad_bundle",
                format!("{} / {e}", e.message_zh()),
            ),
            NoSuchDevice(device) => (
                StatusCode::NOT_FOUND,
                "no_such_device",
                format!("没有编号为“{device}”的设备 / no device {device:?}"),
            ),
            Blob(e) => {
                use cunju_domain::blob::BlobError;
                let (status, code) = match e {
                    BlobError::BadName(_) => (StatusCode::BAD_REQUEST, "blob_bad_name"),
                    BlobError::HashMismatch { .. } => {
                        (StatusCode::BAD_REQUEST, "blob_hash_mismatch")
                    }
                    BlobError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "blob_too_large"),
                    BlobError::Empty => (StatusCode::BAD_REQUEST, "blob_empty"),
                };
                (status, code, format!("{} / {e}", e.message_zh()))
            }
            NoSuchBlob(hash) => (
                StatusCode::NOT_FOUND,
                "no_such_blob",
                format!("服务器上还没有这张照片（{hash}） / no blob {hash}"),
            ),
            NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "接口不存在 / no such endpoint".into(),
            ),
            MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "不支持此请求方法 / method not allowed".into(),
            ),
            Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "服务器内部错误，请稍后重试 / internal server error, please retry later".into(),
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let body = ApiErrorBody {
            code: code.to_string(),
            message,
        };
        let mut res = (status, axum::Json(body)).into_response();
        if let ApiError::TooManyAttempts(minutes) = self {
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(minutes * 60),
            );
        }
        res
    }
}

impl From<AccountFieldError> for ApiError {
    fn from(e: AccountFieldError) -> Self {
        let message = format!("{} / {e}", e.message_zh());
        if e.is_password() {
            ApiError::WeakPassword(message)
        } else {
            ApiError::InvalidField(message)
        }
    }
}

impl From<AccountDenied> for ApiError {
    fn from(e: AccountDenied) -> Self {
        ApiError::Forbidden(format!("{} / {e}", e.message_zh()))
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType,
            _ => ApiError::BadRequest(rejection.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::BadRequest(rejection.body_text())
    }
}
