namespace Emulator.Core.Accounting;

/// <summary>Where a card's step time goes; the parts sum to the step time.</summary>
public enum TimeKind
{
    /// <summary>Forward, backward and recompute kernels.</summary>
    Compute,
    /// <summary>Waiting for tensor-parallel collectives.</summary>
    TensorParallel,
    /// <summary>Waiting for a pipeline neighbour's activations or gradients, or idle after finishing early.</summary>
    PipelineBubble,
    /// <summary>Waiting for data-parallel gradient reduction (and parameter all-gather).</summary>
    DataParallel,
    /// <summary>The optimizer step.</summary>
    Optimizer,
    /// <summary>Waiting for ring attention's keys and values beyond the attention compute they overlap (context parallelism).</summary>
    ContextParallel,
}
