namespace Emulator.Cli;

/// <summary>Entry point of the `emulator` command: dispatches to its verbs.</summary>
public static class EmulatorCommand
{
    /// <summary>Top-level usage.</summary>
    public const string Usage = """
        emulator: emulate AI-training clusters actor by actor in deterministic virtual time

        commands:
          run <scenario.conf> [--out DIR] [--set key=value ...]                 emulate one training step
          validate <runs.csv> [--out DIR] [--only ID,...] [--jobs N] [--set ...]  emulate published runs and compare
          calibrate <runs.csv> --stack NAME [--out DIR] [--set ...]              set a stack's GEMM scale, with leave-one-out errors
          compare <before> <after> [--min-change POINTS]                         the rows two validations share: which moved, errors before and after

        run `emulator COMMAND --help` for each command's options.
        """;

    /// <summary>Runs the command line; returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            stdout.WriteLine(Usage);
            return args.Count == 0 ? ExitCodes.BadInput : ExitCodes.Ok;
        }
        try
        {
            return args[0] switch
            {
                "run" => RunCommand.Execute(args.Skip(1).ToArray(), stdout, stderr),
                "validate" => ValidateCommand.Execute(args.Skip(1).ToArray(), stdout, stderr),
                "calibrate" => CalibrateCommand.Execute(args.Skip(1).ToArray(), stdout, stderr),
                "compare" => CompareCommand.Execute(args.Skip(1).ToArray(), stdout, stderr),
                _ => Unknown(args[0], stderr),
            };
        }
        catch (Exception e) when (ClockOverflow.Describe(e) is { } overflow)
        {
            stderr.WriteLine($"error: {overflow}");
            return ExitCodes.BadInput;
        }
        catch (UnauthorizedAccessException e)
        {
            // A file named inside another (a preset, a stack) or an output folder the user may not touch.
            stderr.WriteLine($"error: {e.Message} Check its permissions, or run where you can read and write.");
            return ExitCodes.BadInput;
        }
        catch (IOException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"internal error: {e}");
            return ExitCodes.Failure;
        }
    }

    private static int Unknown(string verb, TextWriter stderr)
    {
        stderr.WriteLine($"emulator: unknown command '{verb}'\n{Usage}");
        return ExitCodes.BadInput;
    }
}
