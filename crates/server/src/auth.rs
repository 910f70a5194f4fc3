//! Passwords (argon2id), opaque bearer tokens (stored hashed) and the login rate limit.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A token lives 30 days.
pub const TOKEN_TTL_MS: i64 = 30 * 24 * 60 * 60 * 1000;
/// At most this many failed logins per username …
pub const MAX_FAILED_LOGINS: i64 = 5;
/// … within this window.
pub const LOGIN_WINDOW_MS: i64 = 15 * 60 * 1000;

/// Hashes a password with argon2id (PHC string, random salt).
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

/// Checks a password against a stored PHC hash. A malformed hash never verifies.
pub fn verify_password(stored_hash: &str, password: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the username does not exist, so that a wrong username costs
/// as much time as a wrong password and does not reveal which accounts exist.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no such user"))
}

/// A freshly issued bearer token: `token` goes to the client once, `hash` is stored.
pub struct IssuedToken {
    pub token: String,
    pub hash: String,
}

/// 32 random bytes, hex-encoded.
pub fn new_token() -> IssuedToken {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = token_hash(&token);
    IssuedToken { token, hash }
}

/// A fresh bundle key for an account (32 random bytes).
pub fn new_bundle_key() -> cunju_domain::bundle::BundleKey {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    cunju_domain::bundle::BundleKey::from_bytes(bytes)
}

/// The account's bundle key, made on first use.
pub async fn bundle_key_of(
    store: &crate::store::Store,
    user_id: &str,
) -> Result<cunju_domain::bundle::BundleKey, crate::store::StoreError> {
    let hex = store
        .bundle_key(user_id, &new_bundle_key().to_hex())
        .await?;
    crate::store::from_db_text(&hex)
}

/// What the database stores for a token: SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip() {
        let h = hash_password("demo1234");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&h, "demo1234"));
        assert!(!verify_password(&h, "demo12345"));
        assert!(!verify_password("garbage", "demo1234"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a.token, b.token);
        assert_eq!(a.token.len(), 64);
        assert_eq!(a.hash, token_hash(&a.token));
        assert_ne!(a.hash, a.token);
    }
}
