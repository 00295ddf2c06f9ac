using System.Text.RegularExpressions;

namespace Emulator.Cli;

/// <summary>What `--only` selects: row ids, or patterns where * stands for any run of characters and ? for one (any case).</summary>
public static class RowSelection
{
    /// <summary>The ids of <paramref name="ids"/> that <paramref name="given"/> selects, and the entries of it that select none.</summary>
    public static (HashSet<string> Selected, string[] Unmatched) Select(IEnumerable<string> given, IReadOnlyCollection<string> ids)
    {
        var selected = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var unmatched = new List<string>();
        foreach (var entry in given)
        {
            var pattern = entry.IndexOfAny(['*', '?']) < 0 ? null : Pattern(entry);
            var any = false;
            foreach (var id in ids.Where(id => pattern?.IsMatch(id) ?? string.Equals(id, entry, StringComparison.OrdinalIgnoreCase)))
            {
                selected.Add(id);
                any = true;
            }
            if (!any) unmatched.Add(entry);
        }
        return (selected, unmatched.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToArray());
    }

    private static Regex Pattern(string glob) =>
        new("^" + Regex.Escape(glob).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}
