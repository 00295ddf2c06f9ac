using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Engine.Plan;
using Emulator.Scenarios;

namespace Emulator.Engine.Tests;

/// <summary>training.recompute-layers: whole-layer recomputation of the first N layers of each chunk only (Megatron's block method);
/// the others keep their activations, as with recompute = none.</summary>
public class RecomputeLayersPlanTests
{
    // quickstart: 24 layers over pp 4 = 6 per stage, 64 / (2 * 4) = 8 microbatches, no FlashAttention.
    private static Scenario Load(params string[] overrides) => ScenarioLoader.Load(RepoPaths.Scenario("quickstart"), overrides);

    private static int Recomputes(StagePlan plan) => plan.Program.OfType<Work>().Count(w => w.Phase == WorkPhase.Recompute);

    private static long FirstActivations(StagePlan plan) => plan.Program.OfType<Alloc>().First(a => a.Kind == MemoryKind.Activations && a.Bytes > 0).Bytes;

    [Fact]
    public void Only_the_first_layers_of_each_chunk_are_recomputed_and_the_others_keep_their_activations()
    {
        var all = StagePlanner.Build(Load("training.recompute=full"), 1);
        var two = StagePlanner.Build(Load("training.recompute=full", "training.recompute-layers=2"), 1);
        var none = StagePlanner.Build(Load("training.recompute=none"), 1);
        // Whole layers rerun as forward work: the same count of kernels per recomputed layer, 2 of 6 layers, 8 microbatches.
        Assert.Equal(Recomputes(all) / 6 * 2, Recomputes(two));
        Assert.Equal(0, Recomputes(none));
        // A microbatch's activations: 2 layers' inputs and 4 layers' whole activations.
        var s = Load();
        var (m, p, t) = (s.Model, s.Parallel, s.Training);
        long Layer(Recompute policy) => MemoryModel.ActivationBytesPerLayer(m, p.Tp, p.MicroBatch, t.SequenceParallel, policy, t.HiddenDropout, t.AttentionDropout);
        Assert.Equal(2 * Layer(Recompute.Full) + 4 * Layer(Recompute.None), FirstActivations(two));
        Assert.Equal(6 * Layer(Recompute.None), FirstActivations(none));
        // More layers than the chunk has: all of them, as without the key; 0: none rerun, every activation kept.
        Assert.Equal(Recomputes(all), Recomputes(StagePlanner.Build(Load("training.recompute=full", "training.recompute-layers=10"), 1)));
        var zero = StagePlanner.Build(Load("training.recompute=full", "training.recompute-layers=0"), 1);
        Assert.Equal(0, Recomputes(zero));
        Assert.Equal(FirstActivations(none), FirstActivations(zero));
    }

    [Fact]
    public void The_working_buffer_is_taken_once_backward_has_freed_the_kept_layers()
    {
        var two = StagePlanner.Build(Load("training.recompute=full", "training.recompute-layers=2"), 1);
        var s = Load();
        var (m, p, t) = (s.Model, s.Parallel, s.Training);
        var kept = 4 * MemoryModel.ActivationBytesPerLayer(m, p.Tp, p.MicroBatch, t.SequenceParallel, Recompute.None, t.HiddenDropout, t.AttentionDropout);
        var working = MemoryModel.RecomputeWorkingBytes(m, p.Tp, p.MicroBatch, t.SequenceParallel, Recompute.Full, t.FlashAttention, t.HiddenDropout, t.AttentionDropout);
        var bytes = two.Program.OfType<Alloc>().Where(a => a.Kind == MemoryKind.Activations).Select(a => a.Bytes).ToList();
        // Backward meets the 4 kept layers first: their activations go, then the 2 recomputed layers' working buffer comes, each
        // of the 8 microbatches; nothing is left held at the end.
        Assert.Equal(8, Enumerable.Range(1, bytes.Count - 1).Count(i => bytes[i] == working && bytes[i - 1] == -kept));
        Assert.Equal(8, bytes.Count(b => b == working));
        Assert.Equal(0, bytes.Sum());
    }
}
