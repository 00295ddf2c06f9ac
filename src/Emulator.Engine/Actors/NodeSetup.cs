using Emulator.Core.Specs;
using Emulator.Core.Topology;
using Emulator.Engine.Runtime;

namespace Emulator.Engine.Actors;

/// <summary>What a node actor needs: its index, specs, the fabric it plugs into (a fat tree, or a torus of its chips' links) and the setups of its cards.</summary>
public sealed record NodeSetup(
    int Node,
    NodeSpec Spec,
    FabricSpec Fabric,
    CardSpec Card,
    FatTree? Tree,
    EntityMap Map,
    long Seed,
    long ChunkBytes,
    IReadOnlyList<CardSetup> Cards)
{
    /// <summary>The one-event tensor-parallel collectives are all-reduces (no sequence parallelism, whose collectives are
    /// all-gather and reduce-scatter rings): they run at the crossbar's all-reduce efficiency.</summary>
    public bool TpAllReduces { get; init; }

    /// <summary>The chip-to-chip torus when the fabric is one (then <see cref="Tree"/> is null).</summary>
    public Torus? Torus { get; init; }
}
