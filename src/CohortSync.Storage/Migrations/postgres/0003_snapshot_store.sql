-- The synced-set snapshot store: a base of content-defined chunks of the sorted member set (one row
-- per chunk, keyed by its first member) plus a journal of acknowledged batches since the last compaction.

CREATE TABLE IF NOT EXISTS cohortsync_snapshot_chunk
(
    sync_key     varchar(200) NOT NULL,
    chunk_key    bytea        NOT NULL, -- UTF-8 bytes of the chunk's first member; bytea order is byte order
    member_count integer      NOT NULL,
    raw_bytes    bigint       NOT NULL, -- sum of the members' UTF-8 lengths, to size the arena on load
    content_hash bytea        NOT NULL,
    payload      bytea        NOT NULL,
    CONSTRAINT pk_cohortsync_snapshot_chunk PRIMARY KEY (sync_key, chunk_key)
);

-- Payloads are already compressed; TOAST compression would only burn CPU.
ALTER TABLE cohortsync_snapshot_chunk ALTER COLUMN payload SET STORAGE EXTERNAL;

CREATE TABLE IF NOT EXISTS cohortsync_snapshot_journal
(
    seq      bigint GENERATED ALWAYS AS IDENTITY,
    sync_key varchar(200) NOT NULL,
    added    bytea        NOT NULL,
    removed  bytea        NOT NULL,
    CONSTRAINT pk_cohortsync_snapshot_journal PRIMARY KEY (seq)
);

CREATE INDEX IF NOT EXISTS ix_cohortsync_snapshot_journal_sync ON cohortsync_snapshot_journal (sync_key, seq);
