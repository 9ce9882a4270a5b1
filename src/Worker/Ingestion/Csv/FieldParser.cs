using System.Globalization;

namespace Worker.Ingestion.Csv;

/// <summary>
/// Turns the cells of real exports into values: "$1,234.50", "1.234,50 €" (decimal comma), "27.61%",
/// "20240131", "2024-01-31", "00:02:15". Each kind gives exactly one CLR type (see <see cref="FieldKind"/>)
/// and stays within its column's SQL type. Each failure says why, for the error report.
/// </summary>
/// <param name="decimalComma">Numbers are written 1.234,56 rather than 1,234.56 (declared or inferred from the file).</param>
/// <param name="dateFormat">A format for dates that are neither YYYY-MM-DD nor YYYYMMDD (declared or inferred).</param>
public sealed partial class FieldParser(bool decimalComma, string? dateFormat)
{
    private static readonly string[] IsoDate = ["yyyy-MM-dd", "yyyyMMdd"];

    public bool DecimalComma => decimalComma;

    public bool TryParse(DatasetColumn column, string raw, out object? value, out string? problem)
    {
        value = null;
        problem = null;
        var text = raw.Trim();
        if (text.Length == 0 || column.Kind != FieldKind.Text && text is "-" or "--" or "(not set)")
        {
            if (column.Required)
            {
                problem = "a value is required";
                return false;
            }

            // Blank figures are zero; an unknown rate or duration stays unknown.
            value = column.Kind switch
            {
                FieldKind.Count => 0L,
                FieldKind.Decimal or FieldKind.Money => 0m,
                _ => null,
            };
            return true;
        }

        switch (column.Kind)
        {
            case FieldKind.Text:
                return TryText(column, text, out value, out problem);
            case FieldKind.Date:
                return TryDate(text, out value, out problem);
            case FieldKind.Count:
                if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var plainCount))
                {
                    return InRange(column, plainCount, plainCount, out value, out problem); // the common case: digits only
                }

                if (!TryNumber(text, out var count, out problem))
                {
                    return false;
                }

                if (count != decimal.Truncate(count))
                {
                    problem = "must be a whole number";
                    return false;
                }

                return NonNegative(count, out problem) && InRange(column, count, count <= long.MaxValue ? (long)count : 0L, out value, out problem);
            case FieldKind.Decimal:
            case FieldKind.Money:
                if (!decimalComma && decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var plainNumber))
                {
                    return InRange(column, plainNumber, plainNumber, out value, out problem);
                }

                return TryNumber(text, out var number, out problem) && NonNegative(number, out problem) && InRange(column, number, number, out value, out problem);
            case FieldKind.Fraction:
                return TryFraction(text, out value, out problem);
            case FieldKind.Seconds:
                if (TimeSpan.TryParseExact(text, ["hh\\:mm\\:ss", "h\\:mm\\:ss", "mm\\:ss", "m\\:ss"], CultureInfo.InvariantCulture, out var duration))
                {
                    return InRange(column, (decimal)duration.TotalSeconds, (decimal)duration.TotalSeconds, out value, out problem);
                }

                return TryNumber(text, out var seconds, out problem) && NonNegative(seconds, out problem) && InRange(column, seconds, seconds, out value, out problem);
            default:
                throw new ArgumentOutOfRangeException(nameof(column));
        }
    }

    private static bool TryText(DatasetColumn column, string text, out object? value, out string? problem)
    {
        value = null;
        problem = null;
        if (text.Length > column.MaxLength)
        {
            problem = FormattableString.Invariant($"is longer than {column.MaxLength:N0} characters");
            return false;
        }

        if (column.AllowedValues is { } allowed)
        {
            var normalised = text.ToLowerInvariant().Replace(' ', '_').Replace('-', '_');
            if (!allowed.Contains(normalised))
            {
                problem = $"must be one of {string.Join(", ", allowed.Order(StringComparer.Ordinal))}";
                return false;
            }

            text = normalised;
        }

        value = text;
        return true;
    }

    private bool TryDate(string text, out object? value, out string? problem)
    {
        value = null;
        problem = null;
        if (DateOnly.TryParseExact(text, IsoDate, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            || (dateFormat is { } declared && DateOnly.TryParseExact(text, declared, CultureInfo.InvariantCulture, DateTimeStyles.None, out date)))
        {
            value = date;
            return true;
        }

        // Month names spell out which part is the month ("Jan 31, 2024", "31 January 2024"): unambiguous.
        if (text.Any(char.IsLetter) && DateOnly.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out date))
        {
            value = date;
            return true;
        }

        if (IsoShape().IsMatch(text))
        {
            problem = "is not a real calendar date";
            return false;
        }

        problem = dateFormat is null
            ? "is not a date in YYYY-MM-DD or YYYYMMDD form (declare the file's date format for others, e.g. dd/MM/yyyy)"
            : $"is not a date in YYYY-MM-DD, YYYYMMDD or the file's {dateFormat} form";
        return false;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{4}-?\d{2}-?\d{2}$")]
    private static partial System.Text.RegularExpressions.Regex IsoShape();

    /// <summary>
    /// A number with an optional currency, sign or accounting parentheses. A grouping separator (the
    /// other mark, a space or an apostrophe) must be followed by groups of exactly three digits, so
    /// "1234,50" is never read as 123450.
    /// </summary>
    private bool TryNumber(string text, out decimal number, out string? problem)
    {
        number = 0;
        problem = "is not a number";
        var span = text.AsSpan().Trim();
        var negative = false;
        if (span.Length > 2 && span[0] == '(' && span[^1] == ')')
        {
            negative = true; // accounting style (123.45)
            span = span[1..^1].Trim();
        }

        span = TrimCurrency(span);
        if (span.Length > 0 && span[0] is '-' or '+')
        {
            negative ^= span[0] == '-';
            span = TrimCurrency(span[1..]);
        }

        var decimalMark = decimalComma ? ',' : '.';
        var groupMark = decimalComma ? '.' : ',';
        var point = span.IndexOf(decimalMark);
        var whole = point < 0 ? span : span[..point];
        var fraction = point < 0 ? [] : span[(point + 1)..];
        if (whole.Length + fraction.Length > 40)
        {
            return false;
        }

        if (whole.Length == 0 && fraction.Length == 0 || point >= 0 && fraction.Length == 0 || !IsDigits(fraction))
        {
            if (fraction.Contains(groupMark) || fraction.Contains(decimalMark))
            {
                problem = SeparatorProblem();
            }

            return false;
        }

        Span<char> digits = stackalloc char[whole.Length + fraction.Length + 1];
        var length = 0;
        var group = -1; // digits since the last grouping mark; -1 before the first one
        var first = 0;
        char? grouping = null;
        foreach (var c in whole)
        {
            if (char.IsAsciiDigit(c))
            {
                digits[length++] = c;
                if (group >= 0)
                {
                    group++;
                }
                else
                {
                    first++;
                }
            }
            else if (c == groupMark || c is ' ' or '\u00a0' or '\u202f' or '\'')
            {
                if (grouping is { } g && g != c || first is 0 or > 3 || group is >= 0 and not 3)
                {
                    problem = c == groupMark ? SeparatorProblem() : "is not a number";
                    return false;
                }

                grouping = c;
                group = 0;
            }
            else
            {
                if (c == (decimalComma ? '.' : ',') || c == decimalMark)
                {
                    problem = SeparatorProblem();
                }

                return false;
            }
        }

        if (group is >= 0 and not 3)
        {
            problem = grouping == groupMark ? SeparatorProblem() : "is not a number";
            return false;
        }

        if (fraction.Length > 0)
        {
            digits[length++] = '.';
            fraction.CopyTo(digits[length..]);
            length += fraction.Length;
        }

        if (!decimal.TryParse(digits[..length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number))
        {
            return false;
        }

        problem = null;
        number = negative ? -number : number;
        return true;
    }

    private string SeparatorProblem() => decimalComma
        ? "is not a number with a decimal comma ('.' separates groups of three digits, ',' the decimals); if the file writes 1,234.56, declare a decimal point (--decimal-comma=false, decimalComma=false)"
        : "is not a number with a decimal point (',' separates groups of three digits, '.' the decimals); if the file writes 1.234,56, declare a decimal comma (--decimal-comma, decimalComma=true)";

    private static bool IsDigits(ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Removes one currency symbol or code before or after the number ("$12", "12 €", "EUR 12", "US$12").</summary>
    private static ReadOnlySpan<char> TrimCurrency(ReadOnlySpan<char> span)
    {
        foreach (var currency in Currencies)
        {
            if (span.StartsWith(currency, StringComparison.Ordinal))
            {
                return span[currency.Length..].Trim();
            }

            if (span.EndsWith(currency, StringComparison.Ordinal))
            {
                return span[..^currency.Length].Trim();
            }
        }

        if (span.Length > 3 && char.IsAsciiLetterUpper(span[0]) && char.IsAsciiLetterUpper(span[1]) && char.IsAsciiLetterUpper(span[2]) && !char.IsAsciiLetter(span[3]))
        {
            return span[3..].Trim();
        }

        if (span.Length > 3 && char.IsAsciiLetterUpper(span[^1]) && char.IsAsciiLetterUpper(span[^2]) && char.IsAsciiLetterUpper(span[^3]) && !char.IsAsciiLetter(span[^4]))
        {
            return span[..^3].Trim();
        }

        return span;
    }

    private static readonly string[] Currencies = ["US$", "A$", "C$", "CHF", "$", "€", "£", "¥"];

    private bool TryFraction(string text, out object? value, out string? problem)
    {
        value = null;
        var percent = text.EndsWith('%');
        if (!TryNumber(text.TrimEnd('%'), out var number, out problem))
        {
            return false;
        }

        // "27.61%" and "27.61" are percentages; "0.2761" is already a fraction (GA4's API form).
        var fraction = percent || number > 1 ? number / 100 : number;
        if (fraction is < 0 or > 1)
        {
            problem = "must be between 0 and 100 %";
            return false;
        }

        value = Math.Round(fraction, 6);
        return true;
    }

    private static bool NonNegative(decimal number, out string? problem)
    {
        problem = number < 0 ? "must not be negative" : null;
        return problem is null;
    }

    /// <summary>The value, when it fits the column's SQL type (integer, bigint, numeric(p,s)).</summary>
    private static bool InRange(DatasetColumn column, decimal number, object converted, out object? value, out string? problem)
    {
        value = null;
        problem = null;
        if (number > column.MaxValue)
        {
            problem = "is too large (at most " + column.MaxValue.ToString(column.CopyType == CopyType.Numeric ? "#,##0.##########" : "N0", CultureInfo.InvariantCulture) + ")";
            return false;
        }

        value = converted;
        return true;
    }
}
