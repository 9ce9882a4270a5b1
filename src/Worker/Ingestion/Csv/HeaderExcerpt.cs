using System.Text;

namespace Worker.Ingestion.Csv;

/// <summary>
/// A short, printable excerpt of header cells for a message people read: a file that is not what it
/// claims (a secret, a binary, a 100,000-column line) shows only a few characters of itself.
/// </summary>
public static class HeaderExcerpt
{
    public const int MaxCells = 12;
    public const int MaxCellChars = 40;

    /// <summary>The first cells, each quoted, control characters as '?', long cells cut with '…', and how many more there were.</summary>
    public static string Of(IReadOnlyList<string> cells)
    {
        var text = new StringBuilder();
        foreach (var cell in cells.Take(MaxCells))
        {
            if (text.Length > 0)
            {
                text.Append(", ");
            }

            text.Append('\'');
            foreach (var c in cell.Length > MaxCellChars ? cell[..MaxCellChars] : cell)
            {
                text.Append(char.IsControl(c) || char.IsSurrogate(c) || c == '\uFFFD' ? '?' : c);
            }

            text.Append(cell.Length > MaxCellChars ? "…'" : "'");
        }

        if (cells.Count > MaxCells)
        {
            text.Append(" and ").Append(cells.Count - MaxCells).Append(" more");
        }

        return text.ToString();
    }
}
