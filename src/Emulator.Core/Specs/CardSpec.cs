using Emulator.Core.Units;
using Emulator.Kernel;

namespace Emulator.Core.Specs;

/// <summary>One accelerator: peak dense compute, HBM stacks, power, and the achievable-efficiency constants of its preset.</summary>
/// <param name="Name">Product name, for reports.</param>
/// <param name="PeakFlops">Dense BF16/FP16 peak, FLOP/s.</param>
/// <param name="HbmStacks">HBM stacks (one HbmBank actor each).</param>
/// <param name="StackCapacityBytes">Capacity of one stack.</param>
/// <param name="StackBandwidth">Peak bandwidth of one stack.</param>
/// <param name="PowerWatts">Board power at full load (TDP).</param>
/// <param name="GemmEfficiency">Best fraction of peak a large GEMM reaches.</param>
/// <param name="GemmHalfDim">GEMM dimension (smallest of M, N, K) at which efficiency falls to half of the best.</param>
/// <param name="MemoryEfficiency">Fraction of peak HBM bandwidth that memory-bound kernels reach.</param>
/// <param name="KernelOverhead">Fixed launch/start-up cost per kernel.</param>
public sealed record CardSpec(
    string Name,
    double PeakFlops,
    int HbmStacks,
    long StackCapacityBytes,
    Bandwidth StackBandwidth,
    double PowerWatts,
    double GemmEfficiency,
    double GemmHalfDim,
    double MemoryEfficiency,
    SimTime KernelOverhead)
{
    /// <summary>Fraction of peak a fused causal attention kernel (FlashAttention) reaches on the blocks it computes, on and below
    /// the diagonal; 0 charges the whole s×s square at <see cref="GemmEfficiency"/> instead, which is the same time as the causal
    /// half at half the GEMM efficiency.</summary>
    public double AttentionEfficiency { get; init; }

    /// <summary>On a card whose vector units run apart from its matrix units (Ascend's AIV and AIC cores), the fused attention's softmax
    /// time on the vector units per score, relative to the matrix units' QKᵀ and PV time at heads 128 wide: the softmax's work does
    /// not shrink with the head width, the GEMMs' does. 0: the attention is never bound by its vector units.</summary>
    public double AttentionVectorSoftmax { get; init; }

    /// <summary>With <see cref="AttentionVectorSoftmax"/>, the vector units' update of the output per score relative to the matrix
    /// units' time, at any head width (both scale with it).</summary>
    public double AttentionVectorUpdate { get; init; }

    /// <summary>Fraction of the card's compute a collective running beside it takes (NCCL's CTAs hold whole SMs while they run);
    /// kernels overlapping a collective run at 1 − this. 0 where collectives run on engines of their own (TPU ICI DMA).</summary>
    public double CollectiveShare { get; init; }

    /// <summary>The same for a collective whose group spans nodes: NCCL opens as many channels as the NICs' rings need (16 with eight
    /// 200-400 Gb/s NICs), fewer than over NVLink alone. Unset: as <see cref="CollectiveShare"/>.</summary>
    public double? CollectiveShareNetwork { get; init; }

    /// <summary><see cref="CollectiveShareNetwork"/> where set, else <see cref="CollectiveShare"/>.</summary>
    public double NetworkCollectiveShare => CollectiveShareNetwork ?? CollectiveShare;

    /// <summary>Dense FP8 (E4M3/E5M2) peak, FLOP/s; 0 on a card without FP8 matrix units.</summary>
    public double Fp8PeakFlops { get; init; }

    /// <summary>Best fraction of <see cref="Fp8PeakFlops"/> a large FP8 GEMM reaches.</summary>
    public double Fp8GemmEfficiency { get; init; }

    /// <summary>FP8 GEMM dimension (smallest of M, N, K) at which efficiency falls to half of the best.</summary>
    public double Fp8GemmHalfDim { get; init; }

    /// <summary>Rate of an FP8 GEMM whose partial sums are promoted to fp32 as it goes (Transformer Engine's split accumulator, in
    /// dgrad and wgrad) relative to one with fast accumulation (fprop, and the microbenchmarks behind <see cref="Fp8GemmEfficiency"/>).</summary>
    public double Fp8SplitAccumulatorRate { get; init; } = 1;

    /// <summary>Whether the card's FP8 GEMMs take both operands K-major only (Hopper's "TN"), so Transformer Engine makes an FP8
    /// transpose of each operand beside its copy; false where they take either layout (Blackwell), so one FP8 copy serves both.</summary>
    public bool Fp8Transposes { get; init; } = true;

    /// <summary>Total HBM capacity of the card.</summary>
    public long HbmCapacityBytes => StackCapacityBytes * HbmStacks;

    /// <summary>Total peak HBM bandwidth of the card.</summary>
    public Bandwidth HbmBandwidth => new(StackBandwidth.BitsPerSecond * HbmStacks);
}
