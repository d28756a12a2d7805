namespace MightyOps.Core;

/// <summary>
/// Diagnostics from Core to whoever hosts it. The PowerShell host queues these and writes them on
/// the pipeline thread (Write* throws from any other thread), so implementations must be
/// thread-safe and must not block.
/// </summary>
public interface IOperationLog
{
    void Verbose(string message);

    void Debug(string message);

    void Warning(string message);

    /// <summary>A structured message for the Information stream, e.g. a service event (tag <c>MightyOps.Event</c>).</summary>
    void Information(object data, string tag);
}

/// <summary>An <see cref="IOperationLog"/> that drops everything.</summary>
public sealed class NullOperationLog : IOperationLog
{
    public static readonly NullOperationLog Instance = new();

    private NullOperationLog()
    {
    }

    public void Verbose(string message) { }

    public void Debug(string message) { }

    public void Warning(string message) { }

    public void Information(object data, string tag) { }
}
