using System.Collections;
using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Deploy;
using MightyOps.Core.Targeting;

namespace MightyOps.Commands.Deploy;

[Cmdlet(VerbsData.Publish, "MightyService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = RedeploySet)]
[OutputType(typeof(MightyDeployment))]
public sealed class PublishMightyServiceCommand : RolloutCmdlet
{
    private const string TagSet = "Tag";
    private const string ImageSet = "Image";
    private const string RedeploySet = "Redeploy";
    private const int ParallelStarts = 4;

    // Every piped record adds its services; all are deployed together in EndProcessing.
    private string? _tag;

    /// <summary>A cluster name or ARN; 'default' when neither this nor a service ARN names one.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterArn", "ClusterName")]
    [ArgumentCompleter(typeof(ClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Cluster { get; set; }

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName", "Services")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ServiceCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    /// <summary>Piped service names or objects (see ServiceTargetInput); a piped MightyTag gives -Tag instead.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = TagSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ImageTagCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Tag { get; set; }

    [Parameter(ParameterSetName = TagSet)]
    [ArgumentCompleter(typeof(ContainerCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Container { get; set; }

    /// <summary>Container names and images; or one string, a tag or an image (see ImageRequest.FromImageText).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ImageSet)]
    [ImageTextTransformation]
    [ValidateNotNullOrEmpty]
    public Hashtable? Image { get; set; }

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    [Parameter]
    public SwitchParameter NoRollback { get; set; }

    [Parameter]
    public SwitchParameter ForceNewDeployment { get; set; }

    /// <summary>Deploys even while another deployment of the service is in progress (ECS stops that one).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    private protected override TargetingMode Targeting => TargetingMode.Change;

    private protected override string Activity => "Deploying";

    protected override void ProcessRecord()
    {
        try
        {
            if (Tag is not null)
            {
                if (_tag is not null && _tag != Tag)
                {
                    throw new MightyOpsException(DeployErrorIds.TagConflict,
                        $"One Publish-MightyService call deploys one tag; the pipeline gave '{_tag}' and '{Tag}'. Deploy them in two calls.", Tag);
                }
                _tag = Tag;
            }
            // A piped tag object (New-MightyTag) gives -Tag; the services come from -Service.
            bool pipedTagOnly = InputObject?.BaseObject is not string && InputObject?.Properties["Tag"] is not null
                && InputObject.Properties["Service"] is null && InputObject.Properties["ServiceName"] is null;
            (string? cluster, IReadOnlyList<string>? services) = pipedTagOnly
                ? (Cluster, Service)
                : ServiceTargetInput.Read(InputObject, Cluster, Service);
            AddTargets(cluster, services);
        }
        catch (MightyOpsException e)
        {
            WriteMightyError(e);
        }
    }

    protected override void EndProcessing()
    {
        DeployOptions options;
        try
        {
            ImageRequest images = Image is ImageText text ? ImageRequest.FromImageText(text.Text) : new ImageRequest(_tag, ImageValues(), Container);
            options = new DeployOptions(images, ForceNewDeployment, Config, Force);
        }
        catch (MightyOpsException e)
        {
            ThrowMightyError(e);
            return;
        }
        var planner = new DeployPlanner(Aws, Log);

        // 1. Read and check everything; nothing changes yet.
        List<ServicePlan> plans = PlanPerCluster((cluster, services, onError, ct) => planner.PlanAsync(cluster, services, options, onError, ct));

        // 2. Ask, per service, showing what would change.
        var approved = new List<ServicePlan>();
        foreach (ServicePlan plan in plans)
        {
            if (plan.Unchanged && !plan.ForceNewDeployment && plan.InFlight is null)
            {
                WriteVerbose($"{plan.Service} already runs this ({MightyServiceDeployment.ShortTaskDefinition(plan.LiveArn)}); nothing to deploy. -ForceNewDeployment starts new tasks anyway.");
                WriteObject(Unchanged(plan));
                continue;
            }
            if (ShouldProcess($"{plan.Cluster}/{plan.Service}", Describe(plan)))
            {
                approved.Add(plan);
            }
        }

        // 3. Register and update every approved service, a few at a time.
        var started = new List<WatchedDeployment>();
        Run(ct => Parallel.ForEachAsync(approved, new ParallelOptions { MaxDegreeOfParallelism = ParallelStarts, CancellationToken = ct }, async (plan, token) =>
        {
            try
            {
                if (await planner.StartAsync(plan, token).ConfigureAwait(false) is WatchedDeployment deployment)
                {
                    lock (started)
                    {
                        started.Add(deployment);
                    }
                }
            }
            catch (MightyOpsException e)
            {
                Post(() => WriteMightyError(e));
            }
        }));

        // 4. Watch them all in one loop, unless asked not to.
        started.Sort((a, b) => string.CompareOrdinal(a.Service, b.Service));
        Watch(started, NoRollback, NoWait);
    }

    private Dictionary<string, string>? ImageValues()
    {
        if (Image is null)
        {
            return null;
        }
        var images = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Image)
        {
            string? container = entry.Key?.ToString();
            string? value = (entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value)?.ToString();
            if (string.IsNullOrWhiteSpace(container) || string.IsNullOrWhiteSpace(value))
            {
                throw new MightyOpsException(DeployErrorIds.InvalidImage,
                    "-Image takes container names and images, @{ application = 'master.5'; nginx = 'nginx-proxy:master.6' } (each a tag, repository:tag, or a full image URI), or one tag or image: -Image master.5, -Image app:master.5.", Image);
            }
            images[container] = value;
        }
        return images;
    }

    private static string Describe(ServicePlan plan)
    {
        string live = MightyServiceDeployment.ShortTaskDefinition(plan.LiveArn);
        if (plan.Unchanged && plan.ForceNewDeployment)
        {
            return $"Start new tasks of {live} (-ForceNewDeployment; the task definition is unchanged)";
        }
        if (plan.InFlight is WatchedDeployment inFlight)
        {
            return $"Watch the deployment {inFlight.DeploymentId} of {live}, still in progress, to its end" + (inFlight.PreviousTaskDefinitionArn.Length > 0 ? $" (rolled back to {MightyServiceDeployment.ShortTaskDefinition(inFlight.PreviousTaskDefinitionArn)} if it fails, unless -NoRollback)" : string.Empty);
        }
        string changes = string.Concat(plan.Changes.Select(c => $"{Environment.NewLine}    {c.Path}: {c.Change}"));
        return plan.ExistingRevision is string existing
            ? $"Deploy {MightyServiceDeployment.ShortTaskDefinition(existing)}, registered before and equal to the new definition (from {live}):{changes}{Environment.NewLine}"
            : $"Register a new revision of {live.Split(':')[0]} (from {live}) and deploy it:{changes}{Environment.NewLine}";
    }

    private static MightyDeployment Unchanged(ServicePlan plan) => new()
    {
        Cluster = plan.Cluster,
        Service = plan.Service,
        TaskDefinitionArn = plan.LiveArn,
        PreviousTaskDefinitionArn = plan.LiveArn,
        Images = plan.Images,
        Status = nameof(MightyDeploymentStatus.Unchanged),
    };
}
