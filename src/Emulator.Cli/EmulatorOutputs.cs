using System.Text;
using System.Text.Json;
using Emulator.Cli.Reports;

namespace Emulator.Cli;

/// <summary>Recognises the files the emulator writes, so that one given back as an input is named for what it is: a validation.json
/// passed to validate was called a scenario to run, a validation.csv a runs CSV with misspelt columns, a result.json a scenario with an
/// unknown key.</summary>
public static class EmulatorOutputs
{
    /// <summary>The output <paramref name="path"/> is: its file name as the emulator writes it, what it is ("run's
    /// result.json") and what reads it, when something does; null when it is none of them (or cannot be read: the caller's own checks say why).</summary>
    public static (string File, string What, string? Use)? Describe(string path)
    {
        byte[] head;
        try
        {
            using var stream = File.OpenRead(path);
            head = new byte[4096];
            head = head[..stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        var text = head.AsSpan();
        if (text.StartsWith(Encoding.UTF8.Preamble)) text = text[Encoding.UTF8.Preamble.Length..];
        const string compare = "emulator compare BEFORE AFTER sets two validations side by side";
        var firstLine = Encoding.UTF8.GetString(text).Split('\n')[0].TrimEnd('\r').Trim();
        if (firstLine == ValidationCsv.Header) return ("validation.csv", "validate's validation.csv", compare);
        return FirstJsonProperty(text) switch
        {
            "scenario" => ("result.json", "run's result.json", null),
            "scenario_file" => ("run-stats.json", "run's run-stats.json", null),
            "displayTimeUnit" or "traceEvents" => ("trace.json", "run's trace.json (a timeline for https://ui.perfetto.dev)", null),
            "rows" => ("validation.json", "validate's validation.json", compare),
            "stack" => ("calibration.json", "calibrate's calibration.json", null),
            _ => null,
        };
    }

    /// <summary>The name of the first member of a JSON object <paramref name="head"/> begins, or null when it begins no JSON object.</summary>
    private static string? FirstJsonProperty(ReadOnlySpan<byte> head)
    {
        try
        {
            var reader = new Utf8JsonReader(head, isFinalBlock: false, state: default);
            return reader.Read() && reader.TokenType == JsonTokenType.StartObject && reader.Read() && reader.TokenType == JsonTokenType.PropertyName
                ? reader.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Why <paramref name="path"/> cannot be the <paramref name="kind"/> a command reads, when it is one of the emulator's outputs;
    /// else null. <paramref name="instead"/> says what to give.</summary>
    public static string? Misplaced(string path, string kind, string instead) =>
        Describe(path) is var (_, what, use)
            ? $"{path} is {what}, an output of the emulator, not {kind}; {instead}{(use is null ? "" : "; " + use)}"
            : null;
}
