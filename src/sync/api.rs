//! The server's HTTP API (`/api/v1`) as the app calls it: login, logout, push and pull, each with
//! a time limit, every failure turned into an [`ApiError`] that says what happened.

use cunju_domain::bundle::Bundle;
use cunju_domain::devices::{DeviceInfo, DevicesResponse, RevokeResponse};
use cunju_domain::directory::units::Unit;
use cunju_domain::ids::{DeviceId, Hash};
use cunju_domain::sync::{
    ApiErrorBody, LoginRequest, LoginResponse, PullParams, PullResponse, PushRequest, PushResponse,
};
use gloo_net::http::{Request, RequestBuilder, Response};
use gloo_timers::callback::Timeout;
use serde::de::DeserializeOwned;

use crate::i18n::Lang;

const BASE: &str = "/api/v1";
/// A request that has not finished by then is given up (and retried by the sync loop):
/// a phone on a weak signal can otherwise wait forever.
const TIMEOUT_MS: u32 = 30_000;

/// What went wrong talking to the server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// No answer at all: offline, server down, timed out.
    #[error("no answer from the server: {0}")]
    Network(String),
    /// 401: the token is missing, expired or revoked (or, at login, the password is wrong).
    #[error("unauthorised ({code}): {message}")]
    Unauthorized { code: String, message: String },
    /// Any other error status, with the server's `{code, message}` when it sent one.
    #[error("server answered {status} ({code}): {message}")]
    Server {
        status: u16,
        code: String,
        message: String,
    },
    /// A success status with a body this app cannot read (an incompatible server).
    #[error("unexpected answer from the server: {0}")]
    Protocol(String),
}

impl ApiError {
    /// The server's error code (`bad_credentials`, `too_many_attempts`, …), if it sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Unauthorized { code, .. } | ApiError::Server { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Said for the person using the app, with what to do next.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (ApiError::Network(_), Lang::Zh) => "无法连接服务器。记录已保存在本机，联网后会自动重试。".into(),
            (ApiError::Network(_), Lang::En) => {
                "Cannot reach the server. Records are safe on this device; sync retries when the connection returns.".into()
            }
            (ApiError::Unauthorized { .. }, Lang::Zh) => "登录已过期，请重新登录。未上传的记录仍保存在本机。".into(),
            (ApiError::Unauthorized { .. }, Lang::En) => {
                "Your session has expired. Please log in again; records not yet uploaded stay on this device.".into()
            }
            (ApiError::Server { status, .. }, Lang::Zh) if *status >= 500 => {
                format!("服务器暂时出错（{status}），稍后会自动重试。")
            }
            (ApiError::Server { status, .. }, Lang::En) if *status >= 500 => {
                format!("The server had a problem ({status}); sync will retry later.")
            }
            (ApiError::Server { message, .. }, lang) => server_text(message, lang),
            (ApiError::Protocol(_), Lang::Zh) => "服务器的回答无法识别，请更新应用后重试。".into(),
            (ApiError::Protocol(_), Lang::En) => "The server's answer was not understood. Update the app and retry.".into(),
        }
    }
}

/// The server writes its messages as "中文 / English"; this picks the user's half.
pub fn server_text(message: &str, lang: Lang) -> String {
    match message.split_once(" / ") {
        Some((zh, en)) => match lang {
            Lang::Zh => zh.trim().to_string(),
            Lang::En => en.trim().to_string(),
        },
        None => message.to_string(),
    }
}

/// `POST /auth/login`.
pub async fn login(request: &LoginRequest) -> Result<LoginResponse, ApiError> {
    let deadline = Deadline::start()?;
    let request = deadline
        .apply(Request::post(&format!("{BASE}/auth/login")))
        .json(request)
        .map_err(|e| ApiError::Protocol(e.to_string()))?;
    fetch_json(request).await
}

/// `POST /auth/logout`: revokes the token on the server. Best effort: the app forgets the token
/// whatever the answer.
pub async fn logout(token: &str) -> Result<(), ApiError> {
    let deadline = Deadline::start()?;
    let request = authorized(
        deadline.apply(Request::post(&format!("{BASE}/auth/logout"))),
        token,
    )
    .build()
    .map_err(|e| ApiError::Protocol(e.to_string()))?;
    fetch(request).await.map(|_| ())
}

/// `POST /sync/push`.
pub async fn push(token: &str, body: &PushRequest) -> Result<PushResponse, ApiError> {
    let deadline = Deadline::start()?;
    let request = authorized(
        deadline.apply(Request::post(&format!("{BASE}/sync/push"))),
        token,
    )
    .json(body)
    .map_err(|e| ApiError::Protocol(e.to_string()))?;
    fetch_json(request).await
}

/// `GET /sync/pull?…` (`PullParams::query`).
pub async fn pull(token: &str, params: &PullParams) -> Result<PullResponse, ApiError> {
    let deadline = Deadline::start()?;
    let url = format!("{BASE}/sync/pull?{}", params.query());
    let request = authorized(deadline.apply(Request::get(&url)), token)
        .build()
        .map_err(|e| ApiError::Protocol(e.to_string()))?;
    fetch_json(request).await
}

/// `GET /units`: the caller's scope and every unit under it, parents before children.
pub async fn units(token: &str) -> Result<Vec<Unit>, ApiError> {
    #[derive(serde::Deserialize)]
    struct UnitsResponse {
        units: Vec<Unit>,
    }
    let deadline = Deadline::start()?;
    let request = authorized(
        deadline.apply(Request::get(&format!("{BASE}/units"))),
        token,
    )
    .build()
    .map_err(|e| ApiError::Protocol(e.to_string()))?;
    fetch_json::<UnitsResponse>(request).await.map(|r| r.units)
}

/// `GET /elections/holidays`: the holiday calendars of the caller's district (set above most
/// scopes, so a pull does not bring them), as events to store like pulled ones.
pub async fn holidays(token: &str) -> Result<Vec<cunju_domain::event::Event>, ApiError> {
    #[derive(serde::Deserialize)]
    struct HolidaysResponse {
        events: Vec<cunju_domain::event::Event>,
    }
    let deadline = Deadline::start()?;
    let request = authorized(
        deadline.apply(Request::get(&format!("{BASE}/elections/holidays"))),
        token,
    )
    .build()
    .map_err(|e| ApiError::Protocol(e.to_string()))?;
    fetch_json::<HolidaysResponse>(request)
        .await
        .map(|r| r.events)
}

/// An account as administrators see it (`GET /users`, and the answer to create and change).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Account {
    pub username: String,
    pub display_name: String,
    pub role: cunju_domain::authz::Role,
    pub scope: cunju_domain::ids::UnitId,
    pub disabled: bool,
}

/// `POST /users`: a new account with its initial password.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub role: cunju_domain::authz::Role,
    pub scope: cunju_domain::ids::UnitId,
    pub password: String,
}

/// `PATCH /users/{username}`: only the fields given change.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct AccountChange {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<cunju_domain::authz::Role>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<cunju_domain::ids::UnitId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
}

/// `GET /users`: the accounts within the administrator's scope.
pub async fn users(token: &str) -> Result<Vec<Account>, ApiError> {
    #[derive(serde::Deserialize)]
    struct AccountsResponse {
        users: Vec<Account>,
    }
    let deadline = Deadline::start()?;
    let request = authorized(
        deadline.apply(Request::get(&format!("{BASE}/users"))),
        token,
    )
    .build()
    .map_err(|e| ApiError::Protocol(e.to_string()))?;
    fetch_json::<AccountsResponse>(request)
        .await
        .map(|r| r.users)
}

/// `POST /users`.
pub async fn create_user(token: &str, account: &NewAccount) -> Result<Account, ApiError> {
    let deadline = Deadline::start()?;
    let request = authorized(
        deadline.apply(Request::post(&format!("{BASE}/users"))),
        token,
    )
    .json(account)
    .map_err(|e| ApiError::Protocol(e.to_string()))?;
    fetch_json(request).await
}

/// `PATCH /users/{username}`.
pub async fn change_user(
    token: &str,
    username: &str,
    change: &AccountChange,
) -> Result<Account, ApiError> {
    let deadline = Deadline::start()?;
    let url = format!("{BASE}/users/{}", url_segment(username));
    let request = authorized(deadline.apply(Request::patch(&url)), token)
        .json(change)
        .map_err(|e| ApiError::Protocol(e.to_string()))?;
    fetch_json(request).await
}

/// `POST /users/{username}/password`: an administrator sets a new password.
pub async fn reset_password(token: &str, username: &str, password: &str) -> Result<(), ApiError> {
    let deadline = Deadline::start()?;
    let url = format!("{BASE}/users/{}/password", url_segment(username));
    let request = authorized(deadline.apply(Request::post(&url)), token)
        .json(&serde_json::json!({ "password": password }))
        .map_err(|e| ApiError::Protocol(e.to_string()))?;
    fetch(request).await.map(|_| ())
}

/// `POST /me/password`: the logged-in user changes their own password.
pub async fn change_own_password(
    token: &str,
    old_password: &str,
    new_password: &str,
) -> Result<(), ApiError> {
    let deadline = Deadline::start()?;
    let request = authorized(
        deadline.apply(Request::post(&format!("{BASE}/me/password"))),
        token,
    )
    .json(&serde_json::json!({ "old_password": old_password, "new_password": new_password }))
    .map_err(|e| ApiError::Protocol(e.to_string()))?;
    fetch(request).await.map(|_| ())
}

/// `GET /devices`: the devices of the accounts within the administrator's scope.
pub async fn devices(token: &str) -> Result<Vec<DeviceInfo>, ApiError> {
    let deadline = Deadline::start()?;
    let request = authorized(
        deadline.apply(Request::get(&format!("{BASE}/devices"))),
        token,
    )
    .build()
    .map_err(|e| ApiError::Protocol(e.to_string()))?;
    fetch_json::<DevicesResponse>(request)
        .await
        .map(|r| r.devices)
}

/// `POST /devices/{device}/revoke`: a lost phone; its later events are refused, its sessions end.
pub async fn revoke_device(token: &str, device: &DeviceId) -> Result<RevokeResponse, ApiError> {
    let deadline = Deadline::start()?;
    let url = format!("{BASE}/devices/{}/revoke", url_segment(device.as_ref()));
    let request = authorized(deadline.apply(Request::post(&url)), token)
        .build()
        .map_err(|e| ApiError::Protocol(e.to_string()))?;
    fetch_json(request).await
}

/// `POST /sync/bundle`: a device's events carried as a file, judged as if pushed by the caller.
pub async fn import_bundle(token: &str, bundle: &Bundle) -> Result<PushResponse, ApiError> {
    let deadline = Deadline::start()?;
    let request = authorized(
        deadline.apply(Request::post(&format!("{BASE}/sync/bundle"))),
        token,
    )
    .json(bundle)
    .map_err(|e| ApiError::Protocol(e.to_string()))?;
    fetch_json(request).await
}

/// `PUT /blobs/{sha256}`: uploads one evidence photo. Any 2xx means the server has it.
pub async fn put_blob(token: &str, hash: &Hash, bytes: &[u8], mime: &str) -> Result<(), ApiError> {
    let deadline = Deadline::start()?;
    let request = authorized(
        deadline.apply(Request::put(&format!("{BASE}/blobs/{hash}"))),
        token,
    )
    .header("Content-Type", mime)
    .body(js_sys::Uint8Array::from(bytes))
    .map_err(|e| ApiError::Protocol(e.to_string()))?;
    fetch(request).await.map(|_| ())
}

/// `GET /blobs/{sha256}`: one evidence photo and its type; `None` when the server does not
/// have it (yet).
pub async fn get_blob(token: &str, hash: &Hash) -> Result<Option<(Vec<u8>, String)>, ApiError> {
    let deadline = Deadline::start()?;
    let request = authorized(
        deadline.apply(Request::get(&format!("{BASE}/blobs/{hash}"))),
        token,
    )
    .build()
    .map_err(|e| ApiError::Protocol(e.to_string()))?;
    let response = match fetch(request).await {
        Ok(response) => response,
        Err(ApiError::Server { status: 404, .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mime = response
        .headers()
        .get("content-type")
        .unwrap_or_else(|| "image/jpeg".into());
    let bytes = response
        .binary()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    Ok(Some((bytes, mime)))
}

/// Usernames are `[A-Za-z0-9_.-]` (domain `check_username`); anything else is escaped anyway.
fn url_segment(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

/// Aborts the request (including reading its body) after `TIMEOUT_MS`; dropping it cancels the
/// timer, so it must live until the answer is read.
struct Deadline {
    signal: web_sys::AbortSignal,
    _timer: Timeout,
}

impl Deadline {
    fn start() -> Result<Deadline, ApiError> {
        let controller =
            web_sys::AbortController::new().map_err(|e| ApiError::Network(format!("{e:?}")))?;
        let signal = controller.signal();
        let timer = Timeout::new(TIMEOUT_MS, move || controller.abort());
        Ok(Deadline {
            signal,
            _timer: timer,
        })
    }

    fn apply(&self, builder: RequestBuilder) -> RequestBuilder {
        builder.abort_signal(Some(&self.signal))
    }
}

fn authorized(builder: RequestBuilder, token: &str) -> RequestBuilder {
    builder.header("Authorization", &format!("Bearer {token}"))
}

async fn fetch_json<T: DeserializeOwned>(request: Request) -> Result<T, ApiError> {
    let response = fetch(request).await?;
    response.json::<T>().await.map_err(|e| match e {
        gloo_net::Error::SerdeError(e) => ApiError::Protocol(e.to_string()),
        other => ApiError::Network(other.to_string()),
    })
}

async fn fetch(request: Request) -> Result<Response, ApiError> {
    let response = request
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    check(response).await
}

/// Turns an error status into an `ApiError`, reading the server's `{code, message}`.
async fn check(response: Response) -> Result<Response, ApiError> {
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let body = response.json::<ApiErrorBody>().await.ok();
    let (code, message) = match body {
        Some(body) => (body.code, body.message),
        None => (String::new(), response.status_text()),
    };
    Err(if status == 401 {
        ApiError::Unauthorized { code, message }
    } else {
        ApiError::Server {
            status,
            code,
            message,
        }
    })
}
