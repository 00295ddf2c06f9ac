using Emulator.Cli.Reports;

namespace Emulator.Engine.Tests;

/// <summary>A file the emulator wrote, given back to a command as its input, is named for what it is (exit 2) instead of being read as a
/// scenario with an unknown key or a runs CSV with misspelt columns, or sent to a command that cannot read it either.</summary>
public class EmulatorOutputsTests
{
    /// <summary>Each output a researcher might pass back by mistake: run's three (written by a real run), validate's two and calibrate's.</summary>
    private static Dictionary<string, string> Outputs()
    {
        var dir = RepoPaths.TempDir();
        var run = Path.Combine(dir, "run");
        var (exit, _, err) = CliRunner.Run("run", RepoPaths.Scenario("selene-tiny"), "--out", run, "--quiet");
        Assert.True(exit == 0, err);
        File.WriteAllText(Path.Combine(dir, "validation.csv"), ValidationCsv.Header + "\nx,a100-80g-selene,generic,step_time_s,1,1.1,0.1,\n");
        File.WriteAllText(Path.Combine(dir, "validation.json"), "{\n  \"rows\": [],\n  \"skipped\": []\n}\n");
        File.WriteAllText(Path.Combine(dir, "calibration.json"), "{\n  \"stack\": \"x\",\n  \"gemm_scale\": 1\n}\n");
        return new Dictionary<string, string>
        {
            ["result.json"] = Path.Combine(run, "result.json"),
            ["run-stats.json"] = Path.Combine(run, "run-stats.json"),
            ["trace.json"] = Path.Combine(run, "trace.json"),
            ["validation.csv"] = Path.Combine(dir, "validation.csv"),
            ["validation.json"] = Path.Combine(dir, "validation.json"),
            ["calibration.json"] = Path.Combine(dir, "calibration.json"),
        };
    }

    [Fact]
    public void An_output_given_as_a_scenario_or_a_runs_csv_is_named_for_what_it_is()
    {
        foreach (var (name, path) in Outputs())
        {
            var owner = name switch { "validation.csv" or "validation.json" => "validate's", "calibration.json" => "calibrate's", _ => "run's" };
            foreach (var (command, kind) in new[] { ("run", "a scenario"), ("validate", "a runs CSV"), ("calibrate", "a runs CSV") })
            {
                string[] args = command == "calibrate" ? [command, path, "--stack", "x"] : [command, path];
                var (exit, output, err) = CliRunner.Run(args);
                Assert.True(exit == 2, $"{command} {name}: {err}");
                Assert.Equal("", output);
                Assert.StartsWith($"error: {path} is {owner} {name}", err);
                Assert.Contains($"an output of the emulator, not {kind}; give ", err);
                // validate's own results are what compare reads, not validate or run.
                Assert.Equal(name.StartsWith("validation.", StringComparison.Ordinal), err.Contains("emulator compare BEFORE AFTER", StringComparison.Ordinal));
                Assert.DoesNotContain("unknown key", err);
                Assert.DoesNotContain("misspelt", err);
            }
        }
    }

    [Fact]
    public void Compare_given_another_output_names_it_and_still_reads_a_validation()
    {
        var outputs = Outputs();
        foreach (var (name, path) in outputs.Where(o => o.Key != "validation.json"))
        {
            var (exit, _, err) = CliRunner.Run("compare", path, outputs["validation.json"]);
            Assert.Equal(2, exit);
            Assert.StartsWith($"error: {path} is ", err);
            Assert.Contains($"{name}", err);
            Assert.Contains(", not a validation; give the validation.json that emulator validate wrote", err);
        }
        // The folder is read as its validation.json: an empty one, so the two are read and found to share nothing to compare.
        var (exit2, _, err2) = CliRunner.Run("compare", outputs["validation.json"], Path.GetDirectoryName(outputs["validation.json"])!);
        Assert.Equal(2, exit2);
        Assert.Contains("nothing to compare", err2);
    }

    [Theory]
    [InlineData("name = x\n")]
    [InlineData("{ \"name\": \"x\" }")]  // a scenario may be written as JSON: only the emulator's own first keys are recognised
    [InlineData("\uFEFF# comment\n")]
    [InlineData("")]
    public void Other_files_are_not_taken_for_outputs(string text)
    {
        var path = Path.Combine(RepoPaths.TempDir(), "x.conf");
        File.WriteAllText(path, text);
        Assert.Null(Emulator.Cli.EmulatorOutputs.Describe(path));
    }
}
