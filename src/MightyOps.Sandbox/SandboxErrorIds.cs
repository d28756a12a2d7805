using MightyOps.Core;

namespace MightyOps.Sandbox;

/// <summary>
/// The errors of the sandbox itself (not the AWS errors it answers requests with). They reach
/// the user through Start-MightySandbox and the methods of its MightySandbox object
/// (<c>$sandbox.PushImage</c>, <c>AddServiceEvent</c>, …), so about_MightyOps.md lists them with
/// the module's other errors.
/// </summary>
internal static class SandboxErrorIds
{
    public static readonly MightyError SandboxImageNotFound = new("SandboxImageNotFound",
        "The sandbox's ECR has no image of that repository and tag: push it first ($sandbox.PushImage).",
        MightyErrorKind.NotFound);

    public static readonly MightyError SandboxInvalidOption = new("SandboxInvalidOption",
        "A sandbox option is out of range or unknown (a port, a rate, a latency, a seed).",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError SandboxPortInUse = new("SandboxPortInUse",
        "The port asked for is in use: pick another -Port, or 0 for a free one.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError SandboxServiceNotFound = new("SandboxServiceNotFound",
        "The sandbox has no service of that name in that cluster.",
        MightyErrorKind.NotFound);

    public static readonly MightyError SandboxStartFailed = new("SandboxStartFailed",
        "The sandbox could not start: its seed could not be loaded, or it could not listen on 127.0.0.1.",
        MightyErrorKind.Failed);
}
