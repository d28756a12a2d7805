namespace MightyOps.Core;

/// <summary>What kind of failure a <see cref="MightyOpsException"/> reports; cmdlets map it to an ErrorCategory.</summary>
public enum MightyErrorKind
{
    /// <summary>The input is wrong: a name, a value, a combination of parameters.</summary>
    InvalidArgument,
    /// <summary>A file or object has the wrong content: a config file, a secrets document.</summary>
    InvalidData,
    /// <summary>The named thing (cluster, service, image tag, repository, commit) does not exist.</summary>
    NotFound,
    /// <summary>The thing to create exists already.</summary>
    AlreadyExists,
    /// <summary>Credentials are missing, wrong or expired.</summary>
    Authentication,
    /// <summary>The credentials work but may not do this.</summary>
    PermissionDenied,
    /// <summary>A host or endpoint could not be reached.</summary>
    Connection,
    /// <summary>Something did not finish in the time allowed.</summary>
    Timeout,
    /// <summary>The service kept throttling after every retry.</summary>
    Throttled,
    /// <summary>The target changed underneath us (a concurrent writer won).</summary>
    Conflict,
    /// <summary>The operation cannot run in the current state (detached HEAD, no region set, ...).</summary>
    InvalidOperation,
    /// <summary>The service or tool reported a failure that fits no other kind.</summary>
    Failed,
}

/// <summary>
/// The one exception type that leaves MightyOps.Core. It carries a stable error id, a kind, the
/// target it is about and a message that says what to do, so a cmdlet can turn it into an
/// ErrorRecord without knowing about AWS, git or SSH exception types. The message is made visible
/// (<see cref="TerminalText.Visible"/>) here, so a script that prints <c>$_.Exception.Message</c>
/// cannot hand a terminal the control characters of an outside value quoted in it
/// (docs/design/terminal-safety.md).
/// </summary>
public sealed class MightyOpsException : Exception
{
    /// <summary>An exception for <paramref name="error"/>, of the error's own kind.</summary>
    public MightyOpsException(MightyError error, string message, object? target = null, Exception? innerException = null)
        : this(error, (error ?? throw new ArgumentNullException(nameof(error))).Kind, message, target, innerException)
    {
    }

    /// <summary>An exception for <paramref name="error"/> reported as <paramref name="kind"/>, one of the kinds its catalog entry allows.</summary>
    public MightyOpsException(MightyError error, MightyErrorKind kind, string message, object? target = null, Exception? innerException = null)
        : base(TerminalText.Visible(message), innerException)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (!error.Kinds.Contains(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, $"Error {error.Id} is never {kind}: its catalog entry allows {string.Join(", ", error.Kinds)}.");
        }
        Error = error;
        Kind = kind;
        Target = target;
    }

    /// <summary>The catalog entry of this error.</summary>
    public MightyError Error { get; }

    /// <summary>A stable identifier such as <c>ServiceNotFound</c> or <c>AwsAuthenticationFailed</c>.</summary>
    public string ErrorId => Error.Id;

    /// <summary>What kind of failure this is.</summary>
    public MightyErrorKind Kind { get; }

    /// <summary>The object the failure is about (a service name, a tag, a path).</summary>
    public object? Target { get; }

    /// <summary>The request id AWS gave the failed call, when there was one.</summary>
    public string? RequestId { get; init; }

    /// <summary>True when this is <paramref name="error"/>: what a <c>catch … when</c> asks instead of comparing id strings.</summary>
    public bool Is(MightyError error) => ReferenceEquals(Error, error);

    /// <summary>True when this is one of <paramref name="errors"/>.</summary>
    public bool IsAny(params MightyError[] errors) => errors.Any(Is);
}
