using Emulator.Scenarios;

namespace Emulator.Core.Tests.Scenarios;

/// <summary>Scenarios built in code get the same checks as loaded ones.</summary>
public class ScenarioValidatorTests
{
    [Fact]
    public void A_loaded_scenario_is_valid_in_code_too()
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), []);
        ScenarioValidator.Validate(s);
    }

    [Fact]
    public void A_changed_scenario_is_refused_naming_the_given_source()
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), []);
        var bad = s with { Parallel = s.Parallel with { GlobalBatch = 60 } };
        var ex = Assert.Throws<ScenarioException>(() => ScenarioValidator.Validate(bad, "plan search"));
        Assert.StartsWith("plan search: parallel.global-batch = 60: global-batch must be a multiple of micro-batch*dp = 2*4 = 8", ex.Message);
    }

    [Fact]
    public void Typed_values_are_shown_in_base_units()
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), []);
        var bad = s with { Emulation = s.Emulation with { RdmaChunkBytes = 1024 } };
        var ex = Assert.Throws<ScenarioException>(() => ScenarioValidator.Validate(bad));
        Assert.StartsWith("scenario: emulation.rdma-chunk = 1024B: below the 4KiB minimum", ex.Message);
    }

    [Theory]
    [InlineData("fabric.kind=torus", "tree all-reduces run on fat trees only, and fabric.kind = torus links chips directly")]
    [InlineData("emulation.mirror-replicas=true", "a tree all-reduce needs every data-parallel replica live, and emulation.mirror-replicas = true mirrors them")]
    public void A_tree_all_reduce_is_refused_where_it_cannot_run(string other, string reason)
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["training.dp-algorithm=tree", other]));
        Assert.StartsWith($"--set {other}: {other.Replace("=", " = ", StringComparison.Ordinal)}: {reason}", ex.Message);
        // The later --set is blamed: the other order names the algorithm.
        ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), [other, "training.dp-algorithm=tree"]));
        Assert.StartsWith("--set training.dp-algorithm=tree: training.dp-algorithm = tree: ", ex.Message);
    }

    [Theory]
    [InlineData("0", "all-reduces gradients anyway")]
    [InlineData("2", "keeps the gradients sharded")]
    public void Whole_gradient_all_reduce_is_refused_outside_zero_stage_1(string stage, string reason)
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["training.all-reduce-sharded-grads=true", $"training.zero-stage={stage}"]));
        Assert.Contains("a whole-gradient all-reduce (training.all-reduce-sharded-grads) applies to zero-stage 1 only", ex.Message);
        Assert.Contains($"training.zero-stage = {stage}", ex.Message);
        Assert.Contains(reason, ex.Message);
    }

    [Theory]
    [InlineData("training.zero-stage=2", "runs at zero-stage 0 or 1 only")]
    [InlineData("training.overlap-grad-reduce=true", "cannot be reduced in buckets during it")]
    public void Cast_add_is_refused_where_DeepSpeed_never_runs_it(string other, string reason)
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["training.grad-accumulation=cast-add", other]));
        Assert.Contains(reason, ex.Message);
    }

    [Fact]
    public void Interleaving_a_non_multiple_of_pp_needs_a_microbatch_group_megatron_core_allows()
    {
        // quickstart: pp 4, 8 sequences per pipeline step, so global-batch 40 is 5 microbatches.
        string[] plan = ["parallel.virtual-stages=2", "parallel.global-batch=40"];
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), plan));
        Assert.Contains("5 microbatches in groups of 4 leave a last group of 1, fewer than pp = 4", ex.Message);
        Assert.Contains("microbatch-group = 5 (one group)", ex.Message);

        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), [.. plan, "parallel.microbatch-group=5"]);
        Assert.Equal(5, s.Parallel.MicroBatchGroup);
        Assert.Equal(4, ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), []).Parallel.MicroBatchGroup);
        Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), [.. plan, "parallel.microbatch-group=6"]));
        // Fewer microbatches than stages cannot be one group either: the message does not offer it.
        var few = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["parallel.virtual-stages=2", "parallel.global-batch=16"]));
        Assert.DoesNotContain("microbatch-group = 2", few.Message);
    }

    [Fact]
    public void A_wrong_microbatch_group_is_not_told_to_use_the_global_batch_it_has()
    {
        // quickstart: pp 4, global-batch 64 = 8 microbatches, already whole groups of pp: only the group of 3 is wrong, and 4 or 8 fit.
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["parallel.virtual-stages=2", "parallel.microbatch-group=3"]));
        Assert.Contains("microbatch groups of 3 are outside [pp = 4, microbatches = 8]", ex.Message);
        Assert.DoesNotContain("global-batch = 64", ex.Message);
        Assert.Contains("use e.g. microbatch-group = 4 or 8 (one group), or virtual-stages = 1", ex.Message);
        foreach (var group in new[] { "4", "8" })
            Assert.Equal(int.Parse(group), ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["parallel.virtual-stages=2", $"parallel.microbatch-group={group}"]).Parallel.MicroBatchGroup);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("-0.1")]
    public void A_collective_share_outside_zero_to_one_is_refused(string share)
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), [$"card.efficiency.collective-share={share}"]));
        Assert.Contains("card.efficiency.collective-share", ex.Message);
        Assert.Contains("must be in [0, 1)", ex.Message);
        Assert.Equal(0.222, ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), []).Card.CollectiveShare);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("-0.1")]
    public void A_network_collective_share_outside_zero_to_one_is_refused(string share)
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), [$"card.efficiency.collective-share-network={share}"]));
        Assert.Contains("card.efficiency.collective-share-network", ex.Message);
        Assert.Contains("must be in [0, 1)", ex.Message);
        // Unset, a group across nodes holds the in-node share.
        Assert.Equal(0.1, ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["hardware=a100-80g-jeanzay", "card.efficiency.collective-share=0.1"]).Card.NetworkCollectiveShare);
    }

    [Theory]
    [InlineData(1.5, null)]
    [InlineData(null, 1.0)]
    public void A_stage_presets_card_is_checked_as_the_main_one_is(double? share, double? network)
    {
        // A preset named only in cluster.stage-hardware was read but never range-checked: a share of 1 or more divided a
        // kernel's time by 1 - share <= 0 and the step failed inside the engine (an internal error, not exit 2).
        var s = ScenarioLoader.Load(RepoPaths.Scenario("hetero-a100-h100"), []);
        var odd = s.StageCards[2] with { CollectiveShare = share ?? s.StageCards[2].CollectiveShare, CollectiveShareNetwork = network ?? s.StageCards[2].CollectiveShareNetwork };
        var bad = s with { StageCards = s.StageCards.Select((c, i) => i == 2 ? odd : c).ToArray() };
        var ex = Assert.Throws<ScenarioException>(() => ScenarioValidator.Validate(bad));
        Assert.StartsWith($"cluster.stage-hardware item 3 ({odd.Name}): card.efficiency.collective-share{(network is null ? "" : "-network")} = ", ex.Message);
        Assert.Contains("must be in [0, 1)", ex.Message);
    }

    [Fact]
    public void A_torus_whose_axes_do_not_hold_the_job_is_refused()
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["fabric.kind=torus", "fabric.torus-dims=[4, 4]"]));
        Assert.StartsWith("--set fabric.torus-dims=[4, 4]: fabric.torus-dims = [4, 4]: the axes hold 4x4 = 16 chips but cluster.cards = 32", ex.Message);
    }

    [Theory]
    [InlineData("tpu-v5p-smoke")]   // its shape derived from the cards
    [InlineData("quickstart")]
    public void A_job_of_no_cards_is_refused_clearly(string scenario)
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario(scenario), ["cluster.cards=0"]));
        Assert.Contains("cluster.cards = 0: must be >= 1", ex.Message);
    }

    [Fact]
    public void A_torus_without_axes_takes_the_most_cube_like_shape()
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["fabric.kind=torus"]);
        Assert.True(s.Fabric.IsTorus);
        Assert.Equal(new[] { 2, 4, 4 }, s.Fabric.TorusDims);
    }
}
