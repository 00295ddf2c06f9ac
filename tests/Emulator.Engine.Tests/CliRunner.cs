using Emulator.Cli;

namespace Emulator.Engine.Tests;

/// <summary>Runs the `emulator` command in-process and captures what it prints.</summary>
internal static class CliRunner
{
    /// <summary>Exit code, stdout and stderr of `emulator args...`.</summary>
    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = EmulatorCommand.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
