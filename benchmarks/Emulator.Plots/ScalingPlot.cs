using System.Globalization;
using ScottPlot;

namespace Emulator.Plots;

/// <summary>The scaling-curve figure of docs/performance.md: step cost against events, and peak memory against actors.</summary>
public static class ScalingPlot
{
    /// <summary>The scenario family every row of scripts/scaling.sh belongs to.</summary>
    public const string Family = "trillion-50k family: tp 8, pp 64, growing dp";

    /// <summary>Size of the whole figure in pixels (two panels side by side).</summary>
    public const int Width = 1400, Height = 600;

    /// <summary>What was drawn: the figure's size and remarks for the user (rows skipped, fallbacks taken).</summary>
    public sealed record Result(int Width, int Height, IReadOnlyList<string> Notes);

    /// <summary>Renders the two panels of <paramref name="rows"/> into a PNG at <paramref name="path"/>.</summary>
    public static Result Save(IReadOnlyList<ScalingRow> rows, string path)
    {
        var notes = new List<string>();
        var figure = new Multiplot();
        figure.AddPlots(2);
        figure.Layout = new ScottPlot.MultiplotLayouts.Columns();
        StepPanel(figure.GetPlot(0), rows, notes);
        MemoryPanel(figure.GetPlot(1), rows);
        figure.SavePng(path, Width, Height);
        return new Result(Width, Height, notes);
    }

    /// <summary>Panel (a): wall time of one step against its events, log-log, with a slope-1 line through the smallest size.</summary>
    private static void StepPanel(Plot plot, IReadOnlyList<ScalingRow> rows, List<string> notes)
    {
        var full = rows.Where(r => r is { FullWallSeconds: not null, FullEvents: not null }).OrderBy(r => r.Cards).ToList();
        var mirrored = full.Count == 0;
        var points = mirrored
            ? rows.OrderBy(r => r.Cards).Select(r => (r.Cards, Events: r.MirroredEvents, Wall: r.MirroredWallSeconds)).ToList()
            : full.Select(r => (r.Cards, Events: r.FullEvents!.Value, Wall: r.FullWallSeconds!.Value)).ToList();
        if (mirrored) notes.Add("no row has full-step columns (scaling.sh without --full): panel (a) shows mirrored steps");
        else if (full.Count < rows.Count)
            notes.Add($"panel (a) skips {rows.Count - full.Count} row(s) without full-step columns (CSV lines {string.Join(", ", rows.Except(full).Select(r => r.Line))})");

        var kind = mirrored ? "mirrored" : "full";
        plot.Title($"{Family}\nWall time of one {kind} step against its events");
        plot.XLabel($"events in the {kind} step (log scale)");
        plot.YLabel($"wall time of one {kind} step (s, log scale)");

        var xs = points.Select(p => Math.Log10(p.Events)).ToArray();
        var ys = points.Select(p => Math.Log10(p.Wall)).ToArray();
        var measured = plot.Add.Scatter(xs, ys);
        measured.LineWidth = 2;
        measured.MarkerSize = 9;
        measured.LegendText = $"measured ({kind} step)";
        for (var i = 0; i < points.Count; i++)
        {
            var label = plot.Add.Text($"{points[i].Cards.ToString("N0", CultureInfo.InvariantCulture)} cards", xs[i], ys[i]);
            label.LabelFontSize = 13;
            // Above left of the point, except the leftmost (below right, clear of the axis and of both lines).
            label.LabelAlignment = i == 0 ? Alignment.UpperLeft : Alignment.LowerRight;
            label.OffsetX = i == 0 ? 8 : -6;
            label.OffsetY = i == 0 ? 6 : -6;
        }

        var (x0, x1) = LogAxis.Apply(plot.Axes.Bottom, points.Min(p => p.Events), points.Max(p => p.Events));
        var low = Math.Min(points.Min(p => p.Wall), points[0].Wall * Math.Pow(10, x0 - xs[0]));
        var high = Math.Max(points.Max(p => p.Wall), points[0].Wall * Math.Pow(10, x1 - xs[0]));
        var (y0, y1) = LogAxis.Apply(plot.Axes.Left, low, high);
        // Slope 1 in log-log: wall proportional to events, anchored at the smallest size.
        var linear = plot.Add.Line(x0, ys[0] + (x0 - xs[0]), x1, ys[0] + (x1 - xs[0]));
        linear.LinePattern = LinePattern.Dashed;
        linear.LineWidth = 1.5f;
        linear.LineColor = Colors.Gray;
        linear.LegendText = $"linear cost (slope 1 through {points[0].Cards.ToString("N0", CultureInfo.InvariantCulture)} cards)";
        plot.Axes.SetLimits(x0, x1, y0, y1);
        plot.ShowLegend(Alignment.UpperLeft);
    }

    /// <summary>Panel (b): peak resident memory of the build and of the full step against actors, log-log.</summary>
    private static void MemoryPanel(Plot plot, IReadOnlyList<ScalingRow> rows)
    {
        plot.Title($"{Family}\nPeak memory against actors");
        plot.XLabel("actors (log scale)");
        plot.YLabel("peak RSS (MB, log scale)");
        var sorted = rows.OrderBy(r => r.Actors).ToList();
        var build = plot.Add.Scatter(
            sorted.Select(r => Math.Log10(r.Actors)).ToArray(), sorted.Select(r => Math.Log10(r.BuildPeakRssMb)).ToArray());
        build.LineWidth = 2;
        build.MarkerSize = 9;
        build.LegendText = "build only (--build-only)";

        var full = sorted.Where(r => r.FullPeakRssMb is not null).ToList();
        if (full.Count > 0)
        {
            var step = plot.Add.Scatter(
                full.Select(r => Math.Log10(r.Actors)).ToArray(), full.Select(r => Math.Log10(r.FullPeakRssMb!.Value)).ToArray());
            step.LineWidth = 2;
            step.MarkerSize = 9;
            step.MarkerShape = MarkerShape.FilledSquare;
            step.LegendText = "full step (every actor live)";
        }

        var rss = sorted.Select(r => r.BuildPeakRssMb).Concat(full.Select(r => r.FullPeakRssMb!.Value)).ToList();
        var (x0, x1) = LogAxis.Apply(plot.Axes.Bottom, sorted.Min(r => r.Actors), sorted.Max(r => r.Actors));
        var (y0, y1) = LogAxis.Apply(plot.Axes.Left, rss.Min(), rss.Max());
        plot.Axes.SetLimits(x0, x1, y0, y1);
        plot.ShowLegend(Alignment.UpperLeft);
    }
}
