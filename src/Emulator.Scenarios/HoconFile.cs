using Akka.Configuration;
using Akka.Configuration.Hocon;
using System.Text.RegularExpressions;

namespace Emulator.Scenarios;

/// <summary>Reads HOCON text with Akka's parser into flat leaf paths, turning every syntax problem into a <see cref="ScenarioException"/> naming the source.</summary>
internal static class HoconFile
{
    /// <summary>The leaves of <paramref name="text"/>, keyed by full path; <paramref name="label"/> names the source in errors.</summary>
    public static Dictionary<string, RawValue> Parse(string text, string label)
    {
        var problem = HoconSyntax.Check(text);
        if (problem is not null) throw new ScenarioException($"{label}: HOCON syntax error at {problem}", label);
        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(text);
        }
        catch (Exception ex)
        {
            throw new ScenarioException($"{label}: HOCON syntax error{AtLine(text, ex.Message)}: {ex.Message}", label, inner: ex);
        }
        var leaves = new Dictionary<string, RawValue>(StringComparer.Ordinal);
        if (!config.IsEmpty) Flatten(config.Root, "", leaves, label);
        return leaves;
    }

    /// <summary>" at line N" for a parser message that gives a character position (Akka's "Unknown token at position 587"), so the
    /// error says where to look as the scanner's own do; else empty.</summary>
    private static string AtLine(string text, string message)
    {
        var match = Regex.Match(message, @"position (\d+)");
        return match.Success && int.TryParse(match.Groups[1].Value, out var at) && at <= text.Length
            ? $" at line {text.AsSpan(0, at).Count('\n') + 1}"
            : "";
    }

    private static void Flatten(HoconValue value, string path, Dictionary<string, RawValue> leaves, string label)
    {
        // A list written after a section (`model { ... }` then `model = [1, 2]`): HOCON's later value is the list, but Akka's
        // parser keeps it after the section and still reads the value as the section, which dropped the list without a word.
        // Taken as the value, it is refused as any other value given to a section is.
        if (value.Values.Count > 1 && value.Values[0] is HoconObject && value.Values[^1] is HoconArray later)
            value = new HoconValue([later]);
        if (value.IsObject())
        {
            foreach (var (key, child) in value.GetObject().Items)
                Flatten(child, path.Length == 0 ? key : path + "." + key, leaves, label);
            return;
        }
        if (value.Values.Count == 0)
            throw new ScenarioException($"{label}: HOCON syntax error: '{path}' has no value; write {path} = <value>", label, path);
        // Akka's parser keeps the blanks between a list and what follows it on the line (` }`, a comment) as a literal of their own.
        if (value.Values.Count > 1 && value.Values[0] is HoconArray && value.Values.Skip(1).All(v => v is HoconLiteral { Value: var blank } && string.IsNullOrWhiteSpace(blank)))
            value = new HoconValue([value.Values[0]]);
        if (value.Values.Count == 1 && value.Values[0] is HoconArray array)
        {
            var items = new List<string>(array.Count);
            foreach (var item in array)
            {
                if (!item.IsString())
                    throw new ScenarioException($"{label}: {path}: list items must be plain values, not lists or objects", label, path);
                items.Add(item.GetString()
                    ?? throw new ScenarioException($"{label}: {path} item {items.Count + 1} is null: null is not a value here; write a value in every place of the list", label, path));
            }
            leaves[path] = new RawValue(null, items);
            return;
        }
        if (!value.IsString())
            throw new ScenarioException($"{label}: {path}: cannot mix a list with other values; write one value", label, path);
        // HOCON's null would read as an empty text and be reported as the wrong kind of value; no key here takes null.
        // Akka's parser reads a quoted "null" as null too, so the message says so rather than blame the quotes' absence.
        var text = value.GetString()
            ?? throw new ScenarioException($"{label}: {path} = null: null is not a value here (even quoted: the HOCON reader takes \"null\" for null); write a value, or delete the line to keep the default", label, path);
        leaves[path] = new RawValue(text, null);
    }
}
