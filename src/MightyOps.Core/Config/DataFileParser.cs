using System.Globalization;
using System.Text;

namespace MightyOps.Core.Config;

/// <summary>
/// Reads a PowerShell data file (.psd1) as data. It accepts a subset of what
/// <c>Import-PowerShellDataFile</c> accepts and nothing that could run code: hashtables <c>@{ }</c>, arrays <c>@( )</c> and comma
/// lists, single- and double-quoted strings and here-strings, numbers, <c>$true</c>,
/// <c>$false</c>, <c>$null</c>, and <c># line</c> / <c>&lt;# block #&gt;</c> comments. Variables,
/// subexpressions (<c>"$(...)"</c>, <c>"$env:X"</c>), commands, casts and script blocks are
/// errors, as they are for <c>Import-PowerShellDataFile</c>; stricter than it, so is <c>$( )</c>
/// around a constant, a variable inside a string, and a number multiplier (<c>512mb</c>). Core cannot use PowerShell's own
/// parser (it must not reference PowerShell), hence this small one; docs/about_MightyOps_Config.md
/// lists the syntax.
/// </summary>
public sealed class DataFileParser
{
    /// <summary>
    /// How deep hashtables, arrays and parentheses may nest. A mighty.psd1 needs six levels
    /// (Services.WEB.Containers.nginx.LogConfiguration.Options); the limit keeps a hostile file
    /// from exhausting the stack, which would end the whole process rather than the command.
    /// </summary>
    public const int MaxDepth = 32;

    private readonly string _text;
    private readonly string _source;
    private int _index;
    private int _depth;
    private int _line = 1;
    private int _lineStart;

    private DataFileParser(string text, string source)
    {
        _text = text;
        _source = source;
    }

    /// <summary>
    /// Parses <paramref name="text"/>, which must hold one hashtable. A syntax error is a
    /// <see cref="MightyOpsException"/> with id <c>ConfigInvalid</c> (kind InvalidData) whose
    /// message starts with <c><paramref name="source"/>:line:column</c>.
    /// </summary>
    public static DataFileHashtable Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new DataFileParser(text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text, source);
        parser.SkipTrivia(newlines: true);
        if (parser.Peek() != '@' || parser.Peek(1) != '{')
        {
            throw parser.Error(parser.AtEnd ? "the file is empty; it must hold one hashtable, @{ ... }." : "a data file must hold one hashtable, @{ ... }.");
        }
        DataFileHashtable table = parser.ParseHashtable();
        parser.SkipTrivia(newlines: true);
        if (!parser.AtEnd)
        {
            throw parser.Error("nothing may follow the hashtable's closing '}'.");
        }
        return table;
    }

    private bool AtEnd => _index >= _text.Length;

    private TextPosition Position => new(_line, _index - _lineStart + 1);

    private char Peek(int ahead = 0) => _index + ahead < _text.Length ? _text[_index + ahead] : '\0';

    private void Advance(int count = 1)
    {
        for (int i = 0; i < count && _index < _text.Length; i++)
        {
            char c = _text[_index++];
            if (c == '\n')
            {
                _line++;
                _lineStart = _index;
            }
        }
    }

    private DataFileHashtable ParseHashtable()
    {
        TextPosition start = Position;
        Enter(start);
        Advance(2); // @{
        var entries = new List<DataFileEntry>();
        var keys = new Dictionary<string, DataFileEntry>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            SkipSeparators();
            if (AtEnd)
            {
                throw Error($"the hashtable opened at {start} has no closing '}}'.", start);
            }
            if (Peek() == '}')
            {
                Advance();
                _depth--;
                return new DataFileHashtable(start, entries);
            }
            TextPosition keyPosition = Position;
            string key = ParseKey();
            SkipTrivia(newlines: false);
            if (Peek() != '=')
            {
                throw Error($"expected '=' after the key {Quote(key)}.");
            }
            Advance();
            SkipTrivia(newlines: true);
            DataFileValue value = ParseExpression();
            var entry = new DataFileEntry(key, keyPosition, value);
            if (!keys.TryAdd(key, entry))
            {
                throw Error($"the key {Quote(key)} appears twice in this hashtable (also at {keys[key].KeyPosition}); keys ignore case, as in PowerShell.", keyPosition);
            }
            entries.Add(entry);
            SkipTrivia(newlines: false);
            if (!AtEnd && Peek() is not ('\n' or '\r' or ';' or '}'))
            {
                throw Error($"expected a new line, ';' or '}}' after the value of {Quote(key)}.");
            }
        }
    }

    private string ParseKey()
    {
        char c = Peek();
        if (c is '\'' or '"')
        {
            return ParseString().Value;
        }
        if (IsBareWordChar(c))
        {
            int start = _index;
            while (IsBareWordChar(Peek()))
            {
                Advance();
            }
            return _text[start.._index];
        }
        throw Error($"expected a key (a name or a quoted string), found {Describe(c)}.");
    }

    private static bool IsBareWordChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '-' or '.';

    private DataFileValue ParseExpression() => ParseExpression(out _);

    /// <summary>A value, and the comma list it may start (<c>'a', 'b'</c> is an array).</summary>
    private DataFileValue ParseExpression(out bool isCommaList)
    {
        TextPosition start = Position;
        DataFileValue first = ParseValue();
        SkipTrivia(newlines: false);
        isCommaList = Peek() == ',';
        if (!isCommaList)
        {
            return first;
        }
        var items = new List<DataFileValue> { first };
        while (Peek() == ',')
        {
            Advance();
            SkipTrivia(newlines: true);
            items.Add(ParseValue());
            SkipTrivia(newlines: false);
        }
        return new DataFileArray(start, items);
    }

    private DataFileValue ParseValue()
    {
        TextPosition start = Position;
        char c = Peek();
        switch (c)
        {
            case '@' when Peek(1) == '{':
                return ParseHashtable();
            case '@' when Peek(1) == '(':
                return ParseArray();
            case '@' when Peek(1) is '\'' or '"':
                return ParseHereString();
            case '\'' or '"':
                return ParseString();
            case '(':
                Enter(start);
                Advance();
                SkipTrivia(newlines: true);
                DataFileValue inner = ParseExpression();
                SkipTrivia(newlines: true);
                if (Peek() != ')')
                {
                    throw Error($"the '(' at {start} has no closing ')'.");
                }
                Advance();
                _depth--;
                return inner;
            case '$':
                return ParseVariable();
            case '-' or '+' when char.IsAsciiDigit(Peek(1)) || (Peek(1) == '.' && char.IsAsciiDigit(Peek(2))):
                return ParseNumber();
            case '.' when char.IsAsciiDigit(Peek(1)):
                return ParseNumber();
            case '{':
                throw Error("script blocks are not allowed in a data file.");
            case '[':
                throw Error("type casts ('[int]', '[string[]]') are not allowed in a data file; write the value itself.");
            case '\0' when AtEnd:
                throw Error("the file ends where a value was expected.");
        }
        if (char.IsAsciiDigit(c))
        {
            return ParseNumber();
        }
        if (char.IsLetter(c) || c == '_')
        {
            int wordStart = _index;
            while (IsBareWordChar(Peek()))
            {
                Advance();
            }
            string word = _text[wordStart.._index];
            throw Error($"{Quote(word)} is a bare word, which PowerShell would run as a command; quote it: {Quote(word)}.", start);
        }
        throw Error($"expected a value, found {Describe(c)}.");
    }

    private DataFileArray ParseArray()
    {
        TextPosition start = Position;
        Enter(start);
        Advance(2); // @(
        var items = new List<DataFileValue>();
        while (true)
        {
            SkipSeparators();
            if (AtEnd)
            {
                throw Error($"the array opened at {start} has no closing ')'.", start);
            }
            if (Peek() == ')')
            {
                Advance();
                _depth--;
                return new DataFileArray(start, items);
            }
            // @() holds statements, each of which may be a comma list: @('a', 'b'
            // 'c') is three items, as in PowerShell.
            DataFileValue value = ParseExpression(out bool isCommaList);
            if (isCommaList)
            {
                items.AddRange(((DataFileArray)value).Items);
            }
            else
            {
                items.Add(value);
            }
            SkipTrivia(newlines: false);
            if (!AtEnd && Peek() is not ('\n' or '\r' or ';' or ')'))
            {
                throw Error("expected ',', a new line or ')' in the array.");
            }
        }
    }

    private DataFileValue ParseVariable()
    {
        TextPosition start = Position;
        Advance(); // $
        int nameStart = _index;
        while (char.IsLetterOrDigit(Peek()) || Peek() is '_' or ':' or '{' or '(')
        {
            if (Peek() is '(' or '{')
            {
                throw Error("subexpressions and variables are not allowed in a data file; write the value itself.", start);
            }
            Advance();
        }
        string name = _text[nameStart.._index];
        return name.ToLowerInvariant() switch
        {
            "true" => new DataFileBoolean(start, true),
            "false" => new DataFileBoolean(start, false),
            "null" => new DataFileNull(start),
            _ => throw Error($"the variable '${name}' is not allowed in a data file (only $true, $false and $null are); write the value itself.", start),
        };
    }

    private DataFileValue ParseNumber()
    {
        TextPosition start = Position;
        int begin = _index;
        bool negative = false;
        if (Peek() is '-' or '+')
        {
            negative = Peek() == '-';
            Advance();
        }
        if (Peek() == '0' && Peek(1) is 'x' or 'X')
        {
            Advance(2);
            int hexStart = _index;
            while (char.IsAsciiHexDigit(Peek()))
            {
                Advance();
            }
            CheckNumberEnd(start);
            if (!long.TryParse(_text.AsSpan(hexStart, _index - hexStart), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long hex))
            {
                throw Error($"{Quote(_text[begin.._index])} is not a hexadecimal number that fits in 64 bits.", start);
            }
            return new DataFileInteger(start, negative ? -hex : hex);
        }
        bool fraction = false;
        while (char.IsAsciiDigit(Peek()) || (Peek() == '.' && char.IsAsciiDigit(Peek(1)) && !fraction))
        {
            fraction |= Peek() == '.';
            Advance();
        }
        if (Peek() is 'e' or 'E' && (char.IsAsciiDigit(Peek(1)) || (Peek(1) is '-' or '+' && char.IsAsciiDigit(Peek(2)))))
        {
            fraction = true;
            Advance(2);
            while (char.IsAsciiDigit(Peek()))
            {
                Advance();
            }
        }
        CheckNumberEnd(start);
        string text = _text[begin.._index];
        if (!fraction && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer))
        {
            return new DataFileInteger(start, integer);
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
        {
            return new DataFileDecimal(start, number);
        }
        throw Error($"{Quote(text)} is not a number.", start);
    }

    private void CheckNumberEnd(TextPosition start)
    {
        if (char.IsLetter(Peek()))
        {
            // 512mb, 10l, 1d: PowerShell's suffixes and multipliers change what a number means;
            // the plain number is clearer in a config file.
            throw Error("number suffixes and multipliers (kb, mb, gb, l, d, ...) are not supported here; write the plain number.", start);
        }
    }

    private DataFileString ParseString()
    {
        TextPosition start = Position;
        char quote = Peek();
        Advance();
        var value = new StringBuilder();
        while (true)
        {
            if (AtEnd)
            {
                throw Error($"the string opened at {start} has no closing {quote}.", start);
            }
            char c = Peek();
            if (c == quote)
            {
                if (Peek(1) == quote)
                {
                    value.Append(quote);
                    Advance(2);
                    continue;
                }
                Advance();
                return new DataFileString(start, value.ToString());
            }
            if (quote == '"')
            {
                AppendExpandable(value);
                continue;
            }
            value.Append(c);
            Advance();
        }
    }

    private DataFileString ParseHereString()
    {
        TextPosition start = Position;
        char quote = Peek(1);
        Advance(2);
        SkipTrivia(newlines: false, comments: false);
        if (Peek() == '\r')
        {
            Advance();
        }
        if (Peek() != '\n')
        {
            throw Error($"a here-string's opening @{quote} must end its line.", start);
        }
        Advance();
        var value = new StringBuilder();
        while (true)
        {
            if (AtEnd)
            {
                throw Error($"the here-string opened at {start} has no closing {quote}@ at the start of a line.", start);
            }
            if (_index == _lineStart && Peek() == quote && Peek(1) == '@')
            {
                Advance(2);
                // The line break before the closing quote is not part of the value.
                string text = value.ToString();
                text = text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
                return new DataFileString(start, text);
            }
            if (quote == '"')
            {
                AppendExpandable(value);
            }
            else
            {
                value.Append(Peek());
                Advance();
            }
        }
    }

    /// <summary>One character (or escape) of a double-quoted string; variables are refused.</summary>
    private void AppendExpandable(StringBuilder value)
    {
        char c = Peek();
        if (c == '`')
        {
            TextPosition at = Position;
            char next = Peek(1);
            Advance(2);
            switch (next)
            {
                case '0': value.Append('\0'); break;
                case 'a': value.Append('\a'); break;
                case 'b': value.Append('\b'); break;
                case 'e': value.Append('\u001b'); break;
                case 'f': value.Append('\f'); break;
                case 'n': value.Append('\n'); break;
                case 'r': value.Append('\r'); break;
                case 't': value.Append('\t'); break;
                case 'v': value.Append('\v'); break;
                case 'u' when Peek() == '{':
                    int close = _text.IndexOf('}', _index);
                    if (close < 0 || !int.TryParse(_text.AsSpan(_index + 1, close - _index - 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code) || code > 0x10FFFF)
                    {
                        throw Error("'`u{...}' needs a hexadecimal code point.", at);
                    }
                    value.Append(char.ConvertFromUtf32(code));
                    Advance(close - _index + 1);
                    break;
                case '\0' when AtEnd:
                    throw Error("the string ends in an escape character '`'.", at);
                default: value.Append(next); break;
            }
            return;
        }
        if (c == '$' && (char.IsLetterOrDigit(Peek(1)) || Peek(1) is '_' or '{' or '(' or '$' or '?' or '^' or ':'))
        {
            throw Error("variables and subexpressions ('$name', '$(...)') are not allowed in a data file. Write the value itself, or use single quotes or '`$' for a literal '$'.");
        }
        value.Append(c);
        Advance();
    }

    /// <summary>Whitespace and comments; new lines too when <paramref name="newlines"/>.</summary>
    private void SkipTrivia(bool newlines, bool comments = true)
    {
        while (!AtEnd)
        {
            char c = Peek();
            if (c is ' ' or '\t' or '\f' or '\v' or '\u00A0' || (newlines && c is '\r' or '\n'))
            {
                Advance();
            }
            else if (c == '`' && (Peek(1) == '\n' || (Peek(1) == '\r' && Peek(2) == '\n')))
            {
                Advance(Peek(1) == '\n' ? 2 : 3); // line continuation
            }
            else if (comments && c == '<' && Peek(1) == '#')
            {
                TextPosition start = Position;
                int end = _text.IndexOf("#>", _index + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    throw Error($"the comment opened at {start} has no closing #>.", start);
                }
                Advance(end + 2 - _index);
            }
            else if (comments && c == '#')
            {
                while (!AtEnd && Peek() != '\n')
                {
                    Advance();
                }
            }
            else
            {
                return;
            }
        }
    }

    private void SkipSeparators()
    {
        while (true)
        {
            SkipTrivia(newlines: true);
            if (Peek() != ';')
            {
                return;
            }
            Advance();
        }
    }

    /// <summary>One level deeper into a hashtable, array or parentheses opened at <paramref name="opening"/>; the caller steps out again.</summary>
    private void Enter(TextPosition opening)
    {
        if (++_depth > MaxDepth)
        {
            throw Error($"values are nested more than {MaxDepth} levels deep here (hashtables, arrays and parentheses inside each other); a mighty.psd1 needs at most six. Flatten the file.", opening);
        }
    }

    private static string Quote(string text) => $"'{ConfigErrors.Shorten(text)}'";

    private string Describe(char c) => AtEnd ? "the end of the file" : c switch
    {
        '\r' or '\n' => "the end of the line",
        _ => $"'{c}'",
    };

    private MightyOpsException Error(string message, TextPosition? at = null) =>
        ConfigErrors.Invalid(_source, $"{_source}:{at ?? Position}: {char.ToUpperInvariant(message[0])}{message[1..]}");
}
