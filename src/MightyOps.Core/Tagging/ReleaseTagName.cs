using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MightyOps.Core.Tagging;

/// <summary>
/// Release tag names <c>&lt;branch&gt;.&lt;n&gt;</c>. The tag is also the image
/// tag of the build it triggers, so the branch part is made Docker-tag-safe (Docker allows
/// <c>[A-Za-z0-9_.-]</c>, at most 128 characters, not starting with <c>.</c> or <c>-</c>) by one
/// deterministic rule, documented in docs/New-MightyTag.md (NOTES):
/// <list type="number">
/// <item>every character other than an ASCII letter, digit, <c>_</c>, <c>.</c> or <c>-</c> becomes <c>-</c> (<c>feature/login</c> → <c>feature-login</c>);</item>
/// <item>a run of dots becomes one dot (git refuses <c>..</c> in a tag name);</item>
/// <item>leading dots and dashes are dropped, and so are trailing dots;</item>
/// <item>the result is cut to <see cref="MaxBranchLength"/> characters (trailing dots dropped again), so <c>.&lt;n&gt;</c> always fits in 128.</item>
/// </list>
/// Case is kept. A tag belongs to a branch only if it is exactly <c>&lt;branch&gt;.&lt;digits&gt;</c>:
/// <c>master.5a</c>, <c>master.5.1</c> and <c>mastery.3</c> are not tags of <c>master</c>, and
/// <c>release.2.1</c> is tag 1 of the branch <c>release.2</c>, never of <c>release</c>.
/// </summary>
public static partial class ReleaseTagName
{
    /// <summary>Docker's limit for an image tag.</summary>
    public const int MaxTagLength = 128;

    /// <summary>128 less the dot and the ten digits of the largest number (2147483647).</summary>
    public const int MaxBranchLength = MaxTagLength - 11;

    /// <summary>The Docker-tag-safe branch part for a git branch name; throws <c>InvalidBranchName</c> when nothing usable is left.</summary>
    public static string ToTagBranch(string branch)
    {
        string safe = Sanitize(branch, keepWildcards: false);
        if (safe.Length == 0)
        {
            throw new MightyOpsException(
                TaggingErrorIds.InvalidBranchName,
                $"The branch name '{branch}' has no letters or digits a Docker tag can carry; pass -Branch with a name made of A-Z, a-z, 0-9, '_', '.' or '-'.",
                branch);
        }
        return safe;
    }

    /// <summary>
    /// A -Branch wildcard pattern with the same mapping applied to its literal characters, so
    /// <c>feature/*</c> finds the tags of <c>feature-login</c>. Wildcard characters (<c>* ? [ ]</c>
    /// and backtick escapes) are kept.
    /// </summary>
    public static string ToTagBranchPattern(string pattern) => Sanitize(pattern, keepWildcards: true);

    /// <summary>The tag name for a (Docker-safe) branch part and a number.</summary>
    public static string Format(string tagBranch, int number) =>
        tagBranch + "." + number.ToString(CultureInfo.InvariantCulture);

    /// <summary>True when <paramref name="tagName"/> is exactly <c>&lt;tagBranch&gt;.&lt;digits&gt;</c>.</summary>
    public static bool TryGetNumber(string tagName, string tagBranch, out int number)
    {
        number = 0;
        if (tagName.Length <= tagBranch.Length + 1
            || tagName[tagBranch.Length] != '.'
            || !tagName.StartsWith(tagBranch, StringComparison.Ordinal))
        {
            return false;
        }
        return TryParseDigits(tagName.AsSpan(tagBranch.Length + 1), out number);
    }

    /// <summary>
    /// Splits any tag into branch part and number at its last dot (<c>release.2.1</c> is tag 1 of
    /// <c>release.2</c>); false when the tag is not <c>&lt;Docker-safe branch&gt;.&lt;digits&gt;</c>.
    /// </summary>
    public static bool TryParse(string tagName, out string tagBranch, out int number)
    {
        tagBranch = string.Empty;
        number = 0;
        int dot = tagName.LastIndexOf('.');
        if (dot <= 0 || !TryParseDigits(tagName.AsSpan(dot + 1), out number))
        {
            return false;
        }
        string branch = tagName[..dot];
        if (!IsTagBranch(branch))
        {
            return false;
        }
        tagBranch = branch;
        return true;
    }

    /// <summary>
    /// True for a branch part that is really a version (<c>v1.2</c> from the tag <c>v1.2.3</c>,
    /// <c>1.2</c> from <c>1.2.3</c>): such tags are listed only when their branch is asked for by name.
    /// </summary>
    public static bool IsVersionLike(string tagBranch) => VersionLike().IsMatch(tagBranch);

    /// <summary>True when <paramref name="branch"/> is already what <see cref="ToTagBranch"/> would make of it.</summary>
    public static bool IsTagBranch(string branch) =>
        branch.Length > 0 && string.Equals(Sanitize(branch, keepWildcards: false), branch, StringComparison.Ordinal);

    /// <summary>
    /// One more than the highest number among <paramref name="tagNames"/> that are tags of
    /// <paramref name="tagBranch"/>, compared as integers (<c>master.10</c> follows <c>master.9</c>); 1 when there is none.
    /// </summary>
    public static int NextNumber(IEnumerable<string> tagNames, string tagBranch)
    {
        int highest = 0;
        foreach (string name in tagNames)
        {
            if (TryGetNumber(name, tagBranch, out int n) && n > highest)
            {
                highest = n;
            }
        }
        if (highest == int.MaxValue)
        {
            throw new MightyOpsException(
                TaggingErrorIds.TagNumberExhausted,
                $"The branch '{tagBranch}' already has the release number {int.MaxValue}; no higher number is possible. Tag under another -Branch name.",
                tagBranch);
        }
        return highest + 1;
    }

    // ASCII digits only (no sign, no spaces, no Unicode digits); a number past int.MaxValue is not a release number.
    private static bool TryParseDigits(ReadOnlySpan<char> digits, out int number)
    {
        number = 0;
        if (digits.IsEmpty)
        {
            return false;
        }
        foreach (char c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    private static string Sanitize(string name, bool keepWildcards)
    {
        var sb = new StringBuilder(name.Length);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (keepWildcards && c == '`' && i + 1 < name.Length)
            {
                sb.Append(c).Append(name[++i]);
                continue;
            }
            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                // One character to the reader (an emoji, a CJK extension letter), one dash.
                i++;
                sb.Append('-');
                continue;
            }
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '-' || (keepWildcards && c is '*' or '?' or '[' or ']'))
            {
                sb.Append(c);
            }
            else if (c == '.')
            {
                if (sb.Length == 0 || sb[^1] != '.')
                {
                    sb.Append('.');
                }
            }
            else
            {
                sb.Append('-');
            }
        }
        string safe = sb.ToString().TrimStart('.', '-').TrimEnd('.');
        if (!keepWildcards && safe.Length > MaxBranchLength)
        {
            safe = safe[..MaxBranchLength].TrimEnd('.');
        }
        return safe;
    }

    [GeneratedRegex(@"^[vV]?[0-9]+(\.[0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionLike();
}
