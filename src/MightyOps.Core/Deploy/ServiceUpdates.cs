namespace MightyOps.Core.Deploy;

/// <summary>
/// Where the UpdateService step of a deploy stands (docs/design/deploy.md, "Ctrl+C"): which
/// services have a deployment started, which update is in flight, and which were not updated.
/// Ctrl+C during that step reads it from another thread to say what goes on in ECS.
/// </summary>
public sealed class ServiceUpdates
{
    private readonly object _sync = new();
    private readonly List<(string Cluster, string Service, string Revision)> _waiting;
    private readonly List<(string Cluster, string Service)> _inFlight = [];
    private readonly List<WatchedDeployment> _started = [];

    /// <summary>The services about to be updated, each with its registered revision.</summary>
    public ServiceUpdates(IEnumerable<(string Cluster, string Service, string Revision)> services) =>
        _waiting = services.ToList();

    public void Starting(string cluster, string service)
    {
        lock (_sync)
        {
            _waiting.RemoveAll(w => w.Cluster == cluster && w.Service == service);
            _inFlight.Add((cluster, service));
        }
    }

    /// <summary>The update call ended: with the deployment it started, or null when it failed (its error says so).</summary>
    public void Ended(string cluster, string service, WatchedDeployment? started)
    {
        lock (_sync)
        {
            _inFlight.Remove((cluster, service));
            if (started is not null)
            {
                _started.Add(started);
            }
        }
    }

    /// <summary>The deployments started.</summary>
    public List<WatchedDeployment> Started()
    {
        lock (_sync)
        {
            return [.. _started];
        }
    }

    /// <summary>What Ctrl+C during the updates says: what goes on in ECS, what may have, what was left as it was.</summary>
    public string StoppedMessage()
    {
        lock (_sync)
        {
            var text = new List<string> { "Stopped while updating the services." };
            if (_started.Count > 0)
            {
                string follow = RolloutWatcher.FollowCommand(_started);
                text.Add($"The deployment of {string.Join(",", _started.Select(d => d.Service))} goes on in ECS (stopping MightyOps does not stop it); watch it with: {follow}.");
            }
            if (_inFlight.Count > 0)
            {
                string services = string.Join(",", _inFlight.Select(f => f.Service));
                text.Add($"The update of {services} was on its way and may have started a deployment: {string.Join("; ", _inFlight.GroupBy(f => f.Cluster).Select(c => $"Get-MightyDeployment -Cluster {c.Key} -Service {string.Join(",", c.Select(f => f.Service))} -Last 1"))} says.");
            }
            if (_waiting.Count > 0)
            {
                text.Add($"Not updated: {string.Join(", ", _waiting.Select(w => $"{w.Service} (its new revision {MightyServiceDeployment.ShortTaskDefinition(w.Revision)} is registered, unused)"))}.");
            }
            return string.Join(" ", text);
        }
    }
}
