using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using MightyOps.Core.Deploy;

namespace MightyOps.Completers;

/// <summary>Completes -Container from the live task definition of the -Service already typed.</summary>
public sealed class ContainerCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        if (FirstService(fakeBoundParameters) is not string service)
        {
            return [];
        }
        string cluster = fakeBoundParameters["Cluster"] as string ?? "default";
        return Completions.Matching(
            RemoteNames.Get(ClusterCompleter.AwsOptionsFrom(fakeBoundParameters), $"containers:{cluster}/{service}", (aws, ct) => ServiceImages.ContainerNamesAsync(aws, cluster, service, ct)),
            wordToComplete);
    }

    internal static string? FirstService(IDictionary bound) => bound["Service"] switch
    {
        string one => one,
        IEnumerable many => many.Cast<object?>().FirstOrDefault()?.ToString(),
        _ => null,
    };
}

/// <summary>Completes -Tag from the ECR repositories the -Service's containers run, newest first.</summary>
public sealed class ImageTagCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        if (ContainerCompleter.FirstService(fakeBoundParameters) is not string service)
        {
            return [];
        }
        string cluster = fakeBoundParameters["Cluster"] as string ?? "default";
        return Completions.Matching(
            RemoteNames.Get(ClusterCompleter.AwsOptionsFrom(fakeBoundParameters), $"tags:{cluster}/{service}", (aws, ct) => ServiceImages.TagsAsync(aws, cluster, service, ct)),
            wordToComplete);
    }
}

/// <summary>Completes -TaskDefinition with the revisions of the -Service's live family, newest first.</summary>
public sealed class TaskDefinitionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        if (ContainerCompleter.FirstService(fakeBoundParameters) is not string service)
        {
            return [];
        }
        string cluster = fakeBoundParameters["Cluster"] as string ?? "default";
        return Completions.Matching(
            RemoteNames.Get(ClusterCompleter.AwsOptionsFrom(fakeBoundParameters), $"revisions:{cluster}/{service}", (aws, ct) => Core.Tasks.TaskRunner.RevisionNamesAsync(aws, cluster, service, ct)),
            wordToComplete);
    }
}
