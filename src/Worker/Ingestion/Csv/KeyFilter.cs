using System.Numerics;

namespace Worker.Ingestion.Csv;

/// <summary>
/// Notices, as rows stream past, a natural key that may have been seen before in the same file: a
/// blocked Bloom filter of fixed size (8 MiB, one cache line per key), so memory does not grow with the
/// file and a file whose keys are all new costs no query. A flagged key is only a candidate (the
/// filter has false positives); the loader confirms candidates in SQL and names the lines. Every key
/// that really repeats is flagged on its second occurrence, so none is missed.
/// </summary>
internal sealed class KeyFilter
{
    private const int Words = 1 << 20; // 8 MiB
    private const int MaxCandidates = 10_000;

    private readonly int[] _keyIndexes;
    private ulong[]? _bits;
    private List<object?[]>? _candidates = [];

    public KeyFilter(Dataset dataset, IReadOnlyList<MappedColumn> mapping)
    {
        _keyIndexes = [.. dataset.NaturalKey.Select(k => Enumerable.Range(0, mapping.Count).First(i => mapping[i].Column.Column == k))];
    }

    /// <summary>Whether some key may repeat.</summary>
    public bool MaybeRepeated { get; private set; }

    /// <summary>The keys that may repeat, or null when there were too many to list (then every key is checked).</summary>
    public IReadOnlyList<object?[]>? Candidates => _candidates;

    /// <summary>Adds the key of a row (its values in mapping order).</summary>
    public void Add(object?[] values)
    {
        var hash = 0x9E3779B97F4A7C15UL;
        foreach (var index in _keyIndexes)
        {
            hash = Mix(hash ^ (uint)(values[index]?.GetHashCode() ?? 0));
        }

        _bits ??= new ulong[Words];
        var block = (int)(hash >> 44) & (Words / 8 - 1);
        var probes = Mix(hash ^ 0xC2B2AE3D27D4EB4FUL);
        var seen = true;
        for (var i = 0; i < 7; i++, probes >>= 9)
        {
            ref var word = ref _bits[block * 8 + (int)(probes & 7)];
            var bit = 1UL << (int)((probes >> 3) & 63);
            seen &= (word & bit) != 0;
            word |= bit;
        }

        if (!seen)
        {
            return;
        }

        MaybeRepeated = true;
        if (_candidates is { Count: < MaxCandidates })
        {
            _candidates.Add([.. _keyIndexes.Select(i => values[i])]);
        }
        else
        {
            _candidates = null;
        }
    }

    /// <summary>MurmurHash3's 64-bit finaliser.</summary>
    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xFF51AFD7ED558CCDUL;
        x ^= x >> 33;
        x *= 0xC4CEB9FE1A85EC53UL;
        return x ^ BitOperations.RotateRight(x, 33);
    }
}
