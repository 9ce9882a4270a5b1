using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Worker.Alerts;

/// <summary>
/// Decides, atomically in the database (so several workers agree), whether a failure or success
/// deserves a message: a failure does when none was sent for the job within the grace period; a
/// success does when the job was failing.
/// </summary>
public sealed class AlertState(NpgsqlDataSource dataSource, IOptions<AlertOptions> options)
{
    private const string RecordFailure = """
        insert into worker.alert_state as s (job_id, failing, last_alert_at) values (@jobId, true, now())
        on conflict (job_id) do update set
          failing = true,
          last_alert_at = case
            when s.last_alert_at is null or s.last_alert_at <= now() - make_interval(mins => @graceMinutes) then now()
            else s.last_alert_at
          end
        returning last_alert_at = now()
        """;

    // Recovery starts a new incident: the next failure is alerted at once.
    private const string RecordSuccess = """
        update worker.alert_state set failing = false, last_alert_at = null where job_id = @jobId and failing returning true
        """;

    public bool ShouldAlertFailure(string jobId)
    {
        using var connection = dataSource.OpenConnection();
        return connection.ExecuteScalar<bool>(RecordFailure, new { jobId, graceMinutes = options.Value.GracePeriodMinutes });
    }

    public bool ShouldAlertRecovery(string jobId)
    {
        using var connection = dataSource.OpenConnection();
        return connection.ExecuteScalar<bool?>(RecordSuccess, new { jobId }) == true;
    }
}
