using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Worker.Web;

/// <summary>
/// Limits sign-in attempts per client address and email, and per client address overall (ten times
/// as many), so guessing one account's password and spraying many accounts are both slowed down.
/// </summary>
public sealed class SignInThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<(string Address, string Email)> _limiter;

    public SignInThrottle(IOptions<AuthOptions> options)
    {
        var perMinute = options.Value.SignInAttemptsPerMinute;
        _limiter = PartitionedRateLimiter.CreateChained(
            PartitionedRateLimiter.Create<(string Address, string Email), (string, string)>(key =>
                RateLimitPartition.GetFixedWindowLimiter(key, _ => Window(perMinute))),
            PartitionedRateLimiter.Create<(string Address, string Email), string>(key =>
                RateLimitPartition.GetFixedWindowLimiter(key.Address, _ => Window(perMinute * 10))));
    }

    public bool TryAttempt(string address, string email)
    {
        using var lease = _limiter.AttemptAcquire((address, email.Trim().ToLowerInvariant()));
        return lease.IsAcquired;
    }

    private static FixedWindowRateLimiterOptions Window(int permits) =>
        new() { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0, AutoReplenishment = true };

    public void Dispose() => _limiter.Dispose();
}
