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

    /// <summary>Tags a pipeline transfer with its microbatch and the receiving model chunk (microbatches are at most 65,536).</summary>
    public static int Tag(int microBatch, int chunk) => chunk * 65536 + microBatch;

    /// <summary>Layers of each model chunk of <paramref name="stage"/>: the stage's layers split as evenly as possible, earlier chunks taking the remainder.</summary>
    public static int[] ChunkLayers(Scenario s, int stage)
    {
        var layers = StageLayers(s)[stage];
        var v = s.Parallel.VirtualStages;
        return Enumerable.Range(0, v).Select(c => layers / v + (c < layers % v ? 1 : 0)).ToArray();
    }

    /// <summary>Builds the program of <paramref name="stage"/>.</summary>
    public static StagePlan Build(Scenario s, int stage)
    {
        var p = s.Parallel;
        var t = s.Training;
        var v = p.VirtualStages;
        var chunkLayers = ChunkLayers(s, stage);
        var layers = chunkLayers.Sum();
        var first = stage == 0;
        var last = stage == p.Pp - 1;
        var m = p.MicroBatches;
        // Virtual stage c·pp + stage runs chunk c; the first virtual stage holds the embedding, the last the logits.
        bool FirstVirtual(int chunk) => first && chunk == 0;
        bool LastVirtual(int chunk) => last && chunk == v - 1;

        var paramsOnCard = TransformerMath.StageParams(s.Model, layers, first, last, p.Tp);
        var state = MemoryModel.State(paramsOnCard, p.Dp, t.DistributedOptimizer, GradientBytesPerParam(t));
        // FlashAttention keeps no s×s scores, exactly what selective recompute drops from the stored activations.
        var storedPolicy = t.FlashAttention && t.Recompute == Recompute.None ? Recompute.Selective : t.Recompute;
        var activations = Enumerable.Range(0, v).Select(c =>
            MemoryModel.ActivationBytesPerMicrobatch(s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, storedPolicy, chunkLayers[c], FirstVirtual(c), LastVirtual(c))).ToArray();
        var working = MemoryModel.RecomputeWorkingBytes(s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, t.Recompute);

        var fwd = ComputeModel.LayerForward(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, t.FlashAttention);
        var bwd = ComputeModel.LayerBackward(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, t.FlashAttention);
        var re = ComputeModel.LayerRecompute(s.Card, s.Model, p.Tp, p.MicroBatch, t.SequenceParallel, t.Recompute, t.FlashAttention);
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
        var heldOutput = t.KeepStageOutputs ? 2L * p.MicroBatch * s.Model.SeqLen * s.Model.Hidden : 0;
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

        foreach (var op in PipelineSchedule.Interleaved(stage, p.Pp, m, v))
        {
            var (mb, c) = (op.MicroBatch, op.Chunk);
            if (op.Kind == PipeOpKind.Forward)
            {
                if (!FirstVirtual(c)) program.Add(new WaitInput(TransferKind.Activation, mb, c));
                program.Add(new Alloc(MemoryKind.Activations, activations[c]));
                for (var l = 0; l < chunkLayers[c]; l++) Layer(fwd, WorkPhase.Forward, mb, attentionFirst: true);
                if (LastVirtual(c)) { program.Add(new Work(logitsF, WorkPhase.Forward, mb)); flops += logitsF.Flops; }
                if (!LastVirtual(c))
                {
                    program.Add(new SendInput(TransferKind.Activation, mb, p2pBytes, last ? c + 1 : c));
                    if (heldOutput > 0) program.Add(new Alloc(MemoryKind.Buffers, heldOutput));
                }
                continue;
            }

            if (!LastVirtual(c)) program.Add(new WaitInput(TransferKind.Gradient, mb, c));
            if (LastVirtual(c)) { program.Add(new Work(logitsB, WorkPhase.Backward, mb)); flops += logitsB.Flops; }
            if (working > 0) program.Add(new Alloc(MemoryKind.Activations, working));
            for (var l = 0; l < chunkLayers[c]; l++)
            {
                if (t.Recompute == Recompute.Full) Layer(re, WorkPhase.Recompute, mb, attentionFirst: true);
                else if (t.Recompute == Recompute.Selective && re.Total.Kernels > 0) { program.Add(new Work(re.Total, WorkPhase.Recompute, mb)); flops += re.Total.Flops; }
                Layer(bwd, WorkPhase.Backward, mb, attentionFirst: false);
            }
            if (working > 0) program.Add(new Alloc(MemoryKind.Activations, -working));
            program.Add(new Alloc(MemoryKind.Activations, -activations[c]));
            if (heldOutput > 0 && !LastVirtual(c)) program.Add(new Alloc(MemoryKind.Buffers, -heldOutput));
            if (!FirstVirtual(c)) program.Add(new SendInput(TransferKind.Gradient, mb, p2pBytes, first ? c - 1 : c));
        }

        var gradBytes = state.GradientBytes;
        if (t.DistributedOptimizer)
        {
            program.Add(new RingSync(RingKind.ReduceScatter, gradBytes, 0));
            program.Add(new Work(optimizer, WorkPhase.Optimizer, -1));
            program.Add(new RingSync(RingKind.AllGather, state.WeightBytes, 1)); // updated 2-byte parameters
        }
        else
        {
            program.Add(new RingSync(RingKind.AllReduce, gradBytes, 0));
            program.Add(new Work(optimizer, WorkPhase.Optimizer, -1));
        }
        return new StagePlan(stage, layers, program, state, flops);
    }
}
