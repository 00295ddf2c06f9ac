namespace Emulator.Engine.Tests;

/// <summary>Same scenario and seed, same bytes out, whatever the thread count.</summary>
public class DeterminismTests
{
    private static byte[] ResultOf(params string[] sets) => ResultOf(0, sets);

    /// <summary>result.json of the quickstart with these overrides, asserting the exit code.</summary>
    private static byte[] ResultOf(int expectedExit, params string[] sets)
    {
        var dir = RepoPaths.TempDir();
        var args = new List<string> { "run", RepoPaths.Scenario("quickstart"), "--out", dir, "--quiet" };
        foreach (var s in sets) args.AddRange(new[] { "--set", s });
        var (exit, _, err) = CliRunner.Run(args.ToArray());
        Assert.True(exit == expectedExit, $"exit {exit}: {err}");
        return File.ReadAllBytes(Path.Combine(dir, "result.json"));
    }

    [Fact]
    public void Quickstart_RunTwice_IdenticalResultJson()
    {
        Assert.Equal(ResultOf(), ResultOf());
    }

    [Fact]
    public void Quickstart_OneThreadVersusTwo_IdenticalResultJson()
    {
        Assert.Equal(ResultOf("emulation.threads=1"), ResultOf("emulation.threads=2"));
    }

    [Fact]
    public void InterleavedDistributedOptimizer_OneVersusThreeUnevenPartitions_IdenticalResultJson()
    {
        string[] plan = ["parallel.virtual-stages=2", "training.zero-stage=1", "training.recompute=full"];
        Assert.Equal(ResultOf([.. plan, "emulation.threads=1"]), ResultOf([.. plan, "emulation.threads=3"]));
    }

    [Fact]
    public void JaxRecomputeInterleaved_OneVersusThreePartitions_IdenticalResultJson()
    {
        // full-needed under sequence parallelism (a gather-only collective in recompute), TP chains reusing one message per group.
        string[] plan = ["parallel.virtual-stages=2", "training.recompute=full-needed", "training.sequence-parallel=true"];
        Assert.Equal(ResultOf([.. plan, "emulation.threads=1"]), ResultOf([.. plan, "emulation.threads=3"]));
    }

    [Theory]
    [InlineData("one-event")]
    [InlineData("ring")]
    public void AsyncBackwardTensorParallel_OneVersusThreePartitions_IdenticalResultJson(string tpCollectives)
    {
        // Backward's collectives started and awaited around a GEMM, with sequence parallelism (a blocking gather before each block).
        string[] plan = ["parallel.virtual-stages=2", "training.sequence-parallel=true", "training.overlap-tp-backward=true",
            $"emulation.tp-collectives={tpCollectives}"];
        Assert.Equal(ResultOf([.. plan, "emulation.threads=1"]), ResultOf([.. plan, "emulation.threads=3"]));
    }

    [Fact]
    public void ParallelLayersInMicrobatchGroups_OneVersusThreePartitions_IdenticalResultJson()
    {
        // 5 microbatches interleaved as one group of 5 on 4 stages; one tensor-parallel collective per layer, overlapped in backward.
        string[] plan = ["parallel.virtual-stages=2", "parallel.global-batch=40", "parallel.microbatch-group=5", "model.parallel-layers=true",
            "training.overlap-tp-backward=true"];
        Assert.Equal(ResultOf([.. plan, "emulation.threads=1"]), ResultOf([.. plan, "emulation.threads=3"]));
    }

    [Fact]
    public void OverlappedDistributedOptimizerInChunks_OneVersusThreePartitions_IdenticalResultJson()
    {
        // Buckets queued behind each other on every card, parameters gathered ahead of the forward, 16 MiB chunks (rdma-chunk auto)
        // taking turns at the NICs with the pipeline sends.
        string[] plan = ["parallel.virtual-stages=2", "training.zero-stage=1", "training.overlap-grad-reduce=true", "training.overlap-param-gather=true"];
        Assert.Equal(ResultOf([.. plan, "emulation.threads=1"]), ResultOf([.. plan, "emulation.threads=3"]));
    }

    [Fact]
    public void ContextParallelFsdpOverlapped_OneVersusTwoPartitions_IdenticalResultJson()
    {
        string[] plan = ["parallel.cp=2", "parallel.dp=2", "parallel.global-batch=32", "training.zero-stage=3", "training.overlap-grad-reduce=true"];
        Assert.Equal(ResultOf([.. plan, "emulation.threads=1"]), ResultOf([.. plan, "emulation.threads=2"]));
    }

    [Fact]
    public void TreeAllReduce_OneVersusTwoPartitions_IdenticalResultJson_AndDiffersFromRing()
    {
        string[] plan = ["parallel.tp=1", "parallel.pp=1", "parallel.dp=32", "parallel.global-batch=64", "training.sequence-parallel=false", "training.dp-algorithm=tree"];
        var tree = ResultOf([.. plan, "emulation.threads=1"]);
        Assert.Equal(tree, ResultOf([.. plan, "emulation.threads=2"]));
        Assert.NotEqual(tree, ResultOf([.. plan[..^1], "emulation.threads=1"]));
    }

    [Fact]
    public void TorusFabric_OneVersusTwoPartitions_IdenticalResultJson()
    {
        string[] plan = ["fabric.kind=torus", "parallel.tp=1", "parallel.pp=1", "parallel.dp=32", "parallel.global-batch=64", "training.sequence-parallel=false", "training.zero-stage=3"];
        Assert.Equal(ResultOf([.. plan, "emulation.threads=1"]), ResultOf([.. plan, "emulation.threads=2"]));
    }

    [Fact]
    public void TwoTorusSlices_OneVersusTwoPartitions_IdenticalResultJson()
    {
        string[] plan = ["fabric.kind=torus", "fabric.torus-dims=[4, 4]", "fabric.slices=2", "parallel.tp=1", "parallel.pp=1", "parallel.dp=32", "parallel.global-batch=64", "training.sequence-parallel=false", "training.zero-stage=3"];
        Assert.Equal(ResultOf([.. plan, "emulation.threads=1"]), ResultOf([.. plan, "emulation.threads=2"]));
        Assert.Equal(ResultOf([.. plan, "emulation.mirror-replicas=true", "emulation.threads=1"]), ResultOf([.. plan, "emulation.mirror-replicas=true", "emulation.threads=2"]));
    }

    [Fact]
    public void OomPlan_OneVersusFourPartitions_IdenticalResultJson()
    {
        string[] plan = ["model.layers=48", "model.hidden=8192", "model.heads=64", "model.ffn-hidden=32768"];
        Assert.Equal(ResultOf(3, [.. plan, "emulation.threads=1"]), ResultOf(3, [.. plan, "emulation.threads=4"]));
    }

    [Fact]
    public void MultiNodeStep_OneVersusTwoPartitions_SameStepTimeAndEvents()
    {
        var one = StepEmulation.Run(TestScenarios.With(tp: 2, pp: 2, dp: 8, threads: 1));
        var two = StepEmulation.Run(TestScenarios.With(tp: 2, pp: 2, dp: 8, threads: 2));
        Assert.Equal(1, one.Partitions);
        Assert.Equal(2, two.Partitions);
        Assert.True(two.Barriers > 0);
        Assert.Equal(one.StepTime, two.StepTime);
        Assert.Equal(one.Events, two.Events);
        Assert.Equal(one.PeakHbmBytes, two.PeakHbmBytes);
    }
}
