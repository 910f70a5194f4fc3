//! One sync run: push what the server has not acknowledged, in bounded batches, then pull
//! everything after the cursor, page by page. Every step is committed before the next request,
//! so a run cut off anywhere resumes where it stopped and never loses or duplicates an event.

use cunju_domain::ids::{Hash, UserId};
use cunju_domain::sync::{
    Cursor, MAX_PULL_LIMIT, MAX_PUSH_BATCH, PullParams, PullResponse, PushRequest, PushResponse,
    PushStatus,
};

use super::api::{self, ApiError};
use crate::i18n::Lang;
use crate::platform;
use crate::store::{Rejection, Store, StoreError};

/// How the engine reaches the server: HTTP in the app, an in-memory server in tests.
#[allow(async_fn_in_trait)] // single-threaded wasm: the futures need not be `Send`
pub trait Transport {
    async fn push(&self, token: &str, request: &PushRequest) -> Result<PushResponse, ApiError>;
    async fn pull(&self, token: &str, params: &PullParams) -> Result<PullResponse, ApiError>;
}

/// The real server, over `fetch`.
pub struct Http;

impl Transport for Http {
    async fn push(&self, token: &str, request: &PushRequest) -> Result<PushResponse, ApiError> {
        api::push(token, request).await
    }

    async fn pull(&self, token: &str, params: &PullParams) -> Result<PullResponse, ApiError> {
        api::pull(token, params).await
    }
}

/// How evidence photos reach the server: HTTP in the app, a fake in tests.
#[allow(async_fn_in_trait)]
pub trait BlobTransport {
    async fn put_blob(
        &self,
        token: &str,
        hash: &Hash,
        bytes: &[u8],
        mime: &str,
    ) -> Result<(), ApiError>;
}

impl BlobTransport for Http {
    async fn put_blob(
        &self,
        token: &str,
        hash: &Hash,
        bytes: &[u8],
        mime: &str,
    ) -> Result<(), ApiError> {
        api::put_blob(token, hash, bytes, mime).await
    }
}

/// What one round of photo uploads did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UploadReport {
    /// Photos the server confirmed (2xx), now marked uploaded.
    pub uploaded: u32,
    /// Photos the server refused for themselves (kept pending; logged).
    pub refused: u32,
}

/// Uploads the photos waiting on this device, one at a time. A photo is marked uploaded only
/// after a 2xx; the first failure to reach the server (offline, 401, 5xx) stops the round and
/// leaves the rest pending for the next sync. Runs apart from the event sync, never before it.
pub async fn upload_pending_blobs<T: BlobTransport>(
    store: &Store,
    transport: &T,
    token: &str,
) -> Result<UploadReport, SyncError> {
    let mut report = UploadReport::default();
    for hash in store.pending_blobs().await? {
        let Some(blob) = store.blob(&hash).await? else {
            continue;
        };
        match transport
            .put_blob(token, &hash, &blob.bytes, &blob.mime)
            .await
        {
            Ok(()) => {
                store.mark_blob_uploaded(&hash).await?;
                report.uploaded += 1;
            }
            // This photo was refused for itself (4xx other than 401): try the others.
            Err(ApiError::Server { status, code, .. }) if (400..500).contains(&status) => {
                web_sys::console::warn_1(
                    &format!("cunju: photo {hash} refused by the server ({status} {code})").into(),
                );
                report.refused += 1;
            }
            Err(err) => return Err(err.into()),
        }
    }
    Ok(report)
}

/// Where a run is, for the progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// `done` of `total` local events answered by the server.
    Pushing { done: u32, total: u32 },
    /// Events received so far in this run.
    Pulling { received: u32 },
}

/// What a finished run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Local events the server now has (accepted or already there).
    pub acked: u32,
    /// Local events the server refused (kept on the device with the reason).
    pub rejected: u32,
    /// Events received by pulling.
    pub received: u32,
    /// Of those, how many were new to this device.
    pub applied: u32,
}

/// Why a run stopped early. Whatever was committed before it stays committed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            SyncError::Api(e) => e.message(lang),
            SyncError::Store(e) => e.message(lang),
        }
    }

    /// The server no longer accepts the token: the user must log in again.
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, SyncError::Api(ApiError::Unauthorized { .. }))
    }

    /// No answer at all (offline, server unreachable, timed out).
    pub fn is_network(&self) -> bool {
        matches!(self, SyncError::Api(ApiError::Network(_)))
    }
}

/// One full run for `user` holding `token`. `progress` is told after every committed step.
pub async fn sync_once<T: Transport>(
    store: &Store,
    transport: &T,
    user: &UserId,
    token: &str,
    mut progress: impl FnMut(Progress),
) -> Result<SyncReport, SyncError> {
    let mut report = SyncReport::default();
    push_all(store, transport, token, &mut report, &mut progress).await?;
    pull_all(store, transport, user, token, &mut report, &mut progress).await?;
    Ok(report)
}

/// Sends the queue in batches, one request at a time and each device's events in order (the
/// server checks each chain), as a pipeline: while the server works on one batch, the answer
/// to the one before is settled and the next one read. Whatever the server left unanswered is
/// sent again from the head of the queue once the pipeline runs dry.
async fn push_all<T: Transport>(
    store: &Store,
    transport: &T,
    token: &str,
    report: &mut SyncReport,
    progress: &mut impl FnMut(Progress),
) -> Result<(), SyncError> {
    let mut count = PushCount {
        done: 0,
        total: store.pending_count().await?,
    };
    progress(Progress::Pushing {
        done: count.done,
        total: count.total,
    });
    let mut batch = store.pending(MAX_PUSH_BATCH).await?;
    // The previous batch's answer, not settled yet.
    let mut answered: Option<PushResponse> = None;
    loop {
        if batch.is_empty() {
            if let Some(response) = answered.take() {
                settle(store, response, report, &mut count, progress).await?;
            }
            batch = store.pending(MAX_PUSH_BATCH).await?;
            if batch.is_empty() {
                return Ok(());
            }
        }
        let last = batch.last().map(|e| (e.device.clone(), e.seq));
        let request = PushRequest { events: batch };
        let settle_and_read = async {
            if let Some(response) = answered.take() {
                settle(store, response, report, &mut count, progress).await?;
            }
            let after = last.as_ref().map(|(device, seq)| (device, *seq));
            Ok::<_, SyncError>(store.pending_after(after, MAX_PUSH_BATCH).await?)
        };
        let (response, next) = futures::join!(transport.push(token, &request), settle_and_read);
        answered = Some(response?);
        batch = next?;
    }
}

/// Events pushed and settled so far in this run, of how many waiting.
struct PushCount {
    done: u32,
    total: u32,
}

/// Records the server's answer to one batch: accepted and duplicate events as acknowledged
/// (with their receipt times), refused ones with the reason.
async fn settle(
    store: &Store,
    response: PushResponse,
    report: &mut SyncReport,
    count: &mut PushCount,
    progress: &mut impl FnMut(Progress),
) -> Result<(), SyncError> {
    let now = platform::now_ms();
    let mut acked = Vec::new();
    let mut rejected = Vec::new();
    for outcome in response.results {
        match outcome.status {
            PushStatus::Accepted | PushStatus::Duplicate => {
                acked.push((outcome.id, outcome.received_ms));
            }
            PushStatus::Rejected { reason, detail } => rejected.push((
                outcome.id,
                Rejection {
                    reason,
                    detail,
                    at_ms: now,
                },
            )),
        }
    }
    let settled = store.settle_push(&acked, &rejected).await?;
    report.acked += acked.len() as u32;
    report.rejected += rejected.len() as u32;
    count.done += settled;
    // Events written while we push join this run. Counting what waits reads the whole
    // queue, so it is counted again only once the first count is used up.
    if count.done >= count.total {
        count.total = count.done + store.pending_count().await?;
    }
    progress(Progress::Pushing {
        done: count.done,
        total: count.total,
    });
    if settled == 0 {
        // The server answered nothing we could settle: stop rather than resend forever.
        return Err(ApiError::Protocol("push answered none of the events sent".into()).into());
    }
    Ok(())
}

async fn pull_all<T: Transport>(
    store: &Store,
    transport: &T,
    user: &UserId,
    token: &str,
    report: &mut SyncReport,
    progress: &mut impl FnMut(Progress),
) -> Result<(), SyncError> {
    let mut cursor = store.cursor(user).await?;
    // This device's own events need not come back: each push answer carried their receipt
    // times (`settle_push`).
    let skip_device = store.device_log().await?.map(|log| log.device);
    let mut restarted = false;
    progress(Progress::Pulling {
        received: report.received,
    });
    loop {
        let params = PullParams {
            after: cursor.0,
            limit: Some(MAX_PULL_LIMIT),
            skip_device: skip_device.clone(),
        };
        let page = match transport.pull(token, &params).await {
            // The server no longer knows our cursor (e.g. restored from a backup): pull again
            // from the start; applying is idempotent, so nothing is doubled.
            Err(ApiError::Server { status: 400, .. }) if cursor.0 > 0 && !restarted => {
                restarted = true;
                cursor = Cursor(0);
                continue;
            }
            other => other?,
        };
        let applied = store
            .apply_pulled(&page.events, &page.receipts(), user, page.next)
            .await?;
        report.received += page.events.len() as u32;
        report.applied += applied.applied;
        progress(Progress::Pulling {
            received: report.received,
        });
        let advanced = page.next != cursor;
        cursor = page.next;
        if !page.more || !advanced {
            return Ok(());
        }
    }
}
