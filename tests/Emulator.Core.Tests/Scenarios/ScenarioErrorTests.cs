using Emulator.Scenarios;

namespace Emulator.Core.Tests.Scenarios;

/// <summary>Every kind of bad input is refused before anything runs, with the file, the key, the value and a hint.</summary>
public class ScenarioErrorTests
{
    private static string Fails(params (string Key, string? Value)[] changes)
    {
        using var t = TempScenario.With(changes);
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(t.FilePath, []));
        Assert.StartsWith(t.FilePath + ": ", ex.Message);
        return ex.Message;
    }

    private static string FailsText(string text, out string path)
    {
        using var t = TempScenario.FromText(text);
        path = t.FilePath;
        return Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(t.FilePath, [])).Message;
    }

    private static void Has(string message, params string[] parts)
    {
        foreach (var p in parts) Assert.True(message.Contains(p, StringComparison.Ordinal), $"expected \"{p}\" in: {message}");
    }

    // ---- keys

    [Fact]
    public void Unknown_key_suggests_the_closest()
    {
        var m = Fails(("parallel.tpp", "2"));
        Has(m, "parallel.tpp = 2: unknown key; did you mean parallel.tp?");
    }

    [Fact]
    public void Right_key_in_the_wrong_section_is_suggested()
    {
        var m = Fails(("parallel.layers", "4"));
        Has(m, "parallel.layers = 4", "did you mean model.layers?");
    }

    [Fact]
    public void Misspelt_nested_key_is_suggested()
    {
        var m = Fails(("card.hbm.stack-bandwith", "400GBps"));
        Has(m, "card.hbm.stack-bandwith = 400GBps", "did you mean card.hbm.stack-bandwidth?");
    }

    [Fact]
    public void A_section_written_as_a_value_is_refused()
    {
        var m = FailsText("cluster = 8\n", out var path);
        Has(m, path, "cluster = 8", "cluster is a section", "cluster { ... } with keys cards");
    }

    [Theory]
    [InlineData("model = [1, 2]", "model = [1, 2]", "model is a section")]
    [InlineData("parallel = []", "parallel = []", "parallel is a section")]
    public void A_section_written_again_as_a_list_is_refused(string line, string shown, string said)
    {
        // Written after the section's keys: HOCON's later value is the list, which Akka's reader kept beside the section and
        // the loader dropped, so the file ran on the section's keys without a word (a value other than a list was refused).
        var text = string.Join("\n", TempScenario.Valid.Select(kv => $"{kv.Key} = {kv.Value}")) + "\n" + line + "\n";
        var m = FailsText(text, out var path);
        Has(m, path, shown, said);
    }

    [Fact]
    public void Missing_required_key_says_what_it_is()
    {
        var m = Fails(("model.layers", null));
        Has(m, "model.layers is missing", "Transformer layers", "e.g. model.layers = 24");
    }

    [Fact]
    public void Missing_hardware_key_without_a_preset_says_how_to_supply_it()
    {
        var m = Fails(("hardware", null));
        Has(m, "card.name is missing", "no hardware preset is named", "hardware = <preset>");
    }

    // ---- values

    [Fact]
    public void Misspelt_unit_names_key_value_and_units()
    {
        var m = Fails(("node.nic.bandwidth", "200Gpbs"));
        Has(m, "node.nic.bandwidth = 200Gpbs", "'200Gpbs' is not a bandwidth", "Gbps, Tbps, Bps");
    }

    [Fact]
    public void A_time_without_unit_is_refused()
    {
        var m = Fails(("node.nic.latency", "1.5"));
        Has(m, "node.nic.latency = 1.5", "has no unit", "ps, ns, us, ms, s");
    }

    [Fact]
    public void A_negative_time_is_refused()
    {
        var m = Fails(("fabric.link.latency", "-1us"));
        Has(m, "fabric.link.latency = -1us", "is negative");
    }

    [Fact]
    public void A_word_where_a_number_belongs_is_refused()
    {
        var m = Fails(("parallel.tp", "\"four\""));
        Has(m, "parallel.tp = four: not a whole number", "e.g. parallel.tp = 2");
    }

    [Fact]
    public void A_fraction_where_a_whole_number_belongs_is_refused()
    {
        var m = Fails(("model.layers", "4.5"));
        Has(m, "model.layers = 4.5: not a whole number");
    }

    [Fact]
    public void A_non_boolean_is_refused()
    {
        var m = Fails(("training.sequence-parallel", "maybe"));
        Has(m, "training.sequence-parallel = maybe", "write true or false");
    }

    [Fact]
    public void A_plain_number_with_a_unit_is_refused()
    {
        var m = Fails(("card.efficiency.gemm", "80%"));
        Has(m, "card.efficiency.gemm = 80%", "not a number", "e.g. card.efficiency.gemm = 0.80");
    }

    [Fact]
    public void A_scalar_where_a_list_belongs_is_refused()
    {
        var m = Fails(("parallel.stage-layers", "2"));
        Has(m, "parallel.stage-layers = 2: not a list", "[6, 6, 6, 6]");
    }

    [Fact]
    public void A_list_where_a_scalar_belongs_is_refused()
    {
        var m = Fails(("parallel.tp", "[2]"));
        Has(m, "parallel.tp = [2]: a list is not allowed here", "a whole number");
    }

    [Fact]
    public void A_number_too_large_for_32_bits_is_refused()
    {
        var m = Fails(("model.vocab", "99999999999"));
        Has(m, "model.vocab = 99999999999", "too large");
    }

    [Fact]
    public void A_list_item_past_32_bits_is_too_large_not_a_non_number()
    {
        var m = Fails(("parallel.stage-layers", "[4294967296, 1]"));
        Has(m, "parallel.stage-layers = [4294967296, 1]: '4294967296' is too large for a whole number here (at most 2147483647)");
        Has(Fails(("parallel.stage-layers", "[two, 2]")), "'two' is not a whole number");
    }

    [Theory]
    [InlineData("training.recompute", "partial", "none, selective, full")]
    [InlineData("training.precision", "fp4", "bf16, fp16, fp8")]
    [InlineData("parallel.schedule", "gpipe", "1f1b")]
    [InlineData("fabric.kind", "dragonfly", "fat-tree, torus")]
    public void Unknown_words_list_the_valid_ones(string key, string value, string valid)
    {
        var m = Fails((key, value));
        Has(m, $"{key} = {value}: not a valid value; choose one of {valid}");
    }

    [Theory]
    [InlineData("model.hidden", "0")]
    [InlineData("model.heads", "-8")]
    [InlineData("model.heads", "0")] // the head width hidden / heads was worked out for the message first: a DivideByZeroException, exit 1
    [InlineData("parallel.micro-batch", "0")]
    [InlineData("model.seq-len", "-1")]
    [InlineData("card.hbm.stacks", "0")]
    [InlineData("card.hbm.stack-capacity", "0B")]
    [InlineData("node.nics", "0")]
    [InlineData("emulation.threads", "0")]
    public void Zero_or_negative_sizes_are_refused(string key, string value)
    {
        var m = Fails((key, value));
        Has(m, $"{key} = {value}: must be >= 1");
    }

    [Theory]
    [InlineData("node.nic.bandwidth", "0Gbps", "must be > 0")]
    [InlineData("card.peak-flops", "0TFLOPS", "must be > 0")]
    [InlineData("card.power", "0W", "must be > 0")]
    [InlineData("node.intra.latency", "0us", "must be > 0")]
    [InlineData("card.efficiency.gemm", "1.2", "must be a fraction in (0, 1]")]
    [InlineData("card.efficiency.memory", "0", "must be a fraction in (0, 1]")]
    [InlineData("card.efficiency.gemm", "0.0001", "must be a fraction in (0, 1] of at least 0.001")]
    [InlineData("card.efficiency.gemm", "1e-300", "must be a fraction in (0, 1] of at least 0.001")]
    [InlineData("card.efficiency.gemm", "1e300", "must be a fraction in (0, 1]")]
    [InlineData("software.gemm-scale", "NaN", "not a number")]
    [InlineData("software.gemm-scale", "1e400", "beyond the range of numbers")]
    [InlineData("card.peak-flops", "1FLOPS", "must be at least 1GFLOPS")]
    [InlineData("node.nic.bandwidth", "1bps", "must be at least 1Mbps")]
    [InlineData("fabric.link.latency", "2s", "at most 1s")]
    [InlineData("card.efficiency.kernel-overhead", "1000000s", "at most 1s")]
    [InlineData("card.efficiency.attention", "0", "must be a fraction in (0, 1]")] // 0 is the spec's "unset": a written 0 ran as if absent
    [InlineData("card.efficiency.attention", "0.0", "must be a fraction in (0, 1]")]
    [InlineData("card.efficiency.attention", "-0.3", "must be a fraction in (0, 1]")]
    public void Zero_rates_and_efficiencies_out_of_range_are_refused(string key, string value, string hint)
    {
        var m = Fails((key, value));
        Has(m, $"{key} = {value}: {hint}");
    }

    [Theory]
    [InlineData("parallel..tp=4")]
    [InlineData(".parallel.tp=4")]
    public void A_set_key_with_an_empty_part_is_refused(string set)
    {
        using var t = TempScenario.With();
        var m = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(t.FilePath, [set])).Message;
        Has(m, $"--set {set}: ", "has an empty part between dots");
    }

    // ---- relations between keys

    [Fact]
    public void Plan_must_cover_every_card()
    {
        var m = Fails(("parallel.dp", "4"));
        Assert.EndsWith("x.conf: parallel.tp = 2: tp*pp*dp = 2*2*4 = 16 but cluster.cards = 8; choose tp, pp, dp whose product is 8", m);
    }

    [Fact]
    public void Cards_must_fill_whole_nodes()
    {
        var m = Fails(("cluster.cards", "12"), ("parallel.dp", "3"), ("parallel.global-batch", "12"));
        Has(m, "cluster.cards = 12: the job is made of whole nodes", "node.cards = 8 (from ", "a100-80g-selene.conf)", "use e.g. 8 or 16");
    }

    [Fact]
    public void Tensor_parallelism_must_fit_in_a_node()
    {
        var m = Fails(("cluster.cards", "16"), ("parallel.tp", "16"), ("parallel.pp", "1"), ("parallel.dp", "1"), ("model.heads", "16"));
        Has(m, "parallel.tp = 16: tensor parallelism stays inside one node", "node.cards = 8", "choose tp among 1, 2, 4, 8");
    }

    [Fact]
    public void Tensor_parallelism_must_divide_the_node()
    {
        var m = Fails(("cluster.cards", "24"), ("parallel.tp", "3"), ("parallel.pp", "1"), ("parallel.dp", "8"));
        Has(m, "parallel.tp = 3: tensor parallelism stays inside one node, so tp must divide node.cards = 8");
    }

    [Fact]
    public void Tensor_parallelism_on_a_torus_may_span_whole_hosts_only()
    {
        var ok = ScenarioLoader.Load(RepoPaths.Scenario("tpu-v5p-smoke"), ["parallel.tp=8", "parallel.dp=8", "parallel.global-batch=32"]);
        Assert.Equal(8, ok.Parallel.Tp);
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("tpu-v5p-smoke"),
            ["parallel.tp=8", "parallel.dp=12", "parallel.global-batch=48", "cluster.cards=96", "node.cards=12", "node.nics=12"]));
        Assert.Contains("tp must divide node.cards = 12 or be a multiple of it", e.Message);
    }

    [Fact]
    public void Slices_join_tori_only_and_carry_data_parallelism_only()
    {
        Has(Fails(("fabric.slices", "2")), "fabric.slices = 2: slices join tori over the data-centre network, and fabric.kind = fat-tree (from ", ") is one network");
        var two = ScenarioLoader.Load(RepoPaths.Scenario("tpu-v5p-smoke"),
            ["cluster.cards=128", "parallel.dp=128", "parallel.global-batch=512", "fabric.torus-dims=[4, 4, 4]", "fabric.slices=2"]);
        Assert.Equal([4, 4, 4, 2], two.Fabric.ChipDims);
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("tpu-v5p-smoke"),
            ["cluster.cards=128", "parallel.dp=128", "parallel.global-batch=512", "fabric.torus-dims=[4, 4, 8]", "fabric.slices=2"]));
        Assert.Contains("the axes hold 4x4x8 = 128 chips but a slice has cluster.cards / fabric.slices = 64", e.Message);
        e = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("tpu-v5p-smoke"),
            ["cluster.cards=128", "parallel.pp=2", "parallel.dp=64", "parallel.global-batch=256", "fabric.torus-dims=[4, 4, 4]", "fabric.slices=2"]));
        Assert.Contains("slices are data-parallel replicas here", e.Message);
        // Context-parallel ranks sit inside dp: with dp 1 a context-parallel group would span the slices.
        e = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("tpu-v5p-smoke"),
            ["parallel.tp=16", "parallel.cp=4", "parallel.dp=1", "parallel.global-batch=4", "fabric.torus-dims=[4, 2, 2]", "fabric.slices=4"]));
        Assert.Contains("context-parallel groups stay inside a slice", e.Message);
        e = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("tpu-v5p-smoke"),
            ["cluster.cards=128", "parallel.dp=128", "parallel.global-batch=512", "fabric.slices=3"]));
        Assert.Contains("cluster.cards must be a multiple of fabric.slices", e.Message);
        e = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("tpu-v5p-smoke"),
            ["cluster.cards=512", "parallel.dp=512", "parallel.global-batch=2048", "fabric.torus-dims=[2, 2, 2, 2, 2, 2, 2, 2]", "fabric.slices=2"]));
        Assert.Contains("9 axes of 2 or more chips", e.Message);
    }

    [Fact]
    public void A_shard_group_must_divide_the_ranks_fall_on_their_dimensions_and_shard_something()
    {
        string[] fsdp = ["parallel.tp=1", "parallel.pp=1", "parallel.dp=32", "training.zero-stage=3"];
        Assert.Equal(8, ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), [.. fsdp, "training.zero-shard-group=8"]).ZeroShards);
        string Refused(params string[] sets) => Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), sets)).Message;
        Assert.Contains("choose a divisor of 32", Refused([.. fsdp, "training.zero-shard-group=12"]));
        Assert.Contains("a shard group applies to sharded state", Refused("training.zero-shard-group=2"));
        Assert.Contains("set mirror-replicas = false", Refused([.. fsdp, "training.zero-shard-group=8", "emulation.mirror-replicas=true"]));
        Assert.Contains("use dp-algorithm = ring", Refused("parallel.tp=1", "parallel.pp=1", "parallel.dp=32", "training.zero-stage=1",
            "training.all-reduce-sharded-grads=true", "training.dp-algorithm=tree", "training.zero-shard-group=8"));
        // Eight 2-chip torus axes are the most a collective runs; splitting the first for a group of 2 would make nine.
        var nine = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("tpu-v5p-smoke"),
            ["cluster.cards=512", "parallel.dp=512", "parallel.global-batch=2048", "fabric.torus-dims=[4, 2, 2, 2, 2, 2, 2, 2]", "training.zero-shard-group=2"]));
        Assert.Contains("9 ring dimensions", nine.Message);
        // 2 x 16 ranks (two-card tp groups on 8-card nodes: 4 replicas a node, 8 nodes): 8 is two whole nodes, 2 half of one.
        string[] tp2 = ["parallel.tp=2", "parallel.pp=1", "parallel.dp=16", "training.zero-stage=1"];
        Assert.Equal(8, ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), [.. tp2, "training.zero-shard-group=8"]).ZeroShards);
        Assert.Equal(2, ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), [.. tp2, "training.zero-shard-group=2"]).ZeroShards);
    }

    [Fact]
    public void A_set_head_width_frees_hidden_from_being_a_multiple_of_heads()
    {
        Has(Fails(("model.hidden", "1001")), "or set model.head-dim");
        var s = ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["model.hidden=1001", "model.head-dim=128"]);
        Assert.Equal(128, s.Model.HeadDim);
        Assert.Equal(128 * s.Model.Heads, s.Model.AttentionWidth);
        Has(Fails(("model.head-dim", "0")), "model.head-dim = 0");
    }

    [Fact]
    public void Layers_must_split_evenly_over_stages()
    {
        var m = Fails(("model.layers", "5"));
        Has(m, "model.layers = 5: layers must split evenly over the pipeline stages, parallel.pp = 2", "choose pp among 1, 5", "parallel.stage-layers");
    }

    [Fact]
    public void More_stages_than_layers_is_not_offered_stage_layers()
    {
        // 4 layers on 8 stages: no list of 8 entries of at least 1 sums to 4, so the message no longer suggests one.
        var m = Fails(("parallel.pp", "8"), ("parallel.dp", "1"), ("cluster.cards", "16"));
        Has(m, "parallel.pp = 8 stages for 4 layers: every stage needs at least one layer; choose pp among 1, 2, 4");
        Assert.DoesNotContain("stage-layers", m);
    }

    [Fact]
    public void Stage_layers_need_one_entry_per_stage()
    {
        var m = Fails(("parallel.stage-layers", "[1, 1, 2]"));
        Has(m, "parallel.stage-layers = [1, 1, 2]: 3 entries but parallel.pp = 2");
    }

    [Fact]
    public void Stage_layers_need_a_layer_per_stage()
    {
        var m = Fails(("parallel.stage-layers", "[0, 4]"));
        Has(m, "parallel.stage-layers = [0, 4]: stage 0 has 0 layers; every stage needs at least 1");
    }

    [Fact]
    public void Stage_layers_must_sum_to_the_layers()
    {
        var m = Fails(("parallel.stage-layers", "[1, 2]"));
        Has(m, "parallel.stage-layers = [1, 2]: the stages hold 3 layers but model.layers = 4; the entries must sum to 4");
    }

    [Fact]
    public void Heads_must_split_over_tp()
    {
        var m = Fails(("model.hidden", "520"), ("model.heads", "5"));
        Has(m, "model.heads = 5: heads must be divisible by parallel.tp = 2", "choose tp among 1");
    }

    [Fact]
    public void Hidden_must_split_over_heads()
    {
        var m = Fails(("model.hidden", "500"));
        Has(m, "model.hidden = 500: hidden must be a multiple of model.heads = 8", "hidden = 496 or 504");
    }

    [Fact]
    public void Kv_heads_must_divide_heads()
    {
        var m = Fails(("model.kv-heads", "3"));
        Has(m, "model.kv-heads = 3: kv-heads must divide model.heads = 8", "choose one of 1, 2, 4, 8");
    }

    [Fact]
    public void Kv_heads_at_least_tp_must_split_over_tp()
    {
        var m = Fails(("model.hidden", "768"), ("model.heads", "12"), ("model.kv-heads", "6"), ("parallel.tp", "4"), ("parallel.dp", "1"));
        Has(m, "model.kv-heads = 6: kv-heads >= tp must be a multiple of parallel.tp = 4");
    }

    [Fact]
    public void Tp_must_be_a_multiple_of_fewer_kv_heads()
    {
        var m = Fails(("model.hidden", "768"), ("model.heads", "12"), ("model.kv-heads", "3"), ("parallel.tp", "4"), ("parallel.dp", "1"));
        Has(m, "model.kv-heads = 3: with fewer kv-heads than tp, parallel.tp = 4 must be a multiple of kv-heads");
    }

    [Fact]
    public void Global_batch_must_be_whole_microbatches_per_replica()
    {
        var m = Fails(("parallel.global-batch", "15"));
        Has(m, "parallel.global-batch = 15: global-batch must be a multiple of micro-batch*dp = 1*2 = 2", "global-batch = 14 or 16");
    }

    // ---- fabric and emulation

    [Fact]
    public void Fabric_tiers_are_two_or_three()
    {
        var m = Fails(("fabric.tiers", "4"));
        Has(m, "fabric.tiers = 4", "write 2 or 3");
    }

    [Theory]
    [InlineData("fabric.leaf.down-ports")]
    [InlineData("fabric.leaf.up-ports")]
    [InlineData("fabric.spine.down-ports")]
    [InlineData("fabric.spine.up-ports")]
    public void Every_switch_side_needs_a_port(string key)
    {
        var m = Fails((key, "0"));
        Has(m, $"{key} = 0: must be >= 1", "cannot connect the job");
    }

    [Fact]
    public void A_two_tier_fabric_whose_spines_cannot_reach_every_leaf_is_refused()
    {
        // One node's 8 rails on a rail-optimized fabric take 8 leaves; a 2-tier spine has a down-port per leaf, here 4. This
        // was found only when the fabric was built, as an internal error (exit 1), e.g. quickstart on a100-80g-jeanzay at 4,096 cards.
        var m = Fails(("fabric.tiers", "2"), ("fabric.spine.down-ports", "4"));
        Has(m, "fabric.spine.down-ports = 4", "2-tier fabric", "1 node x 8 NICs", "8 leaf switches", "fabric.tiers = 3", "fabric.spine.down-ports >= 8");
    }

    [Fact]
    public void Rdma_chunks_below_4KiB_are_refused()
    {
        var m = Fails(("emulation.rdma-chunk", "2KiB"));
        Has(m, "emulation.rdma-chunk = 2KiB: below the 4KiB minimum", "RDMA MTU");
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("17")]
    public void Metric_cross_entropies_are_a_small_count(string count)
    {
        var m = Fails(("training.metric-cross-entropies", count));
        Has(m, "training.metric-cross-entropies", "must be 0 (none) to 16");
    }

    [Theory]
    [InlineData("training.optimizer", "eager-adamw", "0", "set optimizer = fused-adam, or zero-stage = 3")]
    [InlineData("training.optimizer", "eager-adamw", "2", "set optimizer = fused-adam, or zero-stage = 3")]
    [InlineData("training.fsdp-gradient-passes", "true", "0", "set fsdp-gradient-passes = false, or zero-stage = 3")]
    [InlineData("training.fsdp-gradient-passes", "true", "1", "set fsdp-gradient-passes = false, or zero-stage = 3")]
    [InlineData("training.fsdp2-copies", "true", "2", "set fsdp2-copies = false, or zero-stage = 3")]
    [InlineData("training.fsdp-root-hooks", "true", "2", "set fsdp-root-hooks = false, or zero-stage = 3")]
    [InlineData("training.fsdp-shard-passes", "true", "1", "set fsdp-shard-passes = false, or zero-stage = 3")]
    public void Pytorch_fsdp_settings_need_fully_sharded_parameters(string key, string value, string zero, string fix)
    {
        var m = Fails((key, value), ("training.zero-stage", zero));
        Has(m, key, "does not shard the parameters", fix);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("selective")]
    public void Recompute_layers_need_whole_layer_recomputation(string recompute)
    {
        var m = Fails(("training.recompute-layers", "2"), ("training.recompute", recompute));
        Has(m, "training.recompute-layers", "recomputes no whole layers", "set recompute = full (or full-needed), or remove recompute-layers");
    }

    [Fact]
    public void Recompute_layers_are_not_negative() =>
        Has(Fails(("training.recompute-layers", "-1"), ("training.recompute", "full")), "training.recompute-layers", "must be 0 or more");

    [Fact]
    public void Unfused_softmax_needs_unfused_attention() =>
        Has(Fails(("training.softmax", "fp32-fallback"), ("training.flash-attention", "true")),
            "training.softmax", "training.flash-attention", "set softmax = fused, or flash-attention = false");

    [Fact]
    public void A_later_flash_attention_override_sets_the_softmax_rule_aside()
    {
        using var t = TempScenario.With(("training.softmax", "bigscience-2022-02"));
        Assert.True(ScenarioLoader.Load(t.FilePath, ["training.flash-attention=true"]).Training.FlashAttention);
    }

    [Theory]
    [InlineData("card.efficiency.attention-vector-softmax", "-0.1")]
    [InlineData("card.efficiency.attention-vector-update", "11")]
    public void Attention_vector_shares_are_bounded(string key, string value) =>
        Has(Fails((key, value)), key + " = " + value, "must be in [0, 10]");

    [Fact]
    public void A_microbatch_group_without_interleaving_is_refused() =>
        Has(Fails(("parallel.microbatch-group", "4")), "parallel.microbatch-group = 4: groups of microbatches belong to the interleaved schedule");

    [Theory]
    [InlineData("fabric.dcn-latency", "20us")]
    [InlineData("fabric.torus-dims", "[2, 4]")]
    public void Torus_keys_on_a_fat_tree_are_refused(string key, string value) =>
        Has(Fails((key, value)), key + " = ", "a torus key, and fabric.kind = fat-tree has switches", "remove it, or set fabric.kind = torus");

    [Theory]
    [InlineData("fabric.tiers", "3")]
    [InlineData("fabric.rail-optimized", "true")]
    [InlineData("fabric.leaf.up-ports", "8")]
    public void Fat_tree_keys_on_a_torus_are_refused(string key, string value) =>
        Has(Fails(("hardware", "tpu-v5p"), (key, value)), key + " = ", "a fat tree's key, and fabric.kind = torus links chips directly");

    [Fact]
    public void Fused_rope_and_eager_llama_ops_are_not_both_set() =>
        Has(Fails(("training.fused-rope", "true"), ("training.eager-llama-ops", "true")), "training.fused-rope", "training.eager-llama-ops", "set one to false");

    [Fact]
    public void A_qkv_only_bias_beside_every_layers_biases_is_refused() =>
        Has(Fails(("model.qkv-bias", "true"), ("model.linear-biases", "true")), "model.qkv-bias", "model.linear-biases", "set one to false");

    [Fact]
    public void Qkv_views_need_the_fused_attention()
    {
        var message = Fails(("training.qkv-views", "true"), ("training.flash-attention", "false"));
        Has(message, "training.qkv-views", "training.flash-attention = false runs the attention unfused");
        Assert.DoesNotContain("= false = false", message, StringComparison.Ordinal); // the key's value is quoted once
    }

    [Fact]
    public void Qkv_views_and_eager_backward_passes_are_not_both_set() =>
        Has(Fails(("training.qkv-views", "true"), ("training.flash-attention", "true"), ("training.eager-backward-passes", "true")),
            "training.qkv-views", "training.eager-backward-passes", "set one to false");

    [Fact]
    public void Fused_rope_on_an_alibi_model_is_refused() =>
        // The two position schemes exclude each other: a row whose rope column said true beside alibi true ran both.
        Has(Fails(("training.fused-rope", "true"), ("model.alibi", "true")), "training.fused-rope", "model.alibi = true", "a model uses one of them");

    [Fact]
    public void Fsdp_shard_passes_bring_their_own_accumulation()
    {
        var m = Fails(("training.fsdp-shard-passes", "true"), ("training.grad-accumulation", "add"), ("training.zero-stage", "3"));
        Has(m, "training.fsdp-shard-passes", "training.grad-accumulation", "set grad-accumulation = fused, or fsdp-shard-passes = false");
    }

    [Fact]
    public void Fsdp2_copies_and_fsdp1_passes_are_not_both_set()
    {
        var m = Fails(("training.fsdp2-copies", "true"), ("training.fsdp-gradient-passes", "true"), ("training.zero-stage", "3"));
        Has(m, "training.fsdp2-copies", "training.fsdp-gradient-passes", "set one to false");
    }

    [Fact]
    public void Runtime_memory_is_a_size()
    {
        var m = Fails(("software.runtime-memory", "1.5"));
        Has(m, "software.runtime-memory", "1.5");
    }

    [Fact]
    public void Runtime_memory_beyond_any_card_is_refused_before_it_wraps_the_card_sum()
    {
        var m = Fails(("software.runtime-memory", "9223372036854775807B"));
        Has(m, "software.runtime-memory", "at most 1024TiB", "check the unit");
    }

    [Theory]
    [InlineData("card.hbm.stacks", "65", "at most 64")]
    [InlineData("card.hbm.stack-capacity", "2000000TiB", "at most 1TiB")]
    public void Hbm_beyond_any_card_is_refused_before_its_capacity_wraps(string key, string value, string why)
    {
        var m = Fails((key, value));
        Has(m, key, value, why);
    }

    [Theory]
    [InlineData("0", "keeps the whole optimizer state on every rank anyway")]
    [InlineData("2", "shards more than the optimizer")]
    [InlineData("3", "shards more than the optimizer")]
    public void Whole_master_weights_belong_to_zero_stage_1(string zero, string why)
    {
        var m = Fails(("training.whole-master-weights", "true"), ("training.zero-stage", zero));
        Has(m, "training.whole-master-weights", why, "set training.whole-master-weights = false, or zero-stage = 1");
    }

    [Theory]
    [InlineData("0", "keeps whole parameters on every rank")]
    [InlineData("3", "gathers each layer's parameters before every use anyway")]
    public void An_overlapped_parameter_gather_needs_the_distributed_optimizer(string zero, string why)
    {
        var m = Fails(("training.overlap-param-gather", "true"), ("training.zero-stage", zero));
        Has(m, "training.overlap-param-gather", why, "set overlap-param-gather = false, or zero-stage 1 or 2");
    }

    [Fact]
    public void Deferred_output_wgrads_are_a_count_of_microbatches_and_megatrons()
    {
        Has(Fails(("training.deferred-output-wgrads", "-1")), "training.deferred-output-wgrads = -1: must be 0 or more");
        Has(Fails(("training.deferred-output-wgrads", "4"), ("training.zero-stage", "3")), "set deferred-output-wgrads = 0");
        Has(Fails(("training.deferred-output-wgrads", "4"), ("parallel.pp", "1")), "fill a pipeline's drain", "set deferred-output-wgrads = 0");
    }

    [Fact]
    public void Fp8_needs_a_card_with_fp8_figures()
    {
        // The base scenario's A100 has no FP8 units.
        var m = Fails(("training.precision", "fp8"));
        Has(m, "training.precision", "card.peak-fp8-flops, card.efficiency.gemm-fp8, card.efficiency.gemm-fp8-half-dim", "or train in bf16");
        m = Fails(("training.precision", "fp8"), ("card.peak-fp8-flops", "624TFLOPS"));
        Has(m, "has no card.efficiency.gemm-fp8, card.efficiency.gemm-fp8-half-dim:");
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(m, "training.precision = fp8"));
    }

    [Theory]
    [InlineData("training.precision", "fp16", "has 2-byte gradients anyway")]
    [InlineData("training.grad-accumulation", "cast-add", "keeps fp32 gradients beside the bf16 ones")]
    [InlineData("training.keep-low-precision-grads", "true", "bf16 gradients beside fp32 ones")]
    public void Half_precision_grads_are_bf16_trainings_alone_and_not_deepspeeds(string key, string value, string why)
    {
        var m = Fails(("training.half-precision-grads", "true"), (key, value));
        Has(m, "training.half-precision-grads", key, why, "set half-precision-grads = false");
    }

    [Fact]
    public void Userbuffers_need_sequence_parallelism_and_serial_layers()
    {
        var m = Fails(("training.overlap-tp-forward", "true"), ("training.sequence-parallel", "false"), ("parallel.tp", "2"));
        Has(m, "training.overlap-tp-forward", "set sequence-parallel = true, or overlap-tp-forward = false");
        m = Fails(("training.overlap-tp-forward", "true"), ("training.sequence-parallel", "true"), ("model.parallel-layers", "true"));
        Has(m, "model.parallel-layers", "one collective a pass");
    }

    [Fact]
    public void Megatron_2021_interleaving_takes_microbatches_pp_at_a_time()
    {
        // 6/(1*2) = 3 microbatches on 2 stages: Megatron-LM's interleaving refused them; Megatron-core's groups run them (one group of 3).
        var m = Fails(("parallel.schedule", "1f1b-megatron-2021"), ("parallel.virtual-stages", "2"), ("parallel.global-batch", "6"));
        Has(m, "parallel.schedule = 1f1b-megatron-2021", "a multiple of pp", "global-batch = 4 or 8", "schedule = 1f1b with microbatch groups");
        m = Fails(("parallel.schedule", "1f1b-megatron-2021"), ("parallel.virtual-stages", "2"), ("parallel.global-batch", "6"), ("parallel.microbatch-group", "3"));
        Has(m, "microbatch groups came with Megatron-core's later schedule", "remove microbatch-group, or set schedule = 1f1b");
    }

    [Fact]
    public void Megatron_layer_passes_need_a_serial_layer()
    {
        var m = Fails(("training.megatron-layer-passes", "true"), ("model.parallel-layers", "true"));
        Has(m, "training.megatron-layer-passes", "model.parallel-layers", "set megatron-layer-passes = false");
    }

    // ---- sizes this machine cannot emulate

    [Theory]
    [InlineData("cluster.cards", "262144", "at most 131072", "24 GiB")]
    [InlineData("model.layers", "5000", "at most 4096", "deepest")]
    [InlineData("model.hidden", "300000", "at most 262144", "64 bits")]
    [InlineData("model.seq-len", "2000000", "at most 1048576", "seq-len²")]
    [InlineData("model.vocab", "5000000", "at most 4194304", "tokenizers")]
    [InlineData("emulation.threads", "65", "at most 64", "2 cores")]
    [InlineData("emulation.trace-cards", "2000", "at most 1024", "trace.json")]
    public void Absurd_sizes_name_the_limit_and_why(string key, string value, string limit, string why)
    {
        var m = Fails((key, value));
        Has(m, $"{key} = {value}: {limit} is supported: ", why);
    }

    [Fact]
    public void Too_many_microbatches_per_pipeline_are_refused()
    {
        var m = Fails(("parallel.global-batch", "200000"));
        Has(m, "parallel.global-batch = 200000", "100000 microbatches per pipeline per step, above the limit of 65536", "raise micro-batch");
    }

    // ---- files

    [Fact]
    public void Missing_preset_lists_the_available_ones()
    {
        var m = Fails(("hardware", "nosuch"));
        Has(m, "hardware = nosuch: no preset nosuch.conf found", "available presets: ", "a100-80g-selene");
    }

    [Fact]
    public void Missing_preset_path_is_refused()
    {
        var m = Fails(("hardware", "\"../presets/gone.conf\""));
        Has(m, "hardware = ../presets/gone.conf: preset file", "does not exist", "a100-80g-selene");
    }

    [Fact]
    public void A_preset_may_only_set_hardware()
    {
        using var t = TempScenario.With(("hardware", "bad"));
        var preset = t.WritePreset("bad", File.ReadAllText(RepoPaths.Preset("a100-80g-selene")) + "\nmodel.layers = 4\n");
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(t.FilePath, []));
        Has(ex.Message, "bad.conf: model.layers = 4: a hardware preset may only set card, node and fabric keys");
    }

    [Fact]
    public void A_bad_value_in_a_preset_names_the_preset()
    {
        using var t = TempScenario.With(("hardware", "typo"));
        t.WritePreset("typo", File.ReadAllText(RepoPaths.Preset("a100-80g-selene")).Replace("407.8GBps", "407.8GBs"));
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(t.FilePath, []));
        Has(ex.Message, "typo.conf: card.hbm.stack-bandwidth = 407.8GBs: '407.8GBs' is not a bandwidth");
        Assert.EndsWith("typo.conf", ex.Origin);
        Assert.Equal("card.hbm.stack-bandwidth", ex.Key);
    }

    [Fact]
    public void Missing_scenario_file_is_refused()
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load("no/such/scenario.conf", []));
        Has(ex.Message, "no/such/scenario.conf: scenario file not found");
    }

    [Fact]
    public void A_directory_given_as_the_scenario_asks_for_the_file_in_it()
    {
        var dir = Directory.CreateTempSubdirectory().FullName;
        try
        {
            var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(dir, []));
            Has(ex.Message, dir + ": is a directory, not a scenario file; name the file");
        }
        finally { Directory.Delete(dir); }
    }

    [Fact]
    public void A_null_value_is_refused_rather_than_read_as_empty()
    {
        var m = FailsText("model.layers = null\n", out var path);
        Has(m, path + ": model.layers = null: null is not a value here");
    }

    [Fact]
    public void A_null_list_item_is_refused_by_position()
    {
        var m = FailsText("cluster.stage-hardware = [a100-80g-selene, null]\n", out var path);
        Has(m, path + ": cluster.stage-hardware item 2 is null: null is not a value here");
    }

    [Theory]
    [InlineData("model { layers = 4\n", "line 1: '{' is never closed")]
    [InlineData("model.layers = 4 }\n", "line 1: '}' closes nothing")]
    [InlineData("name = \"x\ncluster.cards = 8\n", "line 1: a quoted string is not closed")]
    [InlineData("a = [1, 2}\n", "'}' closes the '[' opened on line 1")]
    [InlineData("cluster.cards = ${x}\n", "substitutions")]
    [InlineData("include \"other.conf\"\n", "include is not supported")]
    [InlineData("x = 1\nemulation.trace-cards += 1\n", "line 2: += (append to a list) is not supported in scenarios; write the whole value with =")]
    [InlineData("cluster cards\n", "'cluster cards' has no value")]
    [InlineData("x = 1\ncluster { cards = 1,024 }\n", "line 2: 1,024 is not a number HOCON can read (a comma ends a field there); write it without separators, 1024")]
    [InlineData("card.efficiency.gemm: 0,85\n", "0,85 is not a number HOCON can read", "or with a decimal point, 0.85")]
    // Akka's parser reads on past a line end where HOCON ends a field, joining the next line into a key no one wrote.
    [InlineData("hardware a100-80g-selene\n\ncluster.cards = 8\n", "line 1: 'hardware a100-80g-selene' has no value: a key and its value need '=' (or ':') between them; write e.g. hardware = a100-80g-selene")]
    [InlineData("model {\n  layers =\n  hidden = 512\n}\n", "line 2: 'layers' has no value (the line ends after its '='); write the value on the key's line, layers = <value>")]
    [InlineData("model {\n  layers = # forgot\n}\n", "line 2: 'layers' has no value (the line ends after its '=')")]
    [InlineData("model {\n  layers = 4\n  hidden\n  heads = 8\n}\n", "line 3: 'hidden' has no value (the line ends); write hidden = <value>, or hidden { ... } for a section")]
    [InlineData("model {\n  layers == 4\n}\n", "line 2: 'layers' is followed by a second '='")]
    [InlineData("x = 1\n  = 4\ny = 2\n", "line 2: '=' has no key before it")]
    [InlineData("x = 1\ny = 2,,\n", "at line 2: Unknown token at position")]
    [InlineData("model {\n  layers = 4 hidden = 512\n}\n", "line 2: the value of 'layers' holds an unquoted '='; put the next field on a line of its own or after a comma")]
    public void Hocon_syntax_errors_name_the_file(string text, string problem, string? more = null)
    {
        var m = FailsText(text, out var path);
        Has(m, path + ": HOCON syntax error", problem, more ?? problem);
    }

    [Fact]
    public void A_field_may_go_on_over_a_line_end_where_HOCON_lets_it()
    {
        // An object's brace below its key, a value or a list below its '=': Akka's parser reads them as written, and so does the scan.
        var text = string.Join("\n", TempScenario.Valid.Select(kv => $"{kv.Key} = {kv.Value}")) + "\n";
        text = text.Replace("model.layers = 4", "model # the shape\n{\n  layers =\n    4\n}")
            .Replace("parallel.tp = 2", "parallel.tp = # two\n  2\nparallel.stage-layers =\n  [\n    1,\n    3\n  ]");
        using var t = TempScenario.FromText(text);
        var s = ScenarioLoader.Load(t.FilePath, []);
        Assert.Equal(4, s.Model.Layers);
        Assert.Equal(2, s.Parallel.Tp);
        Assert.Equal([1, 3], s.Parallel.StageLayers);
    }

    // ---- overrides

    [Theory]
    // Each check relates two keys, and the --set that broke it changed the other one: the error named the file's key instead.
    [InlineData("hetero-a100-h100", new[] { "parallel.pp=2", "parallel.dp=8" }, "--set parallel.pp=2: parallel.pp = 2: cluster.stage-hardware names 4 presets for 2 pipeline stages")]
    [InlineData("hetero-a100-h100", new[] { "node.cards=16" }, "--set node.cards=16: node.cards = 16: a stage spans tp*cp*dp = 2*1*4 = 8 cards, not a whole number of 16-card nodes")]
    [InlineData("selene-tiny", new[] { "training.zero-stage=1", "training.zero-shard-group=2", "parallel.pp=4", "parallel.dp=1", "model.layers=8" },
        "--set parallel.dp=1: parallel.dp = 1: the 1 data-parallel ranks (dp*cp) must split into whole shard groups")]
    [InlineData("tpu-v5p-smoke", new[] { "fabric.torus-dims=[4, 4, 4]", "cluster.cards=128", "parallel.dp=128" }, "--set cluster.cards=128: cluster.cards = 128: the axes hold 4x4x4 = 64 chips")]
    [InlineData("quickstart", new[] { "parallel.virtual-stages=3", "parallel.stage-layers=[2, 10, 6, 6]" }, "--set parallel.stage-layers=[2, 10, 6, 6]: parallel.stage-layers = [2, 10, 6, 6]: a stage with 2 layers cannot be split")]
    public void A_relation_broken_by_a_set_blames_that_set(string scenario, string[] sets, string start)
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario(scenario), sets));
        Assert.StartsWith(start, ex.Message);
    }

    [Fact]
    public void A_stage_hardware_override_is_blamed_as_written()
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["cluster.stage-hardware=[a100-80g-selene, h100-80g-roce]"]));
        Has(ex.Message, "--set cluster.stage-hardware=[a100-80g-selene, h100-80g-roce]: cluster.stage-hardware = [a100-80g-selene, h100-80g-roce]: cluster.stage-hardware names 2 presets for 4 pipeline stages");
        ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["cluster.stage-hardware=[a100-80g-selene, nosuch, a100-80g-selene, a100-80g-selene]"]));
        Has(ex.Message, "cluster.stage-hardware item 2 = nosuch: no preset nosuch.conf found");
    }

    [Fact]
    public void Fp8_weights_need_fp8_training_and_megatrons_replicated_weights()
    {
        Has(Fails(("training.fp8-weights", "true")), "training.fp8-weights", "is not fp8: set precision = fp8 or fp8-weights = false");
        Has(Fails(("training.fp8-weights", "true"), ("training.precision", "fp8"), ("card.peak-fp8-flops", "624TFLOPS"),
                ("card.efficiency.gemm-fp8", "0.7"), ("card.efficiency.gemm-fp8-half-dim", "768"), ("training.zero-stage", "3")),
            "shards them FSDP's way: set fp8-weights = false or zero-stage at most 2");
    }

    [Fact]
    public void Fp8_stages_need_fp8_cards_and_the_main_card_does_not_when_every_stage_has_its_own()
    {
        // hetero-a100-h100: A100 stages and H100 stages. The A100 stage preset is blamed, with advice a stage list can follow.
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("hetero-a100-h100"), ["training.precision=fp8"]));
        Has(ex.Message, "cluster.stage-hardware item 1 (A100-SXM4-80GB)", "name a preset with FP8 figures (h100-80g-roce, h200-141g-ib, gb200-nvl72) in cluster.stage-hardware, or train in bf16");
        // Every stage on H100s: the main A100 runs no kernel, so the run is accepted.
        var s = ScenarioLoader.Load(RepoPaths.Scenario("hetero-a100-h100"),
            ["training.precision=fp8", "cluster.stage-hardware=[h100-80g-roce, h100-80g-roce, h100-80g-roce, h100-80g-roce]"]);
        Assert.All(s.StageCards, c => Assert.True(c.Fp8PeakFlops > 0));
    }

    [Fact]
    public void An_override_error_names_the_override()
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["parallel.tp=3"]));
        Assert.StartsWith("--set parallel.tp=3: parallel.tp = 3: tp*pp*dp = 3*4*4 = 48 but cluster.cards = 32 (from ", ex.Message);
        Has(ex.Message, "quickstart.conf)", "choose tp, pp, dp whose product is 32");
    }

    [Fact]
    public void The_override_is_blamed_even_when_another_key_comes_first()
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["parallel.dp=8"]));
        Assert.StartsWith("--set parallel.dp=8: parallel.dp = 8: tp*pp*dp = 2*4*8 = 64", ex.Message);
    }

    [Fact]
    public void Unknown_override_key_is_refused()
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["paralel.tp=4"]));
        Has(ex.Message, "--set paralel.tp=4: paralel.tp = 4: unknown key; did you mean parallel.tp?");
    }

    [Fact]
    public void Override_without_equals_is_refused()
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["parallel.tp"]));
        Has(ex.Message, "--set parallel.tp: expected key=value");
    }

    [Fact]
    public void Override_syntax_error_is_refused()
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["parallel.stage-layers=[1, 2"]));
        Has(ex.Message, "--set parallel.stage-layers=[1, 2: HOCON syntax error", "never closed");
    }

    [Fact]
    public void Override_with_a_bad_unit_names_the_override()
    {
        var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), ["emulation.rdma-chunk=4M"]));
        Has(ex.Message, "--set emulation.rdma-chunk=4M: emulation.rdma-chunk = 4M: '4M' is not a size in bytes", "MiB", "or write whole");
    }
}
