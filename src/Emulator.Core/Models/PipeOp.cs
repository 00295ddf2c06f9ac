namespace Emulator.Core.Models;

/// <summary>One step of a pipeline stage's schedule: run the forward or backward pass of one microbatch.</summary>
/// <param name="Kind">Forward or backward.</param>
/// <param name="MicroBatch">Microbatch index, 0-based.</param>
/// <param name="Chunk">Model chunk (virtual stage on this card) of an interleaved schedule; 0 otherwise.</param>
public readonly record struct PipeOp(PipeOpKind Kind, int MicroBatch, int Chunk = 0)
{
    /// <summary>"F3" or "B3" ("F3.1" for chunk 1 of an interleaved schedule), for tests and traces.</summary>
    public override string ToString() => (Kind == PipeOpKind.Forward ? "F" : "B") + MicroBatch.ToString(System.Globalization.CultureInfo.InvariantCulture)
        + (Chunk > 0 ? "." + Chunk.ToString(System.Globalization.CultureInfo.InvariantCulture) : "");
}

/// <summary>Direction of a pipeline op.</summary>
public enum PipeOpKind
{
    /// <summary>Forward pass of a microbatch through the stage's layers.</summary>
    Forward,
    /// <summary>Backward pass (data and weight gradients) of a microbatch.</summary>
    Backward,
}
