namespace Emulator.Core.Specs;

/// <summary>Everything one emulation needs, validated: hardware, fabric, model, plan, training and emulation settings.</summary>
/// <param name="Name">Scenario name.</param>
/// <param name="Description">One line on what it shows.</param>
/// <param name="Preset">Hardware preset the card, node and fabric came from.</param>
/// <param name="Cards">Accelerators in the job (= tp·pp·dp).</param>
public sealed record Scenario(
    string Name,
    string Description,
    string Preset,
    int Cards,
    CardSpec Card,
    NodeSpec Node,
    FabricSpec Fabric,
    ModelSpec Model,
    ParallelSpec Parallel,
    TrainingSpec Training,
    EmulationSpec Emulation)
{
    /// <summary>The training software's stack and calibration; generic (microbenchmark efficiencies) unless set.</summary>
    public SoftwareSpec Software { get; init; } = SoftwareSpec.Generic;

    /// <summary>The card of each pipeline stage in a heterogeneous job (empty: every stage runs on <see cref="Card"/>).</summary>
    public IReadOnlyList<CardSpec> StageCards { get; init; } = [];

    /// <summary>The card that runs pipeline stage <paramref name="stage"/>.</summary>
    public CardSpec CardOfStage(int stage) => StageCards.Count > 0 ? StageCards[stage] : Card;

    /// <summary>Servers in the job.</summary>
    public int Nodes => Cards / Node.CardsPerNode;

    /// <summary>Data-parallel ranks (dp·cp) one set of ZeRO shards spans: training.zero-shard-group, by default all of them (of
    /// one slice on a multi-slice torus, the slices holding replicas).</summary>
    public int ZeroShards => Training.ZeroShardGroup > 0 ? Training.ZeroShardGroup : Parallel.WeightReplicas / Fabric.Slices;
}
