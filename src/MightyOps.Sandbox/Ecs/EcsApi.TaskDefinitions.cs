using System.Text.Json;
using System.Text.Json.Nodes;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Deploy;

namespace MightyOps.Sandbox.Ecs;

// Task definitions: register (with the service's validation rules), describe, deregister, list.
public sealed partial class EcsApi
{
    private static readonly string[] NetworkModes = ["bridge", "host", "awsvpc", "none"];
    private static readonly string[] Compatibilities = ["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"];
    private static readonly JsonElement EmptyList = JsonDocument.Parse("[]").RootElement.Clone();

    private JsonNode RegisterTaskDefinition(EcsRequest request)
    {
        RegisterTaskDefinitionRequest input = request.Body<RegisterTaskDefinitionRequest>();
        TaskDefinitionState registered = Register(input);
        var result = new JsonObject { ["taskDefinition"] = EcsWire.TaskDefinition(registered) };
        if (input.Tags is { Count: > 0 })
        {
            result["tags"] = EcsWire.ToArray(registered.Tags);
        }
        return result;
    }

    /// <summary>Validates and stores a new revision (max + 1 of the family), as the service does.</summary>
    internal TaskDefinitionState Register(RegisterTaskDefinitionRequest input)
    {
        string family = input.Family ?? throw new SandboxException("ClientException", "Family must be specified.");
        if (!ResourceName.IsMatch(family))
        {
            throw new SandboxException("ClientException",
                "Family contains invalid characters: up to 255 letters (uppercase and lowercase), numbers, hyphens and underscores are allowed.");
        }
        RequireEnum(input.NetworkMode, "networkMode", NetworkModes);
        foreach (string compatibility in input.RequiresCompatibilities ?? [])
        {
            RequireEnum(compatibility, "requiresCompatibilities", Compatibilities);
        }
        List<EcsTag> tags = ValidTags(input.Tags);
        List<EcsContainerDefinition> containers = input.ContainerDefinitions ?? [];
        if (containers.Count == 0)
        {
            throw new SandboxException("ClientException", "Container list cannot be empty.");
        }
        string networkMode = input.NetworkMode ?? "bridge";
        bool fargate = input.RequiresCompatibilities?.Contains("FARGATE") == true;
        if (fargate)
        {
            if (networkMode != "awsvpc")
            {
                throw new SandboxException("ClientException", "Fargate only supports network mode 'awsvpc'.");
            }
            if (input.Cpu is null)
            {
                throw new SandboxException("ClientException", "Fargate requires that 'cpu' be defined at the task level.");
            }
            if (input.Memory is null)
            {
                throw new SandboxException("ClientException", "Fargate requires that 'memory' be defined at the task level.");
            }
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (EcsContainerDefinition container in containers)
        {
            ValidateContainer(container, names, taskMemory: input.Memory is not null, networkMode);
        }
        if (!containers.Any(c => c.Essential ?? true))
        {
            throw new SandboxException("ClientException", "At least one container in the task definition must be essential.");
        }

        List<TaskDefinitionState> revisions = _sim.Families.TryGetValue(family, out List<TaskDefinitionState>? existing)
            ? existing
            : _sim.Families[family] = [];
        int revision = revisions.Count == 0 ? 1 : revisions[^1].Revision + 1;
        string arn = _sim.Arns.TaskDefinition(family, revision);
        foreach (EcsContainerDefinition container in containers)
        {
            Normalize(container, networkMode);
        }
        var definition = new EcsTaskDefinition
        {
            TaskDefinitionArn = arn,
            ContainerDefinitions = containers,
            Family = family,
            TaskRoleArn = input.TaskRoleArn,
            ExecutionRoleArn = input.ExecutionRoleArn,
            NetworkMode = input.NetworkMode,
            Revision = revision,
            Volumes = input.Volumes ?? [],
            Status = "ACTIVE",
            RequiresAttributes = RequiredAttributes(input, containers),
            PlacementConstraints = input.PlacementConstraints ?? [],
            Compatibilities = networkMode == "awsvpc"
                ? (input.Cpu is not null && input.Memory is not null ? ["EC2", "FARGATE"] : ["EC2"])
                : ["EXTERNAL", "EC2"],
            RuntimePlatform = input.RuntimePlatform,
            RequiresCompatibilities = input.RequiresCompatibilities,
            Cpu = input.Cpu,
            Memory = input.Memory,
            InferenceAccelerators = input.InferenceAccelerators,
            PidMode = input.PidMode,
            IpcMode = input.IpcMode,
            ProxyConfiguration = input.ProxyConfiguration,
            RegisteredAt = _sim.Now,
            RegisteredBy = $"arn:aws:iam::{_world.AccountId}:root",
            EphemeralStorage = input.EphemeralStorage,
            EnableFaultInjection = input.EnableFaultInjection,
        };
        var state = new TaskDefinitionState { Family = family, Revision = revision, Arn = arn, Definition = definition };
        state.Tags.AddRange(tags);
        revisions.Add(state);
        _sim.TaskDefinitionsByArn[arn] = state;
        return state;
    }

    private static void ValidateContainer(EcsContainerDefinition container, HashSet<string> names, bool taskMemory, string networkMode)
    {
        if (string.IsNullOrEmpty(container.Name))
        {
            throw new SandboxException("ClientException", "Container.name should not be null or empty.");
        }
        if (string.IsNullOrEmpty(container.Image))
        {
            throw new SandboxException("ClientException", "Container.image should not be null or empty.");
        }
        if (!ResourceName.IsMatch(container.Name))
        {
            throw new SandboxException("ClientException", $"Container name '{container.Name}' contains invalid characters.");
        }
        if (!names.Add(container.Name))
        {
            throw new SandboxException("ClientException", $"Duplicate container name '{container.Name}': container names must be unique within a task definition.");
        }
        if (!taskMemory && container.Memory is null && container.MemoryReservation is null)
        {
            throw new SandboxException("ClientException",
                $"Invalid setting for container '{container.Name}'. At least one of 'memory' or 'memoryReservation' must be specified.");
        }
        if (container.Memory is < 6 || container.MemoryReservation is < 6)
        {
            throw new SandboxException("ClientException",
                $"Invalid 'memory' setting for container '{container.Name}'. The value must be at least 6 MiB.");
        }
        if (container.Memory is int memory && container.MemoryReservation is int reservation && reservation > memory)
        {
            throw new SandboxException("ClientException",
                $"Invalid setting for container '{container.Name}'. 'memory' must be greater than or equal to 'memoryReservation'.");
        }
        if (container.Cpu is < 0)
        {
            throw new SandboxException("ClientException", $"Invalid 'cpu' setting for container '{container.Name}'.");
        }
        foreach (EcsPortMapping mapping in container.PortMappings ?? [])
        {
            if (mapping.ContainerPort is null && !(mapping.Other?.ContainsKey("containerPortRange") ?? false))
            {
                throw new SandboxException("ClientException", $"Container '{container.Name}': a port mapping needs a containerPort.");
            }
            if (mapping.ContainerPort is < 1 or > 65535 || mapping.HostPort is < 0 or > 65535)
            {
                throw new SandboxException("ClientException", $"Container '{container.Name}': port numbers must be between 1 and 65535.");
            }
            RequireEnum(mapping.Protocol, "protocol", "tcp", "udp");
            if (networkMode is "awsvpc" or "host" && mapping.HostPort is int hostPort && hostPort != mapping.ContainerPort)
            {
                throw new SandboxException("ClientException",
                    $"When networkMode={networkMode}, the host ports and container ports in port mappings must match.");
            }
        }
    }

    /// <summary>The defaults ECS writes back into a registered container definition.</summary>
    private static void Normalize(EcsContainerDefinition container, string networkMode)
    {
        container.Cpu ??= 0;
        container.Essential ??= true;
        container.PortMappings ??= [];
        foreach (EcsPortMapping mapping in container.PortMappings)
        {
            mapping.Protocol ??= "tcp";
            if (networkMode is "awsvpc" or "host")
            {
                mapping.HostPort ??= mapping.ContainerPort;
            }
        }
        container.Environment ??= [];
        container.Other ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (string member in (string[])["mountPoints", "volumesFrom", "systemControls"])
        {
            container.Other.TryAdd(member, EmptyList);
        }
    }

    /// <summary>The capability attributes ECS derives from a definition (placement needs them on the instance).</summary>
    private JsonArray RequiredAttributes(RegisterTaskDefinitionRequest input, List<EcsContainerDefinition> containers)
    {
        var names = new List<string>();
        void Add(string name)
        {
            if (!names.Contains(name))
            {
                names.Add(name);
            }
        }
        foreach (EcsContainerDefinition container in containers)
        {
            if (_world.InRegistry(ImageReference.Parse(container.Image!)))
            {
                Add("com.amazonaws.ecs.capability.ecr-auth");
                if (input.ExecutionRoleArn is not null)
                {
                    Add("ecs.capability.execution-role-ecr-pull");
                }
            }
            if (container.LogConfiguration?.LogDriver is string driver)
            {
                Add("com.amazonaws.ecs.capability.logging-driver." + driver);
                Add("com.amazonaws.ecs.capability.docker-remote-api.1.19");
                if (driver == "awslogs" && input.ExecutionRoleArn is not null)
                {
                    Add("ecs.capability.execution-role-awslogs");
                }
            }
            if (container.EnvironmentFiles is { Count: > 0 })
            {
                Add("ecs.capability.env-files.s3");
            }
            if (container.MemoryReservation is not null)
            {
                Add("com.amazonaws.ecs.capability.docker-remote-api.1.21");
            }
            if (container.Secrets is { Count: > 0 })
            {
                Add("ecs.capability.secrets.asm.environment-variables");
            }
        }
        if (input.TaskRoleArn is not null)
        {
            Add("com.amazonaws.ecs.capability.task-iam-role");
        }
        if (input.NetworkMode == "awsvpc")
        {
            Add("ecs.capability.task-eni");
        }
        return new JsonArray(names.Select(n => (JsonNode?)new JsonObject { ["name"] = n }).ToArray());
    }

    private JsonNode DescribeTaskDefinition(EcsRequest request)
    {
        string reference = request.String("taskDefinition")
            ?? throw new SandboxException("ClientException", "Unable to describe task definition.");
        HashSet<string> include = Include(request, "TAGS");
        TaskDefinitionState definition = FindTaskDefinition(reference)
            ?? throw new SandboxException("ClientException", "Unable to describe task definition.");
        var result = new JsonObject { ["taskDefinition"] = EcsWire.TaskDefinition(definition) };
        if (include.Contains("TAGS"))
        {
            // The only way to read a definition's tags: top level, next to taskDefinition (docs/design/ecs-json-protocol.md).
            result["tags"] = EcsWire.ToArray(definition.Tags);
        }
        return result;
    }

    private JsonNode DeregisterTaskDefinition(EcsRequest request)
    {
        string reference = request.String("taskDefinition")
            ?? throw new SandboxException("ClientException", "Revision is missing.");
        string? resource = _sim.Arns.ResourceOf(reference, "task-definition", out bool isArn);
        if (!(isArn ? resource! : reference).Contains(':', StringComparison.Ordinal))
        {
            throw new SandboxException("ClientException", "Revision is missing.");
        }
        TaskDefinitionState definition = FindTaskDefinition(reference)
            ?? throw new SandboxException("ClientException", "The specified task definition does not exist.");
        if (definition.IsActive)
        {
            definition.Definition.Status = "INACTIVE";
            definition.Definition.DeregisteredAt = _sim.Now;
        }
        return new JsonObject { ["taskDefinition"] = EcsWire.TaskDefinition(definition) };
    }

    private JsonNode ListTaskDefinitions(EcsRequest request)
    {
        string? prefix = request.String("familyPrefix");
        string status = request.String("status") ?? "ACTIVE";
        RequireEnum(status, "status", "ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS");
        string sort = request.String("sort") ?? "ASC";
        RequireEnum(sort, "sort", "ASC", "DESC");
        // familyPrefix matches the whole family name, not a prefix, despite the name (ECS API docs).
        IEnumerable<TaskDefinitionState> all = _sim.Families
            .Where(f => prefix is null || f.Key == prefix)
            .OrderBy(f => f.Key, StringComparer.Ordinal)
            .SelectMany(f => f.Value)
            .Where(d => d.Definition.Status == status);
        List<TaskDefinitionState> ordered = sort == "ASC" ? all.ToList() : all.Reverse().ToList();
        (List<TaskDefinitionState> page, string? next) = Paginate(ordered, $"task-definitions/{prefix}/{status}/{sort}", request, 100);
        return ListResult("taskDefinitionArns", page.Select(d => d.Arn), next);
    }

    private JsonNode ListTaskDefinitionFamilies(EcsRequest request)
    {
        string? prefix = request.String("familyPrefix");
        string status = request.String("status") ?? "ACTIVE";
        RequireEnum(status, "status", "ACTIVE", "INACTIVE", "ALL");
        List<string> families = _sim.Families
            .Where(f => prefix is null || f.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Where(f => status switch
            {
                "ACTIVE" => f.Value.Any(d => d.IsActive),
                "INACTIVE" => !f.Value.Any(d => d.IsActive),
                _ => true,
            })
            .Select(f => f.Key)
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToList();
        (List<string> page, string? next) = Paginate(families, $"families/{prefix}/{status}", request, 100);
        return ListResult("families", page, next);
    }
}
