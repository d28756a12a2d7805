using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using MightyOps.Commands;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Config;
using MightyOps.Core.Tasks;

namespace MightyOps.Completers;

/// <summary>Completes -Cluster from ListClusters (cached briefly, gives up fast).</summary>
public sealed class ClusterCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completions.Matching(
            RemoteNames.Get(AwsOptionsFrom(fakeBoundParameters), "clusters", static (aws, ct) => aws.Ecs.ListClusterNamesAsync(ct)),
            wordToComplete);

    internal static AwsOptions AwsOptionsFrom(IDictionary bound)
    {
        (string? sessionRegion, object? sessionCredentials) = AwsToolsSession.ReadForCompletion();
        return CompletionConfig.AwsOptions(bound, CompletionConfig.For(bound)) with
        {
            ProfileLocation = bound["ProfileLocation"] as string,
            SessionRegion = sessionRegion,
            SessionCredentials = sessionCredentials,
        };
    }
}

/// <summary>Completes -Service from ListServices of the -Cluster already typed (else the config's, else 'default').</summary>
public sealed class ServiceCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        MightyConfig config = CompletionConfig.For(fakeBoundParameters);
        string cluster = fakeBoundParameters["Cluster"] as string ?? config.Cluster ?? "default";
        return Completions.Matching(
            RemoteNames.Get(CompletionConfig.AwsOptions(fakeBoundParameters, config), "services:" + cluster, (aws, ct) => aws.Ecs.ListServiceNamesAsync(cluster, ct)),
            wordToComplete);
    }
}

/// <summary>
/// Completes -TaskId of Stop-MightyTask and Wait-MightyTask from the one-off tasks of the -Cluster
/// already typed (else the config's, else 'default') that MightyOps started (startedBy mightyops)
/// and ECS has not stopped yet: the ones there is something to stop or wait for.
/// </summary>
public sealed class OneOffTaskCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        MightyConfig config = CompletionConfig.For(fakeBoundParameters);
        string cluster = fakeBoundParameters["Cluster"] as string ?? config.Cluster ?? "default";
        return Completions.Matching(
            RemoteNames.Get(CompletionConfig.AwsOptions(fakeBoundParameters, config), "one-off-tasks:" + cluster, async (aws, ct) =>
            {
                var ids = new List<string>();
                var running = new ListTasksRequest { Cluster = cluster, StartedBy = TaskRunner.StartedBy, DesiredStatus = "RUNNING" };
                await foreach (string arn in aws.Ecs.ListTasksAsync(running, ct).ConfigureAwait(false))
                {
                    ids.Add(arn[(arn.LastIndexOf('/') + 1)..]);
                }
                return ids;
            }),
            wordToComplete);
    }
}

/// <summary>Completes -AutoScalingGroup from DescribeAutoScalingGroups (cached briefly, gives up fast).</summary>
public sealed class AutoScalingGroupCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completions.Matching(
            RemoteNames.Get(ClusterCompleter.AwsOptionsFrom(fakeBoundParameters), "autoscaling-groups",
                static async (aws, ct) => (await aws.AutoScaling.DescribeAllGroupsAsync(ct).ConfigureAwait(false)).Select(g => g.AutoScalingGroupName).OfType<string>().ToList()),
            wordToComplete);
}
