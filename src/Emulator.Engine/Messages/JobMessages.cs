using Emulator.Engine.Results;

namespace Emulator.Engine.Messages;

/// <summary>Starts the job (the launcher posts it to the job at time zero).</summary>
public sealed record StartJob;

/// <summary>Job to card: run your part of one training step.</summary>
public sealed record StartStep;

/// <summary>Card to job: the card's step is over; what it did and when.</summary>
public sealed record CardFinished(CardReport Report);

/// <summary>Out-of-band request, after the run, to write statistics into a collector (never part of emulated time).</summary>
public sealed record CollectStats(StatsCollector Collector);
