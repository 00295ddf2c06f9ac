namespace Emulator.Core.Specs;

/// <summary>How the job is split: tensor, pipeline and data parallel sizes, batch sizes and the pipeline schedule.</summary>
/// <param name="Tp">Tensor-parallel size (inside one node).</param>
/// <param name="Pp">Pipeline stages.</param>
/// <param name="Dp">Data-parallel replicas.</param>
/// <param name="MicroBatch">Sequences per microbatch per pipeline.</param>
/// <param name="GlobalBatch">Sequences per optimizer step for the whole job.</param>
/// <param name="Schedule">Pipeline schedule: "1f1b" (Megatron-core's, microbatch groups) or "1f1b-megatron-2021" (Megatron-LM's interleaving before groups).</param>
/// <param name="StageLayers">Layers of each stage, first to last; even split when empty.</param>
/// <param name="VirtualStages">Model chunks per stage of the interleaved 1F1B schedule (1 = plain 1F1B).</param>
public sealed record ParallelSpec(
    int Tp,
    int Pp,
    int Dp,
    int MicroBatch,
    int GlobalBatch,
    string Schedule,
    IReadOnlyList<int> StageLayers,
    int VirtualStages = 1)
{
    /// <summary>Context-parallel size: each sequence is split over this many cards, which pass keys and values round a ring (ring attention).</summary>
    public int Cp { get; init; } = 1;

    /// <summary>Microbatches per group of the interleaved schedule (Megatron-core's microbatch_group_size_per_vp_stage); pp unless set.</summary>
    public int MicroBatchGroup { get => microBatchGroup ?? Pp; init => microBatchGroup = value; }

    private readonly int? microBatchGroup;

    /// <summary>Cards holding the same weights and reducing gradients together: dp·cp (Megatron's data-parallel group with context parallelism).</summary>
    public int WeightReplicas => Dp * Cp;

    /// <summary>Microbatches each pipeline runs per step.</summary>
    public int MicroBatches => GlobalBatch / (MicroBatch * Dp);

    /// <summary>Cards the plan needs.</summary>
    public int Cards => Tp * Cp * Pp * Dp;
}
