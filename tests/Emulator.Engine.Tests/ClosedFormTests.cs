using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Core.Topology;
using Emulator.Core.Units;
using Emulator.Engine.Messages;
using Emulator.Engine.Plan;
using Emulator.Kernel;
using Emulator.Scenarios;

namespace Emulator.Engine.Tests;

/// <summary>The emulated fabric and schedule against closed forms on an otherwise idle cluster.</summary>
public class ClosedFormTests
{
    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    public void RingAllReduce_IdleFabric_MatchesClosedFormWithin1Percent(int n)
    {
        // One card per node, so every ring step crosses the fabric: NIC -> leaf -> NIC, all nodes on one leaf.
        const long bytes = 1L << 30;
        var s = TestScenarios.With(tp: 1, pp: 1, dp: n);
        s = s with { Node = s.Node with { CardsPerNode = 1, Nics = 1 } };
        var measured = AllReduceStep(s, bytes).Breakdown[TimeKind.DataParallel];

        // 2(n-1) steps of S/n bytes at B; each step also pays its latency terms: the NIC-to-leaf and leaf-to-NIC
        // links and the receiving NIC (the leaf forwards cut-through).
        var b = s.Node.NicBandwidth;
        var alpha = 2 * s.Fabric.LinkLatency.Seconds + s.Node.NicLatency.Seconds;
        var expected = 2.0 * (n - 1) / n * bytes / b.BytesPerSecond + 2 * (n - 1) * alpha;
        Assert.InRange(measured / expected, 0.99, 1.01);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(13)]
    public void TreeAllReduce_IdleFabric_MatchesPipelinedClosedFormWithin2Percent(int n) => TreeOnOneLeaf(n, rdmaChunk: 1L << 20);

    [Fact]
    public void TreeAllReduce_WholeWrites_StillPipelines() => TreeOnOneLeaf(8, rdmaChunk: 64L << 30);

    private static void TreeOnOneLeaf(int n, long rdmaChunk)
    {
        // One card per node on one leaf, as the ring test; the double binary tree pipelines 64 chunks of S/128 per tree,
        // whatever the RDMA chunk size.
        const long bytes = 1L << 30;
        var s = TestScenarios.With(tp: 1, pp: 1, dp: n);
        s = s with
        {
            Node = s.Node with { CardsPerNode = 1, Nics = 1 },
            Training = s.Training with { DpAlgorithm = DpAlgorithm.Tree },
            Emulation = s.Emulation with { RdmaChunkBytes = rdmaChunk },
        };
        var measured = AllReduceStep(s, bytes).Breakdown[TimeKind.DataParallel];

        // 2·S/B, plus the pipeline filling the tree's depth going up and down: each of those steps is one chunk's
        // serialisation and the path's latency (NIC-to-leaf and leaf-to-NIC links, the receiving NIC).
        var chunk = bytes / 128;
        var step = s.Fabric.LinkLatency * 2 + s.Node.NicLatency + s.Node.NicBandwidth.TransferTime(chunk);
        var expected = CollectiveCost.TreeAllReduce(bytes, n, s.Node.NicBandwidth, step);
        Assert.InRange(measured / expected.Seconds, 0.98, 1.02);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void TreeAllReduce_DpRanksSharingNodes_IsHierarchical_WithinTwoPercent(int nodes)
    {
        // tp 1 on 8-card nodes: ring reduce-scatter inside the node, each card's 1/8 tree-reduced across nodes on its own
        // NIC, ring all-gather inside the node. On one node there is no tree to run: the two rings are the all-reduce (it ran
        // as a tree through the crossbar, 64 chunks per tree two at a time, each acknowledged: 1.15 times the rings here, 3.5 times
        // on selene-tiny's dp 2).
        const long bytes = 1L << 30;
        var s = TestScenarios.With(tp: 1, pp: 1, dp: 8 * nodes);
        s = s with { Training = s.Training with { DpAlgorithm = DpAlgorithm.Tree } };
        var measured = AllReduceStep(s, bytes).Breakdown[TimeKind.DataParallel];

        var shard = bytes / 8;
        var step = s.Fabric.LinkLatency * 2 + s.Node.NicLatency + s.Node.NicBandwidth.TransferTime(shard / 128);
        var expected = CollectiveCost.RingReduceScatter(bytes, 8, s.Node.IntraBandwidth, s.Node.IntraLatency)
            + CollectiveCost.TreeAllReduce(shard, nodes, s.Node.NicBandwidth, step)
            + CollectiveCost.RingAllGather(bytes, 8, s.Node.IntraBandwidth, s.Node.IntraLatency);
        Assert.InRange(measured / expected.Seconds, 0.98, 1.02);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void HierarchicalAllReduce_DpRanksSharingNodes_MatchesClosedFormWithin1Percent(int nodes)
    {
        // tp 1 on 8-card nodes: the dp group is 8 per node x nodes; rings inside the node over the crossbar, then across nodes
        // with each card on its own NIC (all nodes on one leaf), then the all-gather inside the node.
        const long bytes = 1L << 30;
        var s = TestScenarios.With(tp: 1, pp: 1, dp: 8 * nodes);
        var measured = AllReduceStep(s, bytes).Breakdown[TimeKind.DataParallel];

        // A crossbar step pays the crossbar latency once for each node the group spans (NCCL's flat ring takes that many
        // same-node steps); a fabric step the NIC-to-leaf and leaf-to-NIC links and the receiving NIC.
        var expected = CollectiveCost.HierarchicalAllReduce(bytes, nodes, 8, s.Node.IntraBandwidth, s.Node.IntraLatency * nodes,
            s.Node.NicBandwidth, s.Fabric.LinkLatency * 2 + s.Node.NicLatency);
        Assert.InRange(measured / expected.Seconds, 0.99, 1.01);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void FlatRingLatency_SmallAllReduceOverNodes_PaysEverySameNodeStepOfTheFlatRing(int nodes)
    {
        // NCCL runs the all-reduce as one ring through all 8·nodes ranks: 2·nodes·7 steps over NVLink and 2(nodes − 1) over the
        // network, where the per-dimension rings take 2·7 and 2(nodes − 1). With 64 KiB the latencies are most of the time.
        const long bytes = 64L << 10;
        var s = TestScenarios.With(tp: 1, pp: 1, dp: 8 * nodes);
        var measured = AllReduceStep(s, bytes).Breakdown[TimeKind.DataParallel];

        var intraSteps = 2 * 7 * nodes;
        var interSteps = 2 * (nodes - 1);
        var latency = intraSteps * s.Node.IntraLatency.Seconds + interSteps * (2 * s.Fabric.LinkLatency.Seconds + s.Node.NicLatency.Seconds);
        var transfer = CollectiveCost.HierarchicalAllReduce(bytes, nodes, 8, s.Node.IntraBandwidth, SimTime.Zero, s.Node.NicBandwidth, SimTime.Zero).Seconds;
        Assert.True(latency > transfer, "the case is latency-bound");
        Assert.InRange(measured / (latency + transfer), 0.99, 1.01);
    }

    [Theory]
    [InlineData(DpAlgorithm.Ring, 2)]
    [InlineData(DpAlgorithm.Ring, 4)]
    [InlineData(DpAlgorithm.Tree, 2)]
    [InlineData(DpAlgorithm.Tree, 4)]
    public void FlatRingLatency_AllReduceOverNodes_PaysIntraLatencyPerFlatRingStep_TheTreesInNodeRingsPerOwnStep(DpAlgorithm algorithm, int nodes)
    {
        // What one more microsecond of node.intra.latency adds: the ring all-reduce's flat ring takes 2·7·nodes same-node steps;
        // the tree's reduce-scatter and all-gather inside the node 2·7, however many nodes (NCCL chains a node's ranks under it).
        const long bytes = 64L << 10;
        var s = TestScenarios.With(tp: 1, pp: 1, dp: 8 * nodes);
        s = s with { Training = s.Training with { DpAlgorithm = algorithm } };
        double Time(SimTime intra) => AllReduceStep(s with { Node = s.Node with { IntraLatency = intra } }, bytes).Breakdown[TimeKind.DataParallel];
        var delta = SimTime.FromNs(1000);
        var slope = (Time(s.Node.IntraLatency + delta) - Time(s.Node.IntraLatency)) / delta.Seconds;
        Assert.InRange(slope, 2 * 7 * (algorithm == DpAlgorithm.Ring ? nodes : 1) - 0.01, 2 * 7 * (algorithm == DpAlgorithm.Ring ? nodes : 1) + 0.01);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    public void FlatRingLatency_HybridShardGroupInsideANode_GathersPayNone(int group)
    {
        // 16 cards on 2 nodes, ZeRO shard groups of 2 or 8 inside a node: a parameter gather runs on the shard group's own
        // communicator, a ring of group − 1 NVLink steps with no flat ring across nodes.
        const long bytes = 64L << 10;
        var s = TestScenarios.With(tp: 1, pp: 1, dp: 16);
        s = s with { Training = s.Training with { ZeroStage = 1, ZeroShardGroup = group } };
        var gather = RingStep(s, RingKind.AllGather, bytes).Breakdown[TimeKind.DataParallel];
        Assert.InRange(gather / CollectiveCost.RingAllGather(bytes, group, s.Node.IntraBandwidth, s.Node.IntraLatency).Seconds, 0.99, 1.01);
    }

    [Fact]
    public void FlatRingLatency_HybridShardGroupInsideANode_PaysNone_ItsReplicaAllReduceDoes()
    {
        // 16 cards on 2 nodes, ZeRO shard groups of 2 (dims 2 x 4 x 2): the shard group's all-gather is a 2-rank communicator
        // inside one node, one NVLink step; the reduce-scatter adds the all-reduce of the shard across the 8 groups, a flat ring
        // of 4 ranks on each of 2 nodes (its 3 same-node steps each way pay 2·λ_intra, its 1 network step 2·λ_link + λ_nic).
        const long bytes = 64L << 10;
        var s = TestScenarios.With(tp: 1, pp: 1, dp: 16);
        s = s with { Training = s.Training with { ZeroStage = 1, ZeroShardGroup = 2 } };
        var gather = RingStep(s, RingKind.AllGather, bytes).Breakdown[TimeKind.DataParallel];
        var scatter = RingStep(s, RingKind.ReduceScatter, bytes).Breakdown[TimeKind.DataParallel];

        var (intra, inter) = (s.Node.IntraLatency.Seconds, 2 * s.Fabric.LinkLatency.Seconds + s.Node.NicLatency.Seconds);
        var shard = bytes / 2;
        Assert.InRange(gather / CollectiveCost.RingAllGather(bytes, 2, s.Node.IntraBandwidth, s.Node.IntraLatency).Seconds, 0.99, 1.01);
        var expected = CollectiveCost.RingReduceScatter(bytes, 2, s.Node.IntraBandwidth, s.Node.IntraLatency).Seconds
            + 2 * 3 * 2 * intra + 2 * inter
            + CollectiveCost.HierarchicalAllReduce(shard, 2, 4, s.Node.IntraBandwidth, SimTime.Zero, s.Node.NicBandwidth, SimTime.Zero).Seconds;
        Assert.InRange(scatter / expected, 0.99, 1.01);
    }

    [Theory]
    [InlineData(new[] { 4, 4 })]
    [InlineData(new[] { 2, 2, 4 })]
    [InlineData(new[] { 16 })]
    public void TorusAllReduce_OneBidirectionalRingPerAxis_MatchesClosedFormWithin1Percent(int[] dims)
    {
        // 16 chips linked directly (no switches); a pure data-parallel job's rings follow the torus axes, both directions at once.
        const long bytes = 1L << 30;
        var s = TestScenarios.With(tp: 1, pp: 1, dp: 16);
        s = s with { Fabric = FabricSpec.Torus(s.Fabric.LinkBandwidth, s.Fabric.LinkLatency, dims) };
        var result = AllReduceStep(s, bytes);
        var measured = result.Breakdown[TimeKind.DataParallel];

        // Each step: one link's serialisation and latency, then the receiving chip's DMA latency.
        var expected = CollectiveCost.TorusAllReduce(bytes, dims, s.Fabric.LinkBandwidth, s.Fabric.LinkLatency + s.Node.NicLatency, bidirectional: true);
        Assert.Equal(0, result.Actors["switch"]);
        Assert.InRange(measured / expected.Seconds, 0.99, 1.01);
    }

    [Theory]
    [InlineData(4, new[] { 4, 4, 4 }, new[] { 4, 4 })]     // tp fills the x axis: the dp rings run along y and z
    [InlineData(8, new[] { 4, 2, 2, 4 }, new[] { 2, 4 })]  // tp fills x and y
    public void TorusAllReduce_BesideTensorParallelism_OneRingPerRemainingAxis(int tp, int[] torus, int[] dpAxes)
    {
        // With a replica's chips filling whole leading axes, the dp ranks' mixed radix is the chips' coordinates: each ring
        // steps to a neighbour along one axis, as a pure data-parallel job's do (before, one ring snaked through all dp ranks).
        const long bytes = 1L << 30;
        var chips = torus.Aggregate(1, (a, d) => a * d);
        var s = TestScenarios.With(tp: tp, pp: 1, dp: chips / tp);
        s = s with { Fabric = FabricSpec.Torus(s.Fabric.LinkBandwidth, s.Fabric.LinkLatency, torus) };
        Assert.Equal(dpAxes, DataParallelDims.Of(s)!.Dims);

        var measured = AllReduceStep(s, bytes).Breakdown[TimeKind.DataParallel];

        var expected = CollectiveCost.TorusAllReduce(bytes, dpAxes, s.Fabric.LinkBandwidth, s.Fabric.LinkLatency + s.Node.NicLatency, bidirectional: true);
        Assert.InRange(measured / expected.Seconds, 0.99, 1.01);
    }

    [Theory]
    [InlineData(4, "[4, 4, 4]", 16, 64)]  // one 4-chip v5p host, along the 4-chip x axis
    [InlineData(8, "[8, 2, 4]", 8, 32)]   // two hosts, along the 8-chip x axis
    public void TensorParallelismOnATorus_RingsBothWaysOverTheChipLinks_MatchClosedForm(int tp, string dims, int dp, int globalBatch)
    {
        // A TPU host has no crossbar: its chips, and a group of whole hosts, all-reduce over the ICI links, half the bytes
        // each way round a ring of 2·(t−1) one-hop steps of S/2t at the link's DMA rate, each paying the link and the
        // receiving chip's DMA latency.
        var s = ScenarioLoader.Load(RepoPaths.Scenario("tpu-v5p-smoke"),
            [$"parallel.tp={tp}", $"parallel.dp={dp}", $"parallel.global-batch={globalBatch}", $"fabric.torus-dims={dims}"]);

        var result = StepEmulation.Run(s);

        // Four all-reduces of b·s·h·2 bytes per layer (two forward, two backward; the scenario's recomputation redoes no
        // TP-reduced GEMM) and two for the vocabulary (the embedding's sum, the logits input's gradient), one microbatch per replica.
        Assert.Equal(1, s.Parallel.MicroBatches);
        var collectives = 4 * s.Model.Layers + 2;
        var bytes = StagePlanner.TensorParallelBytes(s);
        var link = new Bandwidth((long)(s.Fabric.LinkBandwidth.BitsPerSecond * s.Node.NicEfficiency));
        var each = CollectiveCost.RingAllReduce(bytes / 2, tp, link, s.Fabric.LinkLatency + s.Node.NicLatency);
        Assert.InRange(result.Breakdown[TimeKind.TensorParallel] / (collectives * each.Seconds), 0.999, 1.001);
    }

    [Theory]
    [InlineData(2, 8)] // the one link between the pair: 1/7 of the NPU's 196 GB/s
    [InlineData(4, 4)] // three links: 3/7
    [InlineData(8, 2)] // all seven: as the crossbar
    public void TensorParallelismOnAFullMesh_RunsOverTheLinksAmongItsMembers(int tp, int dp)
    {
        // Ascend's HCCS links each NPU to each other one of its server: a tp group of k NPUs reduces over k − 1 of the 7 links.
        string[] plan = [$"parallel.tp={tp}", $"parallel.dp={dp}"];
        var (mesh, crossbar) = MeshAndCrossbar(plan);
        Assert.Equal(7, mesh.Node.IntraMeshPeers);
        Assert.Equal(0, crossbar.Node.IntraMeshPeers);

        var bytes = StagePlanner.TensorParallelBytes(mesh);
        var full = mesh.Node.AchievedIntraBandwidth;
        var share = new Bandwidth((long)(full.BitsPerSecond * (tp - 1) / 7.0));
        // A card's collectives: 16 layers x 16 microbatches of four at an all-reduce's bytes and, with sequence parallelism and
        // no backward overlap, two re-gathers at half of them; and its stage's vocabulary collectives, two halves a microbatch.
        double Time(Bandwidth b) => 1024 * CollectiveCost.RingAllReduce(bytes, tp, b, mesh.Node.IntraLatency).Seconds
            + (512 + 32) * CollectiveCost.RingAllReduce(bytes / 2, tp, b, mesh.Node.IntraLatency).Seconds;
        var expected = Time(share) / Time(full);
        var ratio = StepEmulation.Run(mesh).Breakdown[TimeKind.TensorParallel] / StepEmulation.Run(crossbar).Breakdown[TimeKind.TensorParallel];
        Assert.InRange(ratio / expected, 0.999, 1.001);
    }

    [Theory]
    [InlineData(2)] // the one link between the pair: 1/7 of the NPU's port
    [InlineData(4)] // three links: 3/7
    [InlineData(8)] // all seven: as the crossbar
    public void DataParallelCollectiveOnAFullMesh_RunsOverTheLinksAmongItsMembers(int dp)
    {
        // HCCL's in-server algorithm on a full mesh drives the k − 1 links among a group's k NPUs at once; the emulated ring
        // stands in for it with each step at (k − 1)/7 of the port.
        const long bytes = 1L << 30;
        string[] plan = ["cluster.cards=8", $"parallel.tp={8 / dp}", "parallel.pp=1", $"parallel.dp={dp}", $"parallel.global-batch={dp}", "training.sequence-parallel=false"];
        var (mesh, crossbar) = MeshAndCrossbar(plan);

        var full = mesh.Node.AchievedIntraBandwidth;
        var share = new Bandwidth((long)(full.BitsPerSecond * (dp - 1) / 7.0));
        var expected = CollectiveCost.RingAllReduce(bytes, dp, share, mesh.Node.IntraLatency).Seconds
            / CollectiveCost.RingAllReduce(bytes, dp, full, mesh.Node.IntraLatency).Seconds;
        var ratio = AllReduceStep(mesh, bytes).Breakdown[TimeKind.DataParallel] / AllReduceStep(crossbar, bytes).Breakdown[TimeKind.DataParallel];
        Assert.InRange(ratio / expected, 0.999, 1.001);
    }

    [Fact]
    public void DataParallelRingAcrossNodesOnAFullMesh_TakesOneLinkForItsSameNodeHops()
    {
        // dp 12 on 8-NPU servers is one flat ring over two servers (no [k, dp/k] split): a ring, not HCCL's in-server mesh
        // algorithm, so its same-node hops cross the one link to the next NPU (18.5 GB/s), slower than the NIC hop (25), and
        // pace the ring.
        const long bytes = 1L << 30;
        string[] plan = ["cluster.cards=24", "parallel.tp=1", "parallel.pp=2", "parallel.dp=12", "parallel.global-batch=12", "training.sequence-parallel=false"];
        var mesh = ScenarioLoader.Load(RepoPaths.Scenario("ascend-910b-smoke"), plan);
        Assert.Equal(new[] { 12 }, DataParallelDims.Of(mesh)!.Dims);

        var link = new Bandwidth((long)(mesh.Node.AchievedIntraBandwidth.BitsPerSecond / 7.0));
        var expected = CollectiveCost.RingAllReduce(bytes, 12, link, mesh.Node.IntraLatency).Seconds;
        var measured = AllReduceStep(mesh, bytes).Breakdown[TimeKind.DataParallel];
        Assert.InRange(measured / expected, 0.999, 1.01);
    }

    [Fact]
    public void PipelineSendOnAFullMesh_TakesTheOneLinkToItsPeer()
    {
        // A send from one NPU to another of its server crosses the single HCCS link between them: 1/7 of the port.
        const long bytes = 256L << 20;
        string[] plan = ["cluster.cards=2", "parallel.tp=1", "parallel.pp=2", "parallel.dp=1", "parallel.global-batch=1", "training.sequence-parallel=false"];
        var (mesh, crossbar) = MeshAndCrossbar(plan);
        StagePlan Program(int stage) => new(stage, 1, stage == 0
            ? [new SendInput(TransferKind.Activation, 0, bytes)]
            : [new WaitInput(TransferKind.Activation, 0)], new StateMemory(0, 0, 0), 0);

        var link = new Bandwidth(mesh.Node.AchievedIntraBandwidth.BitsPerSecond / 7);
        var difference = StepEmulation.Run(mesh, programs: Program).StepTime - StepEmulation.Run(crossbar, programs: Program).StepTime;
        var expected = link.TransferTime(bytes) - mesh.Node.AchievedIntraBandwidth.TransferTime(bytes);
        Assert.InRange(difference.Seconds / expected.Seconds, 0.999, 1.001);
    }

    [Fact]
    public void RingStartAndWait_CollectiveOverlapsCompute()
    {
        // A 256 MiB all-reduce over 4 nodes at 100 Gb/s (2·3/4·256 MiB / 12.5 GB/s = 32 ms) started before 100 ms of compute
        // is hidden: the step is the compute alone.
        const long bytes = 256L << 20;
        var s = TestScenarios.With(tp: 1, pp: 1, dp: 4);
        s = s with { Node = s.Node with { CardsPerNode = 1, Nics = 1 } };
        var compute = new WorkCost(0, 0, 1, SimTime.FromUs(100_000));
        var program = new StagePlan(0, 0, new Instruction[]
        {
            new RingStart(RingKind.AllReduce, bytes, 0), new Work(compute, WorkPhase.Backward, 0), new RingWait(RingKind.AllReduce, 0),
        }, new StateMemory(0, 0, 0), 0);

        var result = StepEmulation.Run(s, programs: _ => program);

        Assert.Equal(0.0, result.Breakdown[TimeKind.DataParallel]);
        Assert.InRange(result.StepTime.Seconds, 0.100, 0.1001);
    }

    [Fact]
    public void TensorParallelChain_NodeRunsTheMiddleCollectives_SameTimesFewerEvents()
    {
        // Kernels of 1, 2, 3 and 4 ms with a tensor-parallel all-reduce after each of the first three, on 8 ranks of one node.
        // The ranks meet at the first collective on their barrier, the last to post telling the node (one event, not a join per
        // rank); the node runs the next two itself, a kernel's time after each ends.
        const long bytes = 64L << 20;
        var s = TestScenarios.With(tp: 8, pp: 1, dp: 1);
        var program = KernelsWithTpAllReduces(bytes);

        var result = StepEmulation.Run(s, programs: _ => program);

        var collective = CollectiveCost.RingAllReduce(bytes, 8, s.Node.AchievedIntraBandwidth, s.Node.IntraLatency);
        Assert.Equal(SimTime.FromUs(10_000) + collective * 3, result.StepTime);
        Assert.Equal(3 * collective.Seconds, result.Breakdown[TimeKind.TensorParallel], 12);
        Assert.Equal(10e-3, result.Breakdown[TimeKind.Compute], 12);
        Assert.Equal(1 + 2, result.EventsByMessage["TpChain"]);
        Assert.Equal(8, result.EventsByMessage["TpCollectiveDone"]);
    }

    [Fact]
    public void TensorParallelChain_RunsLastKernelHeldByItsBanks_NextCollectiveWaitsForThem()
    {
        // Two 1 ms kernels, each followed by a tensor-parallel all-reduce; the first moves so many HBM bytes that the banks
        // serve the run for longer than both kernels and the first collective: the run's last kernel ends when they are done,
        // and the node, running the second collective for the group, starts it only then.
        const long bytes = 64L << 20;
        var s = TestScenarios.With(tp: 8, pp: 1, dp: 1);
        var hbm = 40L << 30;
        var program = new StagePlan(0, 1, new Instruction[]
        {
            new Work(new WorkCost(0, hbm, 1, SimTime.FromUs(1000)), WorkPhase.Forward, 0), new TpSync(bytes),
            new Work(new WorkCost(0, 0, 1, SimTime.FromUs(1000)), WorkPhase.Forward, 0), new TpSync(bytes),
        }, new StateMemory(0, 0, 0), 0);

        var result = StepEmulation.Run(s, programs: _ => program);

        var collective = CollectiveCost.RingAllReduce(bytes, 8, s.Node.AchievedIntraBandwidth, s.Node.IntraLatency);
        var served = s.Card.StackBandwidth.TransferTime(hbm / s.Card.HbmStacks);
        Assert.True(served > SimTime.FromUs(2000) + collective, "the banks must be the bottleneck for this test to mean anything");
        Assert.Equal(served + collective, result.StepTime);
        Assert.Equal(served.Seconds - collective.Seconds, result.Breakdown[TimeKind.Compute], 12);
        Assert.Equal(2 * collective.Seconds, result.Breakdown[TimeKind.TensorParallel], 12);
        Assert.Equal(1 + 1, result.EventsByMessage["TpChain"]);
    }

    [Fact]
    public void BackToBackCollectives_RunAsOneChain_AtTheirSummedCost()
    {
        // A re-gather right after a block's all-reduce (sequence parallelism's backward without overlap): the node runs the
        // second as soon as the first ends, then the kernel, then the third, telling the ranks only at the end.
        const long bytes = 64L << 20;
        var s = TestScenarios.With(tp: 8, pp: 1, dp: 1);
        var kernel = new WorkCost(0, 0, 1, SimTime.FromUs(1000));
        var program = new StagePlan(0, 1, new Instruction[]
        {
            new Work(kernel, WorkPhase.Backward, 0), new TpSync(bytes), new TpSync(bytes / 2),
            new Work(kernel, WorkPhase.Backward, 0), new TpSync(bytes),
        }, new StateMemory(0, 0, 0), 0);

        var result = StepEmulation.Run(s, programs: _ => program);

        var (whole, half) = (CollectiveCost.RingAllReduce(bytes, 8, s.Node.AchievedIntraBandwidth, s.Node.IntraLatency),
            CollectiveCost.RingAllReduce(bytes / 2, 8, s.Node.AchievedIntraBandwidth, s.Node.IntraLatency));
        Assert.Equal(SimTime.FromUs(2000) + whole + half + whole, result.StepTime);
        Assert.Equal((whole + half + whole).Seconds, result.Breakdown[TimeKind.TensorParallel], 12);
        Assert.Equal(0.002, result.Breakdown[TimeKind.Compute], 12);
        Assert.Equal(1 + 2, result.EventsByMessage["TpChain"]);
    }

    [Fact]
    public void TensorParallelAsRingMessages_IdleNode_SameTimesAsTheOneEventCollective()
    {
        // emulation.tp-collectives = ring: the three all-reduces of the chain test run as rings of crossbar writes between
        // the 8 cards (2·7 writes per card each), which on an idle node take the ring's closed form, as the one event does.
        const long bytes = 64L << 20;
        var s = TestScenarios.With(tp: 8, pp: 1, dp: 1);
        s = s with { Emulation = s.Emulation with { TpCollectiveRings = true } };
        var program = KernelsWithTpAllReduces(bytes);

        var result = StepEmulation.Run(s, programs: _ => program);

        var collective = CollectiveCost.RingAllReduce(bytes, 8, s.Node.AchievedIntraBandwidth, s.Node.IntraLatency);
        Assert.Equal(SimTime.FromUs(10_000) + collective * 3, result.StepTime);
        Assert.Equal(3 * collective.Seconds, result.Breakdown[TimeKind.TensorParallel], 12);
        Assert.False(result.EventsByMessage.ContainsKey("TpChain"));
        Assert.Equal(3 * 8 * 2 * 7, result.EventsByMessage["RdmaDelivered"]);
    }

    /// <summary>Kernels of 1, 2, 3 and 4 ms, a tensor-parallel all-reduce of <paramref name="bytes"/> after each of the first three.</summary>
    private static StagePlan KernelsWithTpAllReduces(long bytes)
    {
        Work Kernel(int ms) => new(new WorkCost(0, 0, 1, SimTime.FromUs(1000 * ms)), WorkPhase.Backward, 0);
        return new StagePlan(0, 1, new Instruction[]
        {
            Kernel(1), new TpSync(bytes), Kernel(2), new TpSync(bytes), Kernel(3), new TpSync(bytes), Kernel(4),
        }, new StateMemory(0, 0, 0), 0);
    }

    [Theory]
    [InlineData(4, 8)]
    [InlineData(4, 16)]
    [InlineData(8, 8)]
    [InlineData(2, 5)]
    public void OneFOneB_EqualMicrobatches_BubbleIsPMinus1OverMPlusPMinus1(int p, int m)
    {
        // Forward 1 ms and backward 2 ms per microbatch per stage, tiny activations: the bubble is the schedule's own.
        var s = TestScenarios.With(tp: 1, pp: p, dp: 1, globalBatch: m);
        StagePlan Program(int stage) => UniformProgram(stage, p, m, chunks: 1);

        var result = StepEmulation.Run(s, programs: Program);

        var bubble = result.Breakdown[TimeKind.PipelineBubble] / result.StepTime.Seconds;
        var expected = PipelineSchedule.BubbleFraction(p, m);
        Assert.InRange(bubble / expected, 0.99, 1.01);
        Assert.InRange(result.StepTime.Seconds / ((m + p - 1) * 3e-3), 0.99, 1.01);
    }

    [Theory]
    [InlineData(4, 8, 2)]
    [InlineData(4, 16, 4)]
    [InlineData(2, 4, 3)]
    public void InterleavedOneFOneB_EqualChunks_BubbleIsPMinus1OverVMPlusPMinus1(int p, int m, int v)
    {
        // Each chunk takes 1 ms forward and 2 ms backward per microbatch; tiny activations over the crossbar.
        var s = TestScenarios.With(tp: 1, pp: p, dp: 1, globalBatch: m);
        s = s with { Parallel = s.Parallel with { VirtualStages = v } };
        StagePlan Program(int stage) => UniformProgram(stage, p, m, v);

        var result = StepEmulation.Run(s, programs: Program);

        var bubble = result.Breakdown[TimeKind.PipelineBubble] / result.StepTime.Seconds;
        Assert.InRange(bubble / PipelineSchedule.InterleavedBubbleFraction(p, m, v), 0.99, 1.01);
    }

    [Fact]
    public void InterleavedOneFOneB_OneGroupOfFiveOnFourStages_RunsWithABubbleBetweenInterleavedAndPlain()
    {
        // Megatron-core's microbatch groups let 5 microbatches interleave on 4 stages as one group of 5.
        var (p, m, v) = (4, 5, 3);
        var s = TestScenarios.With(tp: 1, pp: p, dp: 1, globalBatch: m);
        s = s with { Parallel = s.Parallel with { VirtualStages = v, MicroBatchGroup = m } };

        var result = StepEmulation.Run(s, programs: stage => UniformProgram(stage, p, m, v, group: m));

        var bubble = result.Breakdown[TimeKind.PipelineBubble] / result.StepTime.Seconds;
        Assert.InRange(bubble, PipelineSchedule.InterleavedBubbleFraction(p, m, v) * 0.99, PipelineSchedule.BubbleFraction(p, m));
        Assert.True(result.StepTime.Seconds >= m * v * 3e-3, "every chunk-microbatch's 3 ms ran");
    }

    /// <summary>A stage program of the (interleaved) 1F1B schedule where every chunk takes 1 ms forward and 2 ms backward and sends 1 KiB.</summary>
    private static StagePlan UniformProgram(int stage, int p, int m, int chunks, int group = 0)
    {
        var f = new WorkCost(0, 0, 1, SimTime.FromUs(1000));
        var b = new WorkCost(0, 0, 1, SimTime.FromUs(2000));
        var list = new List<Instruction>();
        foreach (var op in PipelineSchedule.Interleaved(stage, p, m, chunks, group))
        {
            var firstVirtual = stage == 0 && op.Chunk == 0;
            var lastVirtual = stage == p - 1 && op.Chunk == chunks - 1;
            if (op.Kind == PipeOpKind.Forward)
            {
                if (!firstVirtual) list.Add(new WaitInput(TransferKind.Activation, op.MicroBatch, op.Chunk));
                list.Add(new Work(f, WorkPhase.Forward, op.MicroBatch));
                if (!lastVirtual) list.Add(new SendInput(TransferKind.Activation, op.MicroBatch, 1024, stage == p - 1 ? op.Chunk + 1 : op.Chunk));
            }
            else
            {
                if (!lastVirtual) list.Add(new WaitInput(TransferKind.Gradient, op.MicroBatch, op.Chunk));
                list.Add(new Work(b, WorkPhase.Backward, op.MicroBatch));
                if (!firstVirtual) list.Add(new SendInput(TransferKind.Gradient, op.MicroBatch, 1024, stage == 0 ? op.Chunk - 1 : op.Chunk));
            }
        }
        return new StagePlan(stage, chunks, list, new StateMemory(0, 0, 0), 0);
    }

    /// <summary>The ascend-910b smoke scenario with <paramref name="plan"/>, on its HCCS full mesh and with its node made a crossbar.</summary>
    private static (Scenario Mesh, Scenario Crossbar) MeshAndCrossbar(string[] plan) => (
        ScenarioLoader.Load(RepoPaths.Scenario("ascend-910b-smoke"), plan),
        ScenarioLoader.Load(RepoPaths.Scenario("ascend-910b-smoke"), [.. plan, "node.intra.topology=crossbar"]));

    /// <summary>A step that is one gradient all-reduce of <paramref name="bytes"/> on every card.</summary>
    private static Results.StepResult AllReduceStep(Scenario s, long bytes) => RingStep(s, RingKind.AllReduce, bytes);

    /// <summary>A step that is one data-parallel collective of <paramref name="kind"/> over <paramref name="bytes"/> on every card.</summary>
    private static Results.StepResult RingStep(Scenario s, RingKind kind, long bytes)
    {
        var program = new StagePlan(0, 0, new Instruction[] { new RingSync(kind, bytes, 0) }, new StateMemory(0, 0, 0), 0);
        return StepEmulation.Run(s, programs: _ => program);
    }
}
