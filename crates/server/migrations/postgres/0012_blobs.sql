-- Evidence blobs (PostgreSQL): photos referenced by events through their SHA-256 (lowercase hex).
-- Immutable: a blob is written once and never changed; uploading it again changes nothing.
CREATE TABLE blobs (
    hash         TEXT   PRIMARY KEY,
    content_type TEXT   NOT NULL,
    size         BIGINT NOT NULL,
    bytes        BYTEA  NOT NULL,
    uploaded_by  TEXT   NOT NULL REFERENCES users (id),
    uploaded_at  BIGINT NOT NULL
);
