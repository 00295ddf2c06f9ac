using Emulator.Cli.Reports;

namespace Emulator.Engine.Tests;

/// <summary>`emulator compare`: two validations side by side, and refusals of what is not a validation.</summary>
public class CompareCommandTests
{
    private static string Validation(string dir, string name, params (string Id, string Preset, string Metric, double Error)[] rows)
    {
        var path = Path.Combine(dir, name);
        var items = rows.Select(r => $$"""{"id":"{{r.Id}}","preset":"{{r.Preset}}","metric":"{{r.Metric}}","published":1,"emulated":{{(1 + r.Error).ToString("R", System.Globalization.CultureInfo.InvariantCulture)}},"error":{{r.Error.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}}}""");
        File.WriteAllText(path, $$"""{"rows":[{{string.Join(",", items)}}],"skipped":[]}""");
        return path;
    }

    [Fact]
    public void Compare_ListsTheRowsThatMoved_AndTheErrorsOfTheRowsInBoth()
    {
        var dir = RepoPaths.TempDir();
        var before = Validation(dir, "before.json", ("a", "p1", "step_time_s", 0.10), ("b", "p1", "mfu", -0.02), ("c", "p2", "peak_hbm_gib", 0.05), ("gone", "p1", "mfu", 0.3));
        var after = Validation(dir, "after.json", ("A", "p1", "step_time_s", -0.04), ("b", "p1", "mfu", -0.0205), ("c", "p2", "peak_hbm_gib", 0.08), ("new", "p2", "mfu", 0.0));

        var (exit, output, err) = CliRunner.Run("compare", before, after);

        Assert.True(exit == 0, err);
        Assert.Contains("A                        step_time_s               +10.0%    -4.0%    -6.0 points closer", output);
        Assert.Contains("c                        peak_hbm_gib               +5.0%    +8.0%    +3.0 points further", output);
        Assert.DoesNotContain("\nb ", output); // moved by 0.05 points, under the default 0.1
        Assert.Contains("3 rows in both; 2 moved by 0.1 points or more (1 closer, 1 further)", output);
        Assert.Contains("  p1                       time     2 rows  mean |error|   6.0% ->   3.0%  max |error|  10.0% ->   4.0%", output);
        Assert.Contains("  all                      memory   1 row   mean |error|   5.0% ->   8.0%", output);
        Assert.DoesNotContain("by stack:", output); // these files record no stacks
        Assert.Contains("only in before: gone", output);
        Assert.Contains("only in after: new", output);

        var (_, all, _) = CliRunner.Run("compare", before, after, "--min-change", "0");
        Assert.Contains("3 rows in both; 3 moved", all);
    }

    [Fact]
    public void Compare_ReadsWhatValidateWrites_FromItsOutFolder()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        var header = File.ReadLines(Path.Combine(RepoPaths.Root, "data", "published-runs.csv")).First();
        File.WriteAllLines(csv, [header, "tiny,test,a100-80g-selene,megatron-lm-2021,32,24,2304,24,24,9216,false,51200,2048,512,16,1,1,32,1,1,,false,full,0,step_time_s,3.53,a note"]);
        var (v, _, verr) = CliRunner.Run("validate", csv, "--out", Path.Combine(dir, "v"));
        Assert.True(v == 0, verr);

        var (exit, output, err) = CliRunner.Run("compare", Path.Combine(dir, "v"), Path.Combine(dir, "v", "validation.json"));

        Assert.True(exit == 0, err);
        Assert.Contains("1 rows in both; 0 moved", output);
        Assert.Contains("  a100-80g-selene          time     1 row ", output);
        // validate records each row's stack, so compare also groups by it.
        Assert.Contains("by stack:\n  megatron-lm-2021         time     1 row ", output.ReplaceLineEndings("\n"));
        var row = Assert.Single(ValidationComparison.Read(Path.Combine(dir, "v", "validation.json")).Rows);
        Assert.Equal(("a100-80g-selene", "megatron-lm-2021"), (row.Preset, row.Stack));
    }

    [Theory]
    [InlineData("missing", "file not found")]
    [InlineData("folder", "a folder without validation.json")]
    [InlineData("notjson", "not JSON")]
    [InlineData("norows", "no \"rows\" array")]
    [InlineData("noerror", "row 'x' has no finite numeric \"error\"")]
    [InlineData("infinite", "row 'x' has no finite numeric \"error\"")]
    public void Compare_SomethingThatIsNotAValidation_Exits2SayingWhat(string kind, string message)
    {
        var dir = RepoPaths.TempDir();
        var good = Validation(dir, "good.json", ("x", "p", "mfu", 0.1));
        var bad = Path.Combine(dir, kind);
        switch (kind)
        {
            case "folder": Directory.CreateDirectory(bad); break;
            case "notjson": File.WriteAllText(bad, "id,error\nx,0.1\n"); break;
            case "norows": File.WriteAllText(bad, """{"mean_abs_error":0.1}"""); break;
            case "noerror": File.WriteAllText(bad, """{"rows":[{"id":"x","metric":"mfu"}]}"""); break;
            case "infinite": File.WriteAllText(bad, """{"rows":[{"id":"x","metric":"mfu","error":1e400}]}"""); break;
        }

        var (exit, _, err) = CliRunner.Run("compare", good, bad);

        Assert.Equal(2, exit);
        Assert.Contains($"{bad}: {message}", err);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("lots")]
    public void Compare_AMinChangeThatIsNotPoints_Exits2(string value)
    {
        var (exit, _, err) = CliRunner.Run("compare", "a.json", "b.json", "--min-change", value);
        Assert.Equal(2, exit);
        Assert.Contains($"--min-change {value}: give percentage points", err);
    }

    [Fact]
    public void Compare_NamesRowsSkippedOnOneSide_WithTheReason_AndRowsThatCrossedTheirPublishedValue()
    {
        var dir = RepoPaths.TempDir();
        var before = Validation(dir, "before.json", ("flip", "p", "mfu", 0.05), ("dropped", "p", "mfu", 0.02), ("wrong", "p", "mfu", 0.01));
        var after = Path.Combine(dir, "after.json");
        // Written with a byte-order mark, as some editors save JSON.
        File.WriteAllText(after, """{"rows":[{"id":"flip","preset":"p","metric":"mfu","error":-0.05},{"id":"wrong","preset":"q","metric":"mfu","error":0.01}],"skipped":[{"id":"dropped","reason":"unknown preset 'x'"}]}""",
            new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var (exit, output, err) = CliRunner.Run("compare", before, after, "--min-change", "0.001");

        Assert.True(exit == 0, err);
        Assert.Contains("flip                     mfu                        +5.0%    -5.0%     0.0 points (sign flipped)", output);
        Assert.Contains("2 rows in both; 1 moved by 0.001 points or more (0 closer, 0 further)", output);
        Assert.Contains("warning: preset or metric differs, so these rows may not be the same runs: wrong (p mfu -> q mfu)", output);
        Assert.Contains("emulated before, skipped after: dropped (unknown preset 'x')", output);
        Assert.DoesNotContain("only in", output);
    }

    [Fact]
    public void Compare_WarnsWhereAPublishedValueDiffers_TheErrorMovingWithTheData()
    {
        // Two runs files (or a corrected value) give one id two published values: its error moved without the emulation moving.
        var dir = RepoPaths.TempDir();
        var before = Path.Combine(dir, "before.json");
        var after = Path.Combine(dir, "after.json");
        File.WriteAllText(before, """{"rows":[{"id":"a","preset":"p","metric":"tokens_per_s","published":23239,"emulated":25889.9,"error":0.114},{"id":"b","preset":"p","metric":"mfu","published":0.5,"emulated":0.5,"error":0}]}""");
        File.WriteAllText(after, """{"rows":[{"id":"a","preset":"p","metric":"tokens_per_s","published":30000,"emulated":25889.9,"error":-0.137},{"id":"b","preset":"p","metric":"mfu","published":0.5,"emulated":0.5,"error":0}]}""");

        var (exit, output, err) = CliRunner.Run("compare", before, after);

        Assert.True(exit == 0, err);
        Assert.Contains("warning: published value differs, so these rows' errors moved with the data, not only the emulation: a (23239 -> 30000)", output);
        Assert.DoesNotContain("b (", output);
    }

    [Fact]
    public void Compare_ChangesTooSmallToPrint_AreNeitherCloserNorFurtherNorFlipped()
    {
        var dir = RepoPaths.TempDir();
        var before = Validation(dir, "before.json", ("tiny", "p", "mfu", 0.0004), ("real", "p", "mfu", 0.05));
        var after = Validation(dir, "after.json", ("tiny", "p", "mfu", -0.0001), ("real", "p", "mfu", 0.03));

        var (exit, output, err) = CliRunner.Run("compare", before, after, "--min-change", "0");

        Assert.True(exit == 0, err);
        Assert.Contains("2 rows in both; 2 moved by 0 points or more (1 closer, 0 further)", output);
        Assert.DoesNotContain("flipped", output);
    }

    [Fact]
    public void Compare_ASkippedRowInOneFileOnly_IsNamedAsAnIdInOneFileOnly()
    {
        // A row added to the runs file that could not be emulated (or one dropped from it) was in neither list: it vanished without a word.
        var dir = RepoPaths.TempDir();
        var before = Path.Combine(dir, "before.json");
        var after = Path.Combine(dir, "after.json");
        File.WriteAllText(before, """{"rows":[{"id":"a","preset":"p","metric":"mfu","error":0.1}],"skipped":[{"id":"old","reason":"r1"},{"id":"twice","reason":"r2"}]}""");
        File.WriteAllText(after, """{"rows":[{"id":"a","preset":"p","metric":"mfu","error":0.1}],"skipped":[{"id":"twice","reason":"r2"},{"id":"new","reason":"unknown preset 'x'"}]}""");

        var (exit, output, err) = CliRunner.Run("compare", before, after);

        Assert.True(exit == 0, err);
        Assert.Contains("only in before: old (skipped)", output);
        Assert.Contains("only in after: new (skipped)", output);
        Assert.DoesNotContain("twice", output);
    }

    [Fact]
    public void Compare_ASubsetAgainstAWholeFile_CountsTheIdsInOneFileOnly()
    {
        var dir = RepoPaths.TempDir();
        var before = Validation(dir, "before.json", Enumerable.Range(1, 12).Select(i => ($"r{i}", "p", "mfu", 0.01)).ToArray());
        var after = Validation(dir, "after.json", ("r1", "p", "mfu", 0.01));

        var (exit, output, err) = CliRunner.Run("compare", before, after);

        Assert.True(exit == 0, err);
        Assert.Contains("only in before: 11 rows (r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, ...)", output);
    }

    [Fact]
    public void Compare_TwoValidationsWithNoRowInCommon_Exits2SayingSo()
    {
        // Validations of two different runs files: every row in one file only, "0 rows in both" and exit 0 told nothing.
        var dir = RepoPaths.TempDir();
        var before = Validation(dir, "before.json", ("a", "p", "mfu", 0.01));
        var after = Validation(dir, "after.json", ("b", "p", "mfu", 0.02));

        var (exit, _, err) = CliRunner.Run("compare", before, after);

        Assert.Equal(2, exit);
        Assert.Contains("no emulated row id in common, so there is nothing to compare", err);
    }
}
