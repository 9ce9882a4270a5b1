using System.Globalization;

namespace Worker.Ingestion.Csv;

/// <summary>
/// Turns the cells of real exports into values: "$1,234.50", "1.234,50 €" (with a declared decimal
/// comma), "27.61%", "20240131", "2024-01-31", "00:02:15". Each failure says why, for the error report.
/// </summary>
public sealed partial class FieldParser(ImportOptions options)
{
    private static readonly string[] IsoDate = ["yyyy-MM-dd", "yyyyMMdd"];

    public bool TryParse(DatasetColumn column, string raw, out object? value, out string? problem)
    {
        value = null;
        problem = null;
        var text = raw.Trim();
        if (text.Length == 0 || text is "-" or "--" or "(not set)" && column.Kind != FieldKind.Text)
        {
            if (column.Required)
            {
                problem = "a value is required";
                return false;
            }

            value = column.Kind is FieldKind.Text or FieldKind.Date ? null : 0m;
            return true;
        }

        switch (column.Kind)
        {
            case FieldKind.Text:
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
            case FieldKind.Date:
                return TryDate(text, out value, out problem);
            case FieldKind.Count when long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var plainCount):
                value = plainCount; // the common case: digits only, no separators or symbols
                return true;
            case FieldKind.Decimal or FieldKind.Money when !options.DecimalComma
                && decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var plainNumber):
                value = plainNumber;
                return true;
            case FieldKind.Count:
                if (!TryNumber(text, allowPercent: false, out var count, out problem))
                {
                    return false;
                }

                if (count != decimal.Truncate(count))
                {
                    problem = "must be a whole number";
                    return false;
                }

                return NonNegative(count, (long)count, out value, out problem);
            case FieldKind.Decimal:
            case FieldKind.Money:
                return TryNumber(text, allowPercent: false, out var number, out problem) && NonNegative(number, number, out value, out problem);
            case FieldKind.Fraction:
                return TryFraction(text, out value, out problem);
            case FieldKind.Seconds:
                if (TimeSpan.TryParseExact(text, ["hh\\:mm\\:ss", "h\\:mm\\:ss", "mm\\:ss"], CultureInfo.InvariantCulture, out var duration))
                {
                    value = (decimal)duration.TotalSeconds;
                    return true;
                }

                return TryNumber(text, allowPercent: false, out var seconds, out problem) && NonNegative(seconds, seconds, out value, out problem);
            default:
                throw new ArgumentOutOfRangeException(nameof(column));
        }
    }

    private bool TryDate(string text, out object? value, out string? problem)
    {
        value = null;
        problem = null;
        if (DateOnly.TryParseExact(text, IsoDate, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            || (options.DateFormat is { } declared && DateOnly.TryParseExact(text, declared, CultureInfo.InvariantCulture, DateTimeStyles.None, out date)))
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

        problem = options.DateFormat is null
            ? "is not a date in YYYY-MM-DD or YYYYMMDD form (declare the file's date format for others, e.g. dd/MM/yyyy)"
            : $"is not a date in YYYY-MM-DD, YYYYMMDD or the declared {options.DateFormat} form";
        return false;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{4}-?\d{2}-?\d{2}$")]
    private static partial System.Text.RegularExpressions.Regex IsoShape();

    private bool TryNumber(string text, bool allowPercent, out decimal number, out string? problem)
    {
        problem = null;
        var negative = text.StartsWith('(') && text.EndsWith(')'); // accounting style (123.45)
        var cleaned = new string(text.Where(c => char.IsDigit(c) || c is '.' or ',' or '-' or '+' || (allowPercent && c == '%')).ToArray());
        var stripped = text.Where(c => !char.IsDigit(c) && c is not ('.' or ',' or '-' or '+' or '(' or ')' or ' ' or '\u00a0' or '\'')).ToArray();
        // Anything left besides one currency symbol or code is not a number ("12 apples").
        var rest = new string(stripped).Trim();
        if (rest.Length > 0 && !IsCurrency(rest))
        {
            number = 0;
            problem = "is not a number";
            return false;
        }

        string invariant;
        if (options.DecimalComma)
        {
            invariant = cleaned.Replace(".", "", StringComparison.Ordinal).Replace(',', '.');
        }
        else
        {
            invariant = cleaned.Replace(",", "", StringComparison.Ordinal);
        }

        if (!decimal.TryParse(invariant, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number))
        {
            problem = "is not a number";
            return false;
        }

        if (negative)
        {
            number = -number;
        }

        return true;
    }

    private static bool IsCurrency(string rest) =>
        rest is "$" or "€" or "£" or "¥" or "US$" or "A$" or "C$" or "CHF" || (rest.Length == 3 && rest.All(char.IsAsciiLetterUpper));

    private bool TryFraction(string text, out object? value, out string? problem)
    {
        value = null;
        var percent = text.EndsWith('%');
        if (!TryNumber(text.TrimEnd('%'), allowPercent: false, out var number, out problem))
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

        value = fraction;
        return true;
    }

    private static bool NonNegative(decimal number, object converted, out object? value, out string? problem)
    {
        value = null;
        problem = null;
        if (number < 0)
        {
            problem = "must not be negative";
            return false;
        }

        value = converted;
        return true;
    }
}
