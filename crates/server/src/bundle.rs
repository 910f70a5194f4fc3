//! `cunju-server bundle import`: the server operator imports a device's bundle file (carried
//! from a village with no signal). The file must be whole and signed with the key of one of its
//! events' authors (`Bundle::verify`); then each event is
//! judged as if its author had pushed it — the author's account must exist and be enabled, and
//! every rule of a push applies — so importing the same file twice changes nothing.

use cunju_domain::bundle::{Bundle, BundleError, BundleKey};
use cunju_domain::sync::{Profile, PushStatus};

use crate::store::{Store, StoreError, db_text, from_db_text};

#[derive(Debug, thiserror::Error)]
pub enum BundleImportError {
    #[error("{zh} / {0}", zh = .0.message_zh())]
    Bad(BundleError),
    #[error("not a bundle file: {0}")]
    NotJson(String),
    #[error("event {seq}: seq or clock out of range")]
    OutOfRange { seq: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BundleReport {
    pub accepted: usize,
    pub duplicate: usize,
    /// `(seq, reason code, detail)` of each refused event.
    pub rejected: Vec<(u64, String, String)>,
}

pub async fn import_file(
    store: &Store,
    bytes: &[u8],
    now_ms: i64,
) -> Result<BundleReport, BundleImportError> {
    let bundle: Bundle =
        serde_json::from_slice(bytes).map_err(|e| BundleImportError::NotJson(e.to_string()))?;
    import(store, bundle, now_ms).await
}

pub async fn import(
    store: &Store,
    bundle: Bundle,
    now_ms: i64,
) -> Result<BundleReport, BundleImportError> {
    bundle.check().map_err(BundleImportError::Bad)?;
    let mut signed = false;
    let mut authors: Vec<String> = bundle.events.iter().map(|e| db_text(&e.actor)).collect();
    authors.dedup();
    for author in &authors {
        if let Some(hex) = store.existing_bundle_key(author).await? {
            let key: BundleKey = from_db_text(&hex)?;
            if bundle.verify(&key).is_ok() {
                signed = true;
                break;
            }
        }
    }
    if !signed {
        return Err(BundleImportError::Bad(BundleError::Signature));
    }
    if let Some(e) = bundle.events.iter().find(|e| !e.fits_storage()) {
        return Err(BundleImportError::OutOfRange { seq: e.seq });
    }
    let mut report = BundleReport::default();
    // Consecutive events of one author go in one push, in seq order.
    let mut runs: Vec<Vec<cunju_domain::event::Event>> = Vec::new();
    for e in bundle.events {
        match runs.last_mut() {
            Some(run) if run[0].actor == e.actor => run.push(e),
            _ => runs.push(vec![e]),
        }
    }
    for run in runs {
        let author = store.user_by_id(&db_text(&run[0].actor)).await?;
        let Some(author) = author.filter(|u| !u.disabled) else {
            for e in &run {
                report.rejected.push((
                    e.seq,
                    "not_permitted".into(),
                    "作者账号不存在或已停用 / the author's account does not exist or is disabled"
                        .into(),
                ));
            }
            continue;
        };
        let profile = Profile {
            user: from_db_text(&author.id)?,
            display_name: author.display_name.clone(),
            role: from_db_text(&author.role)?,
            scope: from_db_text(&author.scope)?,
            department: author.department.as_deref().map(from_db_text).transpose()?,
        };
        let seqs: Vec<u64> = run.iter().map(|e| e.seq).collect();
        let outcomes = store.push(&profile, run, now_ms).await?;
        for (seq, outcome) in seqs.into_iter().zip(outcomes) {
            match outcome.status {
                PushStatus::Accepted => report.accepted += 1,
                PushStatus::Duplicate => report.duplicate += 1,
                PushStatus::Rejected { reason, detail } => {
                    report.rejected.push((seq, reason.code().into(), detail))
                }
            }
        }
    }
    Ok(report)
}
