using System.Globalization;
using System.Text.RegularExpressions;

namespace Worker.Ingestion.Csv;

/// <summary>One file column (or a <c>--set</c> constant) feeding one dataset column.</summary>
/// <param name="Index">The file column, or -1 for a constant.</param>
public sealed record MappedColumn(int Index, string Header, DatasetColumn Column)
{
    /// <summary>The value of a <c>--set</c> constant, parsed once.</summary>
    public object? Constant { get; init; }

    public bool IsConstant => Index < 0;
}

/// <summary>
/// Understands how an export is laid out, before any value is checked: the preamble reporting tools
/// write (GA4's # lines, Google Ads' title and date range, LinkedIn's Report Start), the header row and
/// which header feeds which column (aliases, "(qualifier)" stems, two headers for one column), a
/// daily dataset's period-end column, the report period, the decimal mark and the day/month order
/// (from a sample of the rows), and then, row by row, which rows are data, totals or footer.
/// Whole-file problems are refused here, before any row is loaded.
/// </summary>
public sealed partial class ExportLayout
{
    private const int MaxPreambleRows = 50;
    private const int SampleRows = 500;
    private const int SampleChars = 256 * 1024;

    private readonly CsvSource _source;
    private readonly List<MappedColumn> _columns;
    private readonly Queue<(string[] Record, long Line)> _sample = new();
    private readonly int[] _fileKeyIndexes;
    private readonly int _requiredDateIndex;
    private bool _afterBlank;
    private bool _ended;

    private ExportLayout(CsvSource source, Dataset dataset, List<MappedColumn> columns, int headerWidth, List<string> notes)
    {
        _source = source;
        Dataset = dataset;
        _columns = columns;
        HeaderWidth = headerWidth;
        Notes = notes;
        _fileKeyIndexes = [.. columns.Where(c => !c.IsConstant && dataset.IsKeyColumn(c.Column)).Select(c => c.Index)];
        _requiredDateIndex = columns.FirstOrDefault(c => !c.IsConstant && c.Column.Required && c.Column.Kind == FieldKind.Date)?.Index ?? -1;
        Parser = new FieldParser(false, null);
    }

    public Dataset Dataset { get; }

    /// <summary>The dataset columns this file fills, in the order the loader writes them.</summary>
    public IReadOnlyList<MappedColumn> Columns => _columns;

    /// <summary>For daily datasets: the file column holding each row's period end ("Reporting ends"), or null.</summary>
    public MappedColumn? PeriodEnd { get; private set; }

    public int HeaderWidth { get; }

    /// <summary>Reads the values with this file's decimal mark and date format.</summary>
    public FieldParser Parser { get; private set; }

    /// <summary>What was understood about the layout, for the result.</summary>
    public List<string> Notes { get; }

    /// <summary>Totals rows skipped ("Total", "Grand total", "Total: …", or a row with every key cell empty).</summary>
    public long TotalsRows { get; private set; }

    /// <summary>Lines after the data block (a copyright notice, a second table), ignored.</summary>
    public long FooterLines { get; private set; }

    private long? _footerLine;
    private string? _footerExcerpt;

    /// <summary>Reads the preamble and the header row and a sample of the rows; refuses the file when its layout cannot be loaded.</summary>
    public static ExportLayout Read(Dataset dataset, CsvSource source, ImportOptions options)
    {
        var notes = new List<string>();
        var constants = Constants(dataset, options);
        var preamble = new ReportPeriod();
        string[]? best = null;
        var bestMatches = -1;
        for (var row = 0; row < MaxPreambleRows && source.Read(); row++)
        {
            var record = source.Record;
            if (IsBlank(record))
            {
                row--;
                continue;
            }

            if (IsComment(record))
            {
                preamble.Consider(string.Join(source.Delimiter, record), source.Line);
                continue;
            }

            var mapping = Map(dataset, record, notes: null);
            var period = dataset.DateRanges.Count > 0 && preamble.Complete
                && dataset.DateRanges.All(r => mapping.Concat(constants.Keys.Select(k => new MappedColumn(-1, "", k))).All(m => m.Column.Column != r.Start && m.Column.Column != r.End))
                ? dataset.DateRanges.SelectMany(r => new[] { r.Start, r.End }).ToHashSet()
                : [];
            if (dataset.Columns.Where(c => c.Required).All(c => mapping.Any(m => m.Column == c) || constants.ContainsKey(c) || period.Contains(c.Column)))
            {
                mapping = Map(dataset, record, notes);
                if (row > 0)
                {
                    notes.Add($"Skipped {row} line(s) before the header row (line {source.Line}).");
                }

                var ignored = record.Where((h, i) => mapping.All(m => m.Index != i) && !string.IsNullOrWhiteSpace(h)).ToList();
                var layout = new ExportLayout(source, dataset, mapping, record.Length, notes);
                source.Header = record;
                layout.FindPeriodEnd(record, ignored);
                if (ignored.Count > 0)
                {
                    notes.Add($"Ignored columns: {HeaderExcerpt.Of(ignored)}.");
                }

                foreach (var (column, value) in constants)
                {
                    if (mapping.FirstOrDefault(m => m.Column == column) is { } inFile)
                    {
                        throw new ImportRejectedException($"The file has a '{inFile.Header}' column, and a value for {column.DisplayName} was also given (--set {column.DisplayName}={value}): give one or the other.");
                    }

                    mapping.Add(new MappedColumn(-1, column.DisplayName, column) { Constant = value });
                    notes.Add($"{column.DisplayName} = '{value}' for every row, as given.");
                }

                if (period.Count > 0)
                {
                    foreach (var (start, end) in dataset.DateRanges)
                    {
                        mapping.Add(new MappedColumn(-1, "report period", dataset.Column(start)) { Constant = preamble.Start!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });
                        mapping.Add(new MappedColumn(-1, "report period", dataset.Column(end)) { Constant = preamble.End!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) });
                    }

                    notes.Add(FormattableString.Invariant($"Every row covers the report period {preamble.Start:yyyy-MM-dd} to {preamble.End:yyyy-MM-dd}, from line {preamble.Line} ('{Excerpt(preamble.Text!, 80)}'): the rows have no period columns."));
                }

                layout.RequireFigures(record);
                layout.Sample(options);
                return layout;
            }

            preamble.Consider(string.Join(source.Delimiter, record), source.Line);
            var matches = mapping.Select(m => m.Column).Distinct().Count();
            if (matches > bestMatches)
            {
                best = record;
                bestMatches = matches;
            }
        }

        if (best is null)
        {
            throw new ImportRejectedException("The file has no rows.");
        }

        var found = Map(dataset, best, notes: null);
        var missing = dataset.Columns.Where(c => c.Required && found.All(m => m.Column != c) && !constants.ContainsKey(c))
            .Select(c => $"{c.DisplayName} (e.g. {string.Join(", ", c.Aliases.Take(3).Select(a => $"'{a}'"))})");
        throw new ImportRejectedException(
            $"Missing required column(s): {string.Join("; ", missing)}. A column the export does not have can be given for the whole file " +
            $"(e.g. --set channel_name=LinkedIn). Found: {Found(best)}.");
    }

    /// <summary>The next data row (totals rows, comments, blank lines and the footer skipped); false at the end.</summary>
    public bool Next(out string[] record, out long line)
    {
        while (!_ended && (_sample.TryDequeue(out var buffered) || ReadSource(out buffered)))
        {
            (record, line) = buffered;
            switch (Classify(record, line))
            {
                case RowKind.Data:
                    return true;
                case RowKind.Footer:
                    _ended = true;
                    break;
            }
        }

        record = [];
        line = 0;
        return false;
    }

    /// <summary>Notes that are known only once the whole file was read.</summary>
    public IEnumerable<string> ClosingNotes()
    {
        if (_footerLine is { } footer)
        {
            yield return FormattableString.Invariant($"Ignored {FooterLines:N0} line(s) after the data, from line {footer} ('{_footerExcerpt}').");
        }
    }

    private bool ReadSource(out (string[] Record, long Line) row)
    {
        if (_source.Read())
        {
            row = (_source.Record, _source.Line);
            return true;
        }

        row = default;
        return false;
    }

    private enum RowKind
    {
        Data,
        Skipped,
        Footer,
    }

    private RowKind Classify(string[] record, long line)
    {
        if (IsBlank(record))
        {
            _afterBlank = true;
            return RowKind.Skipped;
        }

        if (IsComment(record))
        {
            return RowKind.Skipped;
        }

        if (IsTotalsRow(record))
        {
            TotalsRows++;
            return RowKind.Skipped;
        }

        // Once the data block has ended (a blank line, or a lone cell), a row whose date is no date is
        // where the footer starts: a copyright notice, or a second table with its own header.
        var lone = HeaderWidth > 1 && FilledCells(record) == 1;
        if ((_afterBlank || lone) && _requiredDateIndex >= 0
            && !Parser.TryParse(Columns.First(c => c.Index == _requiredDateIndex).Column, Cell(record, _requiredDateIndex), out _, out _))
        {
            _footerLine = line;
            _footerExcerpt = Excerpt(string.Join(_source.Delimiter, record).Trim(), 60);
            FooterLines = 1 + _sample.Count;
            _sample.Clear();
            while (_source.Read())
            {
                FooterLines++;
            }

            return RowKind.Footer;
        }

        _afterBlank = false;
        return RowKind.Data;
    }

    private bool IsTotalsRow(string[] record)
    {
        foreach (var cell in record)
        {
            // Most cells start with a digit or a name: look closer only at those starting like "Total" or "Grand".
            var trimmed = cell.AsSpan().TrimStart();
            if (trimmed.Length >= 5 && (trimmed[0] is 'T' or 't' or 'G' or 'g') && TotalsLabel().IsMatch(cell.Trim()))
            {
                return true;
            }
        }

        // Universal Analytics writes its totals with no label: every key cell empty, figures present.
        if (_fileKeyIndexes.Length == 0)
        {
            return false;
        }

        foreach (var index in _fileKeyIndexes)
        {
            if (!string.IsNullOrWhiteSpace(Cell(record, index)))
            {
                return false;
            }
        }

        return true;
    }

    private static int FilledCells(string[] record)
    {
        var filled = 0;
        foreach (var cell in record)
        {
            if (!string.IsNullOrWhiteSpace(cell))
            {
                filled++;
            }
        }

        return filled;
    }

    private static string Cell(string[] record, int index) => index < record.Length ? record[index] : "";

    private static bool IsBlank(string[] record)
    {
        foreach (var cell in record)
        {
            if (!string.IsNullOrWhiteSpace(cell))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsComment(string[] record) => record.Length > 0 && record[0].StartsWith('#');

    /// <summary>The --set values, checked against the dataset's columns.</summary>
    private static Dictionary<DatasetColumn, string> Constants(Dataset dataset, ImportOptions options)
    {
        var constants = new Dictionary<DatasetColumn, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, value) in options.Set ?? new Dictionary<string, string>())
        {
            var column = dataset.FindColumn(name) ?? throw new ImportRejectedException(
                $"--set {name}=…: {dataset.Name} has no column '{name}' (its columns: {string.Join(", ", dataset.Columns.Select(c => c.DisplayName))}).");
            constants[column] = value;
        }

        return constants;
    }

    /// <summary>
    /// Which header feeds which column: exact aliases first, then a header whose "(qualifier)" or
    /// currency code is dropped ("Amount spent (CHF)" → "amount spent") when that stem names one column
    /// only. Two headers for one column: the one earlier in the column's alias list wins, the other is
    /// ignored (and noted).
    /// </summary>
    private static List<MappedColumn> Map(Dataset dataset, string[] headers, List<string>? notes)
    {
        var candidates = new List<(int Index, DatasetColumn Column, int Rank)>();
        for (var i = 0; i < headers.Length; i++)
        {
            var name = HeaderName.Normalise(headers[i]);
            if (name.Length == 0)
            {
                continue;
            }

            var exact = dataset.Columns.Select(c => (Column: c, Rank: IndexOf(c.NormalisedHeaders, name))).FirstOrDefault(c => c.Rank >= 0);
            if (exact.Column is not null)
            {
                candidates.Add((i, exact.Column, exact.Rank));
                continue;
            }

            if (Qualified().Match(headers[i].Trim()) is { Success: true } qualified)
            {
                var stem = HeaderName.Normalise(qualified.Groups[1].Value);
                var byStem = dataset.Columns.Select(c => (Column: c, Rank: IndexOf(c.NormalisedHeaders, stem))).Where(c => c.Rank >= 0).ToList();
                if (byStem.Count == 1)
                {
                    candidates.Add((i, byStem[0].Column, 1000 + byStem[0].Rank));
                }
            }
        }

        var mapping = new List<MappedColumn>();
        foreach (var group in candidates.GroupBy(c => c.Column))
        {
            var chosen = group.OrderBy(c => c.Rank).ThenBy(c => c.Index).First();
            mapping.Add(new MappedColumn(chosen.Index, headers[chosen.Index].Trim(), chosen.Column));
            foreach (var other in group.Where(c => c != chosen))
            {
                notes?.Add($"Columns '{headers[chosen.Index].Trim()}' and '{headers[other.Index].Trim()}' both mean {chosen.Column.DisplayName}: took '{headers[chosen.Index].Trim()}', ignored '{headers[other.Index].Trim()}'.");
            }
        }

        return [.. mapping.OrderBy(m => m.Index)];
    }

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == value)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>A daily dataset's period end ("Reporting ends") among the columns nothing else took.</summary>
    private void FindPeriodEnd(string[] header, List<string> ignored)
    {
        if (Dataset.PeriodEndAliases.Count == 0)
        {
            return;
        }

        var aliases = Dataset.PeriodEndAliases.Select(HeaderName.Normalise).ToList();
        var date = Dataset.Columns.First(c => c.Required && c.Kind == FieldKind.Date);
        for (var i = 0; i < header.Length; i++)
        {
            var name = HeaderName.Normalise(header[i]);
            var stem = Qualified().Match(header[i].Trim()) is { Success: true } q ? HeaderName.Normalise(q.Groups[1].Value) : null;
            if (Columns.All(m => m.Index != i) && (aliases.Contains(name) || stem is not null && aliases.Contains(stem)))
            {
                PeriodEnd = new MappedColumn(i, header[i].Trim(), date with { Required = false, Column = "period_end" });
                ignored.Remove(header[i]);
                return;
            }
        }
    }

    /// <summary>A file that maps none of the dataset's figures would load nothing but zeros: refused.</summary>
    private void RequireFigures(string[] header)
    {
        if (Columns.Any(m => !Dataset.IsKeyColumn(m.Column)))
        {
            return;
        }

        var figures = Dataset.Columns.Where(c => !Dataset.IsKeyColumn(c))
            .Select(c => $"{c.DisplayName} ({string.Join(", ", c.Aliases.Take(4).Select(a => $"'{a}'"))})");
        throw new ImportRejectedException(
            $"The file has none of {Dataset.Name}'s figures, so it would load nothing but empty rows. Found: {Found(header)}. {Dataset.Name} takes: {string.Join("; ", figures)}.");
    }

    /// <summary>
    /// Reads a sample of the rows ahead and settles how this file writes numbers and dates: declared in
    /// the options, else inferred from the sample; a file whose sample allows two readings is refused.
    /// </summary>
    private void Sample(ImportOptions options)
    {
        var chars = 0;
        while (_sample.Count < SampleRows && chars < SampleChars && ReadSource(out var row))
        {
            _sample.Enqueue(row);
            foreach (var cell in row.Record)
            {
                chars += cell.Length;
            }
        }

        var rows = _sample.Where(r => !IsBlank(r.Record) && !IsComment(r.Record) && !IsTotalsRow(r.Record)).ToList();
        var decimalComma = options.DecimalComma ?? InferDecimalComma(rows);
        var dateFormat = options.DateFormat ?? InferDateFormat(rows);
        Parser = new FieldParser(decimalComma, dateFormat);
        foreach (var constant in Columns.Where(c => c.IsConstant).ToList())
        {
            if (!Parser.TryParse(constant.Column, (string)constant.Constant!, out var value, out var problem))
            {
                throw new ImportRejectedException($"The value given for {constant.Column.DisplayName}, '{constant.Constant}', {problem}.");
            }

            _columns[_columns.IndexOf(constant)] = constant with { Constant = value };
        }
    }

    private bool InferDecimalComma(List<(string[] Record, long Line)> rows)
    {
        (string Header, string Value, long Line)? comma = null, point = null, ambiguous = null;
        foreach (var column in Columns.Where(c => !c.IsConstant && c.Column.Kind is not (FieldKind.Text or FieldKind.Date)))
        {
            foreach (var (record, line) in rows)
            {
                var value = Cell(record, column.Index).Trim();
                switch (DecimalMark(value))
                {
                    case ',':
                        comma ??= (column.Header, value, line);
                        break;
                    case '.':
                        point ??= (column.Header, value, line);
                        break;
                    case '?':
                        ambiguous ??= (column.Header, value, line);
                        break;
                }
            }
        }

        if (comma is { } c && point is { } p)
        {
            throw new ImportRejectedException(
                $"The file writes numbers both with a decimal comma (column '{c.Header}' value '{c.Value}', line {c.Line}) and with a decimal point " +
                $"(column '{p.Header}' value '{p.Value}', line {p.Line}): export it again with one number format.");
        }

        if (comma is { } byComma)
        {
            Notes.Add($"Numbers read with a decimal comma (e.g. '{byComma.Value}' in '{byComma.Header}', line {byComma.Line}).");
            return true;
        }

        if (point is not null || _source.Delimiter != ';')
        {
            return false;
        }

        if (ambiguous is { } a)
        {
            throw new ImportRejectedException(
                $"Column '{a.Header}' value '{a.Value}' (line {a.Line}) could be {Reading(a.Value, decimalComma: false)} or {Reading(a.Value, decimalComma: true)}, and no other number " +
                "in the file tells which: declare the file's decimal mark (--decimal-comma or --decimal-comma=false; API decimalComma=true or false; the upload page's decimal comma box).");
        }

        // Semicolon-separated files are what Excel writes where the decimal mark is a comma.
        Notes.Add("Numbers read with a decimal comma (the file is semicolon-separated).");
        return true;
    }

    private static string Reading(string value, bool decimalComma)
    {
        var invariant = decimalComma ? value.Replace(".", "", StringComparison.Ordinal).Replace(',', '.') : value.Replace(",", "", StringComparison.Ordinal);
        return decimal.TryParse(invariant, NumberStyles.Number, CultureInfo.InvariantCulture, out var number)
            ? number.ToString(CultureInfo.InvariantCulture)
            : value;
    }

    /// <summary>',' or '.' when the value proves that mark is the decimal mark, '?' when it could be either, '\0' when it says nothing.</summary>
    internal static char DecimalMark(string value)
    {
        var core = NumberCore().Match(value.Replace(" ", "", StringComparison.Ordinal).Replace("\u00a0", "", StringComparison.Ordinal));
        if (!core.Success)
        {
            return '\0';
        }

        var text = core.Value;
        var lastComma = text.LastIndexOf(',');
        var lastPoint = text.LastIndexOf('.');
        if (lastComma >= 0 && lastPoint >= 0)
        {
            return lastComma > lastPoint ? ',' : '.';
        }

        if (lastComma < 0 && lastPoint < 0)
        {
            return '\0';
        }

        var mark = lastComma >= 0 ? ',' : '.';
        var other = mark == ',' ? '.' : ',';
        var parts = text.Split(mark);
        if (parts.Length > 2)
        {
            return other; // 1,234,567: the mark groups thousands
        }

        // One mark: followed by anything but three digits, or after more than three digits, it is the decimal mark.
        return parts[1].Length != 3 || parts[0].TrimStart('-', '+').Length > 3 || parts[0].TrimStart('-', '+') is "0" or "" ? mark : '?';
    }

    private string? InferDateFormat(List<(string[] Record, long Line)> rows)
    {
        (string Header, string Value, long Line)? dayFirst = null, monthFirst = null, ambiguous = null;
        string? separator = null, year = null;
        foreach (var column in Columns.Where(c => !c.IsConstant && c.Column.Kind == FieldKind.Date).Append(PeriodEnd).OfType<MappedColumn>())
        {
            foreach (var (record, line) in rows)
            {
                var value = Cell(record, column.Index).Trim();
                if (NumericDate().Match(value) is not { Success: true } m)
                {
                    continue;
                }

                separator ??= m.Groups[2].Value;
                year ??= m.Groups[4].Value.Length == 2 ? "yy" : "yyyy";
                var (a, b) = (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
                if (a == 0 || b == 0)
                {
                    continue;
                }

                if (a > 12 && b <= 12)
                {
                    dayFirst ??= (column.Header, value, line);
                }
                else if (b > 12 && a <= 12)
                {
                    monthFirst ??= (column.Header, value, line);
                }
                else if (a <= 12 && b <= 12 && a != b)
                {
                    ambiguous ??= (column.Header, value, line);
                }
            }
        }

        if (dayFirst is { } d && monthFirst is { } mf)
        {
            throw new ImportRejectedException(
                $"The file writes dates day first ('{d.Value}' in '{d.Header}', line {d.Line}) and month first ('{mf.Value}' in '{mf.Header}', line {mf.Line}): export it again with one date format.");
        }

        var dayFormat = $"d{separator}M{separator}{year}";
        var monthFormat = $"M{separator}d{separator}{year}";
        if (dayFirst is { } day)
        {
            Notes.Add($"Dates read day first ({dayFormat}), as '{day.Value}' (line {day.Line}) shows.");
            return dayFormat;
        }

        if (monthFirst is { } month)
        {
            Notes.Add($"Dates read month first ({monthFormat}), as '{month.Value}' (line {month.Line}) shows.");
            return monthFormat;
        }

        if (ambiguous is { } am)
        {
            var parts = am.Value.Split(am.Value.First(ch => !char.IsAsciiDigit(ch)));
            var (first, second, y) = (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture));
            y = y < 100 ? 2000 + y : y;
            throw new ImportRejectedException(
                $"Column '{am.Header}' value '{am.Value}' (line {am.Line}) could be {LongDate(new DateOnly(y, second, first))} ({dayFormat}) or {LongDate(new DateOnly(y, first, second))} ({monthFormat}), " +
                $"and no date in the file tells which: declare the date format (--date-format={dayFormat} or --date-format={monthFormat}; API dateFormat=…; the upload page's date format field).");
        }

        return null;
    }

    private static string LongDate(DateOnly date) => date.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);

    private static string Found(string[] headers) => HeaderExcerpt.Of(headers);

    /// <summary>A short, printable excerpt of file content for a message.</summary>
    internal static string Excerpt(string text, int max)
    {
        var printable = new string([.. text.Select(c => char.IsControl(c) ? ' ' : c)]);
        return printable.Length <= max ? printable : printable[..max] + "…";
    }

    [GeneratedRegex(@"^(grand\s+)?totals?(\s*:.*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex TotalsLabel();

    [GeneratedRegex(@"^(.*\S)\s*\(([^()]*)\)$")]
    private static partial Regex Qualified();

    [GeneratedRegex(@"[-+]?[0-9][0-9.,]*")]
    private static partial Regex NumberCore();

    [GeneratedRegex(@"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})$")]
    private static partial Regex NumericDate();

    /// <summary>The report period a tool writes above the header.</summary>
    private sealed partial class ReportPeriod
    {
        public DateOnly? Start { get; private set; }

        public DateOnly? End { get; private set; }

        public long Line { get; private set; }

        public string? Text { get; private set; }

        public bool Complete => Start is not null && End is not null && End >= Start;

        /// <summary>GA4's "# Start date: 20250901", LinkedIn's "Report Start: 9/1/2025", Google Ads' "September 1, 2025 - September 30, 2025".</summary>
        public void Consider(string line, long number)
        {
            var text = line.TrimStart('#', ' ').Trim().Trim('"').Trim();
            if (Range().Match(text) is { Success: true } range && TryDate(range.Groups[1].Value, out var from) && TryDate(range.Groups[2].Value, out var to))
            {
                (Start, End, Line, Text) = (from, to, number, text);
            }
            else if (StartLine().Match(text) is { Success: true } start && TryDate(start.Groups[1].Value, out var s))
            {
                (Start, Line, Text) = (s, number, text);
            }
            else if (EndLine().Match(text) is { Success: true } end && TryDate(end.Groups[1].Value, out var e))
            {
                End = e;
            }
        }

        private static bool TryDate(string text, out DateOnly date)
        {
            text = text.Trim().TrimEnd(',');
            // LinkedIn writes US dates (M/d/yyyy), possibly with a time; GA4 yyyyMMdd; Google Ads month names.
            var datePart = text.Split(' ', 2)[0];
            return DateOnly.TryParseExact(text, ["yyyyMMdd", "yyyy-MM-dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out date)
                || DateOnly.TryParseExact(datePart, ["M/d/yyyy", "yyyy-MM-dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out date)
                || text.Any(char.IsLetter) && DateOnly.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out date);
        }

        [GeneratedRegex(@"([A-Za-z]+\.? \d{1,2}, \d{4})\s*[-–]\s*([A-Za-z]+\.? \d{1,2}, \d{4})")]
        private static partial Regex Range();

        [GeneratedRegex(@"^(?:report\s+)?start(?:\s+date)?\s*:\s*(.+)$", RegexOptions.IgnoreCase)]
        private static partial Regex StartLine();

        [GeneratedRegex(@"^(?:report\s+)?end(?:\s+date)?\s*:\s*(.+)$", RegexOptions.IgnoreCase)]
        private static partial Regex EndLine();
    }
}
