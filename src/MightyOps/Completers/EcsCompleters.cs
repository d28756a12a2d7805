using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using MightyOps.Commands;
using MightyOps.Core.Aws;

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
        return new(bound["Region"] as string, bound["ProfileName"] as string, bound["EndpointUrl"] as string)
        {
            ProfileLocation = bound["ProfileLocation"] as string,
            SessionRegion = sessionRegion,
            SessionCredentials = sessionCredentials,
        };
    }
}

/// <summary>Completes -Service from ListServices of the -Cluster already typed (or 'default').</summary>
public sealed class ServiceCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string cluster = fakeBoundParameters["Cluster"] as string ?? "default";
        return Completions.Matching(
            RemoteNames.Get(ClusterCompleter.AwsOptionsFrom(fakeBoundParameters), "services:" + cluster, (aws, ct) => aws.Ecs.ListServiceNamesAsync(cluster, ct)),
            wordToComplete);
    }
}
