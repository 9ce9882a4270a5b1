using System.Security.Cryptography;
using System.Text;

namespace Worker.Database;

/// <summary>One statement of a script, with where it starts so errors can name a line.</summary>
public sealed record SqlStatement(string Text, int Offset);

/// <summary>
/// A SQL script file split into statements the way psql and the Supabase CLI do: at semicolons
/// outside quotes, comments and dollar-quoted bodies.
/// </summary>
public sealed class SqlScript
{
    private SqlScript(string name, string path, string text)
    {
        Name = name;
        Path = path;
        // Hash and split with LF line ends, so a checkout with CRLF does not look like an edited script.
        Text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Text)));
        Statements = Split(Text);
    }

    /// <summary>The file name, e.g. 0001_core_extensions.sql.</summary>
    public string Name { get; }

    /// <summary>Where it came from, for messages: a path relative to the content root, or a resource name.</summary>
    public string Path { get; }

    public string Text { get; }

    public string Sha256 { get; }

    public IReadOnlyList<SqlStatement> Statements { get; }

    public static SqlScript FromFile(string fullPath, string displayPath) =>
        new(System.IO.Path.GetFileName(fullPath), displayPath, File.ReadAllText(fullPath));

    public static SqlScript FromText(string name, string text) => new(name, name, text);

    /// <summary>Scripts that ship inside the worker assembly (SQL owned by the worker, not the Supabase project).</summary>
    public static SqlScript FromResource(string resourceName)
    {
        using var stream = typeof(SqlScript).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"Embedded SQL resource '{resourceName}' is missing.");
        using var reader = new StreamReader(stream);
        return new SqlScript(System.IO.Path.GetFileName(resourceName), resourceName, reader.ReadToEnd());
    }

    /// <summary>1-based line and column of a character offset in the script.</summary>
    public (int Line, int Column) LineAndColumn(int offset)
    {
        offset = Math.Clamp(offset, 0, Text.Length);
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (Text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, offset - lineStart + 1);
    }

    internal static List<SqlStatement> Split(string text)
    {
        var statements = new List<SqlStatement>();
        var start = 0;
        var hasCode = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var next = i + 1 < text.Length ? text[i + 1] : '\0';
            if (c == '-' && next == '-')
            {
                i = SkipPast(text, i, "\n");
                continue;
            }

            if (c == '/' && next == '*')
            {
                i = SkipBlockComment(text, i);
                continue;
            }

            if (!hasCode && !char.IsWhiteSpace(c))
            {
                start = i;
                hasCode = true;
            }

            switch (c)
            {
                case '\'':
                    // E'...' strings may escape a quote with a backslash; standard strings double it.
                    var escapes = i > 0 && (text[i - 1] == 'E' || text[i - 1] == 'e') && (i < 2 || !char.IsLetterOrDigit(text[i - 2]));
                    i = SkipQuoted(text, i, '\'', escapes);
                    continue;
                case '"':
                    i = SkipQuoted(text, i, '"', backslashEscapes: false);
                    continue;
                case '$' when DollarTag(text, i) is { } tag:
                    i = SkipPast(text, i + tag.Length, tag);
                    continue;
                case ';':
                    if (hasCode)
                    {
                        statements.Add(new SqlStatement(text[start..i].TrimEnd(), start));
                    }

                    hasCode = false;
                    i++;
                    continue;
                default:
                    i++;
                    continue;
            }
        }

        if (hasCode && text[start..].Trim().Length > 0)
        {
            statements.Add(new SqlStatement(text[start..].TrimEnd(), start));
        }

        return statements;
    }

    private static int SkipPast(string text, int from, string terminator)
    {
        var end = text.IndexOf(terminator, from, StringComparison.Ordinal);
        return end < 0 ? text.Length : end + terminator.Length;
    }

    private static int SkipBlockComment(string text, int i)
    {
        // Block comments nest in PostgreSQL.
        var depth = 0;
        while (i < text.Length)
        {
            if (text[i] == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                depth++;
                i += 2;
            }
            else if (text[i] == '*' && i + 1 < text.Length && text[i + 1] == '/')
            {
                depth--;
                i += 2;
                if (depth == 0)
                {
                    return i;
                }
            }
            else
            {
                i++;
            }
        }

        return i;
    }

    private static int SkipQuoted(string text, int i, char quote, bool backslashEscapes)
    {
        i++;
        while (i < text.Length)
        {
            if (backslashEscapes && text[i] == '\\')
            {
                i += 2;
            }
            else if (text[i] == quote)
            {
                if (i + 1 < text.Length && text[i + 1] == quote)
                {
                    i += 2;
                }
                else
                {
                    return i + 1;
                }
            }
            else
            {
                i++;
            }
        }

        return i;
    }

    /// <summary>The $tag$ starting at <paramref name="i"/>, or null when the $ is a parameter like $1.</summary>
    private static string? DollarTag(string text, int i)
    {
        if (i > 0 && (char.IsLetterOrDigit(text[i - 1]) || text[i - 1] == '_'))
        {
            return null; // part of an identifier such as a$b
        }

        var j = i + 1;
        while (j < text.Length && (char.IsLetterOrDigit(text[j]) || text[j] == '_'))
        {
            j++;
        }

        if (j < text.Length && text[j] == '$' && (j == i + 1 || !char.IsDigit(text[i + 1])))
        {
            return text[i..(j + 1)];
        }

        return null;
    }
}
