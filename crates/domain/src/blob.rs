//! Evidence blobs (证据照片): content-addressed bytes, named by their SHA-256 in lowercase hex.
//!
//! Events reference a photo only by its hash; the bytes travel separately (`PUT/GET
//! /api/v1/blobs/{sha256}`). The server and the app check a blob with the same function, so a
//! blob one accepts the other accepts too.

use serde::{Deserialize, Serialize};

use crate::ids::Hash;

/// Largest blob accepted (4 MiB). The app resizes photos well below this before storing them.
pub const MAX_BLOB_BYTES: usize = 4 * 1024 * 1024;

/// The answer to `PUT /api/v1/blobs/{sha256}` (201 when new, 200 when already stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobStored {
    pub sha256: Hash,
    pub size: u64,
    /// `false`: the server already had it (nothing changed).
    pub created: bool,
}

/// Why a blob was refused. Nothing is stored when a check fails.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BlobError {
    #[error("{0:?} is not a SHA-256 in lowercase hex")]
    BadName(String),
    #[error("the body's SHA-256 is {actual}, not {expected}")]
    HashMismatch { expected: Hash, actual: Hash },
    #[error("the blob has {0} bytes, more than the {MAX_BLOB_BYTES} allowed")]
    TooLarge(usize),
    #[error("the blob is empty")]
    Empty,
}

impl BlobError {
    /// The message for Chinese-speaking users.
    pub fn message_zh(&self) -> String {
        match self {
            BlobError::BadName(_) => "照片编号格式错误（须为 64 位小写十六进制 SHA-256）".into(),
            BlobError::HashMismatch { .. } => {
                "照片内容与编号不符（传输中可能损坏），未保存，请重新同步".into()
            }
            BlobError::TooLarge(n) => format!(
                "照片过大（{} KB），每张最多 {} KB",
                n.div_ceil(1024),
                MAX_BLOB_BYTES / 1024
            ),
            BlobError::Empty => "照片内容为空，未保存".into(),
        }
    }
}

/// Parses a blob's name (its SHA-256 in lowercase hex).
pub fn parse_name(name: &str) -> Result<Hash, BlobError> {
    name.parse()
        .map_err(|_| BlobError::BadName(name.chars().take(80).collect()))
}

/// Checks a blob's size (before hashing: an oversize body is refused cheaply).
pub fn check_size(len: usize) -> Result<(), BlobError> {
    match len {
        0 => Err(BlobError::Empty),
        n if n > MAX_BLOB_BYTES => Err(BlobError::TooLarge(n)),
        _ => Ok(()),
    }
}

/// Checks that `bytes` may be stored under `expected`: not empty, not too large, and their
/// SHA-256 is the name.
pub fn check(expected: Hash, bytes: &[u8]) -> Result<(), BlobError> {
    check_size(bytes.len())?;
    let actual = Hash::of(bytes);
    if actual != expected {
        return Err(BlobError::HashMismatch { expected, actual });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blob_is_named_by_its_sha256() {
        let bytes = b"jpeg bytes";
        let name = Hash::of(bytes).to_string();
        assert_eq!(check(parse_name(&name).unwrap(), bytes), Ok(()));
    }

    #[test]
    fn a_blob_whose_bytes_do_not_match_its_name_is_refused() {
        let err = check(Hash::of(b"one"), b"other").unwrap_err();
        assert!(matches!(err, BlobError::HashMismatch { .. }));
        assert!(err.message_zh().contains("不符"));
    }

    #[test]
    fn size_limit_is_inclusive_and_empty_is_refused() {
        assert_eq!(check_size(MAX_BLOB_BYTES), Ok(()));
        assert_eq!(
            check_size(MAX_BLOB_BYTES + 1),
            Err(BlobError::TooLarge(MAX_BLOB_BYTES + 1))
        );
        assert_eq!(check_size(0), Err(BlobError::Empty));
    }

    #[test]
    fn names_must_be_lowercase_hex_sha256() {
        assert!(parse_name("abc").is_err());
        assert!(parse_name(&"A".repeat(64)).is_err());
        assert!(parse_name(&"a".repeat(64)).is_ok());
    }
}
