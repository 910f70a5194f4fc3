-- Devices (PostgreSQL): every installation that has pushed events, so an administrator can
-- revoke a lost phone. A revoked device's events are refused and every token it used is revoked.
CREATE TABLE devices (
    device     TEXT   PRIMARY KEY,
    user_id    TEXT   NOT NULL REFERENCES users (id),
    first_seen BIGINT NOT NULL,
    last_seen  BIGINT NOT NULL,
    revoked_at BIGINT,
    revoked_by TEXT
);
CREATE INDEX devices_user ON devices (user_id);

-- Which tokens pushed for which device: revoking the device revokes these tokens.
CREATE TABLE device_tokens (
    device     TEXT NOT NULL REFERENCES devices (device),
    token_hash TEXT NOT NULL REFERENCES tokens (hash),
    PRIMARY KEY (device, token_hash)
);
