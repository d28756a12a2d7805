using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Deploy;

/// <summary>
/// A deploy's new revision, registered at most once, and one registered before reused: the
/// family's newest revision counts as the new one when it equals the rendered definition (a run
/// that was stopped after registering it leaves exactly that), and each registration carries a
/// unique <c>mightyops:request</c> tag, so that after an attempt that leaves open whether it ran,
/// a look among the family's newest revisions tells. docs/design/deploy.md, "Registering at most once".
/// </summary>
internal sealed class RevisionRegistrar
{
    /// <summary>How many of a family's newest revisions a look describes at most.</summary>
    private const int RevisionsSearched = 10;

    private readonly AwsSession _aws;
    private readonly IOperationLog _log;

    public RevisionRegistrar(AwsSession aws, IOperationLog log)
    {
        _aws = aws;
        _log = log;
    }

    /// <summary>
    /// The family's newest ACTIVE revision: its number (0 for a family without one), and its ARN
    /// when it is not <paramref name="live"/> and registers the same definition as
    /// <paramref name="rendered"/> (tags aside).
    /// </summary>
    public async Task<(int Newest, string? Equal)> NewestAsync(string live, RegisterTaskDefinitionRequest rendered, CancellationToken cancellationToken)
    {
        string family = rendered.Family ?? string.Empty;
        IReadOnlyList<string> newest = await _aws.Ecs.ListNewestRevisionsAsync(family, 1, cancellationToken).ConfigureAwait(false);
        if (newest.Count == 0)
        {
            return (0, null);
        }
        string arn = newest[0];
        int revision = MightyServiceDeployment.RevisionOf(arn);
        if (arn == live)
        {
            return (revision, null);
        }
        DescribeTaskDefinitionResponse described = await _aws.Ecs.DescribeTaskDefinitionAsync(arn, includeTags: false, cancellationToken).ConfigureAwait(false);
        bool equal = described.TaskDefinition is EcsTaskDefinition definition
            && TaskDefinitionRenderer.SameDefinition(TaskDefinitionRenderer.Copy(definition), rendered);
        _log.Verbose(equal
            ? $"{MightyServiceDeployment.ShortTaskDefinition(arn)}, the newest revision of {family}, equals the new definition: it is deployed instead of registering another."
            : $"{MightyServiceDeployment.ShortTaskDefinition(arn)} is the newest revision of {family}; the new definition differs from it.");
        return (revision, equal ? arn : null);
    }

    /// <summary>
    /// Registers <paramref name="rendered"/> with a fresh <c>mightyops:request</c> tag and returns
    /// the new revision's ARN. Only revisions newer than <paramref name="newerThan"/> (the family's
    /// newest when the deploy was planned) are looked at. When it stays unknown whether the
    /// registration happened, the error (AwsWriteOutcomeUnknown) names the tag to look for.
    /// </summary>
    public async Task<string> RegisterAsync(string service, RegisterTaskDefinitionRequest rendered, int newerThan, CancellationToken cancellationToken)
    {
        string family = rendered.Family ?? string.Empty;
        string request = Guid.NewGuid().ToString("n");
        rendered.Tags = [.. (rendered.Tags ?? []).Where(t => t.Key != DeployPlanner.RequestTag), new EcsTag { Key = DeployPlanner.RequestTag, Value = request }];
        var looked = new HashSet<string>(StringComparer.Ordinal);

        async Task<RegisterTaskDefinitionResponse?> FindAsync(CancellationToken ct)
        {
            foreach (string arn in await _aws.Ecs.ListNewestRevisionsAsync(family, RevisionsSearched, ct).ConfigureAwait(false))
            {
                if (MightyServiceDeployment.RevisionOf(arn) <= newerThan)
                {
                    break;
                }
                if (!looked.Add(arn))
                {
                    continue;   // described before, and a revision's request tag does not change
                }
                DescribeTaskDefinitionResponse described = await _aws.Ecs.DescribeTaskDefinitionAsync(arn, includeTags: true, ct).ConfigureAwait(false);
                if (described.Tags?.Any(t => t.Key == DeployPlanner.RequestTag && t.Value == request) == true)
                {
                    return new RegisterTaskDefinitionResponse { TaskDefinition = described.TaskDefinition, Tags = described.Tags };
                }
            }
            return null;
        }

        var write = new AwsWriteCheck<RegisterTaskDefinitionResponse>(
            $"revision of {family} tagged {DeployPlanner.RequestTag}={request}",
            FindAsync,
            $"Service '{service}' was not updated. If that revision shows up later ('aws ecs list-task-definitions --family-prefix {family} --sort DESC'), deploying the same again uses it instead of registering another.");
        RegisterTaskDefinitionResponse registered = await _aws.Ecs.RegisterTaskDefinitionAsync(rendered, write, cancellationToken).ConfigureAwait(false);
        string arn = registered.TaskDefinition?.TaskDefinitionArn
            ?? throw new MightyOpsException(AwsErrorIds.AwsResponseInvalid, $"RegisterTaskDefinition for {service} returned no ARN.", service);
        _log.Verbose($"{service}: registered {MightyServiceDeployment.ShortTaskDefinition(arn)} ({DeployPlanner.RequestTag}={request}).");
        return arn;
    }
}
