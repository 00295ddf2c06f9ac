using System.Text.Json;
using Emulator.Cli.Reports;
using Emulator.Scenarios.Published;

namespace Emulator.Engine.Tests;

/// <summary>`emulator validate` end to end on a small CSV with good, malformed and unusable rows.</summary>
public class ValidateCommandTests
{
    private static readonly string Header = File.ReadLines(Path.Combine(RepoPaths.Root, "data", "published-runs.csv")).First();

    private static string Row(string id, string preset = "a100-80g-selene", string tp = "1", string published = "3.53") =>
        $"{id},test,{preset},megatron-lm-2021,32,24,2304,24,24,9216,false,51200,2048,512,16,{tp},1,32,1,1,,false,full,0,step_time_s,{published},a note, with a comma";

    [Fact]
    public void Validate_SmallCsv_EmulatesGoodRowsAndReportsTheOthersById()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, new[]
        {
            Header,
            Row("good"),
            Row("no-preset", preset: "tpu-v9"),
            Row("bad-plan", tp: "3"),
            Row("bad-number", published: "fast"),
            "short-row,only,three",
            Row("../escape"),
            Row(".."),
            Row(".hidden"),
            Row("good"),
            Row("GOOD"),
            Row(""),
        });

        var (exit, output, err) = CliRunner.Run("validate", csv, "--out", dir);

        Assert.True(exit == 0, err);
        Assert.Contains("good", output);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "validation.json")));
        var root = json.RootElement;
        var row = Assert.Single(root.GetProperty("rows").EnumerateArray());
        Assert.Equal("good", row.GetProperty("id").GetString());
        Assert.Equal("step_time_s", row.GetProperty("metric").GetString());
        Assert.Equal("megatron-lm-2021", row.GetProperty("stack").GetString());
        var error = row.GetProperty("error").GetDouble();
        Assert.Equal(row.GetProperty("emulated").GetDouble() / 3.53 - 1, error, 9);
        Assert.Equal(Math.Abs(error), root.GetProperty("mean_abs_error").GetDouble(), 12);
        var skipped = root.GetProperty("skipped").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!, s => s.GetProperty("reason").GetString()!);
        Assert.Contains("tpu-v9", skipped["no-preset"]);
        Assert.Contains("parallel.tp", skipped["bad-plan"]);
        Assert.Contains("fast", skipped["bad-number"]);
        Assert.Contains("fields", skipped["short-row"]);
        Assert.Contains("letters, digits", skipped["../escape"]);
        Assert.Contains("must start with a letter or a digit", skipped[".."]);
        Assert.Contains("must start with a letter or a digit", skipped[".hidden"]);
        Assert.Contains("already used on line 2", skipped["good"]);
        Assert.Contains("already used on line 2", skipped["GOOD"]);
        Assert.Contains("has no id", skipped["line 12"]);
        var systems = root.GetProperty("by_system").EnumerateArray().ToArray();
        Assert.Equal(["a100-80g-selene", "all"], systems.Select(x => x.GetProperty("preset").GetString()));
        var system = systems[0];
        Assert.Equal("a100-80g-selene", system.GetProperty("preset").GetString());
        Assert.Equal("time", system.GetProperty("kind").GetString());
        Assert.Equal(1, system.GetProperty("rows").GetInt32());
        Assert.Equal(Math.Abs(error), system.GetProperty("max_abs_error").GetDouble(), 12);
        Assert.Equal(1 / (1 + error) - 1, system.GetProperty("bias").GetDouble(), 12); // a step-time row's speed error
        var stack = Assert.Single(root.GetProperty("by_stack").EnumerateArray());
        Assert.Equal("megatron-lm-2021", stack.GetProperty("stack").GetString());
        Assert.Equal(1 / (1 + error) - 1, stack.GetProperty("bias").GetDouble(), 12);

        // validation.csv: the same rows, emulated first, then the skipped with their reasons; it reads back field for field.
        var lines = File.ReadAllLines(Path.Combine(dir, "validation.csv"));
        Assert.Equal(ValidationCsv.Header, lines[0]);
        var csvRows = lines.Skip(1).Select(PublishedRunsCsv.SplitFields).ToArray();
        Assert.All(csvRows, r => Assert.Equal(8, r.Count));
        Assert.Equal(["good", "a100-80g-selene", "megatron-lm-2021", "step_time_s", "3.53"], csvRows[0].Take(5));
        Assert.Equal(row.GetProperty("emulated").GetDouble(), double.Parse(csvRows[0][5], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(error, double.Parse(csvRows[0][6], System.Globalization.CultureInfo.InvariantCulture));
        var failed = Assert.Single(csvRows, r => r[0] == "no-preset");
        Assert.Equal(["tpu-v9", "megatron-lm-2021", "step_time_s", "3.53", "", ""], failed.Skip(1).Take(6));
        Assert.Equal("skipped: " + skipped["no-preset"], failed[7]);
        var duplicate = Assert.Single(csvRows.Skip(1), r => r[0] == "good");
        Assert.Equal(["", "", "", "", "", ""], duplicate.Skip(1).Take(6));
        Assert.Equal(1 + skipped.Count, csvRows.Length);
    }

    [Fact]
    public void Validate_KeepsEachRowsScenarioAndResult_AndTheScenarioRerunsToTheSameResult()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, new[] { Header, Row("kept"), Row("broken", tp: "3") });
        Directory.CreateDirectory(Path.Combine(dir, "rows"));
        File.WriteAllText(Path.Combine(dir, "rows", "broken.json"), "{} from an earlier run");

        var (exit, _, err) = CliRunner.Run("validate", csv, "--out", dir, "--set", "emulation.seed=7");

        Assert.True(exit == 0, err);
        var rows = Path.Combine(dir, "rows");
        var scenario = Path.Combine(rows, "kept.conf");
        Assert.StartsWith("# emulated with --set emulation.seed=7\n", File.ReadAllText(scenario));
        Assert.True(File.Exists(Path.Combine(rows, "broken.conf")), "a row that could not run keeps its scenario, to see why");
        Assert.False(File.Exists(Path.Combine(rows, "broken.json")), "an earlier run's result must not sit beside this run's scenario");
        using var validation = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "validation.json")));
        using var result = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(rows, "kept.json")));
        var emulated = Assert.Single(validation.RootElement.GetProperty("rows").EnumerateArray()).GetProperty("emulated").GetDouble();
        Assert.Equal(emulated, result.RootElement.GetProperty("step_time_s").GetDouble());

        var again = Path.Combine(dir, "again");
        var (runExit, _, runErr) = CliRunner.Run("run", scenario, "--set", "emulation.seed=7", "--out", again, "--quiet");
        Assert.True(runExit == 0, runErr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(rows, "kept.json")), File.ReadAllBytes(Path.Combine(again, "result.json")));
    }

    [Fact]
    public void Summary_GroupsRowsBySystemStackAndKind_InOrderOfFirstAppearance()
    {
        ValidatedRow[] rows =
        [
            new("a", "a100-80g-selene", "megatron-lm-2021", "step_time_s", 0.25), // a step 25% long: 20% too slow
            new("b", "h100-80g-roce", "llm-foundry-2023", "mfu", 0.10),
            new("c", "a100-80g-selene", "llm-foundry-2023", "tokens_per_s", -0.04),
            new("d", "a100-80g-selene", "megatron-deepspeed-2022", "peak_hbm_gib", -0.237),
        ];
        static GroupErrors Rounded(GroupErrors g) => g with { Bias = Math.Round(g.Bias, 12), MeanAbsError = Math.Round(g.MeanAbsError, 12) };

        Assert.Equal(
            [
                new GroupErrors("a100-80g-selene", "time", 2, -0.12, 0.145, 0.25),
                new GroupErrors("h100-80g-roce", "time", 1, 0.10, 0.10, 0.10),
                new GroupErrors("a100-80g-selene", "memory", 1, -0.237, 0.237, 0.237),
            ],
            ValidationSummary.BySystem(rows).Select(Rounded).ToArray());
        Assert.Equal(
            [
                new GroupErrors("megatron-lm-2021", "time", 1, -0.2, 0.25, 0.25),
                new GroupErrors("llm-foundry-2023", "time", 2, 0.03, 0.07, 0.10),
                new GroupErrors("megatron-deepspeed-2022", "memory", 1, -0.237, 0.237, 0.237),
            ],
            ValidationSummary.ByStack(rows).Select(Rounded).ToArray());
        var all = ValidationSummary.ByKind([new("a", "x", "s", "mfu", 0.01), new("b", "y", "s", "tokens_per_s", -0.03)]);
        Assert.Equal(new GroupErrors("all", "time", 2, -0.01, 0.02, 0.03), Rounded(Assert.Single(all)));
    }

    [Fact]
    public void Validate_UnpublishedColumns_RunTheirDefaults_AndTheLeastRecomputationThatFits()
    {
        // 4 sequences of 2,048 tokens through 24 unfused layers hold more than 80 GB without recomputation: the run fitted, so
        // it recomputed; the row runs the least policy with which it fits (selective, not full), and says so. Empty dp and micro batch take
        // cards / (tp·pp·cp) and 1; an empty required column is reported by name.
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        var row = Row("unpublished").Split(',');
        row[14] = "4"; // micro batch: without recomputation 4 sequences overflow 80 GB, dropping the scores (selective) fits
        row[17] = "";  // dp
        row[22] = "";  // recompute
        var noVocab = Row("no-vocab").Split(',');
        noVocab[11] = "";
        File.WriteAllLines(csv, new[] { Header, string.Join(',', row), string.Join(',', noVocab) });

        var (exit, output, err) = CliRunner.Run("validate", csv, "--out", dir);

        Assert.True(exit == 0, err);
        Assert.Contains("dp not published: ran 32", output);
        Assert.Contains("recompute not published: ran selective, the least with which it fits", output);
        Assert.Contains("recompute = selective\n", File.ReadAllText(Path.Combine(dir, "rows", "unpublished.conf")));
        Assert.Contains("vocab is empty; the row must publish it", output);

        // What --set gives is what runs, and the row does not claim a default for it.
        var (exit2, output2, err2) = CliRunner.Run("validate", csv, "--out", Path.Combine(dir, "set"), "--only", "unpublished", "--set", "training.recompute=full");
        Assert.True(exit2 == 0, err2);
        Assert.DoesNotContain("recompute not published", output2);
        Assert.StartsWith("# emulated with --set training.recompute=full\n", File.ReadAllText(Path.Combine(dir, "set", "rows", "unpublished.conf")));
    }

    [Theory]
    [InlineData("training { recompute = full }")]
    [InlineData("emulation.seed = 1, training.recompute = full")]
    public void Validate_ASetThatWritesItsKeyInsideASectionOrBesideAnother_ClaimsNoDefaultForIt(string set)
    {
        // One --set is HOCON text and may write a key inside braces or several keys: the row was told "recompute not published:
        // ran none, the least with which it fits" (then selective, then full) while every attempt ran the --set's value.
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        var row = Row("unpublished").Split(',');
        row[22] = "";  // recompute
        File.WriteAllLines(csv, new[] { Header, string.Join(',', row) });

        var (exit, output, err) = CliRunner.Run("validate", csv, "--out", dir, "--set", set);

        Assert.True(exit == 0, err);
        Assert.DoesNotContain("recompute not published", output);
    }

    [Fact]
    public void Validate_ASetCard_SaysTheStacksCardFactsStayTheCsvPresets()
    {
        // A what-if on another card runs that card's preset, but the stack facts read off the row's preset (an attention
        // figure, say) and the row's grouping do not follow it: the note says so.
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, new[] { Header, Row("whatif") });

        var (exit, output, err) = CliRunner.Run("validate", csv, "--out", dir, "--set", "hardware=h100-80g-roce");

        Assert.True(exit == 0, err);
        Assert.Contains("hardware replaced by --set", output);
        Assert.StartsWith("# emulated with --set hardware=h100-80g-roce\n", File.ReadAllText(Path.Combine(dir, "rows", "whatif.conf")));
    }

    [Fact]
    public void Validate_WithTwoJobs_WritesTheSameBytesInTheFilesOrder()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, new[] { Header, Row("first"), Row("broken", tp: "3"), Row("second", published: "3.7"), Row("third", published: "3.4") });

        var (exit1, out1, err1) = CliRunner.Run("validate", csv, "--out", Path.Combine(dir, "one"), "--jobs", "1");
        var (exit2, out2, err2) = CliRunner.Run("validate", csv, "--out", Path.Combine(dir, "two"), "--jobs", "2");

        Assert.True(exit1 == 0, err1);
        Assert.True(exit2 == 0, err2);
        Assert.Equal(out1, out2);
        foreach (var file in new[] { "validation.json", "validation.csv" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "one", file)), File.ReadAllBytes(Path.Combine(dir, "two", file)));
        foreach (var id in new[] { "first", "second", "third" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "one", "rows", id + ".json")), File.ReadAllBytes(Path.Combine(dir, "two", "rows", id + ".json")));
        Assert.True(out2.IndexOf("first", StringComparison.Ordinal) < out2.IndexOf("broken", StringComparison.Ordinal));
        Assert.True(out2.IndexOf("second", StringComparison.Ordinal) < out2.IndexOf("third", StringComparison.Ordinal));
    }

    [Fact]
    public void RowEmulation_HandsEachSimulationToTheMonitor_ForProgress()
    {
        // The row publishes its recomputation, so one simulation runs.
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, new[] { Header, Row("watched") });
        var run = Assert.Single(Emulator.Scenarios.Published.PublishedRunsCsv.Read(csv).Rows);
        var seen = new List<Emulator.Kernel.Simulation?>();
        var (_, _, result) = Emulator.Cli.RowEmulation.Emulate(run, dir, [], seen.Add);
        // The simulation before it runs, then null: the monitor need not keep it alive.
        Assert.Equal(2, seen.Count);
        Assert.Equal(result.Events, seen[0]!.Events);
        Assert.Null(seen[1]);
    }

    [Fact]
    public void RowEmulation_AnUnknownMetric_IsRefusedBeforeAnySimulationRuns()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, new[] { Header, Row("typo").Replace(",step_time_s,", ",step_time,", StringComparison.Ordinal) });
        var run = Assert.Single(PublishedRunsCsv.Read(csv).Rows);
        var seen = new List<Emulator.Kernel.Simulation?>();
        var e = Assert.Throws<NotSupportedException>(() => Emulator.Cli.RowEmulation.Emulate(run, dir, [], seen.Add));
        Assert.StartsWith("unknown metric 'step_time'; one of step_time_s,", e.Message);
        Assert.Empty(seen);
    }

    [Fact]
    public void Validate_AnUnquotedCommaBeforeTheNotes_SaysTheColumnsMoved_NotOnlyThatPublishedIsNoNumber()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        // The source's comma moved every column after it one place on; the notes' own comma (every Row has one) moves nothing.
        File.WriteAllLines(csv, new[] { Header, Row("moved").Replace(",test,", ",Narayanan et al., SC21,", StringComparison.Ordinal), Row("bad-plan", tp: "3") });
        var (exit, _, err) = CliRunner.Run("validate", csv, "--out", dir, "--jobs", "1");
        Assert.Equal(2, exit);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "validation.json")));
        var skipped = json.RootElement.GetProperty("skipped").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!, s => s.GetProperty("reason").GetString()!);
        Assert.StartsWith("published = 'step_time_s' is not a positive number (the line has 2 more fields than the header, joined into the notes: "
            + "if a field other than the notes holds a comma", skipped["moved"]);
        Assert.DoesNotContain("more field", skipped["bad-plan"]);
        Assert.Contains("none of the 2 rows could be emulated", err);
    }

    [Fact]
    public void Validate_AnMfuWrittenAsAPercentage_IsSkippedSayingItIsAFraction_NotComparedAs50TimesThePeak()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        string Mfu(string id, string published) => Row(id, published: published).Replace(",step_time_s,", ",mfu,", StringComparison.Ordinal);
        File.WriteAllLines(csv, new[] { Header, Mfu("percent", "50"), Mfu("sign", "50%") });
        var (exit, _, err) = CliRunner.Run("validate", csv, "--out", dir, "--jobs", "1");
        Assert.Equal(2, exit);
        Assert.Contains("none of the 2 rows could be emulated", err);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "validation.json")));
        var skipped = json.RootElement.GetProperty("skipped").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!, s => s.GetProperty("reason").GetString()!);
        Assert.Equal("published = '50' is above 1, and mfu is a fraction of the card's peak: write 0.5 for 50%", skipped["percent"]);
        Assert.Equal("published = '50%' is not a positive number (a percentage is written as a fraction: 0.5 for 50%)", skipped["sign"]);
    }

    [Fact]
    public void Validate_APublishedValueSoSmallTheErrorIsInfinite_SkipsTheRow_AndWritesTheOthers()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, new[] { Header, Row("tiny", published: "1e-320"), Row("good") });
        var (exit, _, err) = CliRunner.Run("validate", csv, "--out", dir, "--jobs", "1");
        Assert.True(exit == 0, err);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "validation.json")));
        Assert.Equal("good", Assert.Single(json.RootElement.GetProperty("rows").EnumerateArray()).GetProperty("id").GetString());
        var skipped = Assert.Single(json.RootElement.GetProperty("skipped").EnumerateArray());
        Assert.Equal("tiny", skipped.GetProperty("id").GetString());
        Assert.StartsWith("published = '1e-320' and emulated ", skipped.GetProperty("reason").GetString());
        Assert.True(File.Exists(Path.Combine(dir, "validation.csv")));
    }

    [Fact]
    public void Validate_ARowPastHbm_NotesThePeakOfTheCardItNames()
    {
        // Card 0 is refused first, but stage 3 holds the most; the note named card 0 with stage 3's peak (1056 GiB against card 0's 1031).
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, [Header, "big,test,a100-80g-selene,megatron-lm-2021,32,24,2048,16,16,8192,false,51200,16384,64,16,2,4,4,1,1,,false,none,0,step_time_s,10,past HBM"]);
        var (exit, _, err) = CliRunner.Run("validate", csv, "--out", dir);
        Assert.True(exit == 0, err);

        using var result = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "rows", "big.json")));
        var r = result.RootElement;
        Assert.NotEqual(r.GetProperty("oom_detail").GetProperty("card").GetInt32(), r.GetProperty("peak_hbm_card").GetInt32());
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "validation.json")));
        var note = json.RootElement.GetProperty("rows")[0].GetProperty("note").GetString();
        Assert.Equal(FormattableString.Invariant(
            $"emulated memory exceeds HBM (card {r.GetProperty("peak_hbm_card").GetInt32()}, {r.GetProperty("peak_hbm_bytes").GetInt64() / (double)(1L << 30):0.#} GiB of 80): time as if it fitted"), note);
    }

    [Fact]
    public void Validate_ASourceWithABackslashOrALoneQuote_IsKeptInTheDescription_NotASyntaxError()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, new[] { Header, Row("cited").Replace(",test,", ",\"C:\\papers\\sc21, a 19\"\" rack\",", StringComparison.Ordinal) });
        var (exit, _, err) = CliRunner.Run("validate", csv, "--out", dir, "--jobs", "1");
        Assert.True(exit == 0, err);
        var scenario = Emulator.Scenarios.ScenarioLoader.Load(Path.Combine(dir, "rows", "cited.conf"));
        Assert.Equal("published run cited (C:\\papers\\sc21, a 19\" rack)", scenario.Description);
    }

    [Fact]
    public void Validate_ASourceAndNotesQuotedOverSeveralLines_AreOneRow_AndTheSourceKeepsItsLineBreak()
    {
        // A spreadsheet writes a cell of several lines as one quoted field with line breaks in it (RFC 4180).
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        var row = Row("multi").Replace(",test,", ",\"Narayanan et al.\r\nSC21, Table 1\",", StringComparison.Ordinal)
            .Replace("a note, with a comma", "\"first line,\r\nsecond \"\"quoted\"\"\r\n\"", StringComparison.Ordinal);
        File.WriteAllText(csv, Header + "\r\n" + row + "\r\n" + Row("after") + "\r\n");
        var (exit, output, err) = CliRunner.Run("validate", csv, "--out", dir, "--jobs", "1");
        Assert.True(exit == 0, err);
        Assert.Contains("2 rows emulated, 0 skipped", output);
        var scenario = Emulator.Scenarios.ScenarioLoader.Load(Path.Combine(dir, "rows", "multi.conf"));
        Assert.Equal("published run multi (Narayanan et al.\nSC21, Table 1)", scenario.Description);
    }

    [Fact]
    public void Validate_FindsPresetsAboveTheRunsFile_WhereverItsOutputGoes()
    {
        // A study kept outside the repo, with its own hocon/presets: its rows are written to another folder and still find the preset.
        var study = RepoPaths.TempDir();
        Directory.CreateDirectory(Path.Combine(study, "hocon", "presets"));
        File.Copy(Path.Combine(RepoPaths.Root, "hocon", "presets", "a100-80g-selene.conf"), Path.Combine(study, "hocon", "presets", "study-a100.conf"));
        Directory.CreateDirectory(Path.Combine(study, "data"));
        var csv = Path.Combine(study, "data", "runs.csv");
        File.WriteAllLines(csv, [Header, Row("mine", preset: "study-a100")]);

        var (exit, output, err) = CliRunner.Run("validate", csv, "--out", Path.Combine(RepoPaths.TempDir(), "v"));

        Assert.True(exit == 0, err);
        Assert.Contains("1 rows emulated, 0 skipped", output);
    }

    [Fact]
    public void Validate_APresetBesideTheRunsFile_WinsOverTheRepos_WhereverTheOutputGoes()
    {
        // The study's own a100-80g-selene runs its GEMMs at half the repo's efficiency: its rows must be slower, wherever --out is.
        var study = RepoPaths.TempDir();
        Directory.CreateDirectory(Path.Combine(study, "hocon", "presets"));
        var repoPreset = File.ReadAllText(Path.Combine(RepoPaths.Root, "hocon", "presets", "a100-80g-selene.conf"));
        File.WriteAllText(Path.Combine(study, "hocon", "presets", "a100-80g-selene.conf"), repoPreset.Replace("gemm = 0.82", "gemm = 0.41", StringComparison.Ordinal));
        var csv = Path.Combine(study, "runs.csv");
        File.WriteAllLines(csv, [Header, Row("shadowed")]);
        var repoCsv = Path.Combine(RepoPaths.TempDir(), "runs.csv");
        File.WriteAllLines(repoCsv, [Header, Row("shadowed")]);

        double Emulated(string runs, string outDir)
        {
            var (exit, _, err) = CliRunner.Run("validate", runs, "--out", outDir);
            Assert.True(exit == 0, err);
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, "validation.json")));
            return json.RootElement.GetProperty("rows")[0].GetProperty("emulated").GetDouble();
        }

        var inStudy = Emulated(csv, Path.Combine(study, "out"));
        var elsewhere = Emulated(csv, Path.Combine(RepoPaths.TempDir(), "out"));
        var repo = Emulated(repoCsv, Path.Combine(RepoPaths.TempDir(), "out"));
        Assert.Equal(inStudy, elsewhere);
        Assert.True(inStudy > repo * 1.3, $"study {inStudy} s, repo {repo} s");
    }

    [Fact]
    public void Validate_ARowsScenario_RerunsWithThePresetAndStackFoundBesideTheRunsFile_WhereverTheOutputGoes()
    {
        // The study's own preset and stack shadow the repo's; its rows are written outside the study, where `emulator run` of
        // rows/ID.conf would find the repo's files (or none) by name: the file must name the study's, so that it reruns the row.
        var study = RepoPaths.TempDir();
        Directory.CreateDirectory(Path.Combine(study, "hocon", "presets"));
        Directory.CreateDirectory(Path.Combine(study, "hocon", "stacks"));
        var repoPreset = File.ReadAllText(Path.Combine(RepoPaths.Root, "hocon", "presets", "a100-80g-selene.conf"));
        File.WriteAllText(Path.Combine(study, "hocon", "presets", "a100-80g-selene.conf"), repoPreset.Replace("gemm = 0.82", "gemm = 0.41", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(study, "hocon", "stacks", "megatron-lm-2021.conf"), "software { gemm-scale = 0.5 }\n");
        File.Copy(Path.Combine(RepoPaths.Root, "hocon", "presets", "a100-80g-selene.conf"), Path.Combine(study, "hocon", "presets", "study-a100.conf"));
        var csv = Path.Combine(study, "runs.csv");
        File.WriteAllLines(csv, [Header, Row("shadowed"), Row("own", preset: "study-a100")]);
        var outDir = Path.Combine(RepoPaths.TempDir(), "v");

        var (exit, _, err) = CliRunner.Run("validate", csv, "--out", outDir, "--jobs", "1");

        Assert.True(exit == 0, err);
        foreach (var id in new[] { "shadowed", "own" })
        {
            var rows = Path.Combine(outDir, "rows");
            var again = Path.Combine(outDir, "again-" + id);
            var (runExit, _, runErr) = CliRunner.Run("run", Path.Combine(rows, id + ".conf"), "--out", again, "--quiet");
            Assert.True(runExit == 0, runErr);
            Assert.Equal(File.ReadAllBytes(Path.Combine(rows, id + ".json")), File.ReadAllBytes(Path.Combine(again, "result.json")));
        }
        // A profile that the name finds from the rows' folder as well is still written by name.
        var repoCsv = Path.Combine(RepoPaths.TempDir(), "runs.csv");
        File.WriteAllLines(repoCsv, [Header, Row("plain")]);
        var plainOut = Path.Combine(RepoPaths.TempDir(), "v");
        Assert.Equal(0, CliRunner.Run("validate", repoCsv, "--out", plainOut).Exit);
        var plain = File.ReadAllText(Path.Combine(plainOut, "rows", "plain.conf"));
        Assert.Contains("hardware = a100-80g-selene\n", plain, StringComparison.Ordinal);
        Assert.Contains("stack = megatron-lm-2021\n", plain, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ADuplicateId_IsSkipped_AndCompareStillReadsTheResult()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, [Header, Row("twice"), Row("twice")]);
        var (exit, _, err) = CliRunner.Run("validate", csv, "--out", Path.Combine(dir, "v"));
        Assert.True(exit == 0, err);

        var (cmp, output, cerr) = CliRunner.Run("compare", Path.Combine(dir, "v"), Path.Combine(dir, "v"));

        Assert.True(cmp == 0, cerr);
        Assert.Contains("1 rows in both", output);
    }

    [Theory]
    [InlineData(",cards", "column 'cards' appears 2 times in the header")]
    [InlineData(",head_dims", "unknown column 'head_dims'; did you mean head_dim?")]
    [InlineData(",", "column 27 of the header has no name; remove it")]
    public void Validate_AHeaderWithATwiceOrUnknownColumn_Exits2NamingIt(string extra, string message)
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, new[] { Header.Replace(",notes", extra + ",notes"), Row("good").Replace(",step_time_s", ",8,step_time_s") });
        var (exit, output, err) = CliRunner.Run("validate", csv, "--out", dir);
        Assert.Equal(2, exit);
        Assert.Contains(message, err);
        Assert.DoesNotContain("internal error", err + output);
    }

    [Fact]
    public void Validate_OnlyTwiceAndInAnyCase_RunsEveryIdGiven()
    {
        var dir = RepoPaths.TempDir();
        var (exit, output, err) = CliRunner.Run("validate", Path.Combine(RepoPaths.Root, "data", "published-runs.csv"),
            "--only", "MEG-T1-1.7B", "--only", "ms-llama2-7b", "--out", dir);
        Assert.True(exit == 0, err);
        Assert.Contains("2 rows emulated", output);
    }

    [Fact]
    public void Validate_SaysWhenItsOverallErrorMixesTimeAndMemoryRows()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, [Header, Row("time"), Row("memory").Replace("step_time_s,3.53", "peak_hbm_gib,20")]);

        var (exit, output, err) = CliRunner.Run("validate", csv, "--out", Path.Combine(dir, "both"));
        Assert.True(exit == 0, err);
        Assert.Contains("2 rows emulated, 0 skipped; mean |error|", output);
        Assert.Contains("(time and memory rows together; each kind below)", output);

        var (one, timeOnly, err2) = CliRunner.Run("validate", csv, "--only", "time", "--out", Path.Combine(dir, "time"));
        Assert.True(one == 0, err2);
        Assert.DoesNotContain("together", timeOnly);
    }

    [Fact]
    public void Validate_OnlyWithWildcards_RunsTheRowsTheyMatch_AndRefusesOneMatchingNone()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, [Header, Row("small-a"), Row("small-b", published: "3.6"), Row("other")]);

        var (exit, output, err) = CliRunner.Run("validate", csv, "--only", "SMALL-*", "--out", Path.Combine(dir, "a"));
        Assert.True(exit == 0, err);
        Assert.Contains("2 rows emulated", output);
        Assert.DoesNotContain("other", output);

        var (none, _, err2) = CliRunner.Run("validate", csv, "--only", "small-??,big-*", "--out", Path.Combine(dir, "b"));
        Assert.Equal(2, none);
        Assert.Contains("--only big-*, small-??: no row of", err2);
    }

    [Theory]
    [InlineData("validate", "--only")]
    [InlineData("validate", "--jobs")]
    [InlineData("run", "--set")]
    [InlineData("calibrate", "--stack")]
    public void AnOptionWithoutItsValue_Exits2SayingSo(string verb, string option)
    {
        var (exit, _, err) = CliRunner.Run(verb, Path.Combine(RepoPaths.Root, "data", "published-runs.csv"), option);
        Assert.Equal(2, exit);
        Assert.Contains($"{option} needs a value", err);
    }

    [Theory]
    [InlineData("name=\"../../elsewhere\"")]
    [InlineData("name=\"\"")]
    [InlineData("name=\"/tmp/x\"")]
    public void Run_ANameLeadingOutOfOut_Exits2UnlessOutIsGiven(string set)
    {
        var (exit, _, err) = CliRunner.Run("run", RepoPaths.Scenario("selene-tiny"), "--quiet", "--build-only", "--set", set);
        Assert.Equal(2, exit);
        Assert.Contains("would put the results outside out/", err);
        var (withOut, _, err2) = CliRunner.Run("run", RepoPaths.Scenario("selene-tiny"), "--quiet", "--build-only", "--set", set, "--out", RepoPaths.TempDir());
        Assert.True(withOut == 0, err2);
    }

    [Fact]
    public void Run_BuildOnlyQuiet_PrintsNothing()
    {
        var (exit, output, err) = CliRunner.Run("run", RepoPaths.Scenario("selene-tiny"), "--quiet", "--build-only");
        Assert.True(exit == 0, err);
        Assert.Equal("", output + err);
    }

    [Fact]
    public void Run_GivenTheRunsCsv_PointsToValidate()
    {
        var csv = Path.Combine(RepoPaths.Root, "data", "published-runs.csv");
        var (exit, _, err) = CliRunner.Run("run", csv);
        Assert.Equal(2, exit);
        Assert.Contains($"emulate its rows with: emulator validate {csv}", err);
    }

    [Theory]
    [InlineData("run", "scenario")]
    [InlineData("validate", "runs CSV")]
    [InlineData("calibrate", "runs CSV")]
    public void ADirectoryForTheInputFile_Exits2AskingForTheFileInIt(string verb, string kind)
    {
        var data = Path.Combine(RepoPaths.Root, "data");
        var (exit, _, err) = verb == "calibrate" ? CliRunner.Run(verb, data, "--stack", "megatron-lm-2021") : CliRunner.Run(verb, data);
        Assert.Equal(2, exit);
        Assert.Contains($"{data}: is a directory, not a {kind} file; name the file", err);
    }

    [Fact]
    public void Validate_AnUnknownSetKey_Exits2BeforeAnyRow()
    {
        var (exit, output, err) = CliRunner.Run("validate", Path.Combine(RepoPaths.Root, "data", "published-runs.csv"), "--set", "parallel.tpp=2");
        Assert.Equal(2, exit);
        Assert.Contains("--set parallel.tpp=2: parallel.tpp = 2: unknown key; did you mean parallel.tp?", err);
        Assert.DoesNotContain("emulating", err + output);
    }

    [Fact]
    public void Run_TimesBeyondTheVirtualClock_Exit2Explaining()
    {
        // The slowest card the checks allow at the lowest efficiency: the quickstart's GEMMs outlast 64-bit picoseconds.
        var (exit, output, err) = CliRunner.Run("run", RepoPaths.Scenario("quickstart"), "--quiet", "--out", RepoPaths.TempDir(),
            "--set", "card.peak-flops=1GFLOPS", "--set", "card.efficiency.gemm=0.001");
        Assert.Equal(2, exit);
        Assert.Contains("overflowed the virtual clock", err);
        Assert.DoesNotContain("internal error", err + output);
    }

    [Fact]
    public void Validate_NoRowEmulated_ReportsNoErrorRatherThanZero_AndExits2()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, new[] { Header, Row("broken", tp: "3") });
        var (exit, output, err) = CliRunner.Run("validate", csv, "--out", dir);
        Assert.Equal(2, exit);
        Assert.Contains("none of the 1 rows could be emulated", err);
        Assert.Contains("0 rows emulated, 1 skipped; no error to report", output);
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "validation.json")));
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("mean_abs_error").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("max_abs_error").ValueKind);
    }

    [Fact]
    public void Validate_HeaderOnly_Exits2_AndNotesRowFilesAnEarlierValidationLeft()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, new[] { Header, Row("broken", tp: "3") });
        CliRunner.Run("validate", csv, "--out", dir);
        Assert.True(File.Exists(Path.Combine(dir, "rows", "broken.conf")));

        File.WriteAllLines(csv, new[] { Header });
        var (exit, _, err) = CliRunner.Run("validate", csv, "--out", dir);
        Assert.Equal(2, exit);
        Assert.Contains("has no rows to emulate (only a header)", err);
        Assert.Contains("also holds 1 row from an earlier validation (broken)", err);
    }

    [Fact]
    public void Validate_OnlyAnIdTheFileLacks_Exits2NamingIt()
    {
        var (exit, output, err) = CliRunner.Run("validate", Path.Combine(RepoPaths.Root, "data", "published-runs.csv"), "--only", "meg-t1-1.7b,meg-t1-1.7bb");
        Assert.Equal(2, exit);
        Assert.Contains("--only meg-t1-1.7bb: no row of", err);
        Assert.DoesNotContain("emulating", err + output);

        var (emptyExit, _, emptyErr) = CliRunner.Run("validate", Path.Combine(RepoPaths.Root, "data", "published-runs.csv"), "--only", ",");
        Assert.Equal(2, emptyExit);
        Assert.Contains("--only takes row ids", emptyErr);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("two")]
    public void Validate_JobsThatAreNotAPositiveWholeNumber_Exit2(string jobs)
    {
        var (exit, _, err) = CliRunner.Run("validate", Path.Combine(RepoPaths.Root, "data", "published-runs.csv"), "--jobs", jobs);
        Assert.Equal(2, exit);
        Assert.Contains("--jobs", err);
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("run")]
    [InlineData("calibrate")]
    public void AnOutputDirectoryThatCannotBeWritten_Exits2BeforeEmulating(string command)
    {
        var file = Path.Combine(RepoPaths.TempDir(), "a-file");
        File.WriteAllText(file, "not a directory");
        string[] args = command switch
        {
            "validate" => ["validate", Path.Combine(RepoPaths.Root, "data", "published-runs.csv"), "--out", file],
            "run" => ["run", RepoPaths.Scenario("quickstart"), "--out", file],
            _ => ["calibrate", Path.Combine(RepoPaths.Root, "data", "published-runs.csv"), "--stack", "mindspeed-llm-2025", "--out", file],
        };
        var (exit, output, err) = CliRunner.Run(args);
        Assert.Equal(2, exit);
        Assert.StartsWith($"error: --out {file}: cannot write there", err);
        Assert.DoesNotContain("emulating", err);
        Assert.Equal("not a directory", File.ReadAllText(file));
    }

    [Theory]
    [InlineData("validate", "validation.json")]
    [InlineData("validate", "validation.csv")]
    [InlineData("validate", "rows/meg-t1-1.7b.json")]
    [InlineData("calibrate", "calibration.json")]
    [InlineData("run", "result.json")]
    [InlineData("run", "trace.json")]
    public void AFolderWhereAnOutputFileGoes_Exits2NamingIt_BeforeEmulating(string command, string name)
    {
        // Found only when the file was written, after every row had run: "Access to the path is denied. Check its permissions",
        // and run left result.json and run-stats.json without their trace.
        var dir = RepoPaths.TempDir();
        var folder = Path.Combine(dir, name);
        Directory.CreateDirectory(folder);
        var csv = Path.Combine(RepoPaths.Root, "data", "published-runs.csv");
        string[] args = command switch
        {
            "validate" => ["validate", csv, "--only", "meg-t1-1.7b", "--out", dir],
            "run" => ["run", RepoPaths.Scenario("selene-tiny"), "--out", dir],
            _ => ["calibrate", csv, "--stack", "mindspeed-llm-2025", "--out", dir],
        };
        var (exit, output, err) = CliRunner.Run(args);
        Assert.Equal(2, exit);
        Assert.StartsWith($"error: {folder} is a folder", err);
        Assert.DoesNotContain("emulating", err);
        Assert.Equal("", output);
        Assert.False(File.Exists(Path.Combine(dir, "result.json")));
    }

    [Theory]
    [InlineData("validate", "validation.csv")]
    [InlineData("validate", "validation.json")]
    [InlineData("calibrate", "calibration.json")]
    public void AnOutWhoseOutputIsTheRunsFileItself_Exits2AndLeavesItAlone(string command, string name)
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, name);
        var text = string.Join("\n", Header, Row("a"), Row("b")) + "\n";
        File.WriteAllText(csv, text);
        string[] args = command == "validate" ? ["validate", csv, "--out", dir] : ["calibrate", csv, "--stack", "megatron-lm-2021", "--out", dir];
        var (exit, _, err) = CliRunner.Run(args);
        Assert.Equal(2, exit);
        Assert.StartsWith($"error: {csv}: {command} would write its output over the runs file itself", err);
        Assert.DoesNotContain("emulating", err);
        Assert.Equal(text, File.ReadAllText(csv));
    }

    [Fact]
    public void Validate_AFileNamedRowsInOut_Exits2NamingIt_BeforeEmulating()
    {
        var dir = RepoPaths.TempDir();
        var csv = Path.Combine(dir, "runs.csv");
        File.WriteAllLines(csv, [Header, Row("a")]);
        var rows = Path.Combine(dir, "rows");
        File.WriteAllText(rows, "mine");
        var (exit, _, err) = CliRunner.Run("validate", csv, "--out", dir);
        Assert.Equal(2, exit);
        Assert.StartsWith($"error: --out {rows}: cannot write there", err);
        Assert.DoesNotContain("emulating", err);
        Assert.Equal("mine", File.ReadAllText(rows));
    }

    [Fact]
    public void Validate_CsvWithoutRequiredColumns_Exits2() =>
        Assert.Contains("missing column", ValidateRefuses("id,preset", "x,a100-80g-selene"));

    [Fact]
    public void Validate_ARenamedColumn_NamesTheMissingOneAndTheStrayOne() =>
        Assert.Contains("missing column(s) tp (the header has 'tpp', not a column: misspelt?)",
            ValidateRefuses(Header.Replace(",tp,", ",tpp,", StringComparison.Ordinal), Row("x")));

    [Fact]
    public void Validate_ASemicolonSeparatedCsv_SaysToUseCommas() =>
        Assert.Contains("the header's columns are separated by semicolons; a runs CSV separates them with commas",
            ValidateRefuses(Header.Replace(',', ';'), Row("x").Replace(',', ';')));

    /// <summary>Validates a runs file of <paramref name="lines"/>, asserts it exits 2 and returns what it printed on stderr.</summary>
    [Fact]
    public void Validate_AHeaderEndingWithAComma_SaysSo() =>
        Assert.Contains("column 28 of the header has no name (the header ends with a comma)", ValidateRefuses(Header + ",", Row("x") + ","));

    private static string ValidateRefuses(params string[] lines)
    {
        var csv = Path.Combine(RepoPaths.TempDir(), "runs.csv");
        File.WriteAllLines(csv, lines);
        var (exit, _, err) = CliRunner.Run("validate", csv);
        Assert.Equal(2, exit);
        return err;
    }

    [Fact]
    public void Validate_GivenAScenario_SaysToRunIt()
    {
        var (exit, _, err) = CliRunner.Run("validate", RepoPaths.Scenario("quickstart"));
        Assert.Equal(2, exit);
        Assert.Contains("line 1 is a comment; a runs CSV starts with its header line", err);
        Assert.Contains("a scenario, HOCON, is emulated with emulator run", err);
    }
}
