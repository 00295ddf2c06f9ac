namespace Emulator.Core.Models;

/// <summary>The job needs more actors than the virtual-time kernel orders (its cards, HBM banks, nodes and switches): the scenario's
/// sizes, each within its own limit, are too many together. The message names them.</summary>
public sealed class EmulationTooLargeException(string message) : Exception(message);
