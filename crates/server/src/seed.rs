//! `seed-demo`: a clearly fictional demo district (演示区, code 5099) with townships, villages
//! and communities, and one account per role. Idempotent. The directory feature grows the
//! tree here.

use cunju_domain::authz::Role;
use cunju_domain::ids::{UnitId, UserId};
use rand::RngCore;

use crate::auth;
use crate::store::{Result, Store, StoreError, UnitRow, db_text, from_db_text};
use crate::{now_ms, store::UserRow};

pub const DEMO_PASSWORD: &str = "demo1234";

/// (code, parent, kind, name). Codes extend their parent's code.
const DEMO_UNITS: &[(&str, Option<&str>, &str, &str)] = &[
    ("50", None, "city", "重庆市"),
    ("5099", Some("50"), "district", "演示区(虚构)"),
    ("5099001", Some("5099"), "township", "青石镇(虚构)"),
    ("5099002", Some("5099"), "township", "白沙乡(虚构)"),
    ("5099003", Some("5099"), "street", "新桥街道(虚构)"),
    ("5099001001", Some("5099001"), "village", "青石村(虚构)"),
    ("5099001002", Some("5099001"), "village", "石梁村(虚构)"),
    (
        "5099001003",
        Some("5099001"),
        "community",
        "青石镇社区(虚构)",
    ),
    ("5099002001", Some("5099002"), "village", "白沙村(虚构)"),
    ("5099002002", Some("5099002"), "village", "河湾村(虚构)"),
    ("5099003001", Some("5099003"), "community", "新桥社区(虚构)"),
    ("5099003002", Some("5099003"), "community", "桂花社区(虚构)"),
    ("5099003003", Some("5099003"), "village", "柳塘村(虚构)"),
];

/// One demo account per role: (username, role, scope, display name).
const DEMO_ACCOUNTS: &[(&str, &str, &str, &str)] = &[
    (
        "demo-village",
        "village_official",
        "5099001001",
        "李村干(演示)",
    ),
    (
        "demo-supervisor",
        "township_supervisor",
        "5099001",
        "王指导(演示)",
    ),
    (
        "demo-reviewer",
        "township_reviewer",
        "5099001",
        "赵审核(演示)",
    ),
    ("demo-admin", "district_admin", "5099", "陈区管(演示)"),
    (
        "demo-jointreview",
        "review_department",
        "5099",
        "周联审(演示)",
    ),
    ("demo-trainer", "trainer", "5099", "吴培训(演示)"),
    ("demo-city", "city_viewer", "50", "郑市级(演示)"),
];

/// An account as printed by `seed-demo`.
pub struct DemoAccount {
    pub username: String,
    pub role: String,
    pub scope: String,
    pub display_name: String,
}

/// Creates the demo units and accounts that are missing; leaves existing ones alone.
pub async fn seed_demo(store: &Store) -> Result<Vec<DemoAccount>> {
    for &(code, parent, kind, name) in DEMO_UNITS {
        store
            .upsert_unit(&UnitRow {
                code: code.into(),
                parent: parent.map(Into::into),
                kind: kind.into(),
                name: name.into(),
            })
            .await?;
    }
    let mut accounts = Vec::new();
    for &(username, role, scope, name) in DEMO_ACCOUNTS {
        if store.user_by_username(username).await?.is_none() {
            let user = new_user(username, DEMO_PASSWORD, role, scope, name)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            match store.insert_user(&user, now_ms()).await {
                Ok(()) | Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        accounts.push(DemoAccount {
            username: username.into(),
            role: role.into(),
            scope: scope.into(),
            display_name: name.into(),
        });
    }
    Ok(accounts)
}

#[derive(Debug, thiserror::Error)]
pub enum NewUserError {
    #[error("unknown role {0:?}")]
    Role(String),
    #[error("invalid unit code {0:?}")]
    Scope(String),
    #[error("username must not be empty")]
    Username,
}

/// Validates a new account's fields and hashes its password.
pub fn new_user(
    username: &str,
    password: &str,
    role: &str,
    scope: &str,
    display_name: &str,
) -> std::result::Result<UserRow, NewUserError> {
    let username = username.trim();
    if username.is_empty() {
        return Err(NewUserError::Username);
    }
    let role: Role = from_db_text(role).map_err(|_| NewUserError::Role(role.into()))?;
    let scope: UnitId = from_db_text(scope).map_err(|_| NewUserError::Scope(scope.into()))?;
    Ok(UserRow {
        id: db_text(&new_user_id()),
        username: username.into(),
        password_hash: auth::hash_password(password),
        role: db_text(&role),
        scope: db_text(&scope),
        display_name: display_name.trim().into(),
    })
}

fn new_user_id() -> UserId {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    from_db_text(&format!("u{}", hex::encode(bytes))).expect("a hex string is a valid user id")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_demo_account_per_role() {
        let roles: Vec<Role> = DEMO_ACCOUNTS
            .iter()
            .map(|(_, role, _, _)| from_db_text(role).expect("a known role"))
            .collect();
        for role in Role::ALL {
            assert!(roles.contains(&role), "no demo account for {role:?}");
        }
    }

    #[test]
    fn demo_units_extend_their_parents_and_scopes_exist() {
        for (code, parent, _, name) in DEMO_UNITS {
            from_db_text::<UnitId>(code).expect("valid unit code");
            if let Some(parent) = parent {
                assert!(code.starts_with(parent) && code != parent, "{code}");
                assert!(DEMO_UNITS.iter().any(|(c, ..)| c == parent));
            }
            assert!(
                *code == "50" || name.contains("虚构"),
                "{code} must be marked fictional"
            );
        }
        for (_, _, scope, _) in DEMO_ACCOUNTS {
            assert!(DEMO_UNITS.iter().any(|(c, ..)| c == scope), "{scope}");
        }
    }
}
