namespace MightyOps.Sandbox;

/// <summary>An AWS error the sandbox answers with: the error code, message and HTTP status.</summary>
public sealed class SandboxException : Exception
{
    public SandboxException(string code, string message, int statusCode = 400)
        : base(message)
    {
        Code = code;
        StatusCode = statusCode;
    }

    /// <summary>The AWS error code, e.g. <c>ClusterNotFoundException</c>.</summary>
    public string Code { get; }

    public int StatusCode { get; }
}
