-- Grain state for Orleans' ADO.NET persistence provider (Microsoft.Orleans.Persistence.AdoNet,
-- invariant Npgsql). The provider reads its SQL from OrleansQuery by key at start-up and binds:
-- ServiceId, GrainTypeString (the state name), GrainTypeHash, GrainIdHash, GrainIdN0, GrainIdN1,
-- GrainIdExtensionString, GrainStateVersion (the ETag, NULL for a first write), PayloadBinary.
-- Optimistic concurrency: a write or clear returns one row with NewGrainStateVersion; NULL (read as "")
-- means "someone else wrote first" and the provider throws InconsistentStateException.
-- Unquoted names fold to lower case; result aliases are quoted so the provider finds them by name.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,
    CONSTRAINT pk_orleans_query PRIMARY KEY (QueryKey)
);

CREATE TABLE IF NOT EXISTS orleans_grain_state
(
    service_id         varchar(150)  NOT NULL,
    state_name         varchar(512)  NOT NULL,
    state_name_hash    integer       NOT NULL,
    grain_id_hash      integer       NOT NULL,
    grain_id_n0        bigint        NOT NULL,
    grain_id_n1        bigint        NOT NULL,
    -- '' stands for "no key extension": NULLs never collide in a unique key, '' does.
    grain_id_extension varchar(512)  NOT NULL,
    payload            bytea         NULL,
    version            integer       NOT NULL,
    modified_at        timestamptz   NOT NULL,
    CONSTRAINT pk_orleans_grain_state
        PRIMARY KEY (service_id, state_name_hash, grain_id_hash, grain_id_n0, grain_id_n1, state_name, grain_id_extension)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('ReadFromStorageKey', '
SELECT payload AS "PayloadBinary", version AS "Version"
FROM orleans_grain_state
WHERE service_id = @ServiceId
  AND state_name_hash = @GrainTypeHash AND state_name = @GrainTypeString
  AND grain_id_hash = @GrainIdHash AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_id_extension = coalesce(@GrainIdExtensionString, '''');
'),
-- A first write (no version) inserts version 1 unless a row exists; a later write updates only the
-- row still holding the caller's version. The outer SELECT always yields exactly one row.
('WriteToStorageKey', '
WITH written AS (
    INSERT INTO orleans_grain_state AS s
        (service_id, state_name_hash, state_name, grain_id_hash, grain_id_n0, grain_id_n1, grain_id_extension, payload, version, modified_at)
    SELECT @ServiceId, @GrainTypeHash, @GrainTypeString, @GrainIdHash, @GrainIdN0, @GrainIdN1,
           coalesce(@GrainIdExtensionString, ''''), @PayloadBinary, 1, now()
    WHERE @GrainStateVersion IS NULL
       OR EXISTS (SELECT 1 FROM orleans_grain_state e
                  WHERE e.service_id = @ServiceId
                    AND e.state_name_hash = @GrainTypeHash AND e.state_name = @GrainTypeString
                    AND e.grain_id_hash = @GrainIdHash AND e.grain_id_n0 = @GrainIdN0 AND e.grain_id_n1 = @GrainIdN1
                    AND e.grain_id_extension = coalesce(@GrainIdExtensionString, ''''))
    ON CONFLICT (service_id, state_name_hash, grain_id_hash, grain_id_n0, grain_id_n1, state_name, grain_id_extension)
    DO UPDATE SET payload = excluded.payload, version = s.version + 1, modified_at = excluded.modified_at
    WHERE s.version = @GrainStateVersion
    RETURNING s.version
)
SELECT (SELECT version FROM written) AS "NewGrainStateVersion";
'),
('ClearStorageKey', '
WITH cleared AS (
    UPDATE orleans_grain_state
    SET payload = NULL, version = version + 1, modified_at = now()
    WHERE service_id = @ServiceId
      AND state_name_hash = @GrainTypeHash AND state_name = @GrainTypeString
      AND grain_id_hash = @GrainIdHash AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND grain_id_extension = coalesce(@GrainIdExtensionString, '''')
      AND version = @GrainStateVersion
    RETURNING version
)
SELECT (SELECT version FROM cleared) AS "NewGrainStateVersion";
'),
('DeleteStorageKey', '
WITH deleted AS (
    DELETE FROM orleans_grain_state
    WHERE service_id = @ServiceId
      AND state_name_hash = @GrainTypeHash AND state_name = @GrainTypeString
      AND grain_id_hash = @GrainIdHash AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
      AND grain_id_extension = coalesce(@GrainIdExtensionString, '''')
      AND version = @GrainStateVersion
    RETURNING version + 1 AS version
)
SELECT (SELECT version FROM deleted) AS "NewGrainStateVersion";
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
