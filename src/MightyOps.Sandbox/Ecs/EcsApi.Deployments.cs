using System.Text.Json.Nodes;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Sandbox.Ecs;

// The service-deployment ledger: list, describe, describe revisions, stop, continue
// (docs/design/ecs-service-deployments.md).
public sealed partial class EcsApi
{
    private const int LedgerBatchSize = 20;

    private static readonly string[] LedgerStatuses =
    [
        LedgerStatus.Pending, LedgerStatus.Successful, LedgerStatus.Stopped, LedgerStatus.StopRequested, LedgerStatus.InProgress,
        LedgerStatus.RollbackRequested, LedgerStatus.RollbackInProgress, LedgerStatus.RollbackSuccessful, LedgerStatus.RollbackFailed,
    ];

    private JsonNode ListServiceDeployments(EcsRequest request)
    {
        RequireLedger();
        ClusterState cluster = ResolveCluster(request.String("cluster"));
        string reference = request.String("service")
            ?? throw new SandboxException("InvalidParameterException", "service must be specified.");
        ServiceState service = FindService(cluster, reference)
            ?? throw new SandboxException("ServiceNotFoundException", "Service not found.");
        List<string> statuses = request.StringList("status") ?? [];
        foreach (string status in statuses)
        {
            RequireEnum(status, "status", LedgerStatuses);
        }
        EcsCreatedAtFilter? created = request.As<EcsCreatedAtFilter>("createdAt");
        IEnumerable<ServiceDeploymentState> matching = service.Ledger
            .Where(e => statuses.Count == 0 || statuses.Contains(e.Status))
            .Where(e => created?.After is not DateTimeOffset after || e.CreatedAt >= after)
            .Where(e => created?.Before is not DateTimeOffset before || e.CreatedAt <= before);
        // Newest first; the page token names the position of the last one returned.
        (List<ServiceDeploymentState> page, string? next) = Paginate(matching, e => long.MaxValue - e.Seq, $"deployments/{service.Arn}", request, defaultPageSize: 20);
        var result = new JsonObject { ["serviceDeployments"] = new JsonArray(page.Select(e => (JsonNode?)EcsWire.ServiceDeploymentBrief(e)).ToArray()) };
        if (next is not null)
        {
            result["nextToken"] = next;
        }
        return result;
    }

    private JsonNode DescribeServiceDeployments(EcsRequest request)
    {
        RequireLedger();
        List<string> arns = Batch(request, "serviceDeploymentArns");
        return DescribeEach("serviceDeployments", arns, arn => _sim.ServiceDeployments.GetValueOrDefault(arn), arn => arn, EcsWire.ServiceDeployment);
    }

    private JsonNode DescribeServiceRevisions(EcsRequest request)
    {
        RequireLedger();
        List<string> arns = Batch(request, "serviceRevisionArns");
        return DescribeEach("serviceRevisions", arns, arn => _sim.ServiceRevisions.GetValueOrDefault(arn), arn => arn, EcsWire.ServiceRevision);
    }

    private JsonNode StopServiceDeployment(EcsRequest request)
    {
        RequireLedger();
        ServiceDeploymentState entry = ServiceDeployment(request);
        string stopType = request.String("stopType") ?? "ROLLBACK";
        RequireEnum(stopType, "stopType", "ABORT", "ROLLBACK");
        if (entry.IsFinal)
        {
            throw new SandboxException("ConflictException", $"The service deployment is {entry.Status} and can no longer be stopped.");
        }
        _sim.RequestStop(entry, stopType);
        return new JsonObject { ["serviceDeploymentArn"] = entry.Arn };
    }

    private JsonNode ContinueServiceDeployment(EcsRequest request)
    {
        RequireLedger();
        ServiceDeploymentState entry = ServiceDeployment(request);
        string hookId = request.String("hookId")
            ?? throw new SandboxException("InvalidParameterException", "hookId must be specified.");
        string action = request.String("action") ?? "CONTINUE";
        RequireEnum(action, "action", "CONTINUE", "ROLLBACK");
        HookState hook = entry.Hooks.Find(h => h.HookId == hookId)
            ?? throw new SandboxException("InvalidParameterException", $"The service deployment has no lifecycle hook '{hookId}'.");
        if (entry.Status != LedgerStatus.InProgress || hook.TargetType != "PAUSE" || hook.Status != "AWAITING_ACTION")
        {
            throw new SandboxException("InvalidParameterException",
                $"The lifecycle hook is {hook.Status} and the service deployment {entry.Status}: only a pause hook in AWAITING_ACTION of an IN_PROGRESS deployment can be continued.");
        }
        _sim.ContinueHook(entry, hook, action);
        return new JsonObject { ["serviceDeploymentArn"] = entry.Arn };
    }

    private ServiceDeploymentState ServiceDeployment(EcsRequest request)
    {
        string arn = request.String("serviceDeploymentArn")
            ?? throw new SandboxException("InvalidParameterException", "serviceDeploymentArn must be specified.");
        return _sim.ServiceDeployments.GetValueOrDefault(arn)
            ?? throw new SandboxException("ServiceDeploymentNotFoundException", "The service deployment does not exist.");
    }

    private static List<string> Batch(EcsRequest request, string member)
    {
        List<string> arns = request.StringList(member) ?? [];
        if (arns.Count is 0 or > LedgerBatchSize)
        {
            throw new SandboxException("InvalidParameterException", $"{member} must name between 1 and {LedgerBatchSize} ARNs.");
        }
        return arns;
    }

    /// <summary>Where the ledger is not available, its operations answer as ECS does for a feature a region lacks.</summary>
    private void RequireLedger()
    {
        if (!_sim.ServiceDeploymentsAvailable)
        {
            throw new SandboxException("UnsupportedFeatureException", "Service deployments are not available in this Region.");
        }
    }
}
