namespace Emulator.Cli;

/// <summary>An example value for each option that takes one, for the message when it is given without.</summary>
public static class OptionExamples
{
    /// <summary>An example value of <paramref name="option"/>.</summary>
    public static string Of(string option) => option switch
    {
        "--out" => "out/my-run",
        "--only" => "meg-t1-1.7b,llama3-405b-8k",
        "--set" => "parallel.tp=4",
        "--jobs" => "2",
        "--stack" => "megatron-lm-2021",
        _ => "VALUE",
    };
}
