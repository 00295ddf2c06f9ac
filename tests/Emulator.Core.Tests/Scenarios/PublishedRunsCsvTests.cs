using Emulator.Scenarios.Published;

namespace Emulator.Core.Tests.Scenarios;

public class PublishedRunsCsvTests
{
    [Theory]
    [InlineData("a,b,c", new[] { "a", "b", "c" })]
    [InlineData("a,,c,", new[] { "a", "", "c", "" })]
    [InlineData("\"x, y\",b", new[] { "x, y", "b" })]              // a quoted field holds commas
    [InlineData("\"say \"\"hi\"\"\",b", new[] { "say \"hi\"", "b" })] // "" is one quote
    [InlineData("a,\"open, to the end", new[] { "a", "open, to the end" })]
    [InlineData("a,\t\"x, y\",b", new[] { "a", "x, y", "b" })]   // whitespace before the opening quote
    public void SplitFields_FollowsCsvQuoting(string line, string[] expected)
    {
        Assert.Equal(expected, PublishedRunsCsv.SplitFields(line));
    }

    private const string Header = "id,source,preset,stack,cards,layers,hidden,heads,kv_heads,ffn_hidden,gated_mlp,vocab,seq_len,global_batch,"
        + "micro_batch,tp,pp,dp,cp,virtual_stages,stage_layers,sequence_parallel,recompute,zero,metric,published,notes";

    /// <summary>Reads a runs file of <see cref="Header"/> and <paramref name="rows"/>.</summary>
    private static (IReadOnlyList<PublishedRun> Rows, IReadOnlyList<(string Id, string Reason)> Malformed) Read(params string[] rows) =>
        ReadLines([Header, .. rows]);

    /// <summary>Reads a runs file of <paramref name="lines"/> (its header first), written to a temporary path and deleted after.</summary>
    private static (IReadOnlyList<PublishedRun> Rows, IReadOnlyList<(string Id, string Reason)> Malformed) ReadLines(string[] lines)
    {
        var path = Path.Combine(Path.GetTempPath(), $"published-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllLines(path, lines);
            return PublishedRunsCsv.Read(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Read_QuotedSourceWithCommas_AndUnquotedCommasInNotes_KeepTheColumnsInPlace()
    {
        var (rows, malformed) = Read("q,\"Chowdhery et al. 2022, Table 3\",tpu-v4,jax-pathways-2022,64,8,1024,8,8,4096,false,32000,2048,64,1,1,1,64,1,1,,"
            + "false,full,3,mfu,0.462,two pods, no pipeline");
        Assert.Empty(malformed);
        var row = Assert.Single(rows);
        Assert.Equal("Chowdhery et al. 2022, Table 3", row.Columns["source"]);
        Assert.Equal("tpu-v4", row.Preset);
        Assert.Equal("jax-pathways-2022", row.Stack);
        Assert.Equal(0.462, row.Published);
        Assert.Equal("two pods, no pipeline", row.Columns["notes"]);
    }

    [Fact]
    public void Read_AnUnclosedQuote_IsNamedAsSuch()
    {
        var (rows, malformed) = Read("q,\"Narayanan SC21,a100-80g-selene,megatron-lm-2021,64,8,1024,8,8,4096,false,32000,2048,64,1,1,1,64,1,1,,"
            + "false,full,0,step_time_s,1,");
        Assert.Empty(rows);
        var (id, reason) = Assert.Single(malformed);
        Assert.Equal("q", id);
        Assert.Contains(":2: a quoted field is not closed on this line", reason);
    }

    private const string Values = "Narayanan SC21,a100-80g-selene,megatron-lm-2021,64,8,1024,8,8,4096,false,32000,2048,64,1,1,1,64,1,1,,false,full,0,step_time_s,1,";

    [Fact]
    public void Read_AFieldQuotedOverSeveralLines_IsOneRow_AndTheNextRowIsNamedByItsOwnLine()
    {
        var (rows, malformed) = Read("q," + Values + "\"first, line", "second \"\"line\"\"", "\"", "r," + Values + "fine", "s,only,three");
        Assert.Equal(["q", "r"], rows.Select(r => r.Id));
        Assert.Equal("first, line\nsecond \"line\"", rows[0].Columns["notes"]); // trimmed, as every field
        var (id, reason) = Assert.Single(malformed);
        Assert.Equal("s", id);
        Assert.Contains(":6: 3 fields", reason);
    }

    [Fact]
    public void Read_AQuoteLeftOpen_CostsItsOwnLineOnly_NotTheRowsAfterIt()
    {
        // Joining the lines up to the next quote makes no row (too many fields): the open quote is reported, the rows after it read.
        var (rows, malformed) = Read("q,\"" + Values, "r," + Values + "\"a, quoted\" note", "t," + Values);
        Assert.Equal(["r", "t"], rows.Select(r => r.Id));
        var (id, reason) = Assert.Single(malformed);
        Assert.Equal("q", id);
        Assert.Contains(":2: a quoted field is not closed", reason);
    }

    [Fact]
    public void Read_AQuoteInsideAnUnquotedField_IsAPlainCharacter()
    {
        // An odd number of quotes on the line, none of them opening a field: nothing is left open.
        var (rows, malformed) = Read("q,Narayanan SC21,a100-80g-selene,megatron-lm-2021,64,8,1024,8,8,4096,false,32000,2048,64,1,1,1,64,1,1,,"
            + "false,full,0,step_time_s,1,a 19\" rack, as measured");
        Assert.Empty(malformed);
        Assert.Equal("a 19\" rack, as measured", Assert.Single(rows).Columns["notes"]);
    }

    [Fact]
    public void Read_ColumnsInAnotherOrder_TakeTheIdAndTheNotesByName()
    {
        // The header names the columns: id need not come first, nor notes last (and the notes may still hold unquoted commas);
        // a row short of a field is named by its id wherever the id stands.
        var columns = Header.Split(',');
        var values = "q,Narayanan SC21,a100-80g-selene,megatron-lm-2021,64,8,1024,8,8,4096,false,32000,2048,64,1,1,1,64,1,1,,false,full,0,step_time_s,1.5,two pods, no pipeline";
        var fields = PublishedRunsCsv.SplitFields(values.Replace("two pods, no pipeline", "\"two pods, no pipeline\"", StringComparison.Ordinal));
        // metric, published, notes, id, source, preset, ..., zero
        int[] order = [.. Enumerable.Range(24, 3), .. Enumerable.Range(0, 24)];
        string Line(IEnumerable<int> of, Func<int, string> value) => string.Join(",", of.Select(value));
        var (rows, malformed) = ReadLines([
            Line(order, c => columns[c]),
            Line(order, c => fields[c]),
            Line(order.SkipLast(1), c => c switch { 0 => "r", 26 => "short", _ => fields[c] }),
        ]);
        var row = Assert.Single(rows);
        Assert.Equal("q", row.Id);
        Assert.Equal("two pods, no pipeline", row.Columns["notes"]);
        Assert.Equal(1.5, row.Published);
        Assert.Equal("megatron-lm-2021", row.Stack);
        var (id, reason) = Assert.Single(malformed);
        Assert.Equal("r", id);
        Assert.Contains("26 fields, expected 27", reason);
    }

    [Fact]
    public void Read_MoreFieldsThanColumns_WithoutANotesColumn_IsNamedNotMergedIntoTheLastColumn()
    {
        var header = Header[..Header.LastIndexOf(',')];
        var (rows, malformed) = ReadLines([header, "q,Narayanan SC21,a100-80g-selene,megatron-lm-2021,64,8,1024,8,8,4096,false,32000,2048,64,1,1,1,64,1,1,,false,full,0,step_time_s,3,53"]);
        Assert.Empty(rows);
        var (id, reason) = Assert.Single(malformed);
        Assert.Equal("q", id);
        Assert.Contains("27 fields, expected 26", reason);
        Assert.Contains("must be quoted", reason);
    }

    [Fact]
    public void Read_ALineOfCommasAlone_IsAnEmptyRowAndIgnored_AsABlankLineIs()
    {
        var (rows, malformed) = Read(new string(',', 26), "q,Narayanan SC21,a100-80g-selene,megatron-lm-2021,64,8,1024,8,8,4096,false,32000,2048,64,1,1,1,64,1,1,,"
            + "false,full,0,step_time_s,1,", " , ,", "");
        Assert.Empty(malformed);
        Assert.Equal("q", Assert.Single(rows).Id);
    }
}
