using System.Text;

namespace Emulator.Scenarios;

/// <summary>Catches the HOCON mistakes Akka's parser silently accepts: unbalanced braces and brackets, unterminated strings,
/// a key without its value, and the features scenarios do not use.</summary>
/// <remarks>
/// Akka's parser reads `a = {` or `a = "x` without complaint, and an unresolved `${?x}` makes it recurse forever,
/// so the text is scanned first. Substitutions and includes are refused because layering happens across files
/// (override, scenario, preset, defaults), where neither would resolve as a reader expects.
/// Akka's parser also reads across line ends where HOCON ends a field: `hardware a100-80g-selene` (no `=`), `tp =` with
/// the value forgotten or `tp = 2 pp = 4` would join the next field into a key no one wrote, and the error would name it;
/// so a key must reach its separator (`=`, `:`, or `{` for an object) before its line ends (or find its `{` on the next),
/// an `=` its value before the next field, and a plain value hold no unquoted `=` or `:`.
/// </remarks>
internal static class HoconSyntax
{
    /// <summary>Where the scan is inside one object or list.</summary>
    private enum Expect
    {
        /// <summary>At the start of an object's field: a key, or the end of the object.</summary>
        Key,
        /// <summary>After a key's `=` or `:`, before its value starts.</summary>
        Value,
        /// <summary>Inside or after a field's value (or anywhere in a list), until the line, a comma or the bracket ends it.</summary>
        Rest,
        /// <summary>As <see cref="Rest"/>, inside a field's plain (not object or list) value, which cannot hold an unquoted '=' or ':'.</summary>
        Scalar,
    }

    /// <summary>Null when <paramref name="text"/> is well formed, else "line N: what is wrong".</summary>
    public static string? Check(string text)
    {
        // Each open bracket with its line and what was being read around it; the root is an object without braces.
        var open = new Stack<(char Bracket, int Line, Expect Outer)>();
        var expect = Expect.Key;
        var key = new StringBuilder();
        var keyLine = 1;
        var line = 1;
        var atLineStart = true;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n')
            {
                // HOCON lets a field go on over a line end where what follows can only continue it: an object's `{` after its key
                // (`model` then `{` below it), or a value after the `=` (`tp =` then `2`, or `[` or `{`) unless it is the next field.
                var continues = expect switch
                {
                    Expect.Key => At(text, NextSignificant(text, i), "{"),
                    Expect.Value => !EndsField(text, NextSignificant(text, i)),
                    _ => true,
                };
                if (!continues && FieldCut(expect, key, keyLine, "the line ends") is { } cut) return cut;
                line++;
                atLineStart = true;
                if (expect is Expect.Rest or Expect.Scalar && InObject(open)) (expect, _) = (Expect.Key, key.Clear());
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                if (expect == Expect.Key && key.Length > 0) key.Append(' ');
                continue;
            }
            var startsLine = atLineStart;
            atLineStart = false;
            if (StartsComment(text, i))
            {
                // Whether a key or an '=' may stand before the comment is decided at the line's end.
                i = CommentEnd(text, i);
                continue;
            }
            if (expect == Expect.Key && key.Length == 0)
            {
                keyLine = line;
                if (startsLine && IsInclude(text, i))
                    return $"line {line}: include is not supported; name a hardware preset with hardware = <name> instead";
                if (c is '=' or ':')
                    return $"line {line}: '{c}' has no key before it; write key = value, e.g. parallel.tp = 2";
            }
            if (expect == Expect.Value && c is '=' or ':')
                return $"line {line}: '{KeyText(key)}' is followed by a second '{c}'; write one between a key and its value, {KeyText(key)} = <value>";
            if (expect == Expect.Scalar && c is '=' or ':')
                return $"line {line}: the value of '{KeyText(key)}' holds an unquoted '{c}'; put the next field on a line of its own or after a comma "
                    + $"(tp = 2, pp = 4), or quote a value that holds it";
            if (At(text, i, "\"\"\""))
            {
                var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                if (end < 0) return $"line {line}: a \"\"\" string is never closed";
                if (expect == Expect.Key) key.Append(text, i, end + 3 - i);
                else if (expect == Expect.Value) expect = Expect.Scalar;
                line += text.AsSpan(i, end - i).Count('\n');
                i = end + 2;
                continue;
            }
            if (c == '"')
            {
                var j = QuoteEnd(text, i);
                if (j >= text.Length || text[j] != '"') return $"line {line}: a quoted string is not closed on its line";
                if (expect == Expect.Key) key.Append(text, i, j + 1 - i);
                else if (expect == Expect.Value) expect = Expect.Scalar;
                i = j;
                continue;
            }
            if (At(text, i, "${")) return $"line {line}: substitutions (${{...}}) are not supported in scenarios; write the value itself";
            // Akka reads `key += value` as a key ending in '+' and the error would name a key that does not exist.
            if (expect == Expect.Key && At(text, i, "+=")) return $"line {line}: += (append to a list) is not supported in scenarios; write the whole value with =";
            if (expect == Expect.Value && CommaInNumber(text, i) is { } number)
                return $"line {line}: {number} is not a number HOCON can read (a comma ends a field there); write it without separators, "
                    + $"{number.Replace(",", "")}, or with a decimal point, {number.Replace(',', '.')}";
            switch (c)
            {
                case '{' or '[':
                    // `key {` opens the key's object; `key = {` or `[` its value; a list holds values.
                    open.Push((c, line, Expect.Rest));
                    key.Clear();
                    expect = c == '{' ? Expect.Key : Expect.Rest;
                    break;
                case '}' or ']':
                    if (FieldCut(expect, key, keyLine, $"'{c}' follows it") is { } cut) return cut;
                    var expected = c == '}' ? '{' : '[';
                    if (open.Count == 0) return $"line {line}: '{c}' closes nothing";
                    var (bracket, at, outer) = open.Pop();
                    if (bracket != expected) return $"line {line}: '{c}' closes the '{bracket}' opened on line {at}";
                    expect = outer;
                    break;
                case ',':
                    if (FieldCut(expect, key, keyLine, "a comma follows it") is { } comma) return comma;
                    if (InObject(open)) (expect, _) = (Expect.Key, key.Clear());
                    break;
                case '=' or ':' when expect == Expect.Key:
                    expect = Expect.Value;
                    break;
                default:
                    if (expect == Expect.Key) key.Append(c);
                    else if (expect == Expect.Value) expect = Expect.Scalar;
                    break;
            }
        }
        if (FieldCut(expect, key, keyLine, "the text ends") is { } last) return last;
        if (open.Count > 0)
        {
            var (bracket, at, _) = open.Peek();
            return $"line {at}: '{bracket}' is never closed";
        }
        return null;
    }

    /// <summary>The problem when a field ends (<paramref name="why"/>) before it has a value: a key alone, or a key and its `=` alone.</summary>
    private static string? FieldCut(Expect expect, StringBuilder key, int keyLine, string why)
    {
        if (expect == Expect.Value)
            return $"line {keyLine}: '{KeyText(key)}' has no value ({why} after its '='); write the value on the key's line, {KeyText(key)} = <value>";
        if (expect != Expect.Key || key.Length == 0) return null;
        var words = KeyText(key).Split(' ', 2);
        return words.Length == 2
            ? $"line {keyLine}: '{KeyText(key)}' has no value: a key and its value need '=' (or ':') between them; write e.g. {words[0]} = {words[1]}"
            : $"line {keyLine}: '{KeyText(key)}' has no value ({why}); write {words[0]} = <value>, or {words[0]} {{ ... }} for a section";
    }

    /// <summary>The index of the first character after <paramref name="i"/> that is neither blank nor in a comment (the text's length if none).</summary>
    private static int NextSignificant(string text, int i)
    {
        for (var j = i + 1; j < text.Length; j++)
        {
            if (StartsComment(text, j))
            {
                j = CommentEnd(text, j);
                continue;
            }
            if (!char.IsWhiteSpace(text[j])) return j;
        }
        return text.Length;
    }

    /// <summary>Whether what starts at <paramref name="j"/> cannot be the value of an '=' on an earlier line: the text's end, a closing
    /// bracket, a comma, or a line that is a field of its own (an '=', ':' or '{' outside quotes before its end or comment).</summary>
    private static bool EndsField(string text, int j)
    {
        if (j >= text.Length || text[j] is '}' or ']' or ',') return true;
        if (text[j] is '{' or '[') return false;
        for (; j < text.Length && text[j] != '\n'; j++)
        {
            if (text[j] == '"')
            {
                j = QuoteEnd(text, j);
                continue;
            }
            if (StartsComment(text, j)) return false;
            if (text[j] is '=' or ':' or '{') return true;
        }
        return false;
    }

    /// <summary>Whether a comment (# or //) starts at <paramref name="i"/>.</summary>
    private static bool StartsComment(string text, int i) => text[i] == '#' || At(text, i, "//");

    /// <summary>The index of the last character of the comment that starts at <paramref name="i"/>: the one before its line's end.</summary>
    private static int CommentEnd(string text, int i)
    {
        while (i + 1 < text.Length && text[i + 1] != '\n') i++;
        return i;
    }

    /// <summary>The index of the quote that closes the string opened at <paramref name="i"/>; where it is missing, of the line's end
    /// (or the text's length or past it).</summary>
    private static int QuoteEnd(string text, int i)
    {
        var j = i + 1;
        while (j < text.Length && text[j] != '"' && text[j] != '\n') j += text[j] == '\\' ? 2 : 1;
        return j;
    }

    private static string KeyText(StringBuilder key) => key.ToString().Trim();

    /// <summary>Whether the innermost open bracket is an object's (or none is open: the file's root object).</summary>
    private static bool InObject(Stack<(char Bracket, int Line, Expect Outer)> open) => open.Count == 0 || open.Peek().Bracket == '{';

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
