using System.Text;
using System.Text.RegularExpressions;

namespace MightyOps.Core;

/// <summary>
/// PowerShell-style wildcards (<c>*</c>, <c>?</c>, <c>[abc]</c>, <c>[a-z]</c>, backtick escapes),
/// case-insensitive, for Core, which cannot use System.Management.Automation.WildcardPattern.
/// </summary>
public sealed class Wildcard
{
    private readonly Regex _regex;

    public Wildcard(string pattern)
    {
        Pattern = pattern;
        IsLiteral = !ContainsWildcard(pattern);
        _regex = new Regex(ToRegex(pattern), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }

    public string Pattern { get; }

    /// <summary>A pattern that matches <paramref name="literal"/> only (its wildcard characters escaped).</summary>
    public static Wildcard Exactly(string literal)
    {
        var sb = new StringBuilder(literal.Length);
        foreach (char c in literal)
        {
            if (c is '*' or '?' or '[' or ']' or '`')
            {
                sb.Append('`');
            }
            sb.Append(c);
        }
        return new Wildcard(sb.ToString());
    }

    /// <summary>True when the pattern has no wildcard characters, i.e. it names one thing.</summary>
    public bool IsLiteral { get; }

    /// <summary>The pattern with escapes removed (meaningful when <see cref="IsLiteral"/>).</summary>
    public string Literal => Unescape(Pattern);

    public bool IsMatch(string value) => _regex.IsMatch(value);

    private static bool ContainsWildcard(string pattern)
    {
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '`')
            {
                i++;
                continue;
            }
            if (c is '*' or '?' or '[')
            {
                return true;
            }
        }
        return false;
    }

    private static string Unescape(string pattern)
    {
        var sb = new StringBuilder(pattern.Length);
        for (int i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '`' && i + 1 < pattern.Length)
            {
                i++;
            }
            sb.Append(pattern[i]);
        }
        return sb.ToString();
    }

    private static string ToRegex(string pattern)
    {
        var sb = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            switch (c)
            {
                case '`' when i + 1 < pattern.Length:
                    sb.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                case '*':
                    sb.Append(".*");
                    break;
                case '?':
                    sb.Append('.');
                    break;
                case '[':
                    int close = pattern.IndexOf(']', i + 1);
                    if (close < 0)
                    {
                        sb.Append(@"\[");
                        break;
                    }
                    string set = pattern[(i + 1)..close];
                    sb.Append('[').Append(set.Replace(@"\", @"\\").Replace("^", @"\^")).Append(']');
                    i = close;
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        return sb.Append('$').ToString();
    }
}
