namespace Emulator.Cli;

/// <summary>Process exit codes of the emulator command.</summary>
public static class ExitCodes
{
    /// <summary>The command ran.</summary>
    public const int Ok = 0;

    /// <summary>Unexpected internal failure.</summary>
    public const int Failure = 1;

    /// <summary>Bad input: scenario, key, value, plan or command line.</summary>
    public const int BadInput = 2;

    /// <summary>The plan does not fit in HBM.</summary>
    public const int OutOfMemory = 3;
}
