namespace MightyOps.Core.Aws;

/// <summary>
/// How messages show an access key id (docs/design/credentials.md, Secrets): the first four
/// characters, an ellipsis and the last four (<c>AKIA…WXYZ</c>), which tells keys apart without
/// writing the whole id into verbose output, errors and the logs they end up in.
/// </summary>
public static class AccessKeyId
{
    // Shorter ids (never issued by AWS, whose ids have 16 or more characters) keep only the end.
    private const int Shown = 4;

    /// <summary>The id as messages show it: <c>AKIA…WXYZ</c>; an id of 8 characters or fewer as <c>…</c> and its last characters.</summary>
    public static string Mask(string accessKeyId)
    {
        ArgumentNullException.ThrowIfNull(accessKeyId);
        string id = accessKeyId.Trim();
        if (id.Length > 2 * Shown)
        {
            return $"{id[..Shown]}…{id[^Shown..]}";
        }
        return "…" + id[Math.Max(0, id.Length - (id.Length / 2))..];
    }
}
