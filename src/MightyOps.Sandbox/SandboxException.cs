namespace MightyOps.Sandbox;

/// <summary>
/// An AWS error the sandbox answers with: the error code, message and HTTP status, written in the
/// protocol of the request (a JSON 1.1 <c>__type</c>, an EC2 <c>&lt;Errors&gt;</c> document or an
/// S3 <c>&lt;Error&gt;</c> document).
/// </summary>
public sealed class SandboxException : Exception
{
    /// <summary>An error with <paramref name="code"/> (e.g. <c>ClusterNotFoundException</c>) and HTTP <paramref name="statusCode"/>.</summary>
    public SandboxException(string code, string message, int statusCode = 400)
        : base(message)
    {
        Code = code;
        StatusCode = statusCode;
    }

    /// <summary>The AWS error code, e.g. <c>ClusterNotFoundException</c>.</summary>
    public string Code { get; }

    /// <summary>The HTTP status of the answer: 4xx for client errors, 5xx for faults.</summary>
    public int StatusCode { get; }

    /// <summary>
    /// The extra elements S3 puts in its error document (<c>BucketName</c>, <c>Key</c>,
    /// <c>ArgumentName</c>, …); the JSON and EC2 protocols have none.
    /// </summary>
    internal IReadOnlyList<(string Name, string Value)> Details { get; init; } = [];
}
