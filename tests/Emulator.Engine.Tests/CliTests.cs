using System.Text.Json;
using Emulator.Cli;

namespace Emulator.Engine.Tests;

/// <summary>The `emulator run` command: outputs, exit codes and messages for bad input.</summary>
public class CliTests
{
    [Fact]
    public void Run_AHeterogeneousJob_NamesEachCardAndItsStages()
    {
        var (exit, output, err) = CliRunner.Run("run", RepoPaths.Scenario("hetero-a100-h100"), "--out", RepoPaths.TempDir());
        Assert.True(exit == 0, err);
        Assert.StartsWith("hetero-a100-h100: gpt-1.3b on 16 x A100-SXM4-80GB in stages 0-1 and 16 x H100-SXM5-80GB in stages 2-3 (4 nodes", output);
    }

    [Fact]
    public void Run_Quickstart_WritesResultRunStatsAndTrace()
    {
        var dir = RepoPaths.TempDir();
        var (exit, output, err) = CliRunner.Run("run", RepoPaths.Scenario("quickstart"), "--out", dir);
        Assert.True(exit == 0, err);
        Assert.Contains("step time", output);
        Assert.Contains("MFU", output);
        Assert.Contains("pipeline bubble", output);
        Assert.Contains("busiest fabric links", output);

        using var result = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "result.json")));
        var r = result.RootElement;
        foreach (var key in new[] { "step_time_s", "tokens_per_s", "model_tflops_per_card", "hardware_tflops_per_card", "mfu", "peak_hbm_bytes", "hbm_capacity_bytes" })
            Assert.True(r.GetProperty(key).GetDouble() > 0, key);
        Assert.False(r.GetProperty("oom").GetBoolean());
        var breakdown = r.GetProperty("breakdown");
        var sum = new[] { "compute", "tensor_parallel", "pipeline_bubble", "data_parallel", "optimizer" }.Sum(k => breakdown.GetProperty(k).GetDouble());
        Assert.Equal(r.GetProperty("step_time_s").GetDouble(), sum, 6);
        var actors = r.GetProperty("engine").GetProperty("actors");
        Assert.Equal(32, actors.GetProperty("card").GetInt32());
        Assert.Equal(32 * 5, actors.GetProperty("hbm_bank").GetInt32());
        Assert.Equal(4, actors.GetProperty("node").GetInt32());
        Assert.True(actors.GetProperty("switch").GetInt32() > 0);
        Assert.True(r.GetProperty("engine").GetProperty("events").GetInt64() > 0);

        using var stats = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "run-stats.json")));
        Assert.True(stats.RootElement.GetProperty("events_per_s").GetDouble() > 0);
        Assert.True(stats.RootElement.GetProperty("peak_memory_bytes").GetInt64() > 0);

        using var trace = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "trace.json")));
        var events = trace.RootElement.GetProperty("traceEvents").EnumerateArray().ToArray();
        Assert.Contains(events, e => e.GetProperty("ph").GetString() == "X" && e.GetProperty("cat").GetString() == "compute");
        Assert.Contains(events, e => e.GetProperty("ph").GetString() == "X" && e.GetProperty("cat").GetString() == "idle");
        Assert.Contains(events, e => e.GetProperty("ph").GetString() == "C" && e.GetProperty("name").GetString()!.EndsWith("utilisation"));
        Assert.Contains(events, e => e.GetProperty("ph").GetString() == "M" && e.GetProperty("name").GetString() == "thread_name");
    }

    [Fact]
    public void Run_PlanThatDoesNotFit_ReportsOomWithBreakdownAndExits3()
    {
        var dir = RepoPaths.TempDir();
        var (exit, output, _) = CliRunner.Run("run", RepoPaths.Scenario("quickstart"), "--out", dir,
            "--set", "model.layers=48", "--set", "model.hidden=8192", "--set", "model.heads=64", "--set", "model.ffn-hidden=32768");
        Assert.Equal(3, exit);
        Assert.Contains("OUT OF MEMORY", output);
        Assert.Contains("optimizer", output);
        Assert.Contains("activations", output);
        using var result = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "result.json")));
        var r = result.RootElement;
        Assert.True(r.GetProperty("oom").GetBoolean());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("step_time_s").ValueKind);
        var detail = r.GetProperty("oom_detail");
        Assert.True(detail.GetProperty("card_peak_demand").GetProperty("optimizer").GetInt64() > 0);
        Assert.True(detail.GetProperty("card_peak_demand").EnumerateObject().Sum(p => p.Value.GetInt64()) > r.GetProperty("hbm_capacity_bytes").GetInt64());
    }

    [Fact]
    public void Run_ProductOfPlanNotCards_Exits2NamingTheKey()
    {
        var (exit, _, err) = CliRunner.Run("run", RepoPaths.Scenario("quickstart"), "--out", RepoPaths.TempDir(), "--set", "parallel.dp=8");
        Assert.Equal(2, exit);
        Assert.Contains("parallel.dp", err);
        Assert.Contains("32", err);
    }

    [Fact]
    public void Run_BadUnit_Exits2NamingValueAndUnits()
    {
        var (exit, _, err) = CliRunner.Run("run", RepoPaths.Scenario("quickstart"), "--set", "emulation.rdma-chunk=4Mb");
        Assert.Equal(2, exit);
        Assert.Contains("emulation.rdma-chunk", err);
        Assert.Contains("MiB", err);
    }

    [Fact]
    public void Run_ActivationsPast64Bits_Exits2NamingTheSizesNotTheHardware()
    {
        // A million sequences of a million tokens: the memory model's byte counts overflow, which is the sizes' fault; the message
        // used to blame the hardware's rates and the virtual clock.
        var dir = RepoPaths.TempDir();
        var (exit, _, err) = CliRunner.Run("run", RepoPaths.Scenario("selene-tiny"), "--out", dir,
            "--set", "model.seq-len=1048576", "--set", "parallel.micro-batch=1000000", "--set", "parallel.global-batch=2000000");
        Assert.Equal(2, exit);
        Assert.Contains("one microbatch's activations overflow 64-bit byte counts: parallel.micro-batch = 1000000 sequences of model.seq-len = 1048576 tokens", err);
        Assert.Contains("lower parallel.micro-batch, model.seq-len or model.heads", err);
        Assert.DoesNotContain("virtual clock", err);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void Run_WorkPastTheVirtualClock_Exits2NamingTheSizesAsWellAsTheRates()
    {
        // An A100 as its preset has it, and 100,000 sequences of a million tokens of a 4,096-layer model: one microbatch's work
        // outlasts the 64-bit picosecond clock. The message named only the hardware's rates, efficiencies and latencies to check.
        var dir = RepoPaths.TempDir();
        var (exit, _, err) = CliRunner.Run("run", RepoPaths.Scenario("selene-tiny"), "--out", dir, "--quiet",
            "--set", "model.seq-len=1048576", "--set", "model.layers=4096", "--set", "parallel.micro-batch=100000",
            "--set", "parallel.global-batch=200000", "--set", "training.flash-attention=true");
        Assert.Equal(2, exit);
        Assert.Contains("overflowed the virtual clock", err);
        Assert.Contains("card.peak-flops", err);
        Assert.Contains("parallel.micro-batch", err);
        Assert.Contains("model.seq-len", err);
        Assert.DoesNotContain("internal error", err);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Run_JobPastTheKernelsEntities_Exits2NamingTheSizes(bool buildOnly)
    {
        // 131,072 cards of 64 HBM stacks, both within their documented limits, are 8,549,585 actors: past the 8,388,608 entities the
        // virtual-time kernel orders, which used to stop the run with an internal error and a stack trace (exit 1).
        string[] args =
        [
            "run", RepoPaths.Scenario("selene-tiny"), "--out", RepoPaths.TempDir(), "--quiet",
            "--set", "cluster.cards=131072", "--set", "parallel.tp=1", "--set", "parallel.pp=1", "--set", "parallel.dp=131072",
            "--set", "parallel.global-batch=131072", "--set", "card.hbm.stacks=64", "--set", "card.hbm.stack-capacity=1GiB",
        ];
        var (exit, _, err) = CliRunner.Run(buildOnly ? [.. args, "--build-only"] : args);
        Assert.Equal(2, exit);
        Assert.Contains("8,549,585 actors", err);
        Assert.Contains("8,388,608", err);
        Assert.Contains("cluster.cards", err);
        Assert.Contains("card.hbm.stacks", err);
        Assert.DoesNotContain("internal error", err);
    }

    [Fact]
    public void Run_FabricOfMoreSwitchesThanTheKernelOrders_Exits2NamingTheFabricNotTheClock()
    {
        // 3,000 spine up-ports per spine: 3,000 x 3,000 cores. It used to stop with an internal error, and at 100,000 ports (whose
        // switch count overflows 32 bits) with a message blaming the hardware's rates and the virtual clock.
        foreach (var ports in new[] { "3000", "100000" })
        {
            var (exit, _, err) = CliRunner.Run("run", RepoPaths.Scenario("quickstart"), "--out", RepoPaths.TempDir(), "--quiet", "--build-only",
                "--set", "fabric.leaf.down-ports=1", "--set", "fabric.spine.down-ports=1",
                "--set", $"fabric.leaf.up-ports={ports}", "--set", $"fabric.spine.up-ports={ports}");
            Assert.Equal(2, exit);
            Assert.Contains("switches", err);
            Assert.Contains("8,388,608", err);
            Assert.Contains("fabric.", err);
            Assert.DoesNotContain("virtual clock", err);
            Assert.DoesNotContain("internal error", err);
        }
    }

    [Fact]
    public void Run_ACopyThatKeptItsName_DoesNotReplaceTheOriginalsResults()
    {
        // Two scenario files of one name share the default folder out/NAME: the second run used to overwrite the first's results.
        var name = "cli-test-" + Guid.NewGuid().ToString("N");
        var dir = RepoPaths.TempDir();
        var text = File.ReadAllText(RepoPaths.Scenario("selene-tiny")).Replace("name = selene-tiny", $"name = {name}");
        var original = Path.Combine(dir, "original.conf");
        var copy = Path.Combine(dir, "copy.conf");
        File.WriteAllText(original, text);
        File.WriteAllText(copy, text.Replace("global-batch = 16", "global-batch = 32"));
        var folder = Path.Combine("out", name);
        try
        {
            Assert.Equal(0, CliRunner.Run("run", original, "--quiet").Exit);
            Assert.Equal(Path.GetFullPath(original), OutputDirectory.ResultsOf(folder));
            var kept = File.ReadAllBytes(Path.Combine(folder, "result.json"));

            var (exit, _, err) = CliRunner.Run("run", copy, "--quiet");
            Assert.Equal(2, exit);
            Assert.Contains($"{folder} holds the results of {Path.GetFullPath(original)}, whose name is also '{name}'", err);
            Assert.Contains("give " + copy + " a name of its own", err);
            Assert.Equal(kept, File.ReadAllBytes(Path.Combine(folder, "result.json")));

            // The original's own rerun (a --set, say) replaces them, and so does --out naming the folder.
            Assert.Equal(0, CliRunner.Run("run", original, "--quiet", "--set", "parallel.global-batch=32").Exit);
            Assert.Equal(0, CliRunner.Run("run", copy, "--quiet", "--out", folder).Exit);
            Assert.Equal(Path.GetFullPath(copy), OutputDirectory.ResultsOf(folder));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Run_TheSameFileByAnotherPath_ReplacesItsOwnResults()
    {
        // The folder's owner is the file, not the spelling of its path: a link to it, a linked folder above it, or ./x.conf.
        if (OperatingSystem.IsWindows()) return; // links need privileges there
        var name = "cli-test-" + Guid.NewGuid().ToString("N");
        var dir = RepoPaths.TempDir();
        var original = Path.Combine(dir, "original.conf");
        File.WriteAllText(original, File.ReadAllText(RepoPaths.Scenario("selene-tiny")).Replace("name = selene-tiny", $"name = {name}"));
        var link = Path.Combine(dir, "link.conf");
        File.CreateSymbolicLink(link, "original.conf");
        var linkedDir = dir + "-linked";
        Directory.CreateSymbolicLink(linkedDir, dir);
        var folder = Path.Combine("out", name);
        try
        {
            Assert.Equal(0, CliRunner.Run("run", original, "--quiet").Exit);
            foreach (var path in new[] { link, Path.Combine(linkedDir, "original.conf"), Path.Combine(dir, ".", "original.conf") })
            {
                var (exit, _, err) = CliRunner.Run("run", path, "--quiet");
                Assert.True(exit == 0, $"{path}: {err}");
            }
            Assert.True(OutputDirectory.SameFile(link, Path.Combine(linkedDir, "original.conf")));
            Assert.False(OutputDirectory.SameFile(original, Path.Combine(dir, "other.conf")));
        }
        finally
        {
            Directory.Delete(linkedDir);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Run_ResultsOfAnOlderBuild_WithoutScenarioFile_AreReplaced()
    {
        // run-stats.json written before it named its scenario file: whose results they are is unknown, and they are replaced as before.
        var name = "cli-test-" + Guid.NewGuid().ToString("N");
        var dir = RepoPaths.TempDir();
        var scenario = Path.Combine(dir, "x.conf");
        File.WriteAllText(scenario, File.ReadAllText(RepoPaths.Scenario("selene-tiny")).Replace("name = selene-tiny", $"name = {name}"));
        var folder = Path.Combine("out", name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "run-stats.json"), "{\"wall_time_s\": 1.0}");
        try
        {
            Assert.Equal(0, CliRunner.Run("run", scenario, "--quiet").Exit);
            Assert.Equal(Path.GetFullPath(scenario), OutputDirectory.ResultsOf(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Run_MissingScenario_Exits2()
    {
        var (exit, _, err) = CliRunner.Run("run", "no/such/scenario.conf");
        Assert.Equal(2, exit);
        Assert.Contains("not found", err);
    }

    [Fact]
    public void Emulator_UnknownCommandOrOption_Exits2WithUsage()
    {
        Assert.Equal(2, CliRunner.Run("frobnicate").Exit);
        var (exit, _, err) = CliRunner.Run("run", RepoPaths.Scenario("quickstart"), "--fast");
        Assert.Equal(2, exit);
        Assert.Contains("usage", err);
    }
}
