using System.Text.Json.Nodes;

namespace MightyOps.Sandbox.Ecs;

// Tasks: list (with ECS's filter rules), describe, stop.
public sealed partial class EcsApi
{
    private JsonNode ListTasks(EcsRequest request)
    {
        ClusterState cluster = ResolveCluster(request.String("cluster"));
        string? startedBy = request.String("startedBy");
        string? family = request.String("family");
        string? serviceName = request.String("serviceName");
        string? containerInstanceReference = request.String("containerInstance");
        string? launchType = request.String("launchType");
        string? daemonName = request.String("daemonName");
        string desiredStatus = request.String("desiredStatus") ?? "RUNNING";
        RequireEnum(desiredStatus, "desiredStatus", "RUNNING", "PENDING", "STOPPED");
        RequireEnum(launchType, "launchType", Compatibilities);
        if (startedBy is not null && (family ?? serviceName ?? containerInstanceReference ?? launchType ?? daemonName) is not null)
        {
            // ECS API docs: "When you specify startedBy as the filter, it must be the only filter that you use."
            throw new SandboxException("InvalidParameterException", "startedBy must be the only filter when it is specified.");
        }
        if (family is not null && serviceName is not null)
        {
            throw new SandboxException("InvalidParameterException", "family and serviceName cannot be specified together.");
        }
        ServiceState? service = null;
        if (serviceName is not null)
        {
            service = FindService(cluster, serviceName)
                ?? throw new SandboxException("ServiceNotFoundException", "Service not found.");
        }
        ContainerInstanceState? instance = null;
        if (containerInstanceReference is not null)
        {
            instance = FindContainerInstance(cluster, containerInstanceReference)
                ?? throw new SandboxException("InvalidParameterException", "The referenced container instance was not found.");
        }
        IEnumerable<TaskState> tasks = cluster.Tasks.Values
            // desiredStatus PENDING never matches: ECS never sets it (docs/design/ecs-deployments-and-events.md, "Task lifecycle").
            .Where(t => t.DesiredStatus == desiredStatus)
            .Where(t => startedBy is null || t.StartedBy == startedBy)
            .Where(t => family is null || t.TaskDefinition.Family == family)
            .Where(t => service is null || ReferenceEquals(t.Service, service))
            .Where(t => instance is null || ReferenceEquals(t.ContainerInstance, instance))
            .Where(t => launchType is null || t.LaunchType == launchType)
            .Where(_ => daemonName is null)
            .OrderBy(t => t.Seq);
        (List<TaskState> page, string? next) = Paginate(tasks, t => t.Seq, "tasks/" + cluster.Name, request, 100);
        return ListResult("taskArns", page.Select(t => t.Arn), next);
    }

    private JsonNode DescribeTasks(EcsRequest request)
    {
        ClusterState cluster = ResolveCluster(request.String("cluster"));
        HashSet<string> include = Include(request, "TAGS");
        List<string> references = request.StringList("tasks") ?? [];
        if (references.Count == 0)
        {
            throw new SandboxException("InvalidParameterException", "Tasks cannot be empty.");
        }
        if (references.Count > 100)
        {
            throw new SandboxException("InvalidParameterException", "Tasks cannot be more than 100.");
        }
        return DescribeEach("tasks", references, reference => FindTask(cluster, reference),
            id => _sim.Arns.Task(cluster.Name, id), task => EcsWire.Task(task, include.Contains("TAGS")));
    }

    private JsonNode StopTask(EcsRequest request)
    {
        ClusterState cluster = ResolveCluster(request.String("cluster"));
        string reference = request.String("task")
            ?? throw new SandboxException("InvalidParameterException", "task must be specified.");
        TaskState task = FindTask(cluster, reference)
            ?? throw new SandboxException("InvalidParameterException", "The referenced task was not found.");
        if (task.DesiredStatus == "RUNNING")
        {
            _sim.Stop(task, "UserInitiated", request.String("reason") ?? "Task stopped by user");
            if (task.Service is not null)
            {
                _sim.RequestEvaluation(task.Service, _sim.Now);
            }
        }
        return new JsonObject { ["task"] = EcsWire.Task(task, includeTags: false) };
    }
}
