-- Member files (sync upload): the identifiers of one upload in numbered chunks, one identifier per line, kept until
-- the run that uses them succeeds. An upload is the sync's desired set for its next run once committed.

CREATE TABLE IF NOT EXISTS cohortsync_upload_chunk
(
    sync_key  TEXT    NOT NULL,
    upload_id TEXT    NOT NULL,
    seq       INTEGER NOT NULL,
    members   INTEGER NOT NULL,
    ids       TEXT    NOT NULL,
    CONSTRAINT pk_cohortsync_upload_chunk PRIMARY KEY (sync_key, upload_id, seq)
);
