using System.Text.Json;
using System.Text.Json.Nodes;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Sandbox.Ecs;

// Services: list, describe, create, update (deployments: docs/design/ecs-deployments-and-events.md), delete.
public sealed partial class EcsApi
{
    private JsonNode ListServices(EcsRequest request)
    {
        ClusterState cluster = ResolveCluster(request.String("cluster"));
        string? launchType = request.String("launchType");
        RequireEnum(launchType, "launchType", Compatibilities);
        string? schedulingStrategy = request.String("schedulingStrategy");
        RequireEnum(schedulingStrategy, "schedulingStrategy", "REPLICA", "DAEMON");
        string? managedBy = request.String("resourceManagementType");
        RequireEnum(managedBy, "resourceManagementType", "CUSTOMER", "ECS");
        IEnumerable<ServiceState> services = cluster.Services.Values
            .Where(s => s.Status != "INACTIVE")
            .Where(s => launchType is null || s.LaunchType == launchType)
            .Where(s => schedulingStrategy is null || s.SchedulingStrategy == schedulingStrategy)
            .Where(_ => managedBy is null or "CUSTOMER")
            .OrderBy(s => s.Seq);
        // ListServices pages 10 at a time unless asked otherwise (paginators-1.json).
        (List<ServiceState> page, string? next) = Paginate(services, s => s.Seq, "services/" + cluster.Name, request, 10);
        return ListResult("serviceArns", page.Select(s => s.Arn), next);
    }

    private JsonNode DescribeServices(EcsRequest request)
    {
        ClusterState cluster = ResolveCluster(request.String("cluster"));
        HashSet<string> include = Include(request, "TAGS");
        List<string> references = request.StringList("services") ?? [];
        if (references.Count == 0)
        {
            throw new SandboxException("InvalidParameterException", "Services cannot be empty.");
        }
        if (references.Count > 10)
        {
            // Not in the model: ECS refuses more than 10 (docs/design/batch-limits.md, "Batches").
            throw new SandboxException("InvalidParameterException", "service names can have at most 10 items.");
        }
        return DescribeEach("services", references, reference => FindService(cluster, reference),
            name => _sim.Arns.Service(cluster.Name, name), service => EcsWire.Service(service, include.Contains("TAGS")));
    }

    private JsonNode CreateService(EcsRequest request)
    {
        ClusterState cluster = ResolveCluster(request.String("cluster"));
        string name = request.String("serviceName")
            ?? throw new SandboxException("InvalidParameterException", "serviceName must be specified.");
        if (!ResourceName.IsMatch(name))
        {
            throw new SandboxException("InvalidParameterException",
                "Service names must be between 1 and 255 characters long and can contain letters, numbers, underscores and hyphens.");
        }
        if (cluster.Services.TryGetValue(name, out ServiceState? existing) && existing.Status != "INACTIVE")
        {
            throw new SandboxException("InvalidParameterException", "Creation of service was not idempotent.");
        }
        string schedulingStrategy = request.String("schedulingStrategy") ?? "REPLICA";
        RequireEnum(schedulingStrategy, "schedulingStrategy", "REPLICA", "DAEMON");
        if (schedulingStrategy == "DAEMON")
        {
            throw new SandboxException("InvalidParameterException", "The sandbox simulates REPLICA services only.");
        }
        string controller = request.As<EcsDeploymentController>("deploymentController")?.Type ?? "ECS";
        RequireEnum(controller, "deploymentController.type", "ECS", "CODE_DEPLOY", "EXTERNAL");
        string taskDefinitionReference = request.String("taskDefinition")
            ?? throw new SandboxException("InvalidParameterException", "A task definition must be specified for a service that uses the ECS deployment controller.");
        TaskDefinitionState definition = FindTaskDefinition(taskDefinitionReference)
            ?? throw new SandboxException("ClientException", "TaskDefinition not found.");
        if (!definition.IsActive)
        {
            throw new SandboxException("ClientException", "TaskDefinition is inactive.");
        }
        int desired = request.Int("desiredCount")
            ?? throw new SandboxException("InvalidParameterException", "desiredCount must be specified for a REPLICA service.");
        if (desired < 0)
        {
            throw new SandboxException("InvalidParameterException", "desiredCount can not be negative.");
        }
        string launchType = request.String("launchType") ?? "EC2";
        RequireEnum(launchType, "launchType", Compatibilities);
        if (launchType is not ("EC2" or "FARGATE" or "EXTERNAL"))
        {
            // EC2 tasks are placed on the cluster's EC2 container instances, EXTERNAL ones on its
            // external (ECS Anywhere) instances, Fargate tasks on none.
            throw new SandboxException("InvalidParameterException", $"The sandbox simulates the EC2, FARGATE and EXTERNAL launch types, not {launchType}.");
        }
        if (!(definition.Definition.Compatibilities ?? []).Contains(launchType))
        {
            throw new SandboxException("InvalidParameterException", $"Task definition does not support launch_type {launchType}.");
        }
        string? platformVersion = request.String("platformVersion");
        if (platformVersion is not null && launchType != "FARGATE")
        {
            throw new SandboxException("InvalidParameterException", "platformVersion applies to services of the FARGATE launch type only.");
        }
        JsonObject? network = request.Object("networkConfiguration");
        if (definition.NetworkMode == "awsvpc" && network is null)
        {
            throw new SandboxException("InvalidParameterException",
                "Network Configuration must be provided when networkMode 'awsvpc' is specified.");
        }
        string propagateTags = request.String("propagateTags") ?? "NONE";
        RequireEnum(propagateTags, "propagateTags", "TASK_DEFINITION", "SERVICE", "NONE");
        EcsDeploymentConfiguration configuration = MergeDeploymentConfiguration(
            DefaultDeploymentConfiguration(), request.As<EcsDeploymentConfiguration>("deploymentConfiguration"));

        var service = new ServiceState
        {
            Cluster = cluster,
            Name = name,
            Arn = _sim.Arns.Service(cluster.Name, name),
            Seq = _sim.NextSeq(),
            DesiredCount = desired,
            LaunchType = launchType,
            PlatformVersion = launchType == "FARGATE" ? platformVersion ?? "LATEST" : null,
            SchedulingStrategy = schedulingStrategy,
            DeploymentConfiguration = configuration,
            CreatedAt = _sim.Now,
            CreatedBy = $"arn:aws:iam::{_world.AccountId}:root",
            RoleArn = $"arn:aws:iam::{_world.AccountId}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            LoadBalancers = request.Array("loadBalancers") ?? [],
            ServiceRegistries = request.Array("serviceRegistries") ?? [],
            PlacementConstraints = request.Array("placementConstraints") ?? [],
            PlacementStrategy = request.Array("placementStrategy") ?? [],
            NetworkConfiguration = network,
            CapacityProviderStrategy = request.Array("capacityProviderStrategy"),
            HealthCheckGracePeriodSeconds = request.Int("healthCheckGracePeriodSeconds"),
            EnableExecuteCommand = request.Bool("enableExecuteCommand") ?? false,
            EnableECSManagedTags = request.Bool("enableECSManagedTags") ?? false,
            PropagateTags = propagateTags,
            AvailabilityZoneRebalancing = request.String("availabilityZoneRebalancing") ?? "DISABLED",
            DeploymentController = controller,
        };
        service.Tags.AddRange(ValidTags(request.As<List<EcsTag>>("tags")));
        cluster.Services[name] = service;
        _sim.StartServiceDeployment(service, definition);
        return new JsonObject { ["service"] = EcsWire.Service(service, includeTags: false) };
    }

    private JsonNode UpdateService(EcsRequest request)
    {
        (ClusterState cluster, ServiceState service) = ActiveService(request);

        // Validate everything before changing anything: a rejected update leaves the service as it was.
        int? desired = request.Int("desiredCount");
        if (desired is < 0)
        {
            throw new SandboxException("InvalidParameterException", "desiredCount can not be negative.");
        }
        TaskDefinitionState? definition = null;
        string? taskDefinitionReference = request.String("taskDefinition");
        if (taskDefinitionReference is not null)
        {
            definition = FindTaskDefinition(taskDefinitionReference)
                ?? throw new SandboxException("ClientException", "TaskDefinition not found.");
            if (!definition.IsActive)
            {
                throw new SandboxException("ClientException", "TaskDefinition is inactive.");
            }
        }
        string? controller = request.As<EcsDeploymentController>("deploymentController")?.Type;
        if (controller is not null && controller != service.DeploymentController)
        {
            throw new SandboxException("InvalidParameterException", $"The sandbox does not change a service's deployment controller ({service.DeploymentController}).");
        }
        if (definition is not null && definition.Arn != service.Primary.TaskDefinitionArn && service.DeploymentController != "ECS")
        {
            // ECS refuses it: CodeDeploy (or the external controller's task sets) deploys those services.
            throw new SandboxException("InvalidParameterException",
                $"Unable to update task definition on services with a {service.DeploymentController} deployment controller. Use {(service.DeploymentController == "CODE_DEPLOY" ? "AWS CodeDeploy" : "task sets")} to deploy a new task definition.");
        }
        EcsDeploymentConfiguration? configurationChange = request.As<EcsDeploymentConfiguration>("deploymentConfiguration");
        EcsDeploymentConfiguration configuration = MergeDeploymentConfiguration(service.DeploymentConfiguration, configurationChange);
        string? propagateTags = request.String("propagateTags");
        RequireEnum(propagateTags, "propagateTags", "TASK_DEFINITION", "SERVICE", "NONE");
        JsonObject? network = request.Object("networkConfiguration");
        TaskDefinitionState target = definition ?? _sim.TaskDefinitionsByArn[service.Primary.TaskDefinitionArn];
        if (target.NetworkMode == "awsvpc" && (network ?? service.NetworkConfiguration) is null)
        {
            throw new SandboxException("InvalidParameterException",
                "Network Configuration must be provided when networkMode 'awsvpc' is specified.");
        }

        // What starts a new deployment (docs/design/ecs-deployments-and-events.md): another task
        // definition, forceNewDeployment, or a change to networking, load balancers, service
        // registries, platform or capacity providers.
        bool newDeployment = request.Bool("forceNewDeployment") == true
            || (definition is not null && definition.Arn != service.Primary.TaskDefinitionArn)
            || Changes(network, service.NetworkConfiguration)
            || Changes(request.Array("loadBalancers"), service.LoadBalancers)
            || Changes(request.Array("serviceRegistries"), service.ServiceRegistries)
            || Changes(request.Array("capacityProviderStrategy"), service.CapacityProviderStrategy)
            || Changes(request.Array("volumeConfigurations"), null)
            || Changes(request.Object("serviceConnectConfiguration"), null);
        string? platformVersion = request.String("platformVersion");
        if (platformVersion is not null && service.LaunchType != "FARGATE")
        {
            throw new SandboxException("InvalidParameterException", "platformVersion applies to services of the FARGATE launch type only.");
        }
        if (platformVersion is not null && platformVersion != service.PlatformVersion)
        {
            service.PlatformVersion = platformVersion;
            newDeployment = true;
        }

        service.DeploymentConfiguration = configuration;
        if (desired is int count && count != service.DesiredCount)
        {
            // desiredCount alone is no deployment: the scheduler scales the PRIMARY on its next pass.
            service.DesiredCount = count;
            service.WasSteady = false;
            _sim.RequestEvaluation(service, _sim.Now + EcsTimings.DeploymentStartDelay);
        }
        if (network is not null)
        {
            service.NetworkConfiguration = network;
        }
        service.LoadBalancers = request.Array("loadBalancers") ?? service.LoadBalancers;
        service.ServiceRegistries = request.Array("serviceRegistries") ?? service.ServiceRegistries;
        service.CapacityProviderStrategy = request.Array("capacityProviderStrategy") ?? service.CapacityProviderStrategy;
        service.PlacementConstraints = request.Array("placementConstraints") ?? service.PlacementConstraints;
        service.PlacementStrategy = request.Array("placementStrategy") ?? service.PlacementStrategy;
        service.HealthCheckGracePeriodSeconds = request.Int("healthCheckGracePeriodSeconds") ?? service.HealthCheckGracePeriodSeconds;
        service.EnableExecuteCommand = request.Bool("enableExecuteCommand") ?? service.EnableExecuteCommand;
        service.EnableECSManagedTags = request.Bool("enableECSManagedTags") ?? service.EnableECSManagedTags;
        service.PropagateTags = propagateTags ?? service.PropagateTags;
        service.AvailabilityZoneRebalancing = request.String("availabilityZoneRebalancing") ?? service.AvailabilityZoneRebalancing;
        if (newDeployment)
        {
            _sim.StartServiceDeployment(service, target);
        }
        return new JsonObject { ["service"] = EcsWire.Service(service, includeTags: false) };
    }

    /// <summary>The cluster and ACTIVE service a modifying request names, or the error ECS gives.</summary>
    private (ClusterState Cluster, ServiceState Service) ActiveService(EcsRequest request)
    {
        ClusterState cluster = ResolveCluster(request.String("cluster"));
        string reference = request.String("service")
            ?? throw new SandboxException("InvalidParameterException", "service must be specified.");
        ServiceState service = FindService(cluster, reference)
            ?? throw new SandboxException("ServiceNotFoundException", "Service not found.");
        if (service.Status != "ACTIVE")
        {
            throw new SandboxException("ServiceNotActiveException", "Service was not ACTIVE.");
        }
        return (cluster, service);
    }

    private JsonNode DeleteService(EcsRequest request)
    {
        (ClusterState cluster, ServiceState service) = ActiveService(request);
        if (service.DesiredCount > 0 && request.Bool("force") != true)
        {
            throw new SandboxException("InvalidParameterException", "The service cannot be stopped while it is scaled above 0.");
        }
        service.DesiredCount = 0;
        service.Status = "DRAINING";
        service.WasSteady = false;
        _sim.RequestEvaluation(service, _sim.Now);
        return new JsonObject { ["service"] = EcsWire.Service(service, includeTags: false) };
    }

    private static EcsDeploymentConfiguration DefaultDeploymentConfiguration() => new()
    {
        DeploymentCircuitBreaker = new EcsDeploymentCircuitBreaker { Enable = false, Rollback = false },
        MaximumPercent = 200,
        MinimumHealthyPercent = 100,
        // What ECS reports for a service without CloudWatch alarms.
        Alarms = new EcsDeploymentAlarms { AlarmNames = [], Rollback = false, Enable = false },
    };

    /// <summary>Applies the members a request sets onto the current configuration and validates the result.</summary>
    private static EcsDeploymentConfiguration MergeDeploymentConfiguration(EcsDeploymentConfiguration current, EcsDeploymentConfiguration? change)
    {
        var merged = new EcsDeploymentConfiguration
        {
            DeploymentCircuitBreaker = change?.DeploymentCircuitBreaker ?? current.DeploymentCircuitBreaker,
            MaximumPercent = change?.MaximumPercent ?? current.MaximumPercent,
            MinimumHealthyPercent = change?.MinimumHealthyPercent ?? current.MinimumHealthyPercent,
            Alarms = change?.Alarms ?? current.Alarms,
            Strategy = change?.Strategy ?? current.Strategy,
            BakeTimeInMinutes = change?.BakeTimeInMinutes ?? current.BakeTimeInMinutes,
            LifecycleHooks = change?.LifecycleHooks ?? current.LifecycleHooks,
            LinearConfiguration = change?.LinearConfiguration ?? current.LinearConfiguration,
            CanaryConfiguration = change?.CanaryConfiguration ?? current.CanaryConfiguration,
            Other = current.Other is null ? null : new Dictionary<string, JsonElement>(current.Other, StringComparer.Ordinal),
        };
        DeploymentStrategies.Validate(merged);
        if (change?.Other is not null)
        {
            merged.Other ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, JsonElement> member in change.Other)
            {
                merged.Other[member.Key] = member.Value.Clone();
            }
        }
        if (merged.MinimumHealthyPercent is < 0 or > 100)
        {
            throw new SandboxException("InvalidParameterException", "minimumHealthyPercent must be between 0 and 100.");
        }
        if (merged.MaximumPercent is < 100 or > 2000)
        {
            throw new SandboxException("InvalidParameterException", "maximumPercent must be between 100 and 2000 for a REPLICA service.");
        }
        return merged;
    }

    private static bool Changes(JsonNode? requested, JsonNode? current) =>
        requested is not null && !JsonNode.DeepEquals(requested, current);
}
