-- Pull serves a user's scope (a unit and its subtree) in commit order. A subtree's codes are a
-- byte-order range ("C" collation: unit codes are digits), so this index finds a township's or
-- village's events without reading the whole log.
CREATE INDEX events_unit_order ON events (unit COLLATE "C", txid, position);
