-- Cunju server schema (PostgreSQL 13+). Times are milliseconds since the Unix epoch (UTC).

CREATE TABLE users (
    id            TEXT   PRIMARY KEY,
    username      TEXT   NOT NULL UNIQUE,
    password_hash TEXT   NOT NULL,
    role          TEXT   NOT NULL,
    scope         TEXT   NOT NULL,
    display_name  TEXT   NOT NULL,
    created_at    BIGINT NOT NULL
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
    hash       TEXT   PRIMARY KEY,
    user_id    TEXT   NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX tokens_user ON tokens (user_id);

-- Failed logins, for rate limiting (cleared on success).
CREATE TABLE login_attempts (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username     TEXT   NOT NULL,
    attempted_at BIGINT NOT NULL
);
CREATE INDEX login_attempts_user_time ON login_attempts (username, attempted_at);

-- The event log. Positions come from a sequence, so two concurrent pushes may commit out of
-- position order. `txid` records the writing transaction: pull serves only rows whose
-- transaction is older than every transaction still running (pg_snapshot_xmin), in
-- (txid, position) order, so a late commit always sorts after everything already served.
CREATE TABLE events (
    position    BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id          TEXT   PRIMARY KEY,
    device      TEXT   NOT NULL,
    seq         BIGINT NOT NULL,
    hlc_wall    BIGINT NOT NULL,
    hlc_counter BIGINT NOT NULL,
    actor       TEXT   NOT NULL,
    unit        TEXT   NOT NULL,
    entity      TEXT   NOT NULL,
    kind        TEXT   NOT NULL,
    body        TEXT   NOT NULL,
    prev        TEXT   NOT NULL,
    hash        TEXT   NOT NULL,
    pushed_by   TEXT   NOT NULL,
    received_at BIGINT NOT NULL,
    txid        xid8   NOT NULL DEFAULT pg_current_xact_id(),
    UNIQUE (device, seq)
);
CREATE INDEX events_commit_order ON events (txid, position);
CREATE INDEX events_entity ON events (entity);

-- Every rejected push, so nothing is dropped silently. One row per (event, reason); a retry
-- bumps `attempts`.
CREATE TABLE rejections (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id   TEXT   NOT NULL,
    device     TEXT   NOT NULL,
    seq        BIGINT NOT NULL,
    unit       TEXT   NOT NULL,
    pushed_by  TEXT   NOT NULL,
    reason     TEXT   NOT NULL,
    detail     TEXT   NOT NULL,
    event      TEXT   NOT NULL,
    first_seen BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    attempts   BIGINT NOT NULL DEFAULT 1,
    UNIQUE (event_id, reason)
);
CREATE INDEX rejections_pusher ON rejections (pushed_by, device);
