//! What can go wrong with on-device storage, said so a person knows what to do next.

use crate::i18n::Lang;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// The browser refused to open IndexedDB (private mode, disabled storage, old browser).
    #[error("IndexedDB unavailable: {0}")]
    Unavailable(String),
    /// An upgrade is waiting for another tab that still has the old version open.
    #[error("database upgrade blocked by another tab")]
    Blocked,
    /// The device is out of space for this site.
    #[error("storage quota exceeded")]
    QuotaExceeded,
    /// A record could not be converted to or from its stored form.
    #[error("record encoding failed: {0}")]
    Encoding(String),
    /// Any other IndexedDB failure; the transaction was rolled back.
    #[error("IndexedDB error: {0}")]
    Failed(String),
    /// The browser aborted the transaction before it committed (storage full, tab closing):
    /// nothing of it was written.
    #[error("transaction aborted before it committed")]
    Aborted,
    /// Another tab (another connection to the same database) or a pulled page changed the
    /// projection since this connection last wrote it; nothing was written, and `append`
    /// retries from the stored records.
    #[error("a projection changed since this connection wrote it")]
    Stale,
    /// A record's key or unique index entry is already taken by another record (IndexedDB's
    /// `ConstraintError`); the transaction was rolled back.
    #[error("a stored record already has this key")]
    Conflict,
    /// The draft breaks a rule of the domain; nothing was written.
    #[error("invalid record: {0}")]
    Invalid(String),
}

impl StoreError {
    pub(crate) fn from_open(err: rexie::Error) -> StoreError {
        let text = describe(&err);
        if text.contains("blocked") || text.contains("Blocked") {
            StoreError::Blocked
        } else {
            StoreError::Unavailable(text)
        }
    }

    pub(crate) fn from_idb(err: rexie::Error) -> StoreError {
        let text = describe(&err);
        if text.contains("QuotaExceeded") || text.contains("quota") {
            StoreError::QuotaExceeded
        } else if text.contains("ConstraintError") {
            StoreError::Conflict
        } else {
            StoreError::Failed(text)
        }
    }

    /// A message for the person using the app, in their language, saying what to do.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (StoreError::Unavailable(_), Lang::Zh) => {
                "浏览器不允许本应用在本机保存数据。请关闭无痕模式或允许网站存储后重试。".into()
            }
            (StoreError::Unavailable(_), Lang::En) => {
                "The browser does not let the app store data on this device. Leave private mode or allow site storage, then retry.".into()
            }
            (StoreError::Blocked, Lang::Zh) => "本应用在另一个标签页中打开着旧版本，请关闭其他标签页后重试。".into(),
            (StoreError::Blocked, Lang::En) => "An older version of the app is open in another tab. Close other tabs and retry.".into(),
            (StoreError::QuotaExceeded, Lang::Zh) => {
                "本机存储空间已满，本次操作未保存（已保存的记录不受影响）。请清理手机空间后重试。".into()
            }
            (StoreError::QuotaExceeded, Lang::En) => {
                "Device storage is full; this action was not saved (records already saved are safe). Free some space and retry.".into()
            }
            (StoreError::Encoding(detail), Lang::Zh) => format!("记录格式错误，未保存：{detail}"),
            (StoreError::Encoding(detail), Lang::En) => format!("The record could not be encoded and was not saved: {detail}"),
            (StoreError::Failed(detail), Lang::Zh) => format!("本机存储出错，本次操作未保存：{detail}"),
            (StoreError::Failed(detail), Lang::En) => format!("Device storage failed; this action was not saved: {detail}"),
            (StoreError::Aborted, Lang::Zh) => {
                "本次操作未保存（浏览器中止了存储，可能是空间不足或页面正在关闭）。已保存的记录不受影响，请重试。".into()
            }
            (StoreError::Aborted, Lang::En) => {
                "This action was not saved (the browser aborted the write, perhaps for lack of space or a closing page). Saved records are safe; please retry.".into()
            }
            (StoreError::Stale, Lang::Zh) => {
                "本应用在另一个标签页中或同步时同时保存了记录，本次操作未保存，请重试。".into()
            }
            (StoreError::Stale, Lang::En) => {
                "The app saved a record in another tab, or a sync did, at the same moment; this action was not saved. Please retry.".into()
            }
            (StoreError::Conflict, Lang::Zh) => {
                "本机已有一条编号相同的记录，本次操作未保存。请同步后重试。".into()
            }
            (StoreError::Conflict, Lang::En) => {
                "A record with the same number is already on this device; this action was not saved. Sync, then retry.".into()
            }
            (StoreError::Invalid(detail), Lang::Zh) => format!("记录内容不完整或有误，未保存：{detail}"),
            (StoreError::Invalid(detail), Lang::En) => format!("The record is incomplete or wrong and was not saved: {detail}"),
        }
    }
}

fn describe(err: &rexie::Error) -> String {
    match err {
        rexie::Error::IdbError(inner) => format!("{inner:?}"),
        other => other.to_string(),
    }
}
