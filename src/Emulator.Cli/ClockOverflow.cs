namespace Emulator.Cli;

/// <summary>Explains an emulation that ran past its virtual clock's range, which absurd hardware figures or an absurd amount of work
/// cause (100,000 sequences of a million tokens a microbatch on a real A100), or whose byte counts overflowed 64 bits, which only
/// absurd sizes cause (<see cref="Core.Models.SizeOverflowException"/> names them).</summary>
public static class ClockOverflow
{
    /// <summary>The explanation when <paramref name="e"/> is, or wraps, an arithmetic overflow; else null.</summary>
    public static string? Describe(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is Core.Models.SizeOverflowException sizes) return sizes.Message;
            if (x is Core.Models.EmulationTooLargeException large) return large.Message;
            if (x is OverflowException)
                return "the emulated times overflowed the virtual clock (64-bit picoseconds, about 106 days): a rate in the scenario is far "
                    + "too low or a time far too long for any hardware (card.peak-flops, the bandwidths, latencies and efficiencies of card, "
                    + "node and fabric), or one step's work far too large for any hardware to finish in that time (parallel.micro-batch, "
                    + "parallel.global-batch, model.seq-len, model.layers and the model's widths); check their values and units";
        }
        return null;
    }
}
