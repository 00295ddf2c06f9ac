using Emulator.Core.Accounting;
using Emulator.Core.Models;
using Emulator.Core.Specs;
using Emulator.Engine.Messages;

namespace Emulator.Engine.Plan;

/// <summary>Turns a scenario into one program per pipeline stage: 1F1B order, per-layer kernels and collectives, memory, gradient sync, optimizer.</summary>
public static class StagePlanner
{
    /// <summary>Layers of each stage: the explicit list, or an even split.</summary>
    public static IReadOnlyList<int> StageLayers(Scenario s)
    {
        if (s.Parallel.StageLayers.Count > 0) return s.Parallel.StageLayers;
        return Enumerable.Repeat(s.Model.Layers / s.Parallel.Pp, s.Parallel.Pp).ToArray();
    }

    /// <summary>Bytes one card sends to the next stage per microbatch: b·s·h in 2-byte precision, split over tp ranks (Megatron's scatter/gather optimisation).</summary>
    public static long PipelineBytes(Scenario s) => 2L * s.Parallel.MicroBatch * s.Model.SeqLen * s.Model.Hidden / s.Parallel.Tp;

    /// <summary>Bytes per rank of one tensor-parallel all-reduce (or all-gather + reduce-scatter pair with sequence parallelism).</summary>
    public static long TensorParallelBytes(Scenario s) => 2L * s.Parallel.MicroBatch * s.Model.SeqLen * s.Model.Hidden;

    /// <summary>Bytes of one gradient: bf16 training accumulates and all-reduces fp32 main gradients (Megatron-LM forces
    /// accumulate_allreduce_grads_in_fp32 with bf16; DeepSpeed's bf16 optimizer keeps fp32 gradients too); fp16 keeps 2-byte gradients.</summary>
    public static int GradientBytesPerParam(TrainingSpec t) => t.Precision == "bf16" ? 4 : 2;

    /// <summary>Builds the program of <paramref name="stage"/>.</summary>
    public static StagePlan Build(Scenario s, int stage)
    {
        var p = s.Parallel;
        var t = s.Training;
        var layers = StageLayers(s)[stage];
        var first = stage == 0;
        var last = stage == p.Pp - 1;
        var m = p.MicroBatches;

        var paramsOnCard = TransformerMath.StageParams(s.Model, layers, first, last, p.Tp);
        var state = MemoryModel.State(paramsOnCard, p.Dp, t.DistributedOptimizer, GradientBytesPerParam(t));
        var activations = MemoryModel.ActivationBytesPerMicrobatch(s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, t.Recompute, layers, first, last);
        var working = MemoryModel.RecomputeWorkingBytes(s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, t.Recompute);

        var fwd = ComputeModel.LayerForward(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel);
        var bwd = ComputeModel.LayerBackward(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel);
        var re = ComputeModel.LayerRecompute(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, t.Recompute);
        var logitsF = ComputeModel.LogitsForward(s.Card, s.Model, p.Tp, p.MicroBatch);
        var logitsB = ComputeModel.LogitsBackward(s.Card, s.Model, p.Tp, p.MicroBatch);
        var optimizer = ComputeModel.OptimizerStep(s.Card, paramsOnCard, t.DistributedOptimizer, p.Dp);
        var tpBytes = p.Tp > 1 ? TensorParallelBytes(s) : 0;
        var p2pBytes = PipelineBytes(s);

        // DeepSpeed's bf16 optimizer: 2-byte gradients beside the fp32 buffer, one per weight.
        var lowPrecisionGrads = t.KeepLowPrecisionGrads && GradientBytesPerParam(t) > 2 ? state.WeightBytes : 0;
        var program = new List<Instruction>
        {
            new Alloc(MemoryKind.Weights, state.WeightBytes),
            new Alloc(MemoryKind.Gradients, state.GradientBytes + lowPrecisionGrads),
            new Alloc(MemoryKind.Optimizer, state.OptimizerBytes),
        };
        // A held stage output is the full microbatch activation b·s·h (2 bytes), not the tp-split send.
        var heldOutput = t.KeepStageOutputs && !last ? 2L * p.MicroBatch * s.Model.SeqLen * s.Model.Hidden : 0;
        double flops = 0;

        void Layer(LayerWork w, WorkPhase phase, int mb, bool attentionFirst)
        {
            var (a, b) = attentionFirst ? (w.Attention, w.Mlp) : (w.Mlp, w.Attention);
            program.Add(new Work(a, phase, mb));
            if (tpBytes > 0) program.Add(new TpSync(tpBytes));
            program.Add(new Work(b, phase, mb));
            if (tpBytes > 0) program.Add(new TpSync(tpBytes));
            flops += w.Total.Flops;
        }

        foreach (var op in PipelineSchedule.OneFOneB(stage, p.Pp, m))
        {
            var mb = op.MicroBatch;
            if (op.Kind == PipeOpKind.Forward)
            {
                if (!first) program.Add(new WaitInput(TransferKind.Activation, mb));
                program.Add(new Alloc(MemoryKind.Activations, activations));
                for (var l = 0; l < layers; l++) Layer(fwd, WorkPhase.Forward, mb, attentionFirst: true);
                if (last) { program.Add(new Work(logitsF, WorkPhase.Forward, mb)); flops += logitsF.Flops; }
                if (!last) program.Add(new SendInput(TransferKind.Activation, mb, p2pBytes));
                if (heldOutput > 0) program.Add(new Alloc(MemoryKind.Buffers, heldOutput));
                continue;
            }

            if (!last) program.Add(new WaitInput(TransferKind.Gradient, mb));
            if (last) { program.Add(new Work(logitsB, WorkPhase.Backward, mb)); flops += logitsB.Flops; }
            if (working > 0) program.Add(new Alloc(MemoryKind.Activations, working));
            for (var l = 0; l < layers; l++)
            {
                if (t.Recompute == Recompute.Full) Layer(re, WorkPhase.Recompute, mb, attentionFirst: true);
                else if (t.Recompute == Recompute.Selective) { program.Add(new Work(re.Total, WorkPhase.Recompute, mb)); flops += re.Total.Flops; }
                Layer(bwd, WorkPhase.Backward, mb, attentionFirst: false);
            }
            if (working > 0) program.Add(new Alloc(MemoryKind.Activations, -working));
            program.Add(new Alloc(MemoryKind.Activations, -activations));
            if (heldOutput > 0) program.Add(new Alloc(MemoryKind.Buffers, -heldOutput));
            if (!first) program.Add(new SendInput(TransferKind.Gradient, mb, p2pBytes));
        }

        var gradBytes = state.GradientBytes;
        if (t.DistributedOptimizer)
        {
            program.Add(new RingSync(RingKind.ReduceScatter, gradBytes, 0));
            program.Add(new Work(optimizer, WorkPhase.Optimizer, -1));
            program.Add(new RingSync(RingKind.AllGather, gradBytes, 1));
        }
        else
        {
            program.Add(new RingSync(RingKind.AllReduce, gradBytes, 0));
            program.Add(new Work(optimizer, WorkPhase.Optimizer, -1));
        }
        return new StagePlan(stage, layers, program, state, flops);
    }
}
