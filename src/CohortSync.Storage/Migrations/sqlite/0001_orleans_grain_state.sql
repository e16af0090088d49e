-- Grain state for Orleans' ADO.NET persistence provider (Microsoft.Orleans.Persistence.AdoNet,
-- invariant System.Data.SQLite). The provider reads its SQL from OrleansQuery by key at start-up and
-- binds: ServiceId, GrainTypeString (the state name), GrainTypeHash, GrainIdHash, GrainIdN0, GrainIdN1,
-- GrainIdExtensionString, GrainStateVersion (the ETag, NULL for a first write), PayloadBinary.
-- Optimistic concurrency: a write or clear returns NewGrainStateVersion; NULL (read as "") or the
-- caller's own version means "someone else wrote first" and the provider throws InconsistentStateException.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS orleans_grain_state
(
    service_id         TEXT    NOT NULL,
    state_name         TEXT    NOT NULL,
    state_name_hash    INTEGER NOT NULL,
    grain_id_hash      INTEGER NOT NULL,
    grain_id_n0        INTEGER NOT NULL,
    grain_id_n1        INTEGER NOT NULL,
    -- '' stands for "no key extension": NULLs never collide in a unique key, '' does.
    grain_id_extension TEXT    NOT NULL,
    payload            BLOB    NULL,
    version            INTEGER NOT NULL,
    modified_at        TEXT    NOT NULL,
    CONSTRAINT pk_orleans_grain_state
        PRIMARY KEY (service_id, state_name_hash, grain_id_hash, grain_id_n0, grain_id_n1, state_name, grain_id_extension)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('ReadFromStorageKey', '
SELECT payload AS PayloadBinary, version AS Version
FROM orleans_grain_state
WHERE service_id = @ServiceId
  AND state_name_hash = @GrainTypeHash AND state_name = @GrainTypeString
  AND grain_id_hash = @GrainIdHash AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_id_extension = coalesce(@GrainIdExtensionString, '''');
'),
-- A first write (no version) inserts version 1 unless a row already exists; a later write updates
-- only the row still holding the caller''s version. changes() tells which case happened.
('WriteToStorageKey', '
INSERT INTO orleans_grain_state
    (service_id, state_name_hash, state_name, grain_id_hash, grain_id_n0, grain_id_n1, grain_id_extension, payload, version, modified_at)
SELECT @ServiceId, @GrainTypeHash, @GrainTypeString, @GrainIdHash, @GrainIdN0, @GrainIdN1,
       coalesce(@GrainIdExtensionString, ''''), @PayloadBinary, 1, strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
WHERE @GrainStateVersion IS NULL
   OR EXISTS (SELECT 1 FROM orleans_grain_state
              WHERE service_id = @ServiceId
                AND state_name_hash = @GrainTypeHash AND state_name = @GrainTypeString
                AND grain_id_hash = @GrainIdHash AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
                AND grain_id_extension = coalesce(@GrainIdExtensionString, ''''))
ON CONFLICT (service_id, state_name_hash, grain_id_hash, grain_id_n0, grain_id_n1, state_name, grain_id_extension)
DO UPDATE SET payload = excluded.payload,
              version = orleans_grain_state.version + 1,
              modified_at = excluded.modified_at
WHERE orleans_grain_state.version = @GrainStateVersion;
SELECT CASE WHEN changes() > 0 THEN coalesce(@GrainStateVersion, 0) + 1 END AS NewGrainStateVersion;
'),
('ClearStorageKey', '
UPDATE orleans_grain_state
SET payload = NULL, version = version + 1, modified_at = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now'')
WHERE service_id = @ServiceId
  AND state_name_hash = @GrainTypeHash AND state_name = @GrainTypeString
  AND grain_id_hash = @GrainIdHash AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_id_extension = coalesce(@GrainIdExtensionString, '''')
  AND version = @GrainStateVersion;
SELECT CASE WHEN changes() > 0 THEN @GrainStateVersion + 1 END AS NewGrainStateVersion;
'),
('DeleteStorageKey', '
DELETE FROM orleans_grain_state
WHERE service_id = @ServiceId
  AND state_name_hash = @GrainTypeHash AND state_name = @GrainTypeString
  AND grain_id_hash = @GrainIdHash AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
  AND grain_id_extension = coalesce(@GrainIdExtensionString, '''')
  AND version = @GrainStateVersion;
SELECT CASE WHEN changes() > 0 THEN @GrainStateVersion + 1 END AS NewGrainStateVersion;
')
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
