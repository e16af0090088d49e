-- Members Iterable refused for a reason sending again would not change by itself (invalid, conflict, invalidData,
-- forgotten), per sync, with the reason and when: left out of runs until a cooldown has passed (then tried again) or
-- the operator asks for a retry (sync run --retry-refused); listed by sync refused. refused_at is Unix milliseconds.

CREATE TABLE IF NOT EXISTS cohortsync_refused_member
(
    sync_key   TEXT   NOT NULL,
    member     TEXT   NOT NULL,
    reason     TEXT   NOT NULL,
    refused_at BIGINT NOT NULL,
    CONSTRAINT pk_cohortsync_refused_member PRIMARY KEY (sync_key, member)
);
