using System.Globalization;

namespace MightyOps;

/// <summary>
/// One phase of a deployment's <see cref="MightyDeployment.Timeline"/>: <c>Registered</c>,
/// <c>Placing</c>, <c>Starting</c>, <c>HealthChecks</c>, <c>Draining</c>, <c>StoppingOld</c>,
/// <c>BakeTime</c>, <c>Done</c>, with its start and end by ECS's clock
/// (docs/design/load-balanced-deploys.md). Phases of a rolling deployment overlap.
/// </summary>
public sealed class MightyDeploymentPhase
{
    /// <summary>The phase's name.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>When it began.</summary>
    public DateTimeOffset Start { get; init; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset End { get; init; }

    /// <summary>From <see cref="Start"/> to <see cref="End"/>.</summary>
    public TimeSpan Duration => End - Start;

    /// <summary>"Draining 5:00".</summary>
    public override string ToString() => TerminalText.VisibleLine($"{Name} {Clock(Duration)}");

    /// <summary>A duration as m:ss (h:mm:ss from an hour), the way the timeline and the advice write it.</summary>
    public static string Clock(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }
        var seconds = (long)Math.Round(duration.TotalSeconds);
        return seconds >= 3600
            ? string.Format(CultureInfo.InvariantCulture, "{0}:{1:00}:{2:00}", seconds / 3600, seconds / 60 % 60, seconds % 60)
            : string.Format(CultureInfo.InvariantCulture, "{0}:{1:00}", seconds / 60, seconds % 60);
    }

    /// <summary>
    /// The phases as one line of plain ASCII: a bar of <paramref name="width"/> cells in which
    /// each phase fills its share of the deployment's time with its initial
    /// (<c>P</c>lacing, <c>S</c>tarting, <c>H</c>ealthChecks, <c>D</c>raining, st<c>O</c>ppingOld,
    /// <c>B</c>akeTime; a later phase overwrites an earlier one where they overlap), then the
    /// total: <c>[PSSHHHHHHDDDDDDDDDDDDDDDDO] 6:40</c>.
    /// </summary>
    public static string Bar(IReadOnlyList<MightyDeploymentPhase> phases, int width = 40)
    {
        if (phases.Count == 0)
        {
            return string.Empty;
        }
        DateTimeOffset start = phases.Min(p => p.Start);
        DateTimeOffset end = phases.Max(p => p.End);
        double total = (end - start).TotalSeconds;
        var cells = new char[width];
        Array.Fill(cells, '.');
        foreach (MightyDeploymentPhase phase in phases)
        {
            char mark = phase.Name switch
            {
                "Placing" => 'P',
                "Starting" => 'S',
                "HealthChecks" => 'H',
                "Draining" => 'D',
                "StoppingOld" => 'O',
                "BakeTime" => 'B',
                _ => '\0',
            };
            if (mark == '\0' || total <= 0)
            {
                continue;
            }
            int from = (int)Math.Floor((phase.Start - start).TotalSeconds / total * width);
            int to = (int)Math.Ceiling((phase.End - start).TotalSeconds / total * width);
            for (int i = Math.Clamp(from, 0, width - 1); i < Math.Clamp(Math.Max(to, from + 1), 0, width); i++)
            {
                cells[i] = mark;
            }
        }
        return $"[{new string(cells)}] {Clock(end - start)}";
    }
}

/// <summary>A task's target in one target group, as Elastic Load Balancing reports it (<see cref="MightyTask.TargetHealth"/>).</summary>
public sealed class MightyTargetHealth
{
    /// <summary>The target group's name.</summary>
    public string TargetGroup { get; init; } = string.Empty;

    /// <summary>initial, healthy, unhealthy, unused, draining or unavailable.</summary>
    public string State { get; init; } = string.Empty;

    /// <summary>The reason code (<c>Target.ResponseCodeMismatch</c>, <c>Elb.RegistrationInProgress</c>, …), empty when healthy.</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>The description that goes with the reason.</summary>
    public string Description { get; init; } = string.Empty;

    /// <summary>"web-tg healthy" or "web-tg unhealthy (Target.ResponseCodeMismatch)".</summary>
    public override string ToString() => TerminalText.VisibleLine($"{TargetGroup} {State}" + (Reason.Length > 0 ? $" ({Reason})" : string.Empty));
}
