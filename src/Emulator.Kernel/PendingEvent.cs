namespace Emulator.Kernel;

/// <summary>An event waiting in a partition's queue: who gets which message when.</summary>
public readonly record struct PendingEvent(EventKey Key, int Target, object Message);
