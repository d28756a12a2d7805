using System.Text.RegularExpressions;

namespace MightyOps.Core.Config;

/// <summary>
/// What an environment variable name may be, for the config's Environment tables and for secret
/// keys alike. Portable shell names only: ECS itself accepts more, but an env file line
/// <c>NAME=value</c> cannot carry a name with '=', a space or a leading '#' (a comment there), and
/// a name a shell cannot export is a surprise in a container.
/// </summary>
public static partial class EnvironmentNames
{
    /// <summary>The rule in words, for error messages.</summary>
    public const string Rule = "letters, digits and underscores, not starting with a digit";

    /// <summary>True when <paramref name="name"/> follows <see cref="Rule"/>.</summary>
    public static bool IsValid(string name) => NamePattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex NamePattern();
}
