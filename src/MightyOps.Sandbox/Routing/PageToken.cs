using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace MightyOps.Sandbox.Routing;

/// <summary>
/// The <c>nextToken</c>s every listing hands out (ECS, ECR, EC2, S3 continuation tokens): opaque
/// base64 naming the listing they belong to and where the next page starts. A token from another
/// listing, or a made-up one, is refused, as AWS refuses it; each service says so in its own words.
/// </summary>
internal static class PageToken
{
    private const string Prefix = "mighty";

    /// <summary>A token for <paramref name="scope"/> (no '|' in it) resuming after <paramref name="position"/>.</summary>
    public static string Write(string scope, string position) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Prefix}|{scope}|{position}"));

    /// <summary>The position a token of <paramref name="scope"/> carries; false for any other text.</summary>
    public static bool TryRead(string token, string scope, [NotNullWhen(true)] out string? position)
    {
        position = null;
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(token);
        }
        catch (FormatException)
        {
            return false;
        }
        string[] parts = Encoding.UTF8.GetString(bytes).Split('|', 3);
        if (parts.Length == 3 && parts[0] == Prefix && parts[1] == scope)
        {
            position = parts[2];
        }
        return position is not null;
    }
}
