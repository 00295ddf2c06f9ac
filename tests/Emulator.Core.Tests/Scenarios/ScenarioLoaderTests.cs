using Emulator.Core.Specs;
using Emulator.Scenarios;

namespace Emulator.Core.Tests.Scenarios;

public class ScenarioLoaderTests
{
    [Fact]
    public void Quickstart_loads_with_its_preset_and_defaults()
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), []);

        Assert.Equal("quickstart", s.Name);
        Assert.StartsWith("1.3B GPT on 32 A100", s.Description);
        Assert.Equal("a100-80g-selene", s.Preset);
        Assert.Equal(32, s.Cards);
        Assert.Equal(4, s.Nodes);

        Assert.Equal(new CardSpec("A100-SXM4-80GB", 312e12, 5, 17_179_869_184L, new(3_262_400_000_000L), 400.0, 0.82, 128.0, 0.85, new(5_000_000L)) { CollectiveShare = 0.222, CollectiveShareNetwork = 0.148 }, s.Card);
        Assert.Equal(85_899_345_920L, s.Card.HbmCapacityBytes);
        Assert.Equal(16_312_000_000_000L, s.Card.HbmBandwidth.BitsPerSecond);
        Assert.Equal(new NodeSpec(8, new(2_400_000_000_000L), new(3_400_000L), 8, new(200_000_000_000L), new(12_800_000L), 0.77, 0.96), s.Node);
        Assert.Equal(new FabricSpec(3, new(200_000_000_000L), new(600_000L), 20, 20, 20, 20, true), s.Fabric);

        Assert.Equal(new ModelSpec("gpt-1.3b", 24, 2048, 16, 16, 8192, false, 51200, 2048), s.Model);
        Assert.Equal((2, 4, 4, 2, 64, "1f1b"), (s.Parallel.Tp, s.Parallel.Pp, s.Parallel.Dp, s.Parallel.MicroBatch, s.Parallel.GlobalBatch, s.Parallel.Schedule));
        Assert.Empty(s.Parallel.StageLayers);
        Assert.Equal(8, s.Parallel.MicroBatches);
        Assert.Equal(new TrainingSpec("bf16", Recompute.Selective, true, 0), s.Training);
        Assert.Equal(new EmulationSpec(1, EmulationSpec.WholeWrites, 1, 8), s.Emulation);
    }

    [Fact]
    public void Benchmark_scenario_loads()
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("gpt-20b-1024"), []);
        Assert.Equal(1024, s.Cards);
        Assert.Equal(128, s.Nodes);
        Assert.Equal(new ModelSpec("gpt-20b", 44, 6144, 48, 48, 24576, false, 51200, 2048), s.Model);
        Assert.Equal((8, 4, 32, 1, 512), (s.Parallel.Tp, s.Parallel.Pp, s.Parallel.Dp, s.Parallel.MicroBatch, s.Parallel.GlobalBatch));
        Assert.Equal(16, s.Parallel.MicroBatches);
    }

    [Fact]
    public void Tiny_scenario_loads()
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("selene-tiny"));
        Assert.Equal(8, s.Cards);
        Assert.Equal(1, s.Nodes);
        Assert.Equal(new ModelSpec("gpt-tiny", 4, 512, 8, 8, 2048, false, 1024, 256), s.Model);
        Assert.Equal((2, 2, 2, 1, 16), (s.Parallel.Tp, s.Parallel.Pp, s.Parallel.Dp, s.Parallel.MicroBatch, s.Parallel.GlobalBatch));
        Assert.Equal(Recompute.None, s.Training.Recompute);
    }

    [Fact]
    public void Set_overrides_beat_the_scenario_and_the_defaults()
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"),
            ["parallel.tp=4", "parallel.dp=2", "emulation.rdma-chunk=4MiB", "training.recompute=full", "card.efficiency.gemm = 0.7"]);
        Assert.Equal(4, s.Parallel.Tp);
        Assert.Equal(2, s.Parallel.Dp);
        Assert.Equal(4_194_304, s.Emulation.RdmaChunkBytes);
        Assert.Equal(Recompute.Full, s.Training.Recompute);
        Assert.Equal(0.7, s.Card.GemmEfficiency);
    }

    [Fact]
    public void Rdma_chunk_whole_sends_each_write_as_one_chunk()
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["emulation.rdma-chunk = Whole"]);
        Assert.Equal(EmulationSpec.WholeWrites, s.Emulation.RdmaChunkBytes);
    }

    [Theory]
    [InlineData(new string[0], EmulationSpec.WholeWrites)]
    [InlineData(new[] { "training.overlap-grad-reduce = true" }, EmulationSpec.SharedNicChunk)]
    [InlineData(new[] { "training.zero-stage = 1", "training.overlap-param-gather = true" }, EmulationSpec.SharedNicChunk)]
    [InlineData(new[] { "training.zero-stage = 3" }, EmulationSpec.SharedNicChunk)]
    [InlineData(new[] { "training.overlap-grad-reduce = true", "parallel.pp = 1", "parallel.dp = 16" }, EmulationSpec.WholeWrites)]
    [InlineData(new[] { "training.overlap-grad-reduce = true", "emulation.rdma-chunk = whole" }, EmulationSpec.WholeWrites)]
    public void Rdma_chunk_auto_cuts_writes_only_where_data_parallel_collectives_meet_pipeline_sends(string[] sets, long expected)
    {
        // The quickstart runs pp 4, dp 4 and leaves rdma-chunk at its default, auto.
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), sets);
        Assert.Equal(expected, s.Emulation.RdmaChunkBytes);
    }

    [Fact]
    public void Tp_collectives_run_as_one_event_unless_set_to_ring()
    {
        Assert.False(ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), []).Emulation.TpCollectiveRings);
        Assert.True(ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["emulation.tp-collectives=ring"]).Emulation.TpCollectiveRings);
    }

    [Fact]
    public void The_last_set_of_a_key_wins()
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["emulation.seed=5", "emulation.seed=7"]);
        Assert.Equal(7, s.Emulation.Seed);
    }

    [Fact]
    public void Set_accepts_lists()
    {
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["parallel.stage-layers=[5, 7, 7, 5]"]);
        Assert.Equal([5, 7, 7, 5], s.Parallel.StageLayers);
    }

    [Theory]
    [InlineData(512, 2, new[] { 16, 16 })]   // two whole v5e pods: two slices joined by the data-centre network
    [InlineData(256, 1, new[] { 16, 16 })]   // the preset's pod
    [InlineData(64, 1, new[] { 8, 8 })]      // a v5e-64 slice: the most balanced shape in the preset's two axes
    [InlineData(128, 1, new[] { 8, 16 })]
    public void A_presets_torus_axes_are_its_pod(int cards, int slices, int[] dims)
    {
        using var t = DataParallelJob("tpu-v5e", cards);
        var s = ScenarioLoader.Load(t.FilePath, []);
        Assert.Equal(slices, s.Fabric.Slices);
        Assert.Equal(dims, s.Fabric.TorusDims);
    }

    [Theory]
    [InlineData("tpu-v4", 6144, 2, 3072)]    // PaLM's two pods: a v4 slice holds at most 4,096 chips
    [InlineData("tpu-v4", 4096, 1, 4096)]    // one whole pod
    [InlineData("tpu-v4", 12288, 3, 4096)]
    [InlineData("tpu-v5p", 8192, 2, 4096)]   // above v5p's largest schedulable slice, 6,144
    public void A_job_above_the_presets_largest_slice_runs_as_the_fewest_slices_that_fit(string preset, int cards, int slices, int perSlice)
    {
        using var t = DataParallelJob(preset, cards);
        var s = ScenarioLoader.Load(t.FilePath, []);
        Assert.Equal(slices, s.Fabric.Slices);
        Assert.Equal(perSlice, s.Fabric.TorusDims.Aggregate(1, (a, d) => a * d));
    }

    [Fact]
    public void A_slice_above_the_presets_largest_is_refused_naming_the_limit()
    {
        using var t = DataParallelJob("tpu-v4", 6144, ("fabric.slices", "1"));
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(t.FilePath, []));
        Assert.Contains("a slice of 6144 chips exceeds the 4096 one slice may hold; set fabric.slices", e.Message);
    }

    [Theory]
    [InlineData(6144, 512, 1, 4096, 2)]
    [InlineData(4096, 512, 1, 4096, null)]   // fits one slice
    [InlineData(6144, 3, 1, 4096, 3)]        // three slices of 2,048
    [InlineData(8192, 3, 1, 4096, null)]     // no count divides both 8,192 and dp 3: left to the validator, not guessed
    [InlineData(6144, 6, 1, 4096, 2)]
    [InlineData(10000, 10000, 1, 4096, 4)]   // 3 does not divide 10,000
    [InlineData(8200, 8200, 1, 4096, 5)]     // 4 slices of 2,050 would split 4-chip hosts
    [InlineData(8192, 4096, 2, 4096, null)]  // slices carry data parallelism only: with pp 2 none is derived
    public void FewestSlices_DivideCardsReplicasAndHosts_AndFit(int cards, int dp, int pp, int podChips, int? expected) =>
        Assert.Equal(expected, ScenarioReader.FewestSlices(cards, dp, pp, 4, podChips));

    [Fact]
    public void A_pipelined_job_above_the_largest_slice_is_refused_naming_the_limit()
    {
        using var t = TempScenario.With([("hardware", "tpu-v4"), ("cluster.cards", "8192"), ("parallel.tp", "1"), ("parallel.pp", "2"),
            ("parallel.dp", "4096"), ("parallel.global-batch", "8192")]);
        Assert.Contains("a slice of 8192 chips exceeds the 4096 one slice may hold",
            Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(t.FilePath, [])).Message);
    }

    [Fact]
    public void Slices_and_node_keys_the_scenario_sets_are_kept()
    {
        using var t = DataParallelJob("tpu-v5e", 512, ("fabric.slices", "4"));
        var s = ScenarioLoader.Load(t.FilePath, []);
        Assert.Equal(4, s.Fabric.Slices);
        Assert.Equal([8, 16], s.Fabric.TorusDims);   // a slice of 128 chips

        using var half = DataParallelJob("a100-80g-selene", 4, ("node.nics", "2"));
        Assert.Equal(2, ScenarioLoader.Load(half.FilePath, []).Node.Nics);
    }

    [Fact]
    public void Torus_axes_the_scenario_sets_are_kept()
    {
        using var t = DataParallelJob("tpu-v5e", 64, ("fabric.torus-dims", "[4, 16]"));
        Assert.Equal([4, 16], ScenarioLoader.Load(t.FilePath, []).Fabric.TorusDims);
    }

    [Theory]
    [InlineData("a100-80g-selene", 4, 4, 4)]       // half a DGX: its 4 GPUs and their 4 rails
    [InlineData("a100-80g-selene", 1, 1, 1)]
    [InlineData("a100-80g-jeanzay", 1, 1, 1)]        // 4 links for 8 GPUs: one GPU's half a link rounds up to 1
    [InlineData("ascend-910c-cm384", 64, 64, 64)]  // part of a supernode, with its cards' share of the NICs
    public void A_job_on_part_of_one_node_runs_on_a_node_of_its_cards(string preset, int cards, int perNode, int nics)
    {
        using var t = DataParallelJob(preset, cards);
        var s = ScenarioLoader.Load(t.FilePath, []);
        Assert.Equal(perNode, s.Node.CardsPerNode);
        Assert.Equal(nics, s.Node.Nics);
    }

    [Theory]
    [InlineData("ascend-910b", 8, 7)]            // HCCS: a link to each of the server's seven other NPUs
    [InlineData("ascend-910b", 4, 7)]            // a job on half the server still has the server's links, three of them among its cards
    [InlineData("a100-80g-selene", 8, 0)]        // NVSwitch: a crossbar
    [InlineData("ascend-910c-cm384", 64, 0)]     // the UB plane is switched
    public void A_full_meshs_links_are_the_servers(string preset, int cards, int peers)
    {
        using var t = DataParallelJob(preset, cards);
        var node = ScenarioLoader.Load(t.FilePath, []).Node;
        Assert.Equal(peers, node.IntraMeshPeers);
        if (peers == 0) Assert.Equal(1.0, node.CollectiveBandwidthShare(2));
        else
        {
            Assert.Equal(1.0 / 7, node.CollectiveBandwidthShare(2), 12);
            Assert.Equal(3.0 / 7, node.CollectiveBandwidthShare(4), 12);
            Assert.Equal(1.0, node.CollectiveBandwidthShare(8));
        }
    }

    [Theory]
    [InlineData("ascend-910b", 0.61, 0.20)]       // PTO FlashAttention's cycle model: softmax and update over the cube's time at heads of 128
    [InlineData("ascend-910c-cm384", 0.61, 0.20)] // the same dav-c220 cores
    [InlineData("a100-80g-selene", 0.0, 0.0)]     // reference.conf: never vector-bound
    public void Attention_vector_shares_come_from_the_preset(string preset, double softmax, double update)
    {
        using var t = DataParallelJob(preset, 8);
        var card = ScenarioLoader.Load(t.FilePath, []).Card;
        Assert.Equal((softmax, update), (card.AttentionVectorSoftmax, card.AttentionVectorUpdate));
    }

    /// <summary>The valid scenario on <paramref name="preset"/> as a pure data-parallel job of <paramref name="cards"/> cards, one sequence each.</summary>
    private static TempScenario DataParallelJob(string preset, int cards, params (string Key, string? Value)[] more) =>
        TempScenario.With([("hardware", preset), ("cluster.cards", $"{cards}"), ("parallel.tp", "1"), ("parallel.pp", "1"),
            ("parallel.dp", $"{cards}"), ("parallel.global-batch", $"{cards}"), .. more]);

    [Fact]
    public void Scenario_keys_beat_preset_keys()
    {
        using var t = TempScenario.With(("node.nic.latency", "2us"), ("card.hbm.stack-bandwidth", "400GBps"));
        var s = ScenarioLoader.Load(t.FilePath, []);
        Assert.Equal(2_000_000L, s.Node.NicLatency.Ps);
        Assert.Equal(3_200_000_000_000L, s.Card.StackBandwidth.BitsPerSecond);
        Assert.Equal(312e12, s.Card.PeakFlops); // the rest still comes from the preset
    }

    [Fact]
    public void Nested_and_flat_keys_mean_the_same()
    {
        using var t = TempScenario.With(("model", "{ gated-mlp = true, kv-heads = 2 }"));
        var s = ScenarioLoader.Load(t.FilePath, []);
        Assert.True(s.Model.GatedMlp);
        Assert.Equal(2, s.Model.KvHeads);
        Assert.Equal(4, s.Model.Layers);
    }

    [Theory]
    [InlineData("parallel", "{ stage-layers = [1, 3] }")]     // blanks between the list and the brace
    [InlineData("parallel.stage-layers", "[1, 3] # first stage light")]
    public void A_list_followed_by_blanks_on_its_line_reads_as_the_list(string key, string value)
    {
        using var t = TempScenario.With((key, value));
        Assert.Equal([1, 3], ScenarioLoader.Load(t.FilePath, []).Parallel.StageLayers);
    }

    [Fact]
    public void Name_defaults_to_the_file_name_and_kv_heads_to_heads()
    {
        using var t = TempScenario.With(("name", null));
        var s = ScenarioLoader.Load(t.FilePath, []);
        Assert.Equal("x", s.Name);
        Assert.Equal(8, s.Model.KvHeads);
        Assert.Equal("gpt", s.Model.Name);
        Assert.Equal("", s.Description);
    }

    [Fact]
    public void Uneven_stage_layers_replace_the_even_split()
    {
        using var t = TempScenario.With(("model.layers", "5"), ("parallel.stage-layers", "[2, 3]"));
        var s = ScenarioLoader.Load(t.FilePath, []);
        Assert.Equal([2, 3], s.Parallel.StageLayers);
    }

    [Fact]
    public void Grouped_query_attention_with_fewer_kv_heads_than_tp_loads()
    {
        using var t = TempScenario.With(("model.kv-heads", "2"), ("parallel.tp", "4"), ("parallel.dp", "1"));
        var s = ScenarioLoader.Load(t.FilePath, []);
        Assert.Equal(2, s.Model.KvHeads);
    }

    [Fact]
    public void A_preset_next_to_the_scenarios_folder_is_found_by_name()
    {
        using var t = TempScenario.With(("hardware", "custom"));
        t.WritePreset("custom", File.ReadAllText(RepoPaths.Preset("a100-80g-selene")).Replace("312TFLOPS", "100TFLOPS"));
        var s = ScenarioLoader.Load(t.FilePath, []);
        Assert.Equal("custom", s.Preset);
        Assert.Equal(100e12, s.Card.PeakFlops);
    }

    [Fact]
    public void A_preset_path_is_relative_to_the_scenario()
    {
        using var t = TempScenario.With(("hardware", "\"../presets/mine.conf\""));
        t.WritePreset("mine", File.ReadAllText(RepoPaths.Preset("a100-80g-selene")).Replace("power = 400W", "power = 0.5kW"));
        var s = ScenarioLoader.Load(t.FilePath, []);
        Assert.Equal("mine", s.Preset);
        Assert.Equal(500.0, s.Card.PowerWatts);
    }

    [Fact]
    public void A_two_tier_fabric_needs_no_spine_up_ports()
    {
        using var t = TempScenario.With(("hardware", "two-tier"));
        var preset = File.ReadAllText(RepoPaths.Preset("a100-80g-selene")).Replace("tiers = 3", "tiers = 2");
        var spine = preset.IndexOf("spine {", StringComparison.Ordinal);
        preset = preset.Remove(spine, preset.IndexOf('}', spine) - spine + 1).Insert(spine, "spine { down-ports = 40 }");
        t.WritePreset("two-tier", preset);
        var s = ScenarioLoader.Load(t.FilePath, []);
        Assert.Equal(2, s.Fabric.Tiers);
        Assert.Equal(40, s.Fabric.SpineDownPorts);
        Assert.Equal(0, s.Fabric.SpineUpPorts);
    }

    [Fact]
    public void Card_node_and_fabric_may_be_written_inline_without_a_preset()
    {
        var preset = File.ReadAllText(RepoPaths.Preset("a100-80g-selene"));
        var scenario = string.Join("\n", TempScenario.Valid.Where(kv => kv.Key != "hardware").Select(kv => $"{kv.Key} = {kv.Value}"));
        using var t = TempScenario.FromText(scenario + "\n" + preset);
        var s = ScenarioLoader.Load(t.FilePath, []);
        Assert.Equal("", s.Preset);
        Assert.Equal(8, s.Node.CardsPerNode);
    }

    [Fact]
    public void Every_repo_scenario_loads()
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "hocon", "scenarios"), "*.conf"))
        {
            var s = ScenarioLoader.Load(file, []);
            Assert.Equal(s.Parallel.Cards, s.Cards);
        }
    }

    [Fact]
    public void JeanZayPreset_HasSelenesCard_AndItsOwnNetwork()
    {
        // The two presets describe the same A100 part; only the network differs (the card block is a copy, kept equal here), and
        // with it the share of the card a collective across nodes holds, which NCCL sizes by the NICs (unknown over Omni-Path).
        var selene = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), []);
        var jeanZay = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["hardware=a100-80g-jeanzay"]);

        Assert.Equal(selene.Card with { CollectiveShareNetwork = null }, jeanZay.Card);
        Assert.Equal(4, jeanZay.Node.Nics);
        Assert.NotEqual(selene.Node.NicBandwidth, jeanZay.Node.NicBandwidth);
    }
}
