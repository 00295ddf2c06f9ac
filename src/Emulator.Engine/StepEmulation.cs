using System.Globalization;
using Akka.Actor;
using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Core.Topology;
using Emulator.Engine.Actors;
using Emulator.Engine.Messages;
using Emulator.Engine.Plan;
using Emulator.Engine.Results;
using Emulator.Engine.Runtime;
using Emulator.Kernel;

namespace Emulator.Engine;

/// <summary>Builds the actors of a scenario, plays one training step in virtual time and gathers the result.</summary>
public static class StepEmulation
{
    /// <summary>Emulates one step of <paramref name="scenario"/>; <paramref name="monitor"/> gets the simulation before it runs (for progress).</summary>
    /// <param name="scenario">What to emulate.</param>
    /// <param name="monitor">Called with the simulation just before it runs.</param>
    /// <param name="programs">Replaces the planner's program of each stage (tests drive the actors with hand-made programs).</param>
    public static StepResult Run(Scenario scenario, Action<Simulation>? monitor = null, Func<int, StagePlan>? programs = null)
    {
        // The scenario loader refuses such a plan; one built in code would otherwise fail deep in the rank map.
        if (scenario.Cards % scenario.Node.CardsPerNode != 0)
            throw new ArgumentException($"{scenario.Cards} cards do not fill whole nodes of {scenario.Node.CardsPerNode}: choose cards (tp·cp·pp·dp) a multiple of the node's cards", nameof(scenario));
        var (s, mirror) = ReplicaMirror.Of(scenario);
        // Mirrored replicas still run the whole job's programs (its batch split, shards and collective sizes).
        if (mirror is not null) programs ??= stage => StagePlanner.Build(WithSoftware(scenario), stage);
        var partitions = Math.Max(1, Math.Min(s.Emulation.Threads, s.Nodes));
        var (ranks, tree, map, plans) = Prepare(s, programs);
        var simulation = new Simulation(AssignPartitions(map, s, tree, partitions), partitions, s.Fabric.LinkLatency);
        var sampled = SampledCards(s.Cards, s.Emulation.TraceCards);
        var control = s.Fabric.LinkLatency;

        var refs = new IActorRef[map.Count];
        var system = ActorSystem.Create("emulation", Runtime.EngineConfig.Default);
        try
        {
            CreateActors(system, s, simulation, map, tree, ranks, plans, sampled, control, refs, mirror);
            // Events per message type, counted per partition (each counts only on its own thread) and summed after.
            var counts = simulation.Partitions.Select(_ => new MessageCounts()).ToArray();
            var delivery = new VirtualTimeDelivery(refs);
            foreach (var p in simulation.Partitions)
            {
                var mine = counts[p.Id];
                p.Bind((target, message) =>
                {
                    mine.Add(message);
                    delivery.Deliver(target, message);
                });
                p.BindPrefetch(delivery.Prefetch);
            }

            simulation.Post(map.Job, map.Job, SimTime.Zero, new StartJob());
            monitor?.Invoke(simulation);
            simulation.Run();

            var collector = new StatsCollector();
            foreach (var r in refs) r.Tell(new CollectStats(collector), ActorRefs.NoSender);
            simulation.ThrowIfFailed();
            var byMessage = counts.SelectMany(c => c.All()).GroupBy(c => c.Type.Name).ToDictionary(g => g.Key, g => g.Sum(c => c.Count));
            return Summarise(scenario, s, simulation, partitions, tree, control, collector, sampled) with { EventsByMessage = byMessage };
        }
        finally
        {
            Shutdown(system);
        }
    }

    /// <summary>Validates, plans and creates every actor of <paramref name="scenario"/> without running the step (to check size and memory).</summary>
    public static IReadOnlyDictionary<string, int> BuildOnly(Scenario scenario)
    {
        var s = scenario;
        var (ranks, tree, map, plans) = Prepare(s, null);
        var simulation = new Simulation(new int[map.Count], 1, s.Fabric.LinkLatency);
        var refs = new IActorRef[map.Count];
        var system = ActorSystem.Create("emulation", Runtime.EngineConfig.Default);
        try
        {
            CreateActors(system, s, simulation, map, tree, ranks, plans, new HashSet<int>(), s.Fabric.LinkLatency, refs);
            return ActorCounts(s, tree);
        }
        finally
        {
            Shutdown(system);
        }
    }

    /// <summary>Stops the actor system without waiting for it: nothing reads the actors once the step is summarised, and
    /// stopping a quarter of a million inline actors one by one took seconds (0.9 s at 16k cards) before any result was written.</summary>
    private static void Shutdown(ActorSystem system) => _ = system.Terminate();

    /// <summary>Rank map, fabric, entity ids and stage programs of a scenario.</summary>
    private static (RankMap Ranks, FatTree? Tree, EntityMap Map, StagePlan[] Plans) Prepare(Scenario s, Func<int, StagePlan>? programs)
    {
        s = WithSoftware(s);
        // Context-parallel ranks sit between tp and dp (Megatron order tp, cp, dp, pp): to the rank map they are more
        // data-parallel ranks, since they hold the same weights and reduce gradients together.
        var ranks = new RankMap(s.Parallel.Tp, s.Parallel.Pp, s.Parallel.WeightReplicas, s.Node.CardsPerNode);
        CheckEntities(s);
        var tree = s.Fabric.IsTorus ? null : FatTree.Build(s.Fabric, s.Nodes, s.Node.Nics);
        var map = new EntityMap(s.Cards, s.Card.HbmStacks, s.Nodes, tree?.SwitchCount ?? 0);
        var plans = Enumerable.Range(0, s.Parallel.Pp).Select(stage => programs?.Invoke(stage) ?? StagePlanner.Build(s, stage)).ToArray();
        return (ranks, tree, map, plans);
    }

    /// <summary>Refuses a job of more actors (job, cards, HBM banks, nodes, switches: <see cref="EntityMap"/>) than the kernel orders, which
    /// sizes each within its own limit can reach together (131,072 cards of 64 HBM stacks; switches of thousands of up-ports).</summary>
    private static void CheckEntities(Scenario s)
    {
        var switches = s.Fabric.IsTorus ? 0 : FatTree.SwitchesNeeded(s.Fabric, s.Nodes, s.Node.Nics);
        var entities = EntityMap.CountOf(s.Cards, s.Card.HbmStacks, s.Nodes, switches);
        if (entities <= EventQueue.MaxEntities) return;
        static string N(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
        throw new EmulationTooLargeException(
            $"the job needs {N(entities)} actors ({N(s.Cards)} cards x (1 + {s.Card.HbmStacks} HBM banks), {N(s.Nodes)} nodes, {N(switches)} switches), "
            + $"past the {N(EventQueue.MaxEntities)} entities the virtual-time kernel orders: lower cluster.cards or card.hbm.stacks, "
            + "or give the fabric fewer switches (fabric.leaf.up-ports, fabric.spine.up-ports, more fabric.leaf.down-ports, node.nics)");
    }

    /// <summary>Kernels run as the stack drives the card; every other use of the card (peak for MFU, HBM) is the hardware's.</summary>
    private static Scenario WithSoftware(Scenario s) =>
        s with { Card = s.Software.Apply(s.Card), StageCards = s.StageCards.Select(s.Software.Apply).ToArray() };

    /// <summary>Live actors per kind.</summary>
    private static Dictionary<string, int> ActorCounts(Scenario s, FatTree? tree) => new()
    {
        ["card"] = s.Cards,
        ["hbm_bank"] = s.Cards * s.Card.HbmStacks,
        ["node"] = s.Nodes,
        ["switch"] = tree?.SwitchCount ?? 0,
        ["job"] = 1,
    };

    /// <summary>Creates the job, the nodes (which create their cards and HBM banks) and the switches under one root, filling <paramref name="refs"/>.</summary>
    private static void CreateActors(ActorSystem system, Scenario s, Simulation simulation, EntityMap map, FatTree? tree, RankMap ranks,
        StagePlan[] plans, HashSet<int> sampled, SimTime control, IActorRef[] refs, ReplicaMirror? mirror = null)
    {
        var torus = s.Fabric.IsTorus ? new Torus(s.Fabric.ChipDims) : null;
        // The full job's dp ring dimensions, once for every card (validated: the shard group falls on them).
        var groups = mirror?.Groups ?? DataParallelDims.Of(s)!;
        var root = system.ActorOf(EmulationRoot.Props(), "emulation");
        var built = root.Ask<EmulationRoot.Built>(new EmulationRoot.Build(context =>
        {
            refs[map.Job] = context.ActorOf(JobActor.Props(map.Job, simulation.PartitionOf(map.Job), map, s.Cards, control), "job");
            for (var n = 0; n < s.Nodes; n++)
            {
                var cards = Enumerable.Range(n * s.Node.CardsPerNode, s.Node.CardsPerNode)
                    .Select(c => CardSetupOf(s, ranks, groups, map, plans, c, control, sampled.Contains(c), mirror)).ToArray();
                // A node holds cards of one stage only (validated), so its HBM stacks are that stage's card's.
                var setup = new NodeSetup(n, s.Node, s.Fabric, s.CardOfStage(ranks.PpRank(n * s.Node.CardsPerNode)), tree, map, s.Emulation.Seed, s.Emulation.RdmaChunkBytes, cards) { Torus = torus, TpAllReduces = !s.Training.SequenceParallel };
                var id = map.Node(n);
                refs[id] = context.ActorOf(NodeActor.Props(id, simulation.PartitionOf(id), setup, refs, simulation.PartitionOf), $"node-{n}");
            }
            for (var w = 0; w < (tree?.SwitchCount ?? 0); w++)
            {
                var id = map.Switch(w);
                refs[id] = context.ActorOf(SwitchActor.Props(id, simulation.PartitionOf(id), w, tree!, s.Fabric, s.Node, map), tree!.NameOf(w));
            }
        }), TimeSpan.FromMinutes(10)).Result;
        if (built.Failures.Count > 0) throw new InvalidOperationException("actors failed to start: " + string.Join("; ", built.Failures));
        var missing = Array.FindIndex(refs, r => r is null);
        if (missing >= 0) throw new InvalidOperationException($"entity {missing} has no actor after construction");
    }

    /// <summary>Nodes (with their cards and banks) in contiguous blocks per partition, switches with the nodes they serve; the job in partition 0.</summary>
    private static int[] AssignPartitions(EntityMap map, Scenario s, FatTree? tree, int partitions)
    {
        var owner = new int[map.Count];
        for (var n = 0; n < s.Nodes; n++)
        {
            var p = (int)((long)n * partitions / s.Nodes);
            owner[map.Node(n)] = p;
            for (var c = n * s.Node.CardsPerNode; c < (n + 1) * s.Node.CardsPerNode; c++)
            {
                owner[map.Card(c)] = p;
                for (var b = 0; b < s.Card.HbmStacks; b++) owner[map.Bank(c, b)] = p;
            }
        }
        if (tree is null) return owner;
        // A leaf goes with the nodes below it and a spine with the first leaf of its pod, so most hops stay in one partition;
        // cores (the fewest hops) in contiguous blocks.
        for (var w = 0; w < tree.SwitchCount; w++)
        {
            owner[map.Switch(w)] = tree.TierOf(w) switch
            {
                SwitchTier.Leaf => tree.Peer(w, 0) is { IsSwitch: false, Node: >= 0 } nic ? owner[map.Node(nic.Node)] : 0,
                SwitchTier.Spine => tree.Peer(w, 0) is { IsSwitch: true } leaf ? owner[map.Switch(leaf.Switch)] : 0,
                _ => (int)((long)(w - tree.LeafCount - tree.SpineCount) * partitions / Math.Max(1, tree.CoreCount)),
            };
        }
        return owner;
    }

    private static CardSetup CardSetupOf(Scenario s, RankMap ranks, DataParallelDims groups, EntityMap map, StagePlan[] plans, int card, SimTime control, bool sampled, ReplicaMirror? mirror)
    {
        var (tp, pp, dp) = (ranks.TpRank(card), ranks.PpRank(card), ranks.DpRank(card));
        var dpDims = groups.Dims;
        // A mirrored dimension has no next card (-1): its ring steps are stood in for (ReplicaMirror).
        int Next(int d, int step = 1) => mirror is null ? ranks.DpNeighbour(card, dpDims, d, step) : mirror.Mirrored(d) ? -1 : ranks.DpNeighbour(card, mirror.KeptDims, d, step);
        var interleaved = s.Parallel.VirtualStages > 1;
        var withinNode = Enumerable.Range(0, dpDims.Count)
            .Select(d => mirror?.Mirrored(d) != true && ranks.DpDimWithinNode(card, mirror?.KeptDims ?? dpDims, d)).ToArray();
        // The other holder of the tied word embedding: the last stage's card for the first's, and back.
        var tiedPeer = s.Parallel.Pp > 1 && (pp == 0 || pp == s.Parallel.Pp - 1) ? ranks.CardOf(tp, s.Parallel.Pp - 1 - pp, dp) : -1;
        return new CardSetup(
            card, map, ranks.NodeOf(card), s.Card.HbmStacks, plans[pp],
            TpLeader: ranks.TpGroup(card)[0], TpSize: s.Parallel.Tp,
            // With an interleaved schedule the last stage feeds the first stage's next chunk, and back.
            PrevStage: pp > 0 ? ranks.CardOf(tp, pp - 1, dp) : interleaved ? ranks.CardOf(tp, s.Parallel.Pp - 1, dp) : -1,
            NextStage: pp < s.Parallel.Pp - 1 ? ranks.CardOf(tp, pp + 1, dp) : interleaved ? ranks.CardOf(tp, 0, dp) : -1,
            DpSize: mirror?.Replicas ?? s.Parallel.WeightReplicas, DpDims: dpDims, DpNext: Enumerable.Range(0, dpDims.Count).Select(d => Next(d)).ToArray(),
            DpPrev: s.Fabric.IsTorus ? Enumerable.Range(0, dpDims.Count).Select(d => Next(d, -1)).ToArray() : null,
            CpSize: s.Parallel.Cp, CpNext: ranks.DpNeighbour(card, [s.Parallel.Cp, s.Parallel.Dp], 0),
            ControlLatency: control, Sampled: sampled)
        {
            // The tree runs across nodes; a group inside one node has no tree, only the in-node rings around it: a ring all-reduce.
            DpTree = s.Training.DpAlgorithm != DpAlgorithm.Tree || withinNode[^1] ? null
                : mirror is null ? TreeSetupOf(ranks, dpDims, card)
                : throw new InvalidOperationException("a tree all-reduce needs every data-parallel replica live; the scenario validator refuses it with mirror-replicas"),
            HbmCapacity = s.CardOfStage(pp).HbmCapacityBytes,
            CollectiveShare = s.CardOfStage(pp).CollectiveShare,
            NetworkCollectiveShare = s.CardOfStage(pp).NetworkCollectiveShare,
            DpDimSpansNodes = withinNode.Select(within => !within).ToArray(),
            CpSpansNodes = !ranks.DpDimWithinNode(card, [s.Parallel.Cp, s.Parallel.Dp], 0),
            ShardDims = groups.ShardDims,
            // A dimension spanning nodes is a ring whose same-node hops cross one link of a full mesh.
            DpMeshLinks = withinNode.Select((within, d) => within ? dpDims[d] - 1 : 1).ToArray(),
            DpStepDelay = FlatRingStepDelays(s, withinNode, dpDims, dpDims.Count),
            DpShardedStepDelay = groups.ShardDims < dpDims.Count ? FlatRingStepDelays(s, withinNode, dpDims, groups.ShardDims) : null,
            TiedPeer = tiedPeer,
            TiedPeerOnOtherNode = tiedPeer >= 0 && ranks.NodeOf(tiedPeer) != ranks.NodeOf(card),
            TpNext = TpRings(s) ? ranks.CardOf((tp + 1) % s.Parallel.Tp, pp, dp) : -1,
            // On a torus the rings use both directions of the chip links at once, as the data-parallel rings do.
            TpPrev = TpRings(s) && s.Fabric.IsTorus ? ranks.CardOf((tp + s.Parallel.Tp - 1) % s.Parallel.Tp, pp, dp) : -1,
        };
    }

    /// <summary>Whether tensor-parallel collectives run as ring messages between the cards: when asked to, and always on a torus,
    /// whose chips have no crossbar (a TPU host's chips talk over the same ICI links; a group may also span hosts).</summary>
    private static bool TpRings(Scenario s) => s.Parallel.Tp > 1 && (s.Emulation.TpCollectiveRings || s.Fabric.IsTorus);

    /// <summary>What each same-node step of a data-parallel ring waits before it leaves, per dimension: NCCL's all-gather, reduce-scatter
    /// and ring all-reduce are one flat ring through every rank, so a group of k ranks on each of N nodes takes N(k − 1) steps over
    /// NVLink where the per-dimension rings take k − 1; each of those then pays N times the node's step latency (node.intra.latency,
    /// NCCL's per-step figure) and the ring keeps the per-dimension rings' bandwidth. Null (no delay) for HCCL's full-mesh servers
    /// (hierarchical: in-server mesh, then across) and a torus (XLA's rings per axis); a tree all-reduce's rings inside the node
    /// ignore it (CardActor.StartTreeAllReduce: NCCL chains a node's ranks under the tree).</summary>
    /// <remarks>N counts the nodes of the communicator a ring belongs to: the first <paramref name="communicatorDims"/> dimensions form
    /// one, the rest another. The whole group (all dimensions) for an all-reduce; with a ZeRO shard group smaller than the ring (hybrid
    /// sharding), reduce-scatters and all-gathers run the shard group's dimensions on its own communicator and the rest on the one
    /// across groups, so a shard group inside a node pays no flat-ring latency at all.</remarks>
    private static SimTime[]? FlatRingStepDelays(Scenario s, bool[] withinNode, IReadOnlyList<int> dpDims, int communicatorDims)
    {
        if (s.Fabric.IsTorus || s.Node.IntraMeshPeers > 0) return null;
        int Nodes(int from, int to)
        {
            var nodes = 1;
            for (var d = from; d < to; d++)
                if (!withinNode[d]) nodes *= dpDims[d];
            return nodes;
        }
        var (first, rest) = (Nodes(0, communicatorDims), Nodes(communicatorDims, dpDims.Count));
        return withinNode.Select((within, d) => within ? s.Node.IntraLatency * ((d < communicatorDims ? first : rest) - 1) : SimTime.Zero).ToArray();
    }

    /// <summary>The tree runs over the last dp dimension: the cards whose dp rank differs from this card's only there.</summary>
    private static DpTreeSetup TreeSetupOf(RankMap ranks, IReadOnlyList<int> dims, int card)
    {
        var stride = 1;
        for (var d = 0; d < dims.Count - 1; d++) stride *= dims[d];
        var dp = ranks.DpRank(card);
        var group = ranks.DpGroup(card);
        var members = Enumerable.Range(0, dims[^1]).Select(j => group[dp % stride + j * stride]).ToArray();
        return new DpTreeSetup(dp / stride, members);
    }

    /// <summary>Evenly spaced cards from first to last, so first and last pipeline stages are both shown.</summary>
    private static HashSet<int> SampledCards(int cards, int count)
    {
        count = Math.Min(count, cards);
        if (count <= 0) return new HashSet<int>();
        if (count == 1) return new HashSet<int> { 0 };
        return Enumerable.Range(0, count).Select(i => (int)((long)i * (cards - 1) / (count - 1))).ToHashSet();
    }

    /// <summary>The step's figures for the whole job <paramref name="s"/>, from the cards of <paramref name="emulated"/> (all of them unless replicas are mirrored).</summary>
    private static StepResult Summarise(Scenario s, Scenario emulated, Simulation sim, int partitions, FatTree? tree, SimTime launch, StatsCollector c, HashSet<int> sampled)
    {
        if (c.Cards.Count != emulated.Cards)
            throw new InvalidOperationException($"only {c.Cards.Count} of {emulated.Cards} cards finished the step: the emulation deadlocked (a card waited for a message that never came)");
        var end = c.Cards.Max(r => r.Finished);
        var step = end - launch;
        var kinds = Enum.GetValues<TimeKind>();
        var totals = new Int128[kinds.Length]; // picoseconds over up to 10^5 cards exceed a double's exact range
        foreach (var r in c.Cards)
        {
            for (var k = 0; k < kinds.Length; k++) totals[k] += r.Time[k];
            totals[(int)TimeKind.PipelineBubble] += (end - r.Finished).Ps; // idle until the slowest card is done
        }
        // The card nearest its own capacity: in a job of one card type the one holding most, in a mixed job possibly a smaller
        // card holding less, which is the one that runs out first.
        long CapacityOf(int card) => s.CardOfStage(card / (emulated.Parallel.Tp * emulated.Parallel.WeightReplicas)).HbmCapacityBytes;
        var peak = c.Cards.OrderByDescending(r => (double)r.PeakHbmBytes / CapacityOf(r.Card)).ThenByDescending(r => r.PeakHbmBytes).ThenBy(r => r.Card).First();
        var oom = c.Cards.Where(r => r.Oom is not null).Select(r => r.Oom!).OrderBy(o => o.At).ThenBy(o => o.Card).FirstOrDefault();
        var memoryKinds = Enum.GetValues<MemoryKind>();
        IReadOnlyDictionary<MemoryKind, long> Breakdown(CardReport r) => memoryKinds.ToDictionary(k => k, k => r.PeakBreakdown[(int)k]);
        var stepSeconds = step.Seconds;
        return new StepResult
        {
            Scenario = s.Name,
            Cards = s.Cards,
            StepTime = step,
            TokensPerStep = (long)s.Parallel.GlobalBatch * s.Model.SeqLen,
            ModelFlops = TransformerMath.ModelFlopsPerStep(s.Model, s.Parallel.GlobalBatch),
            ExecutedFlops = c.Cards.Sum(r => r.ExecutedFlops) * s.Cards / emulated.Cards,
            PeakFlopsPerCard = Enumerable.Range(0, s.Parallel.Pp).Average(stage => s.CardOfStage(stage).PeakFlops),
            Breakdown = kinds.ToDictionary(k => k, k => (double)(totals[(int)k] / emulated.Cards) / SimTime.PsPerSecond),
            PeakHbmCard = peak.Card,
            PeakHbmBytes = peak.PeakHbmBytes,
            PeakHbmBreakdown = Breakdown(peak),
            // In a heterogeneous job the capacity is that of the peak card's own kind (stage = card / (tp·dp·cp)).
            HbmCapacityBytes = CapacityOf(peak.Card),
            Oom = oom,
            OomBreakdown = oom is null ? null : Breakdown(c.Cards[oom.Card]),
            Events = sim.Events,
            Barriers = sim.Barriers,
            Partitions = partitions,
            Actors = ActorCounts(emulated, tree),
            Links = c.Links.OrderByDescending(l => l.BusyPs).ThenBy(l => l.From, StringComparer.Ordinal).ThenBy(l => l.To, StringComparer.Ordinal).ToArray(),
            SampledCards = c.Cards.Where(r => sampled.Contains(r.Card)).ToArray(),
            SwitchSeries = c.SwitchSeries.OrderBy(x => x.Switch, StringComparer.Ordinal).ToArray(),
        };
    }
}
