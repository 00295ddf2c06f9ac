using Emulator.Core.Units;

namespace Emulator.Core.Tests.Units;

public class UnitParserTests
{
    [Theory]
    [InlineData("80GiB", 85_899_345_920L)]
    [InlineData("16GB", 16_000_000_000L)]
    [InlineData("16GiB", 17_179_869_184L)]
    [InlineData("1MiB", 1_048_576L)]
    [InlineData("4096B", 4_096L)]
    [InlineData("512KiB", 524_288L)]
    [InlineData("1.5KiB", 1_536L)]
    [InlineData("4kB", 4_000L)]
    [InlineData("2TiB", 2_199_023_255_552L)]
    [InlineData("0B", 0L)]
    [InlineData(" 1 MiB ", 1_048_576L)]
    public void Bytes_are_exact(string text, long bytes) => Assert.Equal(bytes, UnitParser.ParseBytes(text));

    [Theory]
    [InlineData("1.5us", 1_500_000L)]
    [InlineData("0.7us", 700_000L)]
    [InlineData("700ns", 700_000L)]
    [InlineData("2ms", 2_000_000_000L)]
    [InlineData("1s", 1_000_000_000_000L)]
    [InlineData("936ps", 936L)]
    [InlineData("5µs", 5_000_000L)]
    [InlineData("1e3ns", 1_000_000L)]
    public void Times_are_exact_picoseconds(string text, long ps) => Assert.Equal(ps, UnitParser.ParseTime(text).Ps);

    [Theory]
    [InlineData("200Gbps", 200_000_000_000L)]
    [InlineData("2039GBps", 16_312_000_000_000L)]
    [InlineData("407.8GBps", 3_262_400_000_000L)]
    [InlineData("600GB/s", 4_800_000_000_000L)]
    [InlineData("25Gb/s", 25_000_000_000L)]
    [InlineData("100Mbps", 100_000_000L)]
    [InlineData("1.6Tbps", 1_600_000_000_000L)]
    [InlineData("10MBps", 80_000_000L)]
    [InlineData("3.35TBps", 26_800_000_000_000L)]
    [InlineData("8bps", 8L)]
    [InlineData("1Bps", 8L)]
    public void Bandwidths_are_exact_bits_per_second(string text, long bps) => Assert.Equal(bps, UnitParser.ParseBandwidth(text).BitsPerSecond);

    [Fact]
    public void Five_stacks_of_407_8_GBps_are_exactly_2039_GBps()
    {
        var stack = UnitParser.ParseBandwidth("407.8GBps");
        Assert.Equal(UnitParser.ParseBandwidth("2039GBps").BitsPerSecond, stack.BitsPerSecond * 5);
    }

    [Theory]
    [InlineData("312TFLOPS", 312e12)]
    [InlineData("989.4TFLOPS", 989.4e12)]
    [InlineData("1.2PFLOPS", 1.2e15)]
    [InlineData("500GFLOPS", 500e9)]
    [InlineData("459TFLOP/s", 459e12)]
    public void Flop_rates(string text, double flops) => Assert.Equal(flops, UnitParser.ParseFlopRate(text));

    [Theory]
    [InlineData("400W", 400.0)]
    [InlineData("1.2kW", 1200.0)]
    [InlineData("0.5MW", 500_000.0)]
    public void Powers(string text, double watts) => Assert.Equal(watts, UnitParser.ParsePower(text));

    [Fact]
    public void Misspelt_bandwidth_unit_lists_the_accepted_units()
    {
        var ex = Assert.Throws<FormatException>(() => UnitParser.ParseBandwidth("200Gpbs"));
        Assert.Equal("'200Gpbs' is not a bandwidth; write a number followed by one of bps, Kbps, Mbps, Gbps, Tbps, Bps, KBps, MBps, GBps, TBps (or Gb/s, GB/s)", ex.Message);
    }

    [Fact]
    public void Wrong_case_suggests_both_bits_and_bytes()
    {
        var ex = Assert.Throws<FormatException>(() => UnitParser.ParseBandwidth("200gbps"));
        Assert.Contains("Gbps or GBps", ex.Message);
        Assert.Contains("case-sensitive", ex.Message);
    }

    [Fact]
    public void A_plain_integer_is_not_a_size()
    {
        var ex = Assert.Throws<FormatException>(() => UnitParser.ParseBytes("4096"));
        Assert.Contains("'4096' has no unit", ex.Message);
        Assert.Contains("KiB", ex.Message);
    }

    [Fact]
    public void Fractions_of_a_picosecond_are_refused()
    {
        var ex = Assert.Throws<FormatException>(() => UnitParser.ParseTime("1.5ps"));
        Assert.Contains("'1.5ps' is not a whole number of picoseconds", ex.Message);
    }

    [Fact]
    public void Fractions_of_a_byte_are_refused()
    {
        var ex = Assert.Throws<FormatException>(() => UnitParser.ParseBytes("1.0001KB"));
        Assert.Contains("not a whole number of bytes", ex.Message);
    }

    [Fact]
    public void Fractions_of_a_bit_per_second_are_refused()
    {
        var ex = Assert.Throws<FormatException>(() => UnitParser.ParseBandwidth("0.1bps"));
        Assert.Contains("not a whole number of bits per second", ex.Message);
    }

    [Theory]
    [InlineData("-5us")]
    [InlineData("-1GiB")]
    [InlineData("-200Gbps")]
    [InlineData("-312TFLOPS")]
    [InlineData("-400W")]
    public void Negative_values_are_refused(string text)
    {
        var ex = Assert.ThrowsAny<FormatException>(() => ParseAny(text));
        Assert.Contains($"'{text}' is negative", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("fast")]
    [InlineData("GBps")]
    [InlineData("1.2.3GBps")]
    public void Garbage_is_refused_with_the_unit_list(string text)
    {
        var ex = Assert.Throws<FormatException>(() => UnitParser.ParseBandwidth(text));
        Assert.Contains($"'{text}' is not a bandwidth", ex.Message);
        Assert.Contains(UnitParser.BandwidthUnits, ex.Message);
    }

    [Fact]
    public void Values_beyond_64_bits_are_refused()
    {
        var ex = Assert.Throws<FormatException>(() => UnitParser.ParseTime("1000000000s"));
        Assert.Contains("too large", ex.Message);
        var ex2 = Assert.Throws<FormatException>(() => UnitParser.ParseBytes("1e40TiB"));
        Assert.Contains("too large", ex2.Message);
    }

    [Fact]
    public void Time_units_are_listed_when_the_unit_is_unknown()
    {
        var ex = Assert.Throws<FormatException>(() => UnitParser.ParseTime("3 minutes"));
        Assert.Equal("'3 minutes' is not a time; write a number followed by one of ps, ns, us, ms, s", ex.Message);
    }

    private static object ParseAny(string text) => text[^1] switch
    {
        's' when text.EndsWith("FLOPS") => UnitParser.ParseFlopRate(text),
        's' when text.EndsWith("bps") => UnitParser.ParseBandwidth(text),
        's' => UnitParser.ParseTime(text),
        'B' => UnitParser.ParseBytes(text),
        _ => UnitParser.ParsePower(text),
    };
}
