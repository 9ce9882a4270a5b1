using System.Diagnostics;

namespace Worker.Benchmarks;

/// <summary>Times an operation many times and reports the median and 95th percentile.</summary>
internal sealed record Measurement(string Name, double MedianMs, double P95Ms, int Iterations)
{
    public static async Task<Measurement> TakeAsync(string name, int warmup, int iterations, Func<int, Task> operation)
    {
        for (var i = 0; i < warmup; i++)
        {
            await operation(i);
        }

        var times = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await operation(i);
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(times);
        return new Measurement(name, times[iterations / 2], times[(int)(iterations * 0.95)], iterations);
    }

    public override string ToString() => $"| {Name} | {MedianMs:F3} | {P95Ms:F3} | {Iterations} |";
}
