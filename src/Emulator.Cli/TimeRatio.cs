namespace Emulator.Cli;

/// <summary>How one published row's emulated-over-published step-time ratio depends on the GEMM scale g: r(g) = A + B/g.</summary>
/// <remarks>B is the share of the step that GEMMs take at g = 1 (in units of the published step), A the rest; both from two emulations.</remarks>
public readonly record struct TimeRatio(string Id, double A, double B)
{
    /// <summary>Metrics that measure time or its inverse (everything but peak memory).</summary>
    public static bool IsTimeLike(string metric) => metric is "step_time_s" or "tokens_per_s" or "tokens_per_s_per_card" or "mfu" or "model_tflops_per_card" or "hardware_tflops_per_card";

    /// <summary>Emulated over published step time: the metric's ratio for step_time_s, its inverse for throughput metrics.</summary>
    public static double Of(string metric, double published, double emulated) =>
        metric == "step_time_s" ? emulated / published : published / emulated;

    /// <summary>The line through (1/g1, r1) and (1/g2, r2).</summary>
    public static TimeRatio FromTwoPoints(string id, double g1, double r1, double g2, double r2)
    {
        if (g1 == g2) throw new ArgumentException("the two scales must differ", nameof(g2));
        var b = (r2 - r1) / (1 / g2 - 1 / g1);
        return new TimeRatio(id, r1 - b / g1, b);
    }

    /// <summary>The ratio at scale <paramref name="g"/>.</summary>
    public double At(double g) => A + B / g;

    /// <summary>The scale in (0, 1] at which the rows' ratios have geometric mean 1, or 1 when they are too slow even at 1.</summary>
    /// <remarks>Bisection to 1e-6 on the mean log ratio, which falls as g grows while every row's GEMM share B is positive.</remarks>
    public static double FitScale(IReadOnlyList<TimeRatio> rows)
    {
        if (rows.Count == 0) throw new ArgumentException("no rows to fit", nameof(rows));
        if (rows.Any(r => !(r.B > 0)))
            throw new ArgumentException($"row {rows.First(r => !(r.B > 0)).Id}: its step time does not grow when GEMMs slow down, so the GEMM scale cannot fit it", nameof(rows));
        double MeanLog(double g) => rows.Average(r => Math.Log(Math.Max(r.At(g), 1e-9)));
        if (MeanLog(1) >= 0) return 1;
        double lo = 1e-3, hi = 1;
        if (MeanLog(lo) <= 0) return lo;
        while (hi - lo > 1e-6)
        {
            var mid = (lo + hi) / 2;
            if (MeanLog(mid) > 0) lo = mid;
            else hi = mid;
        }
        return (lo + hi) / 2;
    }
}
