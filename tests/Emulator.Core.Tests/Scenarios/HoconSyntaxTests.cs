using Emulator.Scenarios;

namespace Emulator.Core.Tests.Scenarios;

/// <summary>The syntax scan before Akka's parser refuses no valid HOCON that a scenario, preset or stack may be written in.</summary>
public class HoconSyntaxTests
{
    [Theory]
    [InlineData("a : 1", "a=1")]
    [InlineData("a:1\nb:\"x\"", "a=1; b=x")]
    [InlineData("parallel.tp = 2\nmodel.seq-len = 2048", "parallel.tp=2; model.seq-len=2048")]
    [InlineData("a { b = 1, c = 2 }", "a.b=1; a.c=2")]
    [InlineData("a { b = 1, c = 2, }", "a.b=1; a.c=2")]
    [InlineData("a = { b: 1, c: 2 }", "a.b=1; a.c=2")]
    [InlineData("a = 4GiB, b = 2", "a=4GiB; b=2")]
    [InlineData("a = 1, b = 2, c { d = 3 }", "a=1; b=2; c.d=3")]
    [InlineData("a { b = 1 } c { d = 2 }", "a.b=1; c.d=2")]
    [InlineData("a = { b = 1 }, c = 2", "a.b=1; c=2")]
    [InlineData("a = { b = 1 } { c = 2 }", "a.b=1; a.c=2")]
    [InlineData("a { b { c = 1 } }", "a.b.c=1")]
    [InlineData("a\n{\n  b = 1\n}", "a.b=1")]
    [InlineData("a\n\n{\n  b = 1\n}", "a.b=1")]
    [InlineData("a # the section\n{\n  b = 1\n}", "a.b=1")]
    [InlineData("a =\n{\n  b = 1\n}", "a.b=1")]
    [InlineData("a:\n{\n  b: 1\n}", "a.b=1")]
    [InlineData("a {\n  b = 1\n  c = 2 }", "a.b=1; a.c=2")]
    [InlineData("a {\n  b = 1\n} # end\nc = 2", "a.b=1; c=2")]
    [InlineData("{\n  a = 1\n}", "a=1")]
    [InlineData("a =\n  2", "a=2")]
    [InlineData("a :\n  2", "a=2")]
    [InlineData("a = # why\n  2", "a=2")]
    [InlineData("a =\n# why\n  2", "a=2")]
    [InlineData("a =\n  \"x y\"", "a=x y")]
    [InlineData("a =\n  [1, 2]", "a=[1, 2]")]
    [InlineData("a = [\n  1,\n  2\n]", "a=[1, 2]")]
    [InlineData("a = [\n  1\n  2\n]", "a=[1, 2]")]
    [InlineData("a = [1,\n  2]", "a=[1, 2]")]
    [InlineData("a = [1, 2, 3,]", "a=[1, 2, 3]")]
    [InlineData("a = [\n  1,\n  2,\n]", "a=[1, 2]")]
    [InlineData("a = [ # first\n  1 # one\n]", "a=[1]")]
    [InlineData("a = [\n  \"x\" # c\n  \"y\"\n]", "a=[x, y]")]
    [InlineData("a = [a100-80g-selene, h100-80g-roce]", "a=[a100-80g-selene, h100-80g-roce]")]
    [InlineData("a = [1, 2] # c\nb = 3", "a=[1, 2]; b=3")]
    [InlineData("a = \"\"\"x\ny = \"z\", {w}\"\"\"\nb = 2", "a=x\ny = \"z\", {w}; b=2")]
    [InlineData("a = \"\"\"one # two // three\"\"\"", "a=one # two // three")]
    [InlineData("# c\na = 1 # c\n// c\nb = 2 // c\n  # indented", "a=1; b=2")]
    [InlineData("model {\n  layers = 4 # x = 2, y: 3\n}", "model.layers=4")]
    [InlineData("a = \"x\" # \"unclosed", "a=x")]
    [InlineData("\"a.b\" = 1\n\"c d\" { e = 2 }", "a.b=1; c d.e=2")]
    [InlineData("a = \"x=y:z, {w}\"", "a=x=y:z, {w}")]
    [InlineData("a = \"C:\\\\papers\" \"19\\\" rack\"", "a=C:\\papers 19\" rack")]
    [InlineData("a = \"ünïcode ✓ 表中\"", "a=ünïcode ✓ 表中")]
    [InlineData("a {}\nb = {}\nc {\n}", "")]
    [InlineData("seq-len = 2048\na100-80g = 1\nk8s-v2 { x1 = 2 }", "seq-len=2048; a100-80g=1; k8s-v2.x1=2")]
    [InlineData("a = 1.5e-3\nb = -1\nc = 10%\nd = true", "a=1.5e-3; b=-1; c=10%; d=true")]
    [InlineData("a = 1\r\nb {\r\n  c = 2\r\n}\r\nd =\r\n  3\r\ne\r\n{\r\n  f = 1\r\n}\r\n", "a=1; b.c=2; d=3; e.f=1")]
    [InlineData("\ta\t=\t1", "a=1")]
    [InlineData("", "")]
    [InlineData("# nothing but a comment\n", "")]
    public void Valid_HOCON_passes_the_scan_and_reads_as_written(string text, string leaves)
    {
        Assert.Null(HoconSyntax.Check(text));
        var read = HoconFile.Parse(text, "t");
        var expected = leaves.Split("; ", StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), read.ToDictionary(l => l.Key, l => l.Value.Display).OrderBy(e => e.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void The_shipped_presets_stacks_and_scenarios_pass_the_scan()
    {
        var files = Directory.GetFiles(Path.Combine(RepoPaths.Root, "hocon"), "*.conf", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (var file in files) Assert.True(HoconSyntax.Check(File.ReadAllText(file)) is null, $"{file}: {HoconSyntax.Check(File.ReadAllText(file))}");
    }
}
