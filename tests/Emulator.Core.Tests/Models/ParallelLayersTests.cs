using Emulator.Core.Models;
using Emulator.Core.Specs;
using static Emulator.Core.Tests.Models.ModelFixtures;

namespace Emulator.Core.Tests.Models;

/// <summary>Attention and MLP side by side from one layernorm (model.parallel-layers, GPT-J and PaLM): the same GEMMs, one
/// layernorm and one residual add fewer, and fewer activations kept.</summary>
public class ParallelLayersTests
{
    private static readonly ModelSpec Parallel = Tiny with { ParallelLayers = true };

    [Fact]
    public void One_layernorm_fewer_parameters()
    {
        // A layernorm's scale and shift: 2h = 256.
        Assert.Equal(TransformerMath.LayerParams(Tiny) - 2 * 128, TransformerMath.LayerParams(Parallel));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    public void Forward_runs_the_same_flops_and_moves_8_bytes_a_token_and_width_fewer(int tp, bool sequenceParallel)
    {
        var serial = ComputeModel.LayerForward(Card, Tiny, tp, 1, sequenceParallel).Total;
        var parallel = ComputeModel.LayerForward(Card, Parallel, tp, 1, sequenceParallel).Total;
        // Serial: two layernorms (4 bytes each per token·h) and two residual adds (6 each); parallel: one layernorm and one
        // add of x and both branches (8): 20 against 12, on the tokens a layernorm touches (s/tp with sequence parallelism).
        var tokens = 64 / (sequenceParallel ? tp : 1);
        Assert.Equal(serial.Flops, parallel.Flops);
        Assert.Equal(8L * tokens * 128, serial.HbmBytes - parallel.HbmBytes);
        Assert.Equal(serial.Kernels - 2, parallel.Kernels);
    }

    [Fact]
    public void Backward_runs_the_same_flops_and_moves_4_bytes_a_token_and_width_fewer()
    {
        var serial = ComputeModel.LayerBackward(Card, Tiny, 1, 1, false).Total;
        var parallel = ComputeModel.LayerBackward(Card, Parallel, 1, 1, false).Total;
        // Serial: two layernorm backwards (6) and two residual backwards (4); parallel: one of each and the add of the two
        // branches' input gradients (6): 20 against 16.
        Assert.Equal(serial.Flops, parallel.Flops);
        Assert.Equal(4L * 64 * 128, serial.HbmBytes - parallel.HbmBytes);
        Assert.Equal(serial.Kernels - 1, parallel.Kernels);
    }

    [Fact]
    public void Full_needed_recompute_skips_both_output_projections()
    {
        var forward = ComputeModel.LayerForward(Card, Parallel, 1, 1, false).Total;
        var redone = ComputeModel.LayerRecompute(Card, Parallel, 1, 1, false, Recompute.FullNeeded).Total;
        // Not redone: the attention's projection (2·T·A·h) and fc2 (2·T·f·h) FLOPs, T = 64 tokens.
        Assert.Equal(forward.Flops - 2d * 64 * 128 * 128 - 2d * 64 * 512 * 128, redone.Flops);
    }

    [Theory]
    [InlineData(1, false, true, 4)]
    [InlineData(2, false, true, 4)]
    [InlineData(2, true, true, 2)]
    [InlineData(1, false, false, 4)]
    public void Activations_keep_one_layernorm_input_and_one_shared_branch_input(int tp, bool sequenceParallel, bool dropout, int fewerPerTokenWidth)
    {
        // sbh bytes per token and width (2-byte elements): the second layernorm's input and the second copy of the branches'
        // input, 4·s·b·h, replicated over tp unless sequence parallel (then split over tp: 2 each with tp 2).
        var serial = MemoryModel.ActivationBytesPerLayer(Tiny, tp, 1, sequenceParallel, Recompute.None, dropout);
        var parallel = MemoryModel.ActivationBytesPerLayer(Parallel, tp, 1, sequenceParallel, Recompute.None, dropout);
        Assert.Equal((long)fewerPerTokenWidth * 64 * 128, serial - parallel);
    }
}
