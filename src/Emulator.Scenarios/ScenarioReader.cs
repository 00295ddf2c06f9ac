using System.Globalization;
using Emulator.Core.Specs;
using Emulator.Core.Units;
using Emulator.Kernel;

namespace Emulator.Scenarios;

/// <summary>Reads typed values out of the layered sources into a <see cref="Scenario"/>, refusing missing keys, wrong types and bad units.</summary>
/// <remarks>Only the shape of each value is checked here; ranges and relations between keys are <see cref="ScenarioValidator"/>'s job, so scenarios built in code get the same checks.</remarks>
internal sealed class ScenarioReader(LayeredConfig config, Provenance provenance, ConfigLayer scenario, string? presetLabel)
{
    /// <summary>Builds the scenario; <paramref name="defaultName"/> names it when the files do not.</summary>
    /// <remarks>The scenario's own sections are read before the hardware ones, so a missing key is reported in the order a reader of the file would look for it.</remarks>
    public Scenario Read(string defaultName, string preset)
    {
        var name = Has("name") ? Text("name") : Derived("name", defaultName);
        var description = Text("description");
        var cards = Int("cluster.cards");
        var model = ReadModel();
        var parallel = ReadParallel();
        var training = ReadTraining();
        var emulation = ReadEmulation(parallel, training);
        var software = new SoftwareSpec(Text("software.stack"), Number("software.gemm-scale"))
        {
            RuntimeMemoryBytes = Parse("software.runtime-memory", UnitParser.ParseBytes),
        };
        return new Scenario(name, description, preset, cards, ReadCard(), ReadNode(), ReadFabric(), model, parallel, training, emulation) { Software = software };
    }

    private ModelSpec ReadModel()
    {
        var name = Text("model.name");
        var layers = Int("model.layers");
        var hidden = Int("model.hidden");
        var heads = Int("model.heads");
        var kvHeads = Has("model.kv-heads") ? Int("model.kv-heads") : Derived("model.kv-heads", heads, from: "model.heads");
        var model = new ModelSpec(name, layers, hidden, heads, kvHeads,
            FfnHidden: Int("model.ffn-hidden"),
            GatedMlp: Bool("model.gated-mlp"),
            Vocab: Int("model.vocab"),
            SeqLen: Int("model.seq-len")) { ParallelLayers = Bool("model.parallel-layers"), Alibi = Bool("model.alibi"), TiedEmbeddings = Bool("model.tied-embeddings"), LinearBiases = Bool("model.linear-biases"), QkvBias = Bool("model.qkv-bias") };
        return Has("model.head-dim") ? model with { HeadDim = Int("model.head-dim") } : model;
    }

    private ParallelSpec ReadParallel()
    {
        var parallel = new ParallelSpec(
        Tp: Int("parallel.tp"),
        Pp: Int("parallel.pp"),
        Dp: Int("parallel.dp"),
        MicroBatch: Int("parallel.micro-batch"),
        GlobalBatch: Int("parallel.global-batch"),
        Schedule: Choice("parallel.schedule"),
        StageLayers: IntList("parallel.stage-layers"),
        VirtualStages: Int("parallel.virtual-stages")) { Cp = Int("parallel.cp") };
        if (!Has("parallel.microbatch-group")) return parallel;
        // Groups belong to the interleaved schedule; with one chunk a stage nothing reads them.
        if (parallel.VirtualStages == 1 && config.TryGet("parallel.microbatch-group", out var raw, out var layer))
            throw Bad("parallel.microbatch-group", layer, raw, "groups of microbatches belong to the interleaved schedule, and parallel.virtual-stages = 1 runs plain 1F1B: remove it, or set virtual-stages to 2 or more");
        return parallel with { MicroBatchGroup = Int("parallel.microbatch-group") };
    }

    private TrainingSpec ReadTraining() => new(
        Precision: Choice("training.precision"),
        Recompute: ScenarioKeys.RecomputeNames.First(n => n.Name == Choice("training.recompute")).Policy,
        SequenceParallel: Bool("training.sequence-parallel"),
        ZeroStage: Int("training.zero-stage"),
        KeepLowPrecisionGrads: Bool("training.keep-low-precision-grads"),
        KeepStageOutputs: Bool("training.keep-stage-outputs"),
        FlashAttention: Bool("training.flash-attention"),
        AttentionDropout: Bool("training.attention-dropout"),
        OverlapGradReduce: Bool("training.overlap-grad-reduce"))
    {
        DpAlgorithm = Choice("training.dp-algorithm") == "tree" ? DpAlgorithm.Tree : DpAlgorithm.Ring,
        ZeroShardGroup = Int("training.zero-shard-group"),
        CpAlgorithm = Choice("training.cp-algorithm") == "all-gather" ? CpAlgorithm.AllGather : CpAlgorithm.Ring,
        CpMerge = Choice("training.cp-merge") == "eager" ? CpMerge.Eager : CpMerge.Fused,
        AllReduceShardedGrads = Bool("training.all-reduce-sharded-grads"),
        WholeMasterWeights = Bool("training.whole-master-weights"),
        OverlapTpBackward = Bool("training.overlap-tp-backward"),
        RegatherTpInputs = Bool("training.regather-tp-inputs"),
        DeferredOutputWgrads = Int("training.deferred-output-wgrads"),
        Fp8Weights = Bool("training.fp8-weights"),
        ScatterGatherSends = Bool("training.scatter-gather-sends"),
        OverlapParamGather = Bool("training.overlap-param-gather"),
        OverlapTpForward = Bool("training.overlap-tp-forward"),
        HalfPrecisionGrads = Bool("training.half-precision-grads"),
        FusedCrossEntropy = Bool("training.fused-cross-entropy"),
        FsdpGradientPasses = Bool("training.fsdp-gradient-passes"),
        FsdpRootHooks = Bool("training.fsdp-root-hooks"),
        FsdpShardPasses = Bool("training.fsdp-shard-passes"),
        Fsdp2Copies = Bool("training.fsdp2-copies"),
        EagerBackwardPasses = Bool("training.eager-backward-passes"),
        EagerLlamaOps = Bool("training.eager-llama-ops"),
        MegatronLayerPasses = Bool("training.megatron-layer-passes"),
        FusedRope = Bool("training.fused-rope"),
        QkvViews = Bool("training.qkv-views"),
        Softmax = ScenarioKeys.SoftmaxNames.First(n => n.Name == Choice("training.softmax")).Rule,
        RecomputeLayers = Has("training.recompute-layers") ? Int("training.recompute-layers") : null,
        MetricCrossEntropies = Int("training.metric-cross-entropies"),
        TiedEmbeddingGradBytes = Int("training.tied-embedding-grad-bytes"),
        TiedEmbeddingAfterDp = Bool("training.tied-embedding-after-dp"),
        Optimizer = ScenarioKeys.OptimizerNames.First(n => n.Name == Choice("training.optimizer")).Kind,
        HiddenDropout = Bool("training.hidden-dropout"),
        GradAccumulation = ScenarioKeys.GradAccumulationNames.First(n => n.Name == Choice("training.grad-accumulation")).Kind,
    };

    private EmulationSpec ReadEmulation(ParallelSpec parallel, TrainingSpec training) => new(
        Seed: Long("emulation.seed"),
        RdmaChunkBytes: Parse("emulation.rdma-chunk", text => IsAuto(text) ? EmulationSpec.AutoChunkBytes(parallel, training) : ChunkSize(text)),
        Threads: Int("emulation.threads"),
        TraceCards: Int("emulation.trace-cards"))
    {
        MirrorReplicas = Bool("emulation.mirror-replicas"),
        TpCollectiveRings = Choice("emulation.tp-collectives") == "ring",
    };

    /// <summary>Only the card section, for the per-stage presets of a heterogeneous job.</summary>
    public CardSpec ReadCardOnly() => ReadCard();

    private CardSpec ReadCard() => new(
        Name: Text("card.name"),
        PeakFlops: Parse("card.peak-flops", UnitParser.ParseFlopRate),
        HbmStacks: Int("card.hbm.stacks"),
        StackCapacityBytes: Parse("card.hbm.stack-capacity", UnitParser.ParseBytes),
        StackBandwidth: Parse("card.hbm.stack-bandwidth", UnitParser.ParseBandwidth),
        PowerWatts: Parse("card.power", UnitParser.ParsePower),
        GemmEfficiency: Number("card.efficiency.gemm"),
        GemmHalfDim: Number("card.efficiency.gemm-half-dim"),
        MemoryEfficiency: Number("card.efficiency.memory"),
        KernelOverhead: Parse("card.efficiency.kernel-overhead", UnitParser.ParseTime))
    {
        AttentionEfficiency = Has("card.efficiency.attention") ? AttentionEfficiency() : 0,
        Fp8PeakFlops = Has("card.peak-fp8-flops") ? Parse("card.peak-fp8-flops", UnitParser.ParseFlopRate) : 0,
        Fp8GemmEfficiency = Has("card.efficiency.gemm-fp8") ? Number("card.efficiency.gemm-fp8") : 0,
        Fp8GemmHalfDim = Has("card.efficiency.gemm-fp8-half-dim") ? Number("card.efficiency.gemm-fp8-half-dim") : 0,
        Fp8SplitAccumulatorRate = Number("card.efficiency.gemm-fp8-split-accumulator"),
        Fp8Transposes = Bool("card.fp8-transposes"),
        CollectiveShare = Number("card.efficiency.collective-share"),
        CollectiveShareNetwork = Has("card.efficiency.collective-share-network") ? Number("card.efficiency.collective-share-network") : null,
        AttentionVectorSoftmax = Number("card.efficiency.attention-vector-softmax"),
        AttentionVectorUpdate = Number("card.efficiency.attention-vector-update"),
    };

    /// <summary>card.efficiency.attention as written. The spec's 0 stands for the key's absence (the whole square at the GEMM
    /// efficiency), so a written 0 would pass the range check as "unset": it is refused here, as any efficiency of 0 is.</summary>
    private double AttentionEfficiency()
    {
        const string key = "card.efficiency.attention";
        var value = Number(key);
        if (value != 0) return value;
        var (_, layer, raw) = Scalar(key, KeyType.Number);
        throw Bad(key, layer, raw, "must be a fraction in (0, 1]: the share of the peak the fused attention reaches, e.g. 0.35; "
            + "to charge the whole s x s square at card.efficiency.gemm instead, delete the key");
    }

    private NodeSpec ReadNode()
    {
        var (perNode, nics, cards) = (Int("node.cards"), Int("node.nics"), Int("cluster.cards"));
        // A job on part of one of the preset's nodes (4 GPUs of an 8-GPU server, 64 cards of a 384-card supernode) runs on a
        // node of its own cards with their share of the NICs, unless the scenario sets the node itself.
        if (cards >= 1 && cards < perNode && perNode % cards == 0 && SetBy("node.cards") == ScenarioLoader.PresetRank)
        {
            if (SetBy("node.nics") == ScenarioLoader.PresetRank) nics = Derived("node.nics", Math.Max(1, nics * cards / perNode), from: "cluster.cards");
            perNode = Derived("node.cards", cards, from: "cluster.cards");
        }
        var node = ReadNode(perNode, nics);
        // A full mesh's links are the server's, whatever share of it the job uses.
        return Choice("node.intra.topology") == "full-mesh" ? node with { IntraMeshPeers = Math.Max(1, Int("node.cards") - 1) } : node;
    }

    private NodeSpec ReadNode(int perNode, int nics)
    {
        var node = new NodeSpec(
            CardsPerNode: perNode,
            IntraBandwidth: Parse("node.intra.bandwidth", UnitParser.ParseBandwidth),
            IntraLatency: Parse("node.intra.latency", UnitParser.ParseTime),
            Nics: nics,
            NicBandwidth: Parse("node.nic.bandwidth", UnitParser.ParseBandwidth),
            NicLatency: Parse("node.nic.latency", UnitParser.ParseTime),
            IntraEfficiency: Number("node.intra.efficiency"),
            NicEfficiency: Number("node.nic.efficiency"));
        return Has("node.intra.all-reduce-efficiency") ? node with { IntraAllReduceEfficiency = Number("node.intra.all-reduce-efficiency") } : node;
    }

    private static readonly string[] FatTreeKeys =
        ["fabric.tiers", "fabric.rail-optimized", "fabric.leaf.down-ports", "fabric.leaf.up-ports", "fabric.spine.down-ports", "fabric.spine.up-ports"];

    private static readonly string[] TorusKeys = ["fabric.torus-dims", "fabric.dcn-latency", "fabric.pod-chips"];

    /// <summary>Refuses a key of the other kind of fabric that the scenario or a --set wrote: it would be silently ignored. A preset's
    /// are not refused: a scenario may turn its preset's fabric into the other kind.</summary>
    private void RefuseKeysOf(string[] keys, string why)
    {
        foreach (var key in keys)
            if (config.TryGet(key, out var raw, out var layer) && layer.Rank > ScenarioLoader.PresetRank) throw Bad(key, layer, raw, why);
    }

    private FabricSpec ReadFabric()
    {
        if (Choice("fabric.kind") == "torus")
        {
            RefuseKeysOf(FatTreeKeys, "a fat tree's key, and fabric.kind = torus links chips directly, without switches: remove it");
            var dims = IntList("fabric.torus-dims");
            var slices = Int("fabric.slices");
            // A preset's axes are its pod (tpu-v5e's 16x16): a job of several whole pods runs them as slices joined by the
            // data-centre network (unless the scenario sets the slices), a slice of fewer chips as the most balanced shape with
            // as many axes (unless the scenario sets the axes).
            if (dims.Count > 0 && SetBy("fabric.torus-dims") == ScenarioLoader.PresetRank)
            {
                var (cards, pod) = (Int("cluster.cards"), dims.Aggregate(1, (a, d) => a * d));
                if (SetBy("fabric.slices") < ScenarioLoader.PresetRank && cards > pod && cards % pod == 0)
                    slices = Derived("fabric.slices", cards / pod, from: "cluster.cards");
                var perSlice = cards / Math.Max(1, slices);
                if (perSlice >= 1 && perSlice < pod) dims = Derived("fabric.torus-dims", FabricSpec.BalancedDims(perSlice, dims.Count), from: "cluster.cards");
            }
            // A job larger than the preset's largest slice (TPU v4's 4,096-chip pod) cannot be one torus: without slices or axes of
            // its own it runs as the fewest equal slices that fit, data-parallel replicas of whole hosts as every slice is (the
            // validator refuses the rest, naming the limit).
            var podChips = Int("fabric.pod-chips");
            if (podChips > 0 && SetBy("fabric.slices") < ScenarioLoader.PresetRank && dims.Count == 0
                && FewestSlices(Int("cluster.cards"), Int("parallel.dp"), Int("parallel.pp"), Int("node.cards"), podChips) is { } fewest)
                slices = Derived("fabric.slices", fewest, from: "fabric.pod-chips");
            return FabricSpec.Torus(Parse("fabric.link.bandwidth", UnitParser.ParseBandwidth), Parse("fabric.link.latency", UnitParser.ParseTime),
                dims.Count > 0 ? dims : Derived("fabric.torus-dims", FabricSpec.CubicDims(Math.Max(1, Int("cluster.cards") / Math.Max(1, slices))), from: "cluster.cards"))
                with { Slices = slices, PodChips = podChips, DcnLatency = Parse("fabric.dcn-latency", UnitParser.ParseTime) };
        }
        RefuseKeysOf(TorusKeys, "a torus key, and fabric.kind = fat-tree has switches, not chip-to-chip links: remove it, or set fabric.kind = torus");
        var tiers = Int("fabric.tiers");
        return new FabricSpec(
            Tiers: tiers,
            LinkBandwidth: Parse("fabric.link.bandwidth", UnitParser.ParseBandwidth),
            LinkLatency: Parse("fabric.link.latency", UnitParser.ParseTime),
            LeafDownPorts: Int("fabric.leaf.down-ports"),
            LeafUpPorts: Int("fabric.leaf.up-ports"),
            SpineDownPorts: Int("fabric.spine.down-ports"),
            // A leaf-spine fabric has no cores above its spines, so the key is optional there.
            SpineUpPorts: tiers == 2 && !Has("fabric.spine.up-ports") ? Derived("fabric.spine.up-ports", 0, from: "fabric.tiers") : Int("fabric.spine.up-ports"),
            RailOptimized: Bool("fabric.rail-optimized")) { Slices = Int("fabric.slices") };
    }

    private bool Has(string key) => config.TryGet(key, out _, out _);

    /// <summary>The fewest slices, more than one, of at most <paramref name="podChips"/> chips each that divide the job's cards into whole
    /// hosts of <paramref name="hostChips"/> and divide its data-parallel replicas (slices carry data parallelism only, so pp must be 1);
    /// null when the job fits one slice or no such count exists.</summary>
    internal static int? FewestSlices(int cards, int dp, int pp, int hostChips, int podChips)
    {
        if (cards <= podChips || pp != 1 || hostChips < 1) return null;
        for (var s = 2; s <= dp; s++)
            if (cards % s == 0 && dp % s == 0 && cards / s <= podChips && cards / s % hostChips == 0) return s;
        return null;
    }

    /// <summary>Rank of the layer that set <paramref name="key"/> (defaults 0, preset 1, scenario 2, overrides above); −1 if none did.</summary>
    private int SetBy(string key) => config.TryGet(key, out _, out var layer) ? layer.Rank : -1;

    private T Derived<T>(string key, T value, string? from = null)
    {
        var text = value is IEnumerable<int> list ? "[" + string.Join(", ", list) + "]" : Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
        if (from is null) provenance.Record(key, scenario, text);
        else provenance.RecordDerived(key, from, text);
        return value;
    }

    private string Text(string key) => Scalar(key, KeyType.Text).Text;

    private string Choice(string key)
    {
        var (text, layer, raw) = Scalar(key, KeyType.Choice);
        var choices = ScenarioKeys.Find(key)!.Choices ?? [];
        if (!choices.Contains(text))
            throw Bad(key, layer, raw, $"not a valid value; choose one of {string.Join(", ", choices)}");
        return text;
    }

    private int Int(string key)
    {
        var (text, layer, raw) = Scalar(key, KeyType.Integer);
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
            throw Bad(key, layer, raw, $"not a whole number; write e.g. {key} = {Example(key)}");
        if (v is > int.MaxValue or < int.MinValue)
            throw Bad(key, layer, raw, $"too large for a whole number here (at most {int.MaxValue})");
        return (int)v;
    }

    private long Long(string key)
    {
        var (text, layer, raw) = Scalar(key, KeyType.Long);
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
            throw Bad(key, layer, raw, $"not a whole number in 64 bits; write e.g. {key} = {Example(key)}");
        return v;
    }

    private double Number(string key)
    {
        var (text, layer, raw) = Scalar(key, KeyType.Number);
        const NumberStyles style = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
        // Decimal first, as the values have always been read; a number beyond its range (1e-300 would read as 0, 1e300 not at all)
        // is read as a double, so the range checks name it as written.
        if (decimal.TryParse(text, style, CultureInfo.InvariantCulture, out var d) && d != 0) return (double)d;
        if (!double.TryParse(text, style, CultureInfo.InvariantCulture, out var v) || double.IsNaN(v))
            throw Bad(key, layer, raw, $"not a number; write a plain number without unit, e.g. {key} = {Example(key)}");
        if (!double.IsFinite(v))
            throw Bad(key, layer, raw, $"beyond the range of numbers; write a plain number without unit, e.g. {key} = {Example(key)}");
        return v;
    }

    private bool Bool(string key)
    {
        var (text, layer, raw) = Scalar(key, KeyType.Boolean);
        return text.ToLowerInvariant() switch
        {
            "true" or "on" or "yes" => true,
            "false" or "off" or "no" => false,
            _ => throw Bad(key, layer, raw, "not a boolean; write true or false (on/off and yes/no also work)"),
        };
    }

    private static bool IsAuto(string text) => text.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase);

    /// <summary>A chunk size, or <c>whole</c> for one chunk per write.</summary>
    private static long ChunkSize(string text)
    {
        if (text.Trim().Equals("whole", StringComparison.OrdinalIgnoreCase)) return EmulationSpec.WholeWrites;
        try
        {
            return UnitParser.ParseBytes(text);
        }
        catch (FormatException ex)
        {
            throw new FormatException(ex.Message + "; or write whole (each RDMA write one chunk) or auto", ex);
        }
    }

    private T Parse<T>(string key, Func<string, T> parse)
    {
        var type = ScenarioKeys.Find(key)!.Type;
        var (text, layer, raw) = Scalar(key, type);
        try
        {
            return parse(text);
        }
        catch (FormatException ex)
        {
            throw Bad(key, layer, raw, ex.Message);
        }
    }

    private IReadOnlyList<int> IntList(string key)
    {
        var (raw, layer) = Get(key);
        if (raw.Items is null)
            throw Bad(key, layer, raw, $"not a list; write e.g. {key} = {Example(key)}");
        var list = new List<int>(raw.Items.Count);
        foreach (var item in raw.Items)
        {
            if (!int.TryParse(item, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
                throw Bad(key, layer, raw, long.TryParse(item, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
                    ? $"'{item}' is too large for a whole number here (at most {int.MaxValue})"
                    : $"'{item}' is not a whole number; write e.g. {key} = {Example(key)}");
            list.Add(v);
        }
        return list;
    }

    private (string Text, ConfigLayer Layer, RawValue Raw) Scalar(string key, KeyType type)
    {
        var (raw, layer) = Get(key);
        if (raw.Scalar is null)
            throw Bad(key, layer, raw, $"a list is not allowed here; {key} takes {ScenarioKeys.Describe(type, ScenarioKeys.Find(key)?.Choices)}, e.g. {key} = {Example(key)}");
        return (raw.Scalar.Trim(), layer, raw);
    }

    private (RawValue Raw, ConfigLayer Layer) Get(string key)
    {
        if (!config.TryGet(key, out var raw, out var layer)) throw Missing(key);
        provenance.Record(key, layer, raw.Display);
        return (raw, layer);
    }

    private ScenarioException Missing(string key)
    {
        var info = ScenarioKeys.Find(key)!;
        var where = !info.IsHardware ? ""
            : presetLabel is null ? "; no hardware preset is named, so set hardware = <preset> or write the card, node and fabric keys in the scenario"
            : $"; neither the scenario nor the preset {presetLabel} sets it";
        return new ScenarioException(
            $"{scenario.Label}: {key} is missing: it is required ({info.Doc}); write e.g. {key} = {info.Example}{where}",
            scenario.Label, key);
    }

    private static string Example(string key) => ScenarioKeys.Find(key)?.Example ?? "?";

    private static ScenarioException Bad(string key, ConfigLayer layer, RawValue raw, string why) =>
        new($"{layer.Label}: {key} = {raw.Display}: {why}", layer.Label, key);
}
