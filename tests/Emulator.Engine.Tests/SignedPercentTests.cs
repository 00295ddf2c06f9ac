using Emulator.Cli;

namespace Emulator.Engine.Tests;

public class SignedPercentTests
{
    [Theory]
    [InlineData(0.035, "+3.5%")]
    [InlineData(-0.076, "-7.6%")]
    [InlineData(-0.0001, "+0.0%")]
    [InlineData(0.0, "+0.0%")]
    [InlineData(-0.00051, "-0.1%")]
    public void Errors_print_with_one_sign(double fraction, string expected) => Assert.Equal(expected, SignedPercent.Of(fraction));
}
