using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Worker.Ingestion.Csv;

/// <summary>
/// The errors of an import as a CSV file people open in a spreadsheet. Cells that start with =, +, -
/// or @ are escaped, so a value from an uploaded file cannot run as a formula on the reader's machine.
/// </summary>
public static class ErrorReport
{
    public static void Write(TextWriter writer, string fileName, IEnumerable<ImportError> errors)
    {
        using var csv = new CsvWriter(writer, new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            InjectionOptions = InjectionOptions.Escape,
        }, leaveOpen: true);
        foreach (var header in new[] { "file", "line", "column", "value", "reason" })
        {
            csv.WriteField(header);
        }

        csv.NextRecord();
        foreach (var error in errors)
        {
            csv.WriteField(fileName);
            csv.WriteField(error.Line?.ToString(CultureInfo.InvariantCulture) ?? "");
            csv.WriteField(error.Column ?? "");
            csv.WriteField(error.Value ?? "");
            csv.WriteField(error.Reason);
            csv.NextRecord();
        }
    }

    public static string ToCsv(string fileName, IEnumerable<ImportError> errors)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(writer, fileName, errors);
        return writer.ToString();
    }
}
