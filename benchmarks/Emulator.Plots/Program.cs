using Emulator.Plots;

return PlotCommand.Run(args, Console.Out, Console.Error);
