-- Amplitude cohort webhooks: the batches received (deduplicated by message_id), each cohort's change counter, and
-- every member's latest state, which only a newer computed_time replaces.

CREATE TABLE IF NOT EXISTS cohortsync_webhook_batch
(
    project_id    TEXT    NOT NULL,
    message_id    TEXT    NOT NULL,
    cohort_id     TEXT    NOT NULL,
    cohort_name   TEXT    NULL,
    in_cohort     INTEGER NOT NULL,
    computed_time INTEGER NOT NULL, -- epoch milliseconds
    received_at   TEXT    NOT NULL,
    member_count  INTEGER NOT NULL,
    CONSTRAINT pk_cohortsync_webhook_batch PRIMARY KEY (project_id, message_id)
);

CREATE TABLE IF NOT EXISTS cohortsync_webhook_cohort
(
    project_id TEXT    NOT NULL,
    cohort_id  TEXT    NOT NULL,
    last_seq   INTEGER NOT NULL, -- the highest seq given to a member of this cohort
    CONSTRAINT pk_cohortsync_webhook_cohort PRIMARY KEY (project_id, cohort_id)
);

CREATE TABLE IF NOT EXISTS cohortsync_webhook_member
(
    project_id      TEXT    NOT NULL,
    cohort_id       TEXT    NOT NULL,
    user_id         TEXT    NOT NULL CHECK (length(user_id) BETWEEN 1 AND 1024),
    in_cohort       INTEGER NOT NULL,
    computed_time   INTEGER NOT NULL, -- epoch milliseconds
    user_properties TEXT    NULL,     -- JSON object as Amplitude sent it
    seq             INTEGER NOT NULL,
    CONSTRAINT pk_cohortsync_webhook_member PRIMARY KEY (project_id, cohort_id, user_id)
);

CREATE INDEX IF NOT EXISTS ix_cohortsync_webhook_member_seq ON cohortsync_webhook_member (project_id, cohort_id, seq);
