using System.Management.Automation;
using System.Security;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Config;
using MightyOps.Core.Exec;
using MightyOps.Core.Targeting;

namespace MightyOps.Commands.Exec;

/// <summary>
/// Base of Enter-MightyContainer and Invoke-MightyContainer: which container (service or piped
/// task, container name) and how to SSH to its instance. A piped MightyTask binds Cluster,
/// Service and TaskId by property name.
/// </summary>
public abstract class ContainerCmdlet : ClusterCmdlet
{
    private TaskTargetResolver? _targets;

    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("ContainerName")]
    [ArgumentCompleter(typeof(ContainerCompleter))]
    public string? Container { get; set; }

    /// <summary>Piped input: see <see cref="ServiceTargetInput"/>.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("TaskArn")]
    public string? TaskId { get; set; }

    [Parameter]
    [Alias("IdentityFile", "KeyFile")]
    public string? KeyFilePath { get; set; }

    [Parameter]
    public SecureString? KeyPassphrase { get; set; }

    [Parameter]
    [Alias("UserName")]
    [ValidateNotNullOrEmpty]
    public string? User { get; set; }

    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    [Parameter]
    [Alias("JumpHost")]
    [ValidateNotNullOrEmpty]
    public string? Bastion { get; set; }

    [Parameter]
    public HostKeyPolicy HostKeyPolicy { get; set; }

    /// <summary>How long connecting (TCP, key exchange, login) may take; a number is seconds.</summary>
    [Parameter]
    [SecondsToTimeSpan]
    public TimeSpan ConnectTimeout { get; set; }

    /// <summary>The -Service value of this record (the derived cmdlet declares the parameter: one name or several).</summary>
    protected abstract IReadOnlyList<string>? ServiceInput { get; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        // Running a command in a container is a change: every service must be named.
        _targets = new TaskTargetResolver(Aws, Log, TargetingMode.Change, DefaultCluster);
    }

    protected override void ProcessRecord()
    {
        try
        {
            string[]? services = ServiceInput?.ToArray();
            // A piped task (Get-MightyTask, AWS.Tools' Get-ECSTaskDetail) names itself by id.
            (string? cluster, IReadOnlyList<string>? named) = string.IsNullOrEmpty(TaskId)
                ? ServiceTargetInput.Read(InputObject, Cluster, services)
                : (Cluster, services);
            foreach (MightyOpsException error in _targets!.Add(cluster, named, string.IsNullOrEmpty(TaskId) ? null : [TaskId]))
            {
                WriteMightyError(error);
            }
        }
        catch (MightyOpsException e)
        {
            WriteMightyError(e);
        }
    }

    /// <summary>
    /// The tasks named by the input, looked up together per cluster: the given task ids, every
    /// running task of each service (<paramref name="allTasks"/>), or one chosen task per service
    /// (said on the Information stream). Lookup failures are written as errors. With
    /// <paramref name="oneService"/>, input that names several services (a wildcard matching
    /// several) is a terminating <c>ServiceAmbiguous</c> error naming them.
    /// </summary>
    protected IReadOnlyList<MightyTask> ResolveTasks(bool allTasks, bool oneService = false)
    {
        var chosen = new List<MightyTask>();
        var locator = new TaskLocator(Aws, Log);
        IReadOnlyList<TaskTargets> lookups = Run(ct => _targets!.ResolveAsync(e => Post(() => WriteMightyError(e)), ct));
        if (oneService)
        {
            List<string> named = lookups.Where(l => l.Services is not null).SelectMany(l => l.Services!.Select(s => $"{l.Cluster}/{s}")).ToList();
            if (named.Count > 1)
            {
                ThrowMightyError(new MightyOpsException(
                    ExecErrorIds.ServiceAmbiguous,
                    $"{MyInvocation.MyCommand.Name} works on one service, and the input names {named.Count}: {string.Join(", ", named)}. Name one exactly with -Service (names are case-sensitive), or use Invoke-MightyContainer to run a command in several.",
                    named));
            }
        }
        foreach (TaskTargets lookup in lookups)
        {
            try
            {
                if (lookup.TaskIds is not null)
                {
                    chosen.AddRange(Run(ct => locator.GetAsync(TaskQuery.For(lookup), e => Post(() => WriteMightyError(e)), ct)));
                    continue;
                }
                IReadOnlyList<MightyTask> running = Run(ct => locator.GetAsync(TaskQuery.For(lookup), e => Post(() => WriteMightyError(e)), ct));
                foreach (string service in lookup.Services ?? [])
                {
                    List<MightyTask> ofService = running.Where(t => t.Service == service && t.LastStatus == "RUNNING").ToList();
                    if (ofService.Count == 0)
                    {
                        WriteMightyError(ContainerTarget.NoRunningTask(lookup.Cluster, service));
                    }
                    else if (allTasks)
                    {
                        chosen.AddRange(ofService);
                    }
                    else
                    {
                        MightyTask task = ContainerTarget.Choose(ofService, lookup.Cluster, service);
                        chosen.Add(task);
                        if (ofService.Count > 1)
                        {
                            WriteInformation(
                                $"Service '{service}' has {ofService.Count} running tasks; using {task.TaskId}{OnInstance(task)} (the oldest{(task.HealthStatus == "HEALTHY" ? " healthy" : string.Empty)} one). -TaskId chooses another; Invoke-MightyContainer -AllTasks runs in all.",
                                ["MightyOps.Task"]);
                        }
                    }
                }
            }
            catch (MightyOpsException e)
            {
                WriteMightyError(e);
            }
        }
        return chosen;
    }

    private static string OnInstance(MightyTask task) => task.Ec2InstanceId.Length > 0 ? $" on {task.Ec2InstanceId}" : string.Empty;

    /// <summary>
    /// The SSH settings from the parameters, then mighty.psd1, then the defaults; the key is read
    /// here, on the pipeline thread, so its passphrase can be asked for interactively.
    /// </summary>
    protected (SshOptions Settings, SshKey Key) ResolveSsh()
    {
        Core.Config.SshSettings configured = Config.Ssh;
        string keyPath = KeyFilePath ?? configured.KeyFilePath ?? DefaultKeyPath();
        SshHost? bastion = Bastion is not null ? SshHost.Parse(Bastion)
            : configured.Bastion is { } jump ? new SshHost(jump.User, jump.Host, jump.Port ?? 22)
            : null;
        var settings = new SshOptions
        {
            KeyFilePath = keyPath,
            User = User ?? configured.User ?? "ec2-user",
            Port = Bound(nameof(Port)) ? Port : configured.Port ?? 22,
            Bastion = bastion,
            Address = configured.Address ?? SshAddressKind.Private,
            HostKeyPolicy = Bound(nameof(HostKeyPolicy)) ? HostKeyPolicy : configured.HostKeyPolicy ?? HostKeyPolicy.AcceptNew,
            KeyPassphrase = KeyPassphrase,
            ConnectTimeout = Bound(nameof(ConnectTimeout)) ? ConnectTimeout : TimeSpan.FromSeconds(15),
        };
        try
        {
            return (settings, SshKey.Load(keyPath, KeyPassphrase));
        }
        catch (MightyOpsException e) when (e.Is(ExecErrorIds.SshKeyPassphraseRequired) && AskPassphrase(keyPath) is SecureString typed)
        {
            return (settings with { KeyPassphrase = typed }, SshKey.Load(keyPath, typed));
        }
    }

    private bool Bound(string parameter) => MyInvocation.BoundParameters.ContainsKey(parameter);

    // ssh's own order of default identities.
    private static string DefaultKeyPath()
    {
        string[] candidates = ["~/.ssh/id_ed25519", "~/.ssh/id_ecdsa", "~/.ssh/id_rsa"];
        return candidates.FirstOrDefault(c => File.Exists(SshKey.ExpandHome(c))) ?? candidates[0];
    }

    // Null when the host cannot ask (pwsh -NonInteractive, a runbook): the error then says how to pass it.
    private SecureString? AskPassphrase(string keyPath)
    {
        try
        {
            WriteHostPrompt($"Passphrase for {SshKey.ExpandHome(keyPath)}: ");
            return Host.UI.ReadLineAsSecureString();
        }
        catch (Exception e) when (e is PSInvalidOperationException or NotImplementedException or System.Management.Automation.Host.HostException)
        {
            return null;
        }
    }
}
