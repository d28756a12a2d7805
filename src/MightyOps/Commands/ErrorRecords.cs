using System.Management.Automation;
using MightyOps.Core;

namespace MightyOps.Commands;

/// <summary>Turns Core's one exception type into an ErrorRecord with the right category.</summary>
internal static class ErrorRecords
{
    // The exception's message already is the one readable sentence; ErrorDetails would only repeat it.
    public static ErrorRecord From(MightyOpsException exception) =>
        new(exception, exception.ErrorId, Category(exception.Kind), exception.Target);

    private static ErrorCategory Category(MightyErrorKind kind) => kind switch
    {
        MightyErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        MightyErrorKind.InvalidData => ErrorCategory.InvalidData,
        MightyErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        MightyErrorKind.AlreadyExists => ErrorCategory.ResourceExists,
        MightyErrorKind.Authentication => ErrorCategory.AuthenticationError,
        MightyErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        MightyErrorKind.Connection => ErrorCategory.ConnectionError,
        MightyErrorKind.Timeout => ErrorCategory.OperationTimeout,
        MightyErrorKind.Throttled => ErrorCategory.LimitsExceeded,
        MightyErrorKind.Conflict => ErrorCategory.ResourceBusy,
        MightyErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        _ => ErrorCategory.NotSpecified,
    };
}
