using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Sandbox.Ecs;

// RunTask: the request checked as ECS checks it (docs/design/one-off-tasks.md, "RunTask"), then
// the tasks placed by the simulation.
public sealed partial class EcsApi
{
    private const int MaxRunTaskCount = 10;
    private const int MaxSubnets = 16;
    private const int MaxSecurityGroups = 5;

    private JsonNode RunTask(EcsRequest request)
    {
        ClusterState cluster = ResolveCluster(request.String("cluster"));
        string? token = request.String("clientToken");
        if (token is not null)
        {
            if (token.Length is < 1 or > 64 || token.Any(c => c < 33 || c > 126))
            {
                throw new SandboxException("InvalidParameterException", "clientToken must be 1 to 64 characters in the range 33-126.");
            }
            if (_sim.RecallRunTask(token) is RunTaskRecord earlier)
            {
                // The same request again (a retry) gives the same tasks; another one with the token is refused.
                if (earlier.Request != request.Canonical())
                {
                    throw new SandboxException("ConflictException", "The specified clientToken is already in use with a different RunTask request.");
                }
                return RunTaskAnswer(earlier.Tasks, earlier.Failures);
            }
        }
        string reference = request.String("taskDefinition")
            ?? throw new SandboxException("InvalidParameterException", "taskDefinition must be specified.");
        TaskDefinitionState definition = FindTaskDefinition(reference)
            ?? throw new SandboxException("ClientException", "Unable to find task definition.");
        if (!definition.IsActive)
        {
            throw new SandboxException("ClientException", "TaskDefinition is inactive.");
        }
        int count = request.Int("count") ?? 1;
        if (count is < 1 or > MaxRunTaskCount)
        {
            throw new SandboxException("InvalidParameterException", $"count must be between 1 and {MaxRunTaskCount}.");
        }
        (string launchType, string? provider) = RunTaskLaunchType(request);
        if (!(definition.Definition.Compatibilities ?? []).Contains(launchType))
        {
            throw new SandboxException("InvalidParameterException", $"Task definition does not support launch_type {launchType}.");
        }
        if (request.String("platformVersion") is not null && launchType != "FARGATE")
        {
            throw new SandboxException("InvalidParameterException", "platformVersion applies to tasks of the FARGATE launch type only.");
        }
        JsonObject? network = RunTaskNetwork(request, definition, launchType);
        TaskOverrides? overrides = TaskOverrides.Parse(request.Object("overrides"), definition.Definition);
        string? startedBy = request.String("startedBy");
        if (startedBy is not null && !StartedByPattern().IsMatch(startedBy))
        {
            throw new SandboxException("InvalidParameterException",
                "startedBy can be up to 128 letters (uppercase and lowercase), numbers, hyphens, forward slashes and underscores.");
        }
        string propagateTags = request.String("propagateTags") ?? "NONE";
        RequireEnum(propagateTags, "propagateTags", "TASK_DEFINITION", "SERVICE", "NONE");
        if (propagateTags == "SERVICE")
        {
            throw new SandboxException("InvalidParameterException", "The SERVICE option of propagateTags applies to tasks a service starts, not to RunTask.");
        }
        var tags = ValidTags(request.As<List<EcsTag>>("tags")).ToList();
        tags.ForEach(t => RejectReserved(t.Key!));
        if (propagateTags == "TASK_DEFINITION")
        {
            tags.AddRange(definition.Tags.Where(t => !tags.Any(own => own.Key == t.Key)));
        }
        if (request.Bool("enableECSManagedTags") == true)
        {
            tags.Add(new EcsTag { Key = "aws:ecs:clusterName", Value = cluster.Name });
        }

        (List<TaskState> tasks, JsonArray failures) = _sim.RunTasks(new RunTaskSpec(
            cluster, definition, launchType, provider, network, overrides, count, startedBy,
            request.String("group") ?? $"family:{definition.Family}", tags));
        if (token is not null)
        {
            _sim.RememberRunTask(token, new RunTaskRecord(request.Canonical(), _sim.Now, tasks, failures));
        }
        return RunTaskAnswer(tasks, failures);
    }

    private static JsonObject RunTaskAnswer(IEnumerable<TaskState> tasks, JsonArray failures) => new()
    {
        ["tasks"] = new JsonArray(tasks.Select(t => (JsonNode?)EcsWire.Task(t, includeTags: false)).ToArray()),
        ["failures"] = failures.DeepClone(),
    };

    /// <summary>
    /// The launch type a task runs with: the one named; else the capacity provider strategy's
    /// first provider (FARGATE and FARGATE_SPOT run on Fargate, any other on the cluster's EC2
    /// instances); else EC2 (the sandbox's clusters have no default strategy). Both at once is refused.
    /// </summary>
    private static (string LaunchType, string? Provider) RunTaskLaunchType(EcsRequest request)
    {
        string? launchType = request.String("launchType");
        JsonArray? strategy = request.Array("capacityProviderStrategy");
        RequireEnum(launchType, "launchType", Compatibilities);
        if (launchType is not null && strategy is { Count: > 0 })
        {
            throw new SandboxException("InvalidParameterException",
                "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.");
        }
        if (strategy is { Count: > 0 })
        {
            string provider = strategy
                .OfType<JsonObject>()
                .OrderByDescending(item => item["base"]?.GetValue<int>() ?? 0)
                .ThenByDescending(item => item["weight"]?.GetValue<int>() ?? 0)
                .Select(item => item["capacityProvider"]?.GetValue<string>())
                .FirstOrDefault(name => !string.IsNullOrEmpty(name))
                ?? throw new SandboxException("InvalidParameterException", "capacityProvider must be specified in each capacity provider strategy item.");
            return (provider is "FARGATE" or "FARGATE_SPOT" ? "FARGATE" : "EC2", provider);
        }
        launchType ??= "EC2";
        if (launchType is not ("EC2" or "FARGATE" or "EXTERNAL"))
        {
            throw new SandboxException("InvalidParameterException", $"The sandbox runs tasks of the EC2, FARGATE and EXTERNAL launch types, not {launchType}.");
        }
        return (launchType, null);
    }

    /// <summary>
    /// The network configuration, checked as ECS checks it for the awsvpc network mode: required
    /// there and refused for the other modes, 1 to 16 subnets, at most 5 security groups, and a
    /// public IP only on Fargate.
    /// </summary>
    private static JsonObject? RunTaskNetwork(EcsRequest request, TaskDefinitionState definition, string launchType)
    {
        JsonObject? network = request.Object("networkConfiguration");
        if (definition.NetworkMode != "awsvpc")
        {
            return network is null
                ? null
                : throw new SandboxException("InvalidParameterException", "Network Configuration is not valid for the given networkMode of this task definition.");
        }
        if (network?["awsvpcConfiguration"] is not JsonObject awsvpc)
        {
            throw new SandboxException("InvalidParameterException", "Network Configuration must be provided when networkMode 'awsvpc' is specified.");
        }
        int subnets = (awsvpc["subnets"] as JsonArray)?.Count ?? 0;
        if (subnets == 0)
        {
            throw new SandboxException("InvalidParameterException", "subnets can not be empty.");
        }
        if (subnets > MaxSubnets)
        {
            throw new SandboxException("InvalidParameterException", $"subnets can have at most {MaxSubnets} items.");
        }
        if ((awsvpc["securityGroups"] as JsonArray)?.Count > MaxSecurityGroups)
        {
            throw new SandboxException("InvalidParameterException", $"securityGroups can have at most {MaxSecurityGroups} items.");
        }
        string? publicIp = awsvpc["assignPublicIp"]?.GetValue<string>();
        RequireEnum(publicIp, "assignPublicIp", "ENABLED", "DISABLED");
        if (publicIp == "ENABLED" && launchType != "FARGATE")
        {
            throw new SandboxException("InvalidParameterException", "Assign public IP is not supported for this launch type.");
        }
        return network;
    }

    [GeneratedRegex("^[A-Za-z0-9_/-]{1,128}$")]
    private static partial Regex StartedByPattern();
}
