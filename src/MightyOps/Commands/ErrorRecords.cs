using System.Management.Automation;
using MightyOps.Core;

namespace MightyOps.Commands;

/// <summary>Turns Core's one exception type into an ErrorRecord with the right category.</summary>
internal static class ErrorRecords
{
    // The exception's message already is the one readable sentence, made visible when it was
    // built; ErrorDetails would only repeat it.
    public static ErrorRecord From(MightyOpsException exception) =>
        Visible(new ErrorRecord(exception, exception.ErrorId, Category(exception.Kind), exception.Target));

    /// <summary>
    /// <paramref name="record"/> with what PowerShell prints of it made visible
    /// (docs/design/terminal-safety.md): the message (as ErrorDetails when the exception's own
    /// message has control characters) and the target's name in the category line, which is also
    /// shortened. The target object itself stays exact for scripts.
    /// </summary>
    public static ErrorRecord Visible(ErrorRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.ErrorDetails is { } details)
        {
            if (TerminalText.HasControls(details.Message) || TerminalText.HasControls(details.RecommendedAction))
            {
                record.ErrorDetails = new ErrorDetails(TerminalText.Visible(details.Message)) { RecommendedAction = TerminalText.Visible(details.RecommendedAction) };
            }
        }
        else if (record.Exception?.Message is { } message && TerminalText.HasControls(message))
        {
            record.ErrorDetails = new ErrorDetails(TerminalText.Visible(message));
        }
        string targetName = record.CategoryInfo.TargetName;
        string shownTarget = TerminalText.Quote(targetName);
        if (!string.Equals(shownTarget, targetName, StringComparison.Ordinal))
        {
            record.CategoryInfo.TargetName = shownTarget;
        }
        return record;
    }

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
