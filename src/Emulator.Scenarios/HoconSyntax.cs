namespace Emulator.Scenarios;

/// <summary>Catches the HOCON mistakes Akka's parser silently accepts: unbalanced braces and brackets, unterminated strings, and the features scenarios do not use.</summary>
/// <remarks>
/// Akka's parser reads `a = {` or `a = "x` without complaint, and an unresolved `${?x}` makes it recurse forever,
/// so the text is scanned first. Substitutions and includes are refused because layering happens across files
/// (override, scenario, preset, defaults), where neither would resolve as a reader expects.
/// </remarks>
internal static class HoconSyntax
{
    /// <summary>Null when <paramref name="text"/> is well formed, else "line N: what is wrong".</summary>
    public static string? Check(string text)
    {
        var open = new Stack<(char Bracket, int Line)>();
        var line = 1;
        var atLineStart = true;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n') { line++; atLineStart = true; continue; }
            if (char.IsWhiteSpace(c)) continue;
            var startsLine = atLineStart;
            atLineStart = false;
            if (c == '#' || (c == '/' && At(text, i, "//")))
            {
                while (i + 1 < text.Length && text[i + 1] != '\n') i++;
                continue;
            }
            if (At(text, i, "\"\"\""))
            {
                var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                if (end < 0) return $"line {line}: a \"\"\" string is never closed";
                line += text.AsSpan(i, end - i).Count('\n');
                i = end + 2;
                continue;
            }
            if (c == '"')
            {
                var j = i + 1;
                while (j < text.Length && text[j] != '"' && text[j] != '\n')
                    j += text[j] == '\\' ? 2 : 1;
                if (j >= text.Length || text[j] != '"') return $"line {line}: a quoted string is not closed on its line";
                i = j;
                continue;
            }
            if (At(text, i, "${")) return $"line {line}: substitutions (${{...}}) are not supported in scenarios; write the value itself";
            if (startsLine && IsInclude(text, i))
                return $"line {line}: include is not supported; name a hardware preset with hardware = <name> instead";
            if (c is '=' or ':' && CommaInNumber(text, i + 1) is { } number)
                return $"line {line}: {number} is not a number HOCON can read (a comma ends a field there); write it without separators, "
                    + $"{number.Replace(",", "")}, or with a decimal point, {number.Replace(',', '.')}";
            switch (c)
            {
                case '{' or '[':
                    open.Push((c, line));
                    break;
                case '}' or ']':
                    var expected = c == '}' ? '{' : '[';
                    if (open.Count == 0) return $"line {line}: '{c}' closes nothing";
                    var (bracket, at) = open.Pop();
                    if (bracket != expected) return $"line {line}: '{c}' closes the '{bracket}' opened on line {at}";
                    break;
            }
        }
        if (open.Count > 0)
        {
            var (bracket, at) = open.Peek();
            return $"line {at}: '{bracket}' is never closed";
        }
        return null;
    }

    // `include "x"` or `include required("x")` / file(...) / url(...) / classpath(...), not a key that starts with "include".
    private static bool IsInclude(string text, int i)
    {
        if (!At(text, i, "include")) return false;
        var j = i + 7;
        if (j >= text.Length || !char.IsWhiteSpace(text[j])) return false;
        while (j < text.Length && (text[j] == ' ' || text[j] == '\t')) j++;
        return j < text.Length && (text[j] == '"' || new[] { "required(", "file(", "url(", "classpath(" }.Any(t => At(text, j, t)));
    }

    /// <summary>A value starting at <paramref name="i"/> (after spaces) that is digits, a comma and digits again, such as 1,024 or
    /// 0,85: Akka's parser would end the value at the comma and read the rest as a key of its own. Null otherwise.</summary>
    private static string? CommaInNumber(string text, int i)
    {
        while (i < text.Length && (text[i] == ' ' || text[i] == '\t')) i++;
        var start = i;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
        if (i == start || i + 1 >= text.Length || text[i] != ',' || !char.IsAsciiDigit(text[i + 1])) return null;
        i++;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == ',' || text[i] == '.')) i++;
        return text[start..i];
    }

    private static bool At(string text, int i, string token) => string.CompareOrdinal(text, i, token, 0, token.Length) == 0;
}
