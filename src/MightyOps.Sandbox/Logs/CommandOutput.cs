using MightyOps.Sandbox.Ecs;

namespace MightyOps.Sandbox.Logs;

/// <summary>
/// What a container prints when a one-off task gave it a command (<see cref="ContainerProgram"/>):
/// the command's lines, each stamped when the command prints it, nothing periodic, nothing on a
/// clean exit; on an image marked failing, a command that loads the application dies of the
/// image's exception as the service's containers do.
/// </summary>
internal sealed class CommandOutput(ContainerProgram program, string crash) : ContainerOutput(crash)
{
    // Nothing periodic: the catch-up never asks for a line.
    public override TimeSpan Interval => TimeSpan.FromDays(3650);

    public override IEnumerable<(TimeSpan Offset, string Line)> Boot(DateTimeOffset at) => program.Output;

    public override IEnumerable<(TimeSpan Offset, string Line)> Periodic(DateTimeOffset at, int count) => [];

    public override IEnumerable<(TimeSpan Offset, string Line)> Shutdown(DateTimeOffset at) => [];
}
