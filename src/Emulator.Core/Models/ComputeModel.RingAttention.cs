using Emulator.Core.Specs;

namespace Emulator.Core.Models;

/// <summary>What ring attention adds to one layer's attention core beyond the one fused kernel LayerForward and LayerBackward charge.</summary>
/// <remarks>
/// Megatron-core's context parallelism (Transformer Engine's AttnFuncWithCPAndKVP2P, cp_comm_type p2p) and MindSpeed's
/// megatron_cp_algo (ring_context_parallel.py) run the attention as cp steps, one fused kernel each (the causal diagonal, then
/// cp − 1 dense blocks of half the queries or half the keys), and merge each step's partial output into the running one with its
/// softmax statistics; backward runs cp kernels again and adds each step's dQ, dK and dV into the gradients. The ranks hold equal
/// attention work (chunks i and 2cp − 1 − i), not equal merges: the last rank's every non-diagonal step has all its T = b·s/cp
/// queries (against half a key block), so its merges are the largest, and the ring runs at its pace; charged here. Per layer and
/// microbatch on one tp rank, with n = a/tp query heads, E = T·A/tp output elements and K = T·kv width/tp key elements:
/// <list type="bullet">
/// <item>both: cp − 1 more attention launches each way; forward, keys and values concatenated into the first send buffer (one kernel, 8K B);
/// backward, cp adds into dQ (6E B each) and two into dK and dV a step (6 B an element of the block: half of it, 3K B, on the
/// cp − 1 non-diagonal steps, the whole 6K on the diagonal).</item>
/// <item>fused (Transformer Engine): the output corrections, the first reading the step's output and writing the running one (4E B),
/// the other cp − 1 reading both and writing it (6E); the fp32 log-sum-exp cloned (8 B a query·head) and corrected cp − 1 times
/// (12 B); one kernel each.</item>
/// <item>eager (MindSpeed's forward_update without the fused operator): cp − 1 updates of 18 kernels each, ten over the fp32
/// statistics [b, n, T, 8] (X = 32·n·T B a tensor: maximum, two subtractions and exps, two products, a sum, two quotients: 28X),
/// the two output scales each broadcast to [b, n, T, d] in fp32 (reading X, writing 4E) and permuted to [T, b, n·d] by a
/// contiguous copy (8E), the two products with the 2-byte outputs promoted to fp32 (10E each), their sum (12E) and the cast back
/// to 2 bytes (6E): 30X + 62E B.</item>
/// </list>
/// Not charged: the steps' own HBM traffic beyond the one kernel's (compute-bound at these lengths), MindSpeed 2024's backward
/// concatenation and copy of dK and dV into its send buffer a step (16K B), and the first step's gradient copy taken as an add.
/// </remarks>
public static partial class ComputeModel
{
    /// <summary>Ring attention's extra kernels in one layer's forward (also rerun by any recompute of the attention core) and backward.</summary>
    public static (WorkCost Forward, WorkCost Backward) RingAttentionPasses(CardSpec c, ModelSpec m, int tp, int microBatch, int cp, CpMerge merge)
    {
        if (cp == 1) return (WorkCost.Zero, WorkCost.Zero);
        var tokens = Tokens(m, microBatch, cp);
        double heads = (double)m.Heads / Tp(tp);
        var outputs = tokens * m.AttentionWidth / Tp(tp);
        var keys = tokens * m.KvWidthAcross(tp) / Tp(tp);
        var launches = Launches(c, cp - 1);
        var steps = cp - 1;

        var forward = launches + Elementwise(c, 8 * keys);
        if (merge == CpMerge.Fused)
        {
            forward += Elementwise(c, 4 * outputs) + Elementwise(c, 8 * heads * tokens);
            for (var i = 0; i < steps; i++) forward += Elementwise(c, 6 * outputs) + Elementwise(c, 12 * heads * tokens);
        }
        else
        {
            var stats = 32 * heads * tokens;
            double[] update =
            [
                3 * stats, 3 * stats, 2 * stats, 3 * stats, 2 * stats, 3 * stats, 3 * stats, 3 * stats, 3 * stats, 3 * stats,
                stats + 4 * outputs, 8 * outputs, stats + 4 * outputs, 8 * outputs, 10 * outputs, 10 * outputs, 12 * outputs, 6 * outputs,
            ];
            for (var i = 0; i < steps; i++) forward += Passes(c, 1, update);
        }

        var backward = launches + Elementwise(c, 6 * keys) + Elementwise(c, 6 * keys);
        for (var i = 0; i < cp; i++) backward += Elementwise(c, 6 * outputs);
        for (var i = 0; i < steps; i++) backward += Elementwise(c, 3 * keys) + Elementwise(c, 3 * keys);
        return (forward, backward);
    }
}
