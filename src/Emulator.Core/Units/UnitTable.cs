using System.Globalization;

namespace Emulator.Core.Units;

/// <summary>The unit suffixes one kind of quantity accepts, each with its exact multiplier to the base unit.</summary>
/// <remarks>Multipliers are decimal so that `407.8GBps` or `1.5us` convert without binary round-off.</remarks>
internal sealed class UnitTable
{
    private readonly (string Suffix, decimal Multiplier)[] _units;

    public UnitTable(string quantity, string accepted, params (string Suffix, decimal Multiplier)[] units)
    {
        Quantity = quantity;
        Accepted = accepted;
        _units = units;
    }

    /// <summary>What the quantity is called in messages ("a bandwidth").</summary>
    public string Quantity { get; }

    /// <summary>The accepted units as listed in messages and docs.</summary>
    public string Accepted { get; }

    /// <summary>Parses "number unit" to a value in the base unit; throws <see cref="FormatException"/> saying what was wrong.</summary>
    public decimal Parse(string? text)
    {
        var s = (text ?? "").Trim();
        var split = NumberLength(s);
        if (split == 0) throw Bad(text, $"is not {Quantity}; write a number followed by one of {Accepted}");
        var number = s[..split];
        var unit = s[split..].Trim();
        if (number.StartsWith('-')) throw Bad(text, $"is negative; {Quantity} cannot be negative");
        if (unit.Length == 0) throw Bad(text, $"has no unit; {Quantity} is a number followed by one of {Accepted}");
        var multiplier = Lookup(unit) ?? throw Bad(text, $"is not {Quantity}{Hint(unit)}; write a number followed by one of {Accepted}");
        decimal value;
        try
        {
            value = decimal.Parse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture) * multiplier;
        }
        catch (OverflowException)
        {
            throw Bad(text, $"is too large for {Quantity}");
        }
        return value;
    }

    private decimal? Lookup(string unit)
    {
        foreach (var (suffix, multiplier) in _units)
            if (suffix == unit) return multiplier;
        return null;
    }

    // Case matters (b is bits, B is bytes), so a near miss gets the right spelling suggested rather than guessed.
    private string Hint(string unit)
    {
        var matches = _units.Where(u => string.Equals(u.Suffix, unit, StringComparison.OrdinalIgnoreCase)).Select(u => u.Suffix).ToList();
        return matches.Count switch
        {
            0 => "",
            1 => $" (did you mean {matches[0]}? units are case-sensitive)",
            _ => $" (units are case-sensitive: did you mean {string.Join(" or ", matches)}?)",
        };
    }

    /// <summary>Length of the leading number: optional sign, digits with at most one point, optional exponent followed by digits.</summary>
    private static int NumberLength(string s)
    {
        var i = 0;
        if (i < s.Length && (s[i] == '-' || s[i] == '+')) i++;
        var digits = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i])) { i++; digits++; }
        if (i < s.Length && s[i] == '.')
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i])) { i++; digits++; }
        }
        if (digits == 0) return 0;
        // An exponent only counts when digits follow it, so "5EFLOPS" keeps its E as the exa prefix.
        if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
        {
            var j = i + 1;
            if (j < s.Length && (s[j] == '-' || s[j] == '+')) j++;
            if (j < s.Length && char.IsAsciiDigit(s[j]))
            {
                while (j < s.Length && char.IsAsciiDigit(s[j])) j++;
                i = j;
            }
        }
        return i;
    }

    /// <summary>A <see cref="FormatException"/> quoting the text as written.</summary>
    public static FormatException Bad(string? text, string why) => new($"'{text}' {why}");
}
