using Worker.Database;

namespace Worker.Tests.Database;

public sealed class SqlScriptTests
{
    [Fact]
    public void Statements_split_at_semicolons_outside_quotes_comments_and_dollar_quotes()
    {
        var script = SqlScript.FromText("t.sql", """
            -- a comment; not a statement
            create table a (x text default 'semi;colon', "we;ird" int);
            /* block; /* nested; */ still comment; */
            create function f() returns int language plpgsql as $body$
            begin
              return 1; -- inside the body
            end
            $body$;
            select E'it\'s; fine', $$dollar;quoted$$, $1
            """);

        Assert.Equal(3, script.Statements.Count);
        Assert.StartsWith("create table a", script.Statements[0].Text, StringComparison.Ordinal);
        Assert.StartsWith("create function f()", script.Statements[1].Text, StringComparison.Ordinal);
        Assert.EndsWith("$body$", script.Statements[1].Text, StringComparison.Ordinal);
        Assert.Equal("select E'it\\'s; fine', $$dollar;quoted$$, $1", script.Statements[2].Text);
    }

    [Fact]
    public void Offsets_turn_into_one_based_lines_and_columns()
    {
        var script = SqlScript.FromText("t.sql", "select 1;\n\n  select 2;\n");

        var (line, column) = script.LineAndColumn(script.Statements[1].Offset);

        Assert.Equal((3, 3), (line, column));
    }

    [Fact]
    public void Line_endings_do_not_change_the_checksum()
    {
        Assert.Equal(SqlScript.FromText("a.sql", "select 1;\r\nselect 2;\r\n").Sha256, SqlScript.FromText("a.sql", "select 1;\nselect 2;\n").Sha256);
        Assert.NotEqual(SqlScript.FromText("a.sql", "select 1;").Sha256, SqlScript.FromText("a.sql", "select 2;").Sha256);
    }
}
