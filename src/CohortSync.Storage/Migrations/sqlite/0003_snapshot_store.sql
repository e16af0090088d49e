-- The synced-set snapshot store: a base of content-defined chunks of the sorted member set (one row
-- per chunk, keyed by its first member) plus a journal of acknowledged batches since the last compaction.

CREATE TABLE IF NOT EXISTS cohortsync_snapshot_chunk
(
    sync_key     TEXT    NOT NULL,
    chunk_key    BLOB    NOT NULL, -- UTF-8 bytes of the chunk's first member; BLOB order is byte order
    member_count INTEGER NOT NULL,
    raw_bytes    INTEGER NOT NULL, -- sum of the members' UTF-8 lengths, to size the arena on load
    content_hash BLOB    NOT NULL,
    payload      BLOB    NOT NULL,
    CONSTRAINT pk_cohortsync_snapshot_chunk PRIMARY KEY (sync_key, chunk_key)
);

CREATE TABLE IF NOT EXISTS cohortsync_snapshot_journal
(
    seq      INTEGER NOT NULL PRIMARY KEY, -- rowid: always above every existing row, so it orders appends
    sync_key TEXT    NOT NULL,
    added    BLOB    NOT NULL,
    removed  BLOB    NOT NULL
);

CREATE INDEX IF NOT EXISTS ix_cohortsync_snapshot_journal_sync ON cohortsync_snapshot_journal (sync_key, seq);
