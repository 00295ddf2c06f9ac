namespace Emulator.Core.Models;

/// <summary>A byte count of the plan overflowed 64 bits: the scenario's sizes (micro-batch, sequence length, widths) are far beyond
/// any memory. Unlike an <see cref="OverflowException"/> of the virtual clock, which absurd hardware rates or absurd work cause, the message
/// names the sizes to lower.</summary>
public sealed class SizeOverflowException(string message, Exception inner) : OverflowException(message, inner);
