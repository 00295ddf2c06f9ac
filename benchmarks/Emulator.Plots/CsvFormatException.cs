namespace Emulator.Plots;

/// <summary>A CSV that cannot be read as the expected table; the message names the file, line and column.</summary>
public sealed class CsvFormatException(string message) : Exception(message);
