using System.Diagnostics.CodeAnalysis;

namespace MightyOps.Core.Aws.S3;

/// <summary>An S3 object address, <c>s3://bucket/key</c>.</summary>
public sealed record S3Location(string Bucket, string Key)
{
    /// <summary>Parses <c>s3://bucket/key</c>; throws <c>S3UriInvalid</c> (InvalidArgument) naming the value.</summary>
    public static S3Location Parse(string uri) =>
        TryParse(uri, out S3Location? location)
            ? location
            : throw new MightyOpsException(
                AwsErrorIds.S3UriInvalid,
                $"'{uri}' is not an S3 object URI. Write it as s3://bucket/path/to/key.",
                uri);

    public static bool TryParse(string? uri, [NotNullWhen(true)] out S3Location? location)
    {
        location = null;
        if (string.IsNullOrWhiteSpace(uri))
        {
            return false;
        }
        string text = uri.Trim();
        const string Scheme = "s3://";
        if (!text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        string rest = text[Scheme.Length..];
        int slash = rest.IndexOf('/');
        if (slash <= 0 || slash == rest.Length - 1)
        {
            return false;
        }
        string bucket = rest[..slash];
        string key = rest[(slash + 1)..];
        // Bucket names: 3-63 characters of lower-case letters, digits, dots and hyphens.
        if (bucket.Length is < 3 or > 63 || !bucket.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-'))
        {
            return false;
        }
        location = new S3Location(bucket, key);
        return true;
    }

    public override string ToString() => $"s3://{Bucket}/{Key}";
}
