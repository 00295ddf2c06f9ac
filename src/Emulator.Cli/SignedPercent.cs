using System.Globalization;

namespace Emulator.Cli;

/// <summary>An error as a signed percentage with one decimal, "+0.0%" for anything that rounds to zero.</summary>
public static class SignedPercent
{
    /// <summary>"+3.5%", "-7.6%"; a tiny negative fraction prints "+0.0%" (the format's negative section alone would print "-+0.0%").</summary>
    public static string Of(double fraction)
    {
        var percent = Math.Round(fraction * 100, 1, MidpointRounding.AwayFromZero);
        if (percent == 0) percent = 0; // folds -0.0 into 0.0
        return percent.ToString("+0.0;-0.0", CultureInfo.InvariantCulture) + "%";
    }
}
