namespace Emulator.Scenarios;

/// <summary>A leaf value as written in a file: a scalar's text, or a list's element texts.</summary>
internal sealed record RawValue(string? Scalar, IReadOnlyList<string>? Items)
{
    /// <summary>The value as it would be written back, for messages.</summary>
    public string Display => Items is null ? Scalar ?? "" : "[" + string.Join(", ", Items) + "]";
}
