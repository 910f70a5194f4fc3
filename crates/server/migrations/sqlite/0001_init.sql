-- Cunju server schema (SQLite). Times are milliseconds since the Unix epoch (UTC).

CREATE TABLE users (
    id            TEXT    PRIMARY KEY,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    scope         TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

-- The jurisdiction tree (市 > 区县 > 乡镇/街道 > 村/社区 > 小组). A child's code extends its
-- parent's, so "inside scope S" is "code starts with S".
CREATE TABLE units (
    code   TEXT PRIMARY KEY,
    parent TEXT REFERENCES units (code),
    kind   TEXT NOT NULL,
    name   TEXT NOT NULL
);

-- Opaque bearer tokens, stored as the SHA-256 of the token (hex).
CREATE TABLE tokens (
    hash       TEXT    PRIMARY KEY,
    user_id    TEXT    NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX tokens_user ON tokens (user_id);

-- Failed logins, for rate limiting (cleared on success).
CREATE TABLE login_attempts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    username     TEXT    NOT NULL,
    attempted_at INTEGER NOT NULL
);
CREATE INDEX login_attempts_user_time ON login_attempts (username, attempted_at);

-- The event log. `position` is assigned in commit order: writers take the database lock
-- (BEGIN IMMEDIATE) before reading or writing, so a larger position never commits earlier.
CREATE TABLE events (
    position    INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT    NOT NULL UNIQUE,
    device      TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    hlc_wall    INTEGER NOT NULL,
    hlc_counter INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    unit        TEXT    NOT NULL,
    entity      TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    prev        TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    pushed_by   TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    UNIQUE (device, seq)
);
CREATE INDEX events_unit ON events (unit, position);
CREATE INDEX events_entity ON events (entity);

-- Every rejected push, so nothing is dropped silently. One row per (event, reason); a retry
-- bumps `attempts`.
CREATE TABLE rejections (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id   TEXT    NOT NULL,
    device     TEXT    NOT NULL,
    seq        INTEGER NOT NULL,
    unit       TEXT    NOT NULL,
    pushed_by  TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    detail     TEXT    NOT NULL,
    event      TEXT    NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 1,
    UNIQUE (event_id, reason)
);
CREATE INDEX rejections_pusher ON rejections (pushed_by, device);
