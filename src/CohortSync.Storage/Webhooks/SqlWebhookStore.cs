using System.Data.Common;
using System.Globalization;

namespace CohortSync.Storage.Webhooks;

/// <summary>
/// The webhook store over plain ADO.NET; SQLite and PostgreSQL differ only in how they open connections and write
/// transactions (the SQL is the same for both). A batch takes its cohort's counter row first and holds it until
/// commit, so the writers of one cohort go one at a time and seq order is commit order: a reader that has seen
/// seq N never later finds a new change below N.
/// </summary>
public abstract class SqlWebhookStore : IWebhookStore
{
    /// <summary>Longest user_id kept (the tables refuse longer ones); the intake counts longer ones as skipped.</summary>
    public const int MaxUserIdLength = 1024;

    protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    protected abstract ValueTask<DbTransaction> BeginWriteTransactionAsync(DbConnection connection, CancellationToken cancellationToken);

    public async Task<WebhookStoreResult> StoreBatchAsync(WebhookBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentException.ThrowIfNullOrEmpty(batch.ProjectId);
        ArgumentException.ThrowIfNullOrEmpty(batch.MessageId);
        ArgumentException.ThrowIfNullOrEmpty(batch.CohortId);

        await using var connection = await OpenConnectionAsync(cancellationToken);
        await using var transaction = await BeginWriteTransactionAsync(connection, cancellationToken);

        await using (var record = Command(connection, transaction, """
            INSERT INTO cohortsync_webhook_batch (project_id, message_id, cohort_id, cohort_name, in_cohort, computed_time, received_at, member_count)
            VALUES (@project_id, @message_id, @cohort_id, @cohort_name, @in_cohort, @computed_time, @received_at, @member_count)
            ON CONFLICT (project_id, message_id) DO NOTHING;
            """))
        {
            Add(record, "project_id", batch.ProjectId);
            Add(record, "message_id", batch.MessageId);
            Add(record, "cohort_id", batch.CohortId);
            Add(record, "cohort_name", batch.CohortName);
            Add(record, "in_cohort", batch.InCohort);
            Add(record, "computed_time", batch.ComputedTime);
            Add(record, "received_at", batch.ReceivedAt.ToUniversalTime());
            Add(record, "member_count", batch.Members.Count);
            if (await record.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return new WebhookStoreResult(Duplicate: true, Applied: 0, Stale: 0);
            }
        }

        long lastSeq;
        await using (var counter = Command(connection, transaction, """
            INSERT INTO cohortsync_webhook_cohort (project_id, cohort_id, last_seq) VALUES (@project_id, @cohort_id, 0)
            ON CONFLICT (project_id, cohort_id) DO UPDATE SET last_seq = cohortsync_webhook_cohort.last_seq
            RETURNING last_seq;
            """))
        {
            Add(counter, "project_id", batch.ProjectId);
            Add(counter, "cohort_id", batch.CohortId);
            lastSeq = Convert.ToInt64(await counter.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        }

        // Equal computed_time keeps the first state stored: only a strictly newer change replaces it.
        await using var upsert = Command(connection, transaction, """
            INSERT INTO cohortsync_webhook_member (project_id, cohort_id, user_id, in_cohort, computed_time, user_properties, seq)
            VALUES (@project_id, @cohort_id, @user_id, @in_cohort, @computed_time, @user_properties, @seq)
            ON CONFLICT (project_id, cohort_id, user_id) DO UPDATE SET
                in_cohort = excluded.in_cohort,
                computed_time = excluded.computed_time,
                user_properties = excluded.user_properties,
                seq = excluded.seq
            WHERE excluded.computed_time > cohortsync_webhook_member.computed_time;
            """);
        int applied = 0, stale = 0;
        // One prepared statement for the batch: only the member's values change from row to row.
        Add(upsert, "project_id", batch.ProjectId);
        Add(upsert, "cohort_id", batch.CohortId);
        var userId = Add(upsert, "user_id", "");
        Add(upsert, "in_cohort", batch.InCohort);
        Add(upsert, "computed_time", batch.ComputedTime);
        var properties = Add(upsert, "user_properties", null);
        var seq = Add(upsert, "seq", 0L);
        await upsert.PrepareAsync(cancellationToken);
        foreach (var member in batch.Members)
        {
            userId.Value = member.UserId;
            properties.Value = (object?)member.UserProperties ?? DBNull.Value;
            seq.Value = lastSeq + 1;
            if (await upsert.ExecuteNonQueryAsync(cancellationToken) > 0)
            {
                lastSeq++;
                applied++;
            }
            else
            {
                stale++;
            }
        }

        if (applied > 0)
        {
            await using var advance = Command(connection, transaction,
                "UPDATE cohortsync_webhook_cohort SET last_seq = @last_seq WHERE project_id = @project_id AND cohort_id = @cohort_id;");
            Add(advance, "last_seq", lastSeq);
            Add(advance, "project_id", batch.ProjectId);
            Add(advance, "cohort_id", batch.CohortId);
            await advance.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new WebhookStoreResult(Duplicate: false, applied, stale);
    }

    public async Task<WebhookChangePage> ReadChangesAsync(string projectId, string cohortId, long afterSeq, int limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(projectId);
        ArgumentException.ThrowIfNullOrEmpty(cohortId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);

        await using var connection = await OpenConnectionAsync(cancellationToken);
        long maxSeq;
        await using (var max = Command(connection, null,
            "SELECT last_seq FROM cohortsync_webhook_cohort WHERE project_id = @project_id AND cohort_id = @cohort_id;"))
        {
            Add(max, "project_id", projectId);
            Add(max, "cohort_id", cohortId);
            var value = await max.ExecuteScalarAsync(cancellationToken);
            maxSeq = value is null or DBNull ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
        }

        var changes = new List<WebhookMemberChange>();
        if (maxSeq <= afterSeq) return new WebhookChangePage(changes, maxSeq);

        // Bounded by the max read first, so a page never runs ahead of the max it reports.
        await using var read = Command(connection, null, """
            SELECT user_id, in_cohort, user_properties, seq FROM cohortsync_webhook_member
            WHERE project_id = @project_id AND cohort_id = @cohort_id AND seq > @after_seq AND seq <= @max_seq
            ORDER BY seq
            LIMIT @limit;
            """);
        Add(read, "project_id", projectId);
        Add(read, "cohort_id", cohortId);
        Add(read, "after_seq", afterSeq);
        Add(read, "max_seq", maxSeq);
        Add(read, "limit", limit);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            changes.Add(new WebhookMemberChange(
                reader.GetString(0),
                reader.GetBoolean(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetInt64(3)));
        }
        return new WebhookChangePage(changes, maxSeq);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static DbParameter Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
