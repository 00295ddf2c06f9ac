namespace Emulator.Cli;

/// <summary>The message for an option given without its value, with an example value.</summary>
public static class OptionExamples
{
    /// <summary>"emulator VERB: OPTION needs a value, e.g. OPTION EXAMPLE" and the usage.</summary>
    public static string MissingValue(string verb, string option, string usage) =>
        $"emulator {verb}: {option} needs a value, e.g. {option} {Of(option)}\n{usage}";

    /// <summary>An example value of <paramref name="option"/>.</summary>
    private static string Of(string option) => option switch
    {
        "--out" => "out/my-run",
        "--only" => "meg-t1-1.7b,llama3-405b-8k",
        "--set" => "parallel.tp=4",
        "--jobs" => "2",
        "--stack" => "megatron-lm-2021",
        "--min-change" => "0.5",
        _ => "VALUE",
    };
}
