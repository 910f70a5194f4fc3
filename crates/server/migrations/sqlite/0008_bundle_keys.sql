-- Bundle keys: each account's key for signing offline transfer bundles (32 random bytes as hex),
-- made at the account's first login and sent to its devices with every login.
CREATE TABLE bundle_keys (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    key     TEXT NOT NULL
);
