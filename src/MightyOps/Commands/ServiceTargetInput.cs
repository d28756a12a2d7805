using System.Management.Automation;
using MightyOps.Core;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Targeting;

namespace MightyOps.Commands;

/// <summary>
/// Reads one pipeline record of a cmdlet that takes -Cluster/-Service into what
/// <see cref="ServiceTargetResolver.Add"/> takes.
/// </summary>
/// <remarks>
/// Such a cmdlet declares a hidden <c>InputObject</c> (<c>ValueFromPipeline</c>, <c>DontShow</c>)
/// and takes -Cluster and -Service by property name only. Were -Service itself
/// <c>ValueFromPipeline</c>, PowerShell would convert any piped object to a string to fill it:
/// <c>[pscustomobject]@{Cluster='staging'}</c> or an AWS.Tools Amazon.ECS.Model.Cluster would
/// become a service named "@{Cluster=staging}" or "Amazon.ECS.Model.Cluster" instead of meaning
/// every service of that cluster.
/// </remarks>
internal static class ServiceTargetInput
{
    // The property names (and aliases) that bind -Cluster or -Service by property name.
    private static readonly HashSet<string> TargetProperties = new(StringComparer.OrdinalIgnoreCase)
    {
        "Cluster", "ClusterArn", "ClusterName", "Service", "ServiceName", "Services", "Name",
    };

    /// <summary>
    /// The cluster and services of one record. A piped string is a service name, wildcard or
    /// service ARN (or a cluster ARN, meaning that cluster); a piped object contributes what bound
    /// by property name, and one with none of those properties, when neither -Cluster nor -Service
    /// names anything either, is <c>InputNotATarget</c>.
    /// </summary>
    public static (string? Cluster, IReadOnlyList<string>? Services) Read(PSObject? inputObject, string? cluster, string[]? service)
    {
        object? piped = inputObject?.BaseObject;
        if (piped is string text)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                return (cluster, service);
            }
            if (cluster is null && EcsArn.TryParse(text.Trim(), out EcsArn arn) && arn.ResourceType == "cluster")
            {
                return (text.Trim(), service);
            }
            return (cluster, [.. service ?? [], text]);
        }
        // An object that names nothing is an error only when nothing else names a target: with
        // -Service on the command line, a piped object may be there for another parameter
        // (New-MightyTag | Publish-MightyService -Service WEB pipes the tag).
        if (inputObject is not null && piped is not null && cluster is null && service is null
            && !inputObject.Properties.Any(p => TargetProperties.Contains(p.Name)))
        {
            throw new MightyOpsException(TargetingErrorIds.InputNotATarget,
                $"A piped {piped.GetType().Name} names no ECS cluster or service. Pipe service names, ARNs, or objects with a Cluster/ClusterArn or Service/ServiceName property (Get-MightyService, Get-ECSClusterDetail, Get-ECSService output).",
                piped);
        }
        return (cluster, service);
    }
}
