using System.Management.Automation;
using MightyOps.Core;
using MightyOps.Core.Deploy;

namespace MightyOps.Commands.Deploy;

/// <summary>
/// The watching half of Publish-MightyService, Wait-MightyDeployment and Restore-MightyService:
/// one <see cref="RolloutWatcher"/> loop for every deployment, one progress display (a parent
/// record and a child per service, closed with Completed records), each result written as it
/// finishes with its own ErrorRecord, and the Ctrl+C message.
/// </summary>
internal sealed class RolloutDisplay
{
    private const int ParentActivityId = 1;

    private readonly MightyCmdlet _cmdlet;
    private readonly string _activity;
    private readonly Dictionary<string, ProgressRecord> _children = new(StringComparer.Ordinal);
    private readonly ProgressRecord _parent;
    private IReadOnlyList<WatchedDeployment> _watched = [];
    private int _finished;

    public RolloutDisplay(MightyCmdlet cmdlet, string activity)
    {
        _cmdlet = cmdlet;
        _activity = activity;
        _parent = new ProgressRecord(ParentActivityId, activity, "Starting");
    }

    /// <summary>True while deployments are being watched (Ctrl+C then says how to watch them again).</summary>
    public bool IsWatching { get; private set; }

    /// <summary>Watches <paramref name="deployments"/> and writes each result (and error) as it finishes.</summary>
    public void Watch(Action<Func<CancellationToken, Task>> run, RolloutWatcher watcher, IReadOnlyList<WatchedDeployment> deployments, TimeSpan timeout, bool noRollback)
    {
        if (deployments.Count == 0)
        {
            return;
        }
        _watched = deployments;
        IsWatching = true;
        IProgress<RolloutProgress> progress = _cmdlet.ProgressOnPipeline<RolloutProgress>(Show);
        try
        {
            run(ct => watcher.WatchAsync(deployments, timeout, noRollback, progress, d => _cmdlet.Post(() => Write(d)), ct));
        }
        catch (MightyOpsException e)
        {
            // The watch itself stopped (ECS gave no answer within the bound): the open deployments
            // are returned as they stand, so that they can be piped to Wait-MightyDeployment later.
            foreach (WatchedDeployment open in deployments.Where(d => !d.IsFinished))
            {
                _cmdlet.WriteObject(open.ToResult());
            }
            _cmdlet.ThrowTerminatingError(ErrorRecords.From(e));
        }
        finally
        {
            IsWatching = false;
            Complete();
        }
    }

    /// <summary>Writes a deployment's result object and, when it failed, its ErrorRecord.</summary>
    public void Write(WatchedDeployment deployment)
    {
        _cmdlet.WriteObject(deployment.ToResult());
        if (deployment.Error is MightyOpsException error)
        {
            _cmdlet.WriteError(ErrorRecords.From(error));
        }
    }

    /// <summary>What Ctrl+C says: the deployments go on in ECS, and how to watch them again.</summary>
    public string StoppedMessage()
    {
        var open = _watched.Where(d => !d.IsFinished).ToList();
        string services = string.Join(",", open.Select(d => d.Service));
        return $"Stopped waiting. The deployment of {services} goes on in ECS (stopping MightyOps does not stop it); watch it with: {RolloutWatcher.FollowCommand(open)}; roll it back with: {RolloutWatcher.FollowCommand(open).Replace("Wait-MightyDeployment", "Stop-MightyDeployment", StringComparison.Ordinal).Replace("; ", " -Rollback; ", StringComparison.Ordinal)} -Rollback";
    }

    private void Show(RolloutProgress update)
    {
        string key = update.Cluster + "/" + update.Service;
        if (!_children.TryGetValue(key, out ProgressRecord? child))
        {
            child = new ProgressRecord(ParentActivityId + 1 + _children.Count, update.Service, "Starting") { ParentActivityId = ParentActivityId };
            _children[key] = child;
        }
        if (update.Finished)
        {
            _finished++;
        }
        _parent.StatusDescription = $"{_finished} of {_watched.Count} finished";
        _parent.PercentComplete = _watched.Count == 0 ? 0 : 100 * _finished / _watched.Count;
        _cmdlet.WriteProgress(_parent);
        child.StatusDescription = update.Status;
        child.PercentComplete = update.PercentComplete;
        child.RecordType = update.Finished ? ProgressRecordType.Completed : ProgressRecordType.Processing;
        _cmdlet.WriteProgress(child);
    }

    private void Complete()
    {
        foreach (ProgressRecord child in _children.Values.Where(c => c.RecordType != ProgressRecordType.Completed))
        {
            child.RecordType = ProgressRecordType.Completed;
            _cmdlet.WriteProgress(child);
        }
        _parent.RecordType = ProgressRecordType.Completed;
        _cmdlet.WriteProgress(_parent);
    }
}
