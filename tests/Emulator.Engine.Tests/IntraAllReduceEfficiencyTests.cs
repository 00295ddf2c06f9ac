using Emulator.Core.Accounting;
using Emulator.Core.Specs;

namespace Emulator.Engine.Tests;

/// <summary>Tensor-parallel all-reduces inside a node run at node.intra.all-reduce-efficiency (NVLink SHARP on H100 is no ring);
/// with sequence parallelism the collectives are all-gathers and reduce-scatters, rings at node.intra.efficiency.</summary>
public class IntraAllReduceEfficiencyTests
{
    private static double TpSeconds(bool sequenceParallel, double? allReduceEfficiency)
    {
        var s = TestScenarios.With(tp: 8, pp: 1, dp: 1, microBatch: 8);
        var node = s.Node with { IntraEfficiency = 0.5 };
        if (allReduceEfficiency is { } e) node = node with { IntraAllReduceEfficiency = e };
        s = s with { Node = node, Training = s.Training with { SequenceParallel = sequenceParallel } };
        return StepEmulation.Run(s).Breakdown[TimeKind.TensorParallel];
    }

    [Fact]
    public void All_reduces_run_at_their_own_efficiency()
    {
        // Twice the bandwidth: the bandwidth term halves; the latency term (t - 1 steps each way) stays.
        var ring = TpSeconds(sequenceParallel: false, allReduceEfficiency: null);
        var nvls = TpSeconds(sequenceParallel: false, allReduceEfficiency: 1.0);
        Assert.InRange(nvls / ring, 0.5, 0.55);
    }

    [Fact]
    public void Sequence_parallel_gathers_and_scatters_stay_rings()
    {
        Assert.Equal(TpSeconds(sequenceParallel: true, allReduceEfficiency: null), TpSeconds(sequenceParallel: true, allReduceEfficiency: 1.0));
    }
}
