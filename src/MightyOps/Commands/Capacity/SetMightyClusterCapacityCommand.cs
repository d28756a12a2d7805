using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Capacity;

namespace MightyOps.Commands.Capacity;

[Cmdlet(VerbsCommon.Set, "MightyClusterCapacity", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = FitSet)]
[OutputType(typeof(MightyCapacityChange))]
public sealed class SetMightyClusterCapacityCommand : ClusterCmdlet
{
    private const string FitSet = "Fit";
    private const string DesiredSet = "DesiredCapacity";

    // Groups already changed in this pipeline: Get-MightyCapacity writes one object per group, and a group is sized once.
    private readonly HashSet<(string Cluster, string Group)> _done = [];

    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("AutoScalingGroupName")]
    [ArgumentCompleter(typeof(AutoScalingGroupCompleter))]
    [ValidateNotNullOrEmpty]
    public string AutoScalingGroup { get; set; } = string.Empty;

    [Parameter(Mandatory = true, ParameterSetName = DesiredSet)]
    [ValidateRange(0, 10_000)]
    public int DesiredCapacity { get; set; }

    // Not mandatory, so that neither -Fit nor -DesiredCapacity is an error that says what to pass rather than a prompt for a switch.
    [Parameter(ParameterSetName = FitSet)]
    public SwitchParameter Fit { get; set; }

    [Parameter(ParameterSetName = FitSet)]
    [ValidateRange(0, 1_000)]
    public int SpareInstances { get; set; }

    /// <summary>Tasks wanted beyond the desired counts, from a piped MightyCapacity: its InstancesNeeded already counts them.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true, ParameterSetName = FitSet)]
    public int? InstancesNeeded { get; set; }

    [Parameter]
    public SwitchParameter RaiseMaximum { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <summary>How long to wait for new instances to register, or drained instances to empty.</summary>
    [Parameter]
    [SecondsToTimeSpan]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(15);

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (ParameterSetName == FitSet && !Fit)
        {
            ThrowMightyError(new MightyOpsException(CapacityErrorIds.CapacityModeNotGiven,
                "Say how to size the group: -DesiredCapacity <n> sets a number, -Fit sets what the services on it need (InstancesNeeded of Get-MightyCapacity) plus -SpareInstances.", null));
        }
        if (Timeout <= TimeSpan.Zero)
        {
            ThrowMightyError(new MightyOpsException(CapacityErrorIds.CapacityModeNotGiven, $"-Timeout must be positive, not {Timeout}.", Timeout));
        }
    }

    protected override void ProcessRecord()
    {
        string cluster = Cluster is string named && named.Contains(":cluster/", StringComparison.Ordinal) ? named[(named.LastIndexOf('/') + 1)..] : Cluster ?? DefaultCluster;
        if (!_done.Add((cluster, AutoScalingGroup)))
        {
            return;
        }
        // A piped InstancesNeeded is used only when it came with the group (Get-MightyCapacity); -Fit alone reads it fresh.
        int? needed = MyInvocation.ExpectingInput ? InstancesNeeded : null;
        var request = new ClusterScaleRequest(cluster, AutoScalingGroup, ParameterSetName == DesiredSet ? DesiredCapacity : null, SpareInstances, needed, RaiseMaximum);
        var scaler = new ClusterScaler(Aws, Log);
        ScalePlan plan;
        try
        {
            plan = Run(ct => scaler.PlanAsync(request, ct));
        }
        catch (MightyOpsException e)
        {
            WriteMightyError(e);
            return;
        }
        if (plan.Changes && !ShouldProcess($"Auto Scaling group {plan.Name} (cluster {plan.Cluster})", plan.Describe()))
        {
            return;
        }
        var drained = new List<string>();
        var progress = new ProgressRecord(2, "Set-MightyClusterCapacity", plan.Describe().Split(Environment.NewLine)[0]);
        bool finished = false;
        try
        {
            MightyCapacityChange change = Run(ct => scaler.ApplyAsync(plan,
                ProgressOnPipeline<ScaleProgress>(p =>
                {
                    progress.StatusDescription = p.Status;
                    progress.PercentComplete = p.PercentComplete;
                    WriteProgress(progress);
                }),
                ids => { lock (drained) { drained.AddRange(ids); } },
                Timeout, NoWait, ct));
            finished = true;
            WriteObject(change);
        }
        catch (MightyOpsException e)
        {
            finished = true;
            WriteMightyError(e);
        }
        finally
        {
            if (!finished && drained.Count > 0)
            {
                // Ctrl+C: say what is left DRAINING and how to bring it back. The host writes it:
                // the pipeline is stopping, so the cmdlet's own streams (progress too) take nothing.
                string[] left;
                lock (drained)
                {
                    left = [.. drained];
                }
                WriteHostWarning($"Stopped: {ClusterScaler.Bringback(plan.Cluster, plan.Drains.Where(d => left.Contains(d.Ec2InstanceId)))}");
            }
            if (!Stopping)
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }
        }
    }
}
