-- Amplitude cohort webhooks: the batches received (deduplicated by message_id), each cohort's change counter, and
-- every member's latest state, which only a newer computed_time replaces.

CREATE TABLE IF NOT EXISTS cohortsync_webhook_batch
(
    project_id    varchar(64)  NOT NULL,
    message_id    varchar(200) NOT NULL,
    cohort_id     varchar(200) NOT NULL,
    cohort_name   text         NULL,
    in_cohort     boolean      NOT NULL,
    computed_time bigint       NOT NULL, -- epoch milliseconds
    received_at   timestamptz  NOT NULL,
    member_count  integer      NOT NULL,
    CONSTRAINT pk_cohortsync_webhook_batch PRIMARY KEY (project_id, message_id)
);

CREATE TABLE IF NOT EXISTS cohortsync_webhook_cohort
(
    project_id varchar(64)  NOT NULL,
    cohort_id  varchar(200) NOT NULL,
    last_seq   bigint       NOT NULL, -- the highest seq given to a member of this cohort
    CONSTRAINT pk_cohortsync_webhook_cohort PRIMARY KEY (project_id, cohort_id)
);

CREATE TABLE IF NOT EXISTS cohortsync_webhook_member
(
    project_id      varchar(64)  NOT NULL,
    cohort_id       varchar(200) NOT NULL,
    user_id         text         NOT NULL CHECK (length(user_id) BETWEEN 1 AND 1024),
    in_cohort       boolean      NOT NULL,
    computed_time   bigint       NOT NULL, -- epoch milliseconds
    user_properties text         NULL,     -- JSON object as Amplitude sent it
    seq             bigint       NOT NULL,
    CONSTRAINT pk_cohortsync_webhook_member PRIMARY KEY (project_id, cohort_id, user_id)
);

CREATE INDEX IF NOT EXISTS ix_cohortsync_webhook_member_seq ON cohortsync_webhook_member (project_id, cohort_id, seq);
