namespace Emulator.Engine.Messages;

/// <summary>Card to HBM bank: move this many bytes through the stack (reads plus writes of a kernel).</summary>
public sealed record MemoryTraffic(long Bytes);

/// <summary>HBM bank to card: the traffic asked for has been served.</summary>
public sealed record MemoryTrafficDone(int Bank);

/// <summary>Card to HBM bank: hold this many more bytes.</summary>
public sealed record Allocate(long Bytes);

/// <summary>Card to HBM bank: these bytes are no longer live.</summary>
public sealed record Release(long Bytes);

/// <summary>HBM bank to card: an allocation did not fit and was refused.</summary>
public sealed record AllocationRejected(int Bank, long Requested, long Live, long Capacity);

/// <summary>Card to itself: the compute part of the current kernel group is over.</summary>
public sealed record ComputeDone;
