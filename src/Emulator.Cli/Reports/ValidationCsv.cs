using System.Globalization;
using System.Text;

namespace Emulator.Cli.Reports;

/// <summary>One row of a validation as the CSV writes it: an emulated row, or a skipped one (no numbers, the reason as its note).</summary>
public sealed record ValidationCsvRow(string Id, string Preset, string Stack, string Metric, double? Published, double? Emulated, double? Error, string Note);

/// <summary>`DIR/validation.csv`: the table `validate` prints, one row per line, for spreadsheets and data-frame libraries.</summary>
public static class ValidationCsv
{
    /// <summary>The header line's columns, in order.</summary>
    public const string Header = "id,preset,stack,metric,published,emulated,error,note";

    /// <summary>UTF-8 CSV (RFC 4180 quoting, LF line ends) of <paramref name="rows"/>; numbers round-trip, errors are fractions.</summary>
    public static byte[] Write(IEnumerable<ValidationCsvRow> rows)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var r in rows)
            text.AppendJoin(',', Field(r.Id), Field(r.Preset), Field(r.Stack), Field(r.Metric), Number(r.Published), Number(r.Emulated),
                Number(r.Error), Field(r.Note)).Append('\n');
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static string Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "";

    // Quoted only where a comma, quote or line break would otherwise split or end the field.
    private static string Field(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
