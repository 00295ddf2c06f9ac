using Emulator.Cli;

return EmulatorCommand.Run(args, Console.Out, Console.Error);
