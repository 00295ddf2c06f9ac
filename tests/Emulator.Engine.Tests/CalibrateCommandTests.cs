using System.Text.Json;
using Emulator.Cli;

namespace Emulator.Engine.Tests;

/// <summary>`emulator calibrate` end to end on two small rows of one stack, and its fitting arithmetic exactly.</summary>
public class CalibrateCommandTests
{
    private static readonly string Header = File.ReadLines(Path.Combine(RepoPaths.Root, "data", "published-runs.csv")).First();

    private static string Row(string id, int tp, double published) =>
        FormattableString.Invariant($"{id},test,a100-80g-selene,test-stack-2020,8,4,1024,16,16,4096,false,51200,1024,64,8,{tp},1,{8 / tp},1,1,,false,none,0,step_time_s,{published},small");

    [Fact]
    public void Calibrate_TwoRows_FitsAScaleAndMeasuresEachRowLeftOut()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        // Published times well above what the card's microbenchmarks give, so the stack is slower (scale < 1).
        File.WriteAllLines(csv, new[] { Header, Row("a", 1, 0.5), Row("b", 2, 0.5), Row("other-stack", 1, 0.5).Replace("test-stack-2020", "x-2020") });

        var (exit, output, err) = CliRunner.Run("calibrate", csv, "--stack", "test-stack-2020", "--out", dir);

        Assert.True(exit == 0, err);
        Assert.Contains("gemm-scale", output);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "calibration.json")));
        var root = json.RootElement;
        Assert.Equal("test-stack-2020", root.GetProperty("stack").GetString());
        var scale = root.GetProperty("gemm_scale").GetDouble();
        Assert.InRange(scale, 1e-3, 1.0);
        var rows = root.GetProperty("leave_one_out").EnumerateArray().ToList();
        Assert.Equal(new[] { "a", "b" }, rows.Select(r => r.GetProperty("id").GetString()));
        foreach (var r in rows)
            Assert.Equal(r.GetProperty("emulated").GetDouble() / 0.5 - 1, r.GetProperty("error").GetDouble(), 9);
        // Each left-out row's scale comes from the other row alone, so the two differ unless the rows agree exactly.
        Assert.NotEqual(rows[0].GetProperty("gemm_scale").GetDouble(), rows[1].GetProperty("gemm_scale").GetDouble());
    }

    [Fact]
    public void Calibrate_PrintsWhatEachRowAssumed_AsValidateDoes_ButNotTheScaleItBorrowed()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        // pp 2 with the virtual_stages column empty: the interleaving is not published, so plain 1F1B is assumed.
        string Piped(string id, int tp) => Row(id, tp, 0.5).Replace(FormattableString.Invariant($",{tp},1,{8 / tp},1,1,,"), FormattableString.Invariant($",{tp},2,{4 / tp},1,,,"));
        File.WriteAllLines(csv, new[] { Header, Piped("a", 1), Piped("b", 2) });

        var (exit, output, err) = CliRunner.Run("calibrate", csv, "--stack", "test-stack-2020", "--out", dir);

        Assert.True(exit == 0, err);
        var ratioLines = output.Split('\n').Where(l => l.Contains("time ratio", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, ratioLines.Length);
        Assert.All(ratioLines, l => Assert.EndsWith("(interleaving factor not published: ran plain 1F1B)", l.TrimEnd()));
        Assert.DoesNotContain("no calibration for stack", output);
    }

    [Fact]
    public void Calibrate_FindsPresetsAboveItsOutFolder_AsValidateDoes()
    {
        // A study with its own hocon/presets, its runs file kept elsewhere: README says a row is looked up from the runs file's
        // folder, then from --out. Calibrate wrote its rows to a scratch folder under the system's temp folder and looked there
        // instead, so it did not find the study's preset that validate finds (or found one another program left in /tmp).
        var study = RepoPaths.TempDir();
        Directory.CreateDirectory(Path.Combine(study, "hocon", "presets"));
        File.Copy(RepoPaths.Preset("a100-80g-selene"), Path.Combine(study, "hocon", "presets", "study-a100.conf"));
        var csv = Path.Combine(RepoPaths.TempDir(), "runs.csv");
        string Studied(string row) => row.Replace(",a100-80g-selene,", ",study-a100,", StringComparison.Ordinal);
        File.WriteAllLines(csv, new[] { Header, Studied(Row("a", 1, 0.5)), Studied(Row("b", 2, 0.5)) });

        var (validated, _, verr) = CliRunner.Run("validate", csv, "--out", Path.Combine(study, "out", "validation"), "--jobs", "1");
        var (exit, _, err) = CliRunner.Run("calibrate", csv, "--stack", "test-stack-2020", "--out", Path.Combine(study, "out", "calibration"));

        Assert.True(validated == 0, verr);
        Assert.True(exit == 0, err);
        Assert.True(File.Exists(Path.Combine(study, "out", "calibration", "calibration.json")));
        // The rows' scenarios are scratch: none is left behind in --out.
        Assert.Equal(new[] { "calibration.json" }, Directory.EnumerateFileSystemEntries(Path.Combine(study, "out", "calibration")).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("software { gemm-scale = 0.5 }")]
    [InlineData("emulation.seed = 1, software.gemm-scale = 0.5")]
    public void Calibrate_ASetOfTheScaleInsideASectionOrBesideAnotherKey_Exits2(string set)
    {
        // README: calibrate refuses a --set of software.gemm-scale, the key it sets itself; written inside braces or after another
        // key in the same --set it ran, and calibrate's own scale silently replaced it.
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, new[] { Header, Row("a", 1, 0.5), Row("b", 2, 0.5) });

        var (exit, _, err) = CliRunner.Run("calibrate", csv, "--stack", "test-stack-2020", "--out", dir, "--set", set);

        Assert.Equal(2, exit);
        Assert.Contains("software.gemm-scale is what calibrate sets", err);
    }

    [Fact]
    public void Calibrate_StackWithOneRow_Exits2NamingTheStacks()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, new[] { Header, Row("a", 1, 0.5) });
        var (exit, _, err) = CliRunner.Run("calibrate", csv, "--stack", "test-stack-2020");
        Assert.Equal(2, exit);
        Assert.Contains("need at least 2", err);
    }

    [Fact]
    public void Calibrate_RowThatCannotRun_Exits2NamingTheRow()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, new[] { Header, Row("a", 1, 0.5), Row("b", 3, 0.5) });
        var (exit, _, err) = CliRunner.Run("calibrate", csv, "--stack", "test-stack-2020");
        Assert.Equal(2, exit);
        Assert.StartsWith("error: row b: ", err.Split('\n').Last(l => l.Length > 0));
        Assert.DoesNotContain("internal error", err);
    }

    [Fact]
    public void Calibrate_RowWithABadValue_Exits2NamingTheRow()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, new[] { Header, Row("a", 1, 0.5), Row("b", 2, 0.5).Replace(",0.5,small", ",-1,small") });
        var (exit, _, err) = CliRunner.Run("calibrate", csv, "--stack", "test-stack-2020");
        Assert.Equal(2, exit);
        Assert.StartsWith("error: row b: published = '-1' is not a positive number", err.Split('\n').Last(l => l.Length > 0));
    }

    [Theory]
    [InlineData("short", "row c: ")]                 // too few fields: the row was dropped from the fit without a word
    [InlineData("duplicate", "row A: ")]             // a second row under an id already used (in another case)
    [InlineData("metric", "row c: unknown metric 'step_time'")]
    [InlineData("stage-comma", "row c: unknown metric '0'")] // a stage_layers of 1,3 unquoted moved the columns after it: said below
    [InlineData("mfu-percent", "row c: published = '43' is above 1, and mfu is a fraction of the card's peak: write 0.43 for 43%")] // fitted the scale to an MFU 100x too high
    [InlineData("comma", "row c: its stack column reads 'a100-80g-selene' but its cards column reads 'test-stack-2020'")] // was left out as another stack's
    public void Calibrate_ARowOfTheStackThatIsNotARow_Exits2NamingIt_InsteadOfFittingWithoutIt(string kind, string message)
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        var third = kind switch
        {
            "short" => string.Join(",", Row("c", 1, 0.6).Split(',').SkipLast(2)),
            "duplicate" => Row("A", 2, 0.6),
            "comma" => Row("c", 1, 0.6).Replace(",test,", ",test, unquoted,", StringComparison.Ordinal),
            "stage-comma" => Row("c", 1, 0.6).Replace(",1,1,,false,", ",1,1,1,3,false,", StringComparison.Ordinal),
            "mfu-percent" => Row("c", 1, 43).Replace(",step_time_s,", ",mfu,", StringComparison.Ordinal),
            _ => Row("c", 1, 0.6).Replace(",step_time_s,", ",step_time,", StringComparison.Ordinal),
        };
        File.WriteAllLines(csv, new[] { Header, Row("a", 1, 0.5), Row("b", 2, 0.5), third });
        var (exit, _, err) = CliRunner.Run("calibrate", csv, "--stack", "test-stack-2020", "--out", dir);
        Assert.Equal(2, exit);
        Assert.StartsWith("error: " + message, err);
        Assert.Contains("calibration needs every row of the stack", err);
        Assert.DoesNotContain("emulating", err);
        Assert.Equal(kind == "stage-comma", err.Contains("(the line has 1 more field than the header, joined into the notes: if a field other than the notes holds a comma", StringComparison.Ordinal));
    }

    [Fact]
    public void Calibrate_ABrokenRowOfAnotherStack_DoesNotStopIt_AndTheStackIsNamedAsTheRowsSpellIt()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, new[] { Header, Row("a", 1, 0.5), Row("b", 2, 0.5), string.Join(",", Row("c", 1, 0.6).Replace("test-stack-2020", "x-2020").Split(',').SkipLast(2)) });
        var (exit, output, err) = CliRunner.Run("calibrate", csv, "--stack", "Test-Stack-2020", "--out", dir);
        Assert.True(exit == 0, err);
        Assert.Contains("test-stack-2020: gemm-scale = ", output);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "calibration.json")));
        Assert.Equal("test-stack-2020", json.RootElement.GetProperty("stack").GetString());
    }

    [Theory]
    [InlineData("software.gemm-scale=0.5")]
    [InlineData(" software . \"gemm-scale\" = 0.5")]
    public void Calibrate_ASetOfTheScaleItCalibrates_Exits2_InsteadOfBeingIgnored(string set)
    {
        // The scale calibrate sets (1, 0.8, then each fitted one) came after the --set and won: the --set did nothing, without a word.
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, new[] { Header, Row("a", 1, 0.5), Row("b", 2, 0.5) });
        var (exit, _, err) = CliRunner.Run("calibrate", csv, "--stack", "test-stack-2020", "--out", dir, "--set", set);
        Assert.Equal(2, exit);
        Assert.StartsWith($"emulator calibrate: --set {set}: software.gemm-scale is what calibrate sets", err);
        Assert.DoesNotContain("emulating", err);
        Assert.False(File.Exists(Path.Combine(dir, "calibration.json")));
    }

    [Fact]
    public void Calibrate_ARowWhoseTimeDoesNotDependOnTheScale_Exits2NamingIt_NotAnInternalError()
    {
        // GEMMs at 10^24 FLOP/s take no time at either scale, so no scale fits the rows: this was an ArgumentException's stack trace, exit 1.
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, new[] { Header, Row("a", 1, 0.5), Row("b", 2, 0.5) });
        var (exit, _, err) = CliRunner.Run("calibrate", csv, "--stack", "test-stack-2020", "--out", dir, "--set", "card.peak-flops=1000000000000TFLOPS");
        Assert.Equal(2, exit);
        Assert.DoesNotContain("internal error", err);
        Assert.StartsWith("error: row a: its emulated step time does not grow", err.Split('\n').Last(l => l.Length > 0));
        Assert.False(File.Exists(Path.Combine(dir, "calibration.json")));
    }

    [Theory]
    [InlineData("a100-80g-selene", "error: stack a100-80g-selene has 0 time or throughput rows")] // a preset's name: read as a shifted row's
    [InlineData("", "emulator calibrate: --stack needs a stack name")]                            // matched every empty column
    public void Calibrate_AStackNameFoundOnlyBeforeTheStackColumn_IsNotTakenForAShiftedRow(string stack, string message)
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, new[] { Header, Row("a", 1, 0.5), Row("b", 2, 0.5) });
        var (exit, _, err) = CliRunner.Run("calibrate", csv, "--stack", stack, "--out", dir);
        Assert.Equal(2, exit);
        Assert.StartsWith(message, err);
        Assert.DoesNotContain("unquoted comma", err);
    }

    [Fact]
    public void TimeRatio_LineThroughTwoScales_AndTheScaleThatCentresTheRows()
    {
        // r(g) = 0.2 + 0.6/g: r(1) = 0.8, r(0.5) = 1.4.
        var r = TimeRatio.FromTwoPoints("x", 1.0, 0.8, 0.5, 1.4);
        Assert.Equal(0.2, r.A, 12);
        Assert.Equal(0.6, r.B, 12);
        // One row: r(g) = 1 at g = 0.6/0.8 = 0.75.
        Assert.Equal(0.75, TimeRatio.FitScale([r]), 5);
        // Rows already slower than published at g = 1 cap at 1.
        Assert.Equal(1.0, TimeRatio.FitScale([new TimeRatio("slow", 0.5, 0.6)]));
        // Throughput metrics invert.
        Assert.Equal(0.5, TimeRatio.Of("tokens_per_s", 100, 200));
        Assert.Equal(2.0, TimeRatio.Of("step_time_s", 100, 200));
    }
}
