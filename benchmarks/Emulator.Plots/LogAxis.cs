using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Emulator.Plots;

/// <summary>Log10 axes for ScottPlot 5, which has no log scale: data are drawn as log10(value) and ticks labelled with the value.</summary>
public static class LogAxis
{
    /// <summary>Sets ticks on <paramref name="axis"/> for values in [min, max] and returns the axis range in log10 units, padded.</summary>
    public static (double Low, double High) Apply(IAxis axis, double min, double max)
    {
        var low = Math.Log10(min);
        var high = Math.Log10(max);
        var pad = Math.Max(0.08 * (high - low), 0.15);
        (low, high) = (low - pad, high + pad);

        // 1-2-5 per decade, or every integer multiple when the range spans too little for two 1-2-5 ticks.
        double[] steps = Ticks(low, high, [1, 2, 5]).Count >= 2 ? [1, 2, 5] : [1, 2, 3, 4, 5, 6, 7, 8, 9];
        var ticks = new NumericManual();
        foreach (var v in Ticks(low, high, steps)) ticks.AddMajor(Math.Log10(v), Label(v));
        foreach (var v in Ticks(low, high, [1, 2, 3, 4, 5, 6, 7, 8, 9]))
            if (!steps.Contains(Mantissa(v))) ticks.AddMinor(Math.Log10(v));
        axis.TickGenerator = ticks;
        return (low, high);
    }

    /// <summary>Values m x 10^k (m in <paramref name="mantissas"/>) whose log10 lies in [low, high].</summary>
    private static List<double> Ticks(double low, double high, double[] mantissas)
    {
        var values = new List<double>();
        for (var k = (int)Math.Floor(low); k <= (int)Math.Ceiling(high); k++)
            foreach (var m in mantissas)
            {
                var v = m * Math.Pow(10, k);
                var log = Math.Log10(v);
                if (log >= low && log <= high) values.Add(v);
            }
        return values;
    }

    /// <summary>The leading digit m of m x 10^k.</summary>
    private static double Mantissa(double v) => Math.Round(v / Math.Pow(10, Math.Floor(Math.Log10(v) + 1e-9)));

    /// <summary>A short tick label: 0.5, 20, 3k, 100M, 2G.</summary>
    public static string Label(double v)
    {
        var c = CultureInfo.InvariantCulture;
        return v switch
        {
            >= 1e9 => (v / 1e9).ToString("0.##", c) + "G",
            >= 1e6 => (v / 1e6).ToString("0.##", c) + "M",
            >= 1e3 => (v / 1e3).ToString("0.##", c) + "k",
            _ => v.ToString("0.###", c),
        };
    }
}
