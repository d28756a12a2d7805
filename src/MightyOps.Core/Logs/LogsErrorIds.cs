namespace MightyOps.Core.Logs;

/// <summary>The errors of reading container output from CloudWatch Logs (docs/design/awslogs.md).</summary>
public static class LogsErrorIds
{
    public static readonly MightyError LogDriverNotAwslogs = new("LogDriverNotAwslogs",
        "The container logs with another driver than awslogs, so CloudWatch Logs has none of its output.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError ServiceNotGiven = new("ServiceNotGiven",
        "Get-MightyLog was given no service: name it with -Service, or pipe Get-MightyService or Get-MightyTask output.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError SinceInvalid = new("SinceInvalid",
        "-Since is neither a point in time nor a time span.",
        MightyErrorKind.InvalidArgument);
}
