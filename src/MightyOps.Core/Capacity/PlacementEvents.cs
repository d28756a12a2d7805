using System.Text.RegularExpressions;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Capacity;

/// <summary>ECS's newest "unable to place a task" event of a service, and the reason it gives.</summary>
/// <param name="At">When ECS wrote it.</param>
/// <param name="Reason">ECS's reason: "has insufficient memory available", "No Container Instances were found in your cluster", ...</param>
public sealed record PlacementEvent(DateTimeOffset At, string Reason);

/// <summary>
/// Reads the service events ECS writes when it cannot place a task (docs/design/capacity-and-placement.md,
/// "What ECS says"): "(service X) was unable to place a task because no container instance met all of its
/// requirements. The closest matching (container-instance ID) has insufficient memory available. …",
/// or "… Reason: No Container Instances were found in your cluster. …".
/// </summary>
public static partial class PlacementEvents
{
    /// <summary>The words every such event has.</summary>
    public const string UnableToPlace = "was unable to place a task";

    private const string SteadyState = "has reached a steady state";
    private const string Started = "has started";

    /// <summary>
    /// How old the event may be and still count: ECS leaves out repeats of an event until its cause
    /// is resolved or six hours have passed, so a cause that lasts is said again at least that often.
    /// </summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(6) + TimeSpan.FromMinutes(10);

    /// <summary>
    /// The newest "unable to place" event of <paramref name="service"/> when it is newer than the
    /// newest steady-state or "has started" event and within <see cref="Window"/> of <paramref name="now"/>; else null.
    /// </summary>
    public static PlacementEvent? Current(EcsService service, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(service);
        EcsServiceEvent? unable = null;
        DateTimeOffset? resolved = null;
        foreach (EcsServiceEvent e in service.Events ?? [])
        {
            string message = e.Message ?? string.Empty;
            if (unable is null && message.Contains(UnableToPlace, StringComparison.Ordinal))
            {
                unable = e;
            }
            else if (resolved is null && (message.Contains(SteadyState, StringComparison.Ordinal) || message.Contains(Started, StringComparison.Ordinal)))
            {
                resolved = e.CreatedAt;
            }
        }
        if (unable?.CreatedAt is not DateTimeOffset at || at < now - Window || (resolved is DateTimeOffset r && r > at))
        {
            return null;
        }
        return new PlacementEvent(at, ReasonOf(unable.Message ?? string.Empty));
    }

    /// <summary>The reason part of an "unable to place" message; the whole message when it has none MightyOps knows.</summary>
    public static string ReasonOf(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Match closest = Closest().Match(message);
        if (closest.Success)
        {
            return closest.Groups["reason"].Value.Trim();
        }
        Match reason = Reason().Match(message);
        return reason.Success ? reason.Groups["reason"].Value.Trim() : message.Trim();
    }

    [GeneratedRegex("""The closest matching \(?container-instance [^\s)]+\)? (?<reason>encountered error "[^"]*"|[^.]+)""", RegexOptions.CultureInvariant)]
    private static partial Regex Closest();

    [GeneratedRegex("""Reason: (?<reason>[^.]+)""", RegexOptions.CultureInvariant)]
    private static partial Regex Reason();
}
