using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Config;

namespace MightyOps.Core.Targeting;

/// <summary>
/// Turns ECS's bare "Cluster not found." into the sentence that answers the next question
/// (docs/design/targeting.md): which clusters there are, whether the name differs from one only in
/// case (ECS names are case-sensitive) or by a typo, and, when no cluster was named, that the
/// default was used. Costs one ListClusters (pages of 100).
/// </summary>
internal static class MissingCluster
{
    // Most clusters to name before "and N more".
    private const int ClustersNamed = 20;

    /// <summary>
    /// The <c>ClusterNotFound</c> error for <paramref name="cluster"/>, or <c>AwsAccountMismatch</c>
    /// when an ARN named another account than the one these credentials reach.
    /// </summary>
    /// <param name="aws">The session whose ECS client lists the clusters.</param>
    /// <param name="log">Debug line when the clusters cannot be listed.</param>
    /// <param name="cluster">The cluster's short name that was looked for.</param>
    /// <param name="input">How the user named it (a name or an ARN), the error's target.</param>
    /// <param name="named">False when no cluster was named and the default was used; null when not known.</param>
    /// <param name="claimedAccounts">Accounts that ARNs in the input named for this cluster.</param>
    /// <param name="notFound">ECS's own error, kept as the inner exception.</param>
    /// <param name="cancellationToken">Stops the listing.</param>
    public static async Task<MightyOpsException> ExplainAsync(
        AwsSession aws,
        IOperationLog log,
        string cluster,
        string input,
        bool? named,
        IEnumerable<string> claimedAccounts,
        MightyOpsException notFound,
        CancellationToken cancellationToken)
    {
        string defaulted = named == false
            ? " No -Cluster was given, so the default was used (Cluster in mighty.psd1, else ECS's 'default')."
            : string.Empty;
        string what;
        try
        {
            var names = new List<string>();
            string? account = null;
            await foreach (string arn in aws.Ecs.ListClustersAsync(cancellationToken).ConfigureAwait(false))
            {
                names.Add(EcsArn.LastSegment(arn));
                account ??= EcsArn.TryParse(arn, out EcsArn parsed) ? parsed.Account : null;
            }
            string? claimed = claimedAccounts.FirstOrDefault(a => a != account);
            if (account is not null && claimed is not null)
            {
                return new MightyOpsException(TargetingErrorIds.AwsAccountMismatch,
                    $"Cluster '{cluster}' was named by an ARN of account {claimed}, but these credentials reach account {account}, which has no such cluster. Use credentials of account {claimed} (-ProfileName).",
                    input, notFound)
                { RequestId = notFound.RequestId };
            }
            names.Sort(StringComparer.OrdinalIgnoreCase);
            what = names.Count == 0
                ? "The account has no ECS clusters there: check -Region and the credentials (-ProfileName)."
                : $"{DidYouMean(cluster, names)}Pass -Cluster with one of the clusters there: {string.Join(", ", names.Take(ClustersNamed))}{(names.Count > ClustersNamed ? $" and {names.Count - ClustersNamed} more" : string.Empty)}.";
        }
        catch (MightyOpsException e)
        {
            log.Debug($"Could not list the clusters: {e.Message}");
            what = "Check -Cluster and -Region ('aws ecs list-clusters' lists the clusters).";
        }
        return new MightyOpsException(AwsErrorIds.ClusterNotFound, $"Cluster '{cluster}' was not found in {aws.Region}.{defaulted} {what}", input, notFound)
        {
            RequestId = notFound.RequestId,
        };
    }

    /// <summary>"ECS names are case-sensitive: did you mean 'x'? " for a name that differs only in case, "Did you mean 'x'? " for a near miss, else nothing.</summary>
    internal static string DidYouMean(string cluster, IReadOnlyList<string> names)
    {
        string? otherCase = names.FirstOrDefault(n => string.Equals(n, cluster, StringComparison.OrdinalIgnoreCase) && !string.Equals(n, cluster, StringComparison.Ordinal));
        if (otherCase is not null)
        {
            return $"ECS names are case-sensitive: did you mean '{otherCase}'? ";
        }
        string? near = ConfigErrors.Suggest(cluster, names);
        return near is null || string.Equals(near, cluster, StringComparison.Ordinal) ? string.Empty : $"Did you mean '{near}'? ";
    }
}
