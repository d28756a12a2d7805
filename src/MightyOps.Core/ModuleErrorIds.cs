namespace MightyOps.Core;

/// <summary>The errors that belong to no one area.</summary>
public static class ModuleErrorIds
{
    public static readonly MightyError UnexpectedError = new("UnexpectedError",
        "A bug in MightyOps: report it with the whole error record ($Error[0] shown with Format-List -Force).",
        MightyErrorKind.Failed);
}
