using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace Worker.Ingestion.Csv;

/// <summary>
/// Reads the records of an export as they stream past, with the line each starts on. Detects the
/// encoding (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252), refuses binary files,
/// and picks the delimiter (comma, semicolon or tab) from the first lines. Blank lines and lines
/// starting with # come through as records (<see cref="ExportLayout"/> decides what they mean). Bad
/// input is refused with its line and column: a NUL character anywhere, a field longer than the cap.
/// </summary>
public sealed class CsvSource : IDisposable
{
    private const int SniffBytes = 64 * 1024;
    private static readonly char[] Candidates = [',', ';', '\t'];

    /// <summary>The default cap on one field: 1 MiB of characters, far above any real cell, far below what hurts.</summary>
    public const int DefaultMaxFieldChars = 1024 * 1024;

    private readonly CsvParser _parser;
    private readonly int _maxFieldChars;

    static CsvSource() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private CsvSource(TextReader reader, char delimiter, Encoding encoding, int maxFieldChars)
    {
        Delimiter = delimiter;
        Encoding = encoding;
        _maxFieldChars = maxFieldChars;
        _parser = new CsvParser(reader, new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = delimiter.ToString(),
            HasHeaderRecord = false,
            AllowComments = false,
            IgnoreBlankLines = false,
            MaxFieldSize = maxFieldChars,
            BadDataFound = null, // a stray quote inside a field is kept as text, as spreadsheets do
            Mode = CsvMode.RFC4180,
        });
    }

    public char Delimiter { get; }

    public Encoding Encoding { get; }

    /// <summary>The current record's fields.</summary>
    public string[] Record { get; private set; } = [];

    /// <summary>The 1-based line the current record starts on.</summary>
    public long Line { get; private set; }

    public static CsvSource Open(Stream stream, int maxFieldChars = DefaultMaxFieldChars)
    {
        var prefix = new byte[SniffBytes];
        var length = 0;
        int read;
        while (length < prefix.Length && (read = stream.Read(prefix, length, prefix.Length - length)) > 0)
        {
            length += read;
        }

        if (length == 0)
        {
            throw new ImportRejectedException("The file is empty.");
        }

        var head = prefix.AsSpan(0, length);
        var (encoding, bomLength) = DetectEncoding(head);
        if (encoding is not UnicodeEncoding && head.Contains((byte)0))
        {
            throw new ImportRejectedException("The file is not a text CSV file (it contains binary data). Export the report as CSV and upload that.");
        }

        var sample = encoding.GetString(head[bomLength..]);
        var delimiter = DetectDelimiter(sample);
        var whole = new ConcatenatedStream(new MemoryStream(prefix, bomLength, length - bomLength), stream);
        return new CsvSource(new StreamReader(whole, encoding, detectEncodingFromByteOrderMarks: false), delimiter, encoding, maxFieldChars);
    }

    /// <summary>The header row's cells, once known, to name columns in errors.</summary>
    public string[]? Header { get; set; }

    public bool Read()
    {
        try
        {
            if (!_parser.Read())
            {
                return false;
            }
        }
        catch (MaxFieldSizeException)
        {
            var line = _parser.RawRow - _parser.RawRecord.Count(c => c == '\n');
            throw new ImportRejectedException(FormattableString.Invariant(
                $"Line {line}, column {ColumnName(_parser.Count)}: a field is longer than {_maxFieldChars:N0} characters (Imports:MaxFieldKilobytes); no real export has such a cell, the file is probably damaged (an unclosed quote?)."));
        }

        Record = _parser.Record ?? [];
        // RawRow is the line the record ends on; a quoted field may span lines.
        var raw = _parser.RawRecord.AsSpan().TrimEnd("\r\n");
        Line = _parser.RawRow - raw.Count('\n');
        if (raw.Contains('\0'))
        {
            RefuseNul();
        }

        return true;
    }

    private void RefuseNul()
    {
        for (var i = 0; i < Record.Length; i++)
        {
            var at = Record[i].IndexOf('\0', StringComparison.Ordinal);
            if (at >= 0)
            {
                var line = Line + Record.Take(i).Sum(f => f.Count(c => c == '\n')) + Record[i][..at].Count(c => c == '\n');
                throw new ImportRejectedException(
                    $"Line {line}, column {ColumnName(i)}: the file contains a NUL character (byte 0x00), which a text CSV export never has; the file is damaged or not a CSV export.");
            }
        }
    }

    private string ColumnName(int index) =>
        Header is { } header && index < header.Length && header[index].Trim().Length > 0
            ? $"'{ExportLayout.Excerpt(header[index].Trim(), 60)}'"
            : (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static (Encoding Encoding, int BomLength) DetectEncoding(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith<byte>([0xEF, 0xBB, 0xBF]))
        {
            return (new UTF8Encoding(false), 3);
        }

        if (head.StartsWith<byte>([0xFF, 0xFE]))
        {
            return (new UnicodeEncoding(bigEndian: false, byteOrderMark: false), 2);
        }

        if (head.StartsWith<byte>([0xFE, 0xFF]))
        {
            return (new UnicodeEncoding(bigEndian: true, byteOrderMark: false), 2);
        }

        // Valid UTF-8 in the first 64 KiB is taken as UTF-8; anything else is the Windows code page
        // spreadsheet programs write. A sequence cut at the sniff boundary is not held against it.
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        try
        {
            strict.GetCharCount(TrimIncompleteUtf8(head));
            return (new UTF8Encoding(false), 0);
        }
        catch (DecoderFallbackException)
        {
            return (Encoding.GetEncoding(1252), 0);
        }
    }

    private static ReadOnlySpan<byte> TrimIncompleteUtf8(ReadOnlySpan<byte> bytes)
    {
        for (var back = 1; back <= Math.Min(3, bytes.Length); back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) == 0xC0)
            {
                return bytes[..^back]; // a lead byte whose continuation was cut off
            }

            if ((b & 0x80) == 0)
            {
                break;
            }
        }

        return bytes;
    }

    /// <summary>The candidate that splits the most of the first lines into the same number of fields.</summary>
    private static char DetectDelimiter(string sample)
    {
        var lines = sample.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0 && !l.StartsWith('#')).Take(50).ToList();
        var best = ',';
        var bestScore = 0;
        foreach (var candidate in Candidates)
        {
            var counts = lines.Select(l => CountOutsideQuotes(l, candidate)).Where(c => c > 0).ToList();
            if (counts.Count == 0)
            {
                continue;
            }

            var mode = counts.GroupBy(c => c).OrderByDescending(g => g.Count()).ThenByDescending(g => g.Key).First();
            var score = mode.Count() * 1000 + mode.Key;
            if (score > bestScore)
            {
                best = candidate;
                bestScore = score;
            }
        }

        return best;
    }

    private static int CountOutsideQuotes(string line, char delimiter)
    {
        var count = 0;
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == delimiter && !quoted)
            {
                count++;
            }
        }

        return count;
    }

    public void Dispose() => _parser.Dispose();

    /// <summary>The bytes already read for sniffing, then the rest of the stream.</summary>
    private sealed class ConcatenatedStream(Stream first, Stream second) : ReadOnlyStream
    {
        private bool _firstDone;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (!_firstDone)
            {
                var n = first.Read(buffer, offset, count);
                if (n > 0)
                {
                    return n;
                }

                _firstDone = true;
            }

            return second.Read(buffer, offset, count);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_firstDone)
            {
                var n = await first.ReadAsync(buffer, cancellationToken);
                if (n > 0)
                {
                    return n;
                }

                _firstDone = true;
            }

            return await second.ReadAsync(buffer, cancellationToken);
        }
    }
}
