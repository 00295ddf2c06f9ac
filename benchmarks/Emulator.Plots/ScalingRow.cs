namespace Emulator.Plots;

/// <summary>One size of the scaling curve: a row of the CSV that scripts/scaling.sh writes (full-step fields null when not run).</summary>
public sealed record ScalingRow(
    int Line,
    double Cards,
    double Actors,
    double BuildSeconds,
    double BuildPeakRssMb,
    double MirroredWallSeconds,
    double MirroredEvents,
    double MirroredStepSeconds,
    double? FullWallSeconds,
    double? FullEvents,
    double? FullBarriers,
    double? FullPeakRssMb,
    double? FullStepSeconds,
    double? FullGcPauseSeconds);
