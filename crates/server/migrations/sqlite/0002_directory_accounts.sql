-- Directory and accounts (SQLite).

-- Accounts can be disabled by an administrator; a disabled account cannot sign in and its
-- tokens are revoked.
ALTER TABLE users ADD COLUMN disabled_at INTEGER;

-- Units are `unit_recorded` events: the event log is the one source of truth and the tree is
-- folded from it on request. The old table was written directly by `seed-demo`, with no event
-- behind any row; run `seed-demo` (or `units import`) again to record them as events.
DROP TABLE units;
CREATE INDEX events_kind_unit ON events (kind, unit);

-- The server's own device (imports, demo data): `d` + 32 hex digits, made once per database.
-- Its chain lives in `events` like any device's.
CREATE TABLE server_device (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    device TEXT    NOT NULL
);
