using System.Text.Json.Nodes;
using MightyOps.Sandbox.Seeds;

namespace MightyOps.Sandbox.Ecs;

/// <summary>The ECS part of the demo seed: cluster production, WEB, API and 30 worker services.</summary>
/// <remarks>
/// The history is not written by hand: the seed rewinds the simulation about ten days, creates the
/// services on release <c>master.3</c>, deploys <c>master.4</c> twenty hours ago, and lets the
/// simulation run up to now. Events, deployments, task timestamps and placement are therefore
/// exactly what the simulation itself produces, and stay consistent with everything it does next.
/// </remarks>
public static class EcsDemoSeed
{
    /// <summary>The demo's main cluster: WEB, API and the Sidekiq workers.</summary>
    public const string Cluster = "production";

    /// <summary>A small second cluster with WEB and API on one instance.</summary>
    public const string StagingCluster = "staging";

    /// <summary>The release the services were created on, ten days ago.</summary>
    public const string PreviousTag = "master.3";

    /// <summary>The release every service runs now (deployed twenty hours ago).</summary>
    public const string CurrentTag = "master.4";

    /// <summary>One ECS service per Sidekiq queue, with the desired count each runs at.</summary>
    public static readonly IReadOnlyList<(string Queue, int DesiredCount)> Workers =
    [
        ("default", 2), ("mailers", 2), ("critical", 2), ("high", 1), ("low", 1),
        ("imports", 1), ("exports", 1), ("webhooks", 2), ("ios_web_scrape", 2), ("android_web_scrape", 2),
        ("notifications", 1), ("push_notifications", 1), ("searchkick", 1), ("active_storage_analysis", 1), ("active_storage_purge", 0),
        ("billing", 1), ("reports", 1), ("analytics", 0), ("emails_bulk", 1), ("image_processing", 1),
        ("video_processing", 0), ("sync_crm", 1), ("sync_stripe", 1), ("scheduler", 1), ("cleanup", 0),
        ("data_migrations", 0), ("geocoding", 1), ("pdf_generation", 1), ("sms", 1), ("slack_notifications", 0),
    ];

    /// <summary>
    /// The services that deploy with another strategy than ROLLING, and how (bake times of a
    /// minute: a few seconds at the demo's time scale). Staging API's deployments wait at a pause
    /// hook after scale-up for someone to continue or roll them back, so the demo starts with its
    /// master.4 deployment waiting there (docs/design/ecs-service-deployments.md).
    /// </summary>
    public static readonly IReadOnlyDictionary<(string Cluster, string Service), JsonObject> Strategies = new Dictionary<(string, string), JsonObject>
    {
        [(Cluster, "imports")] = new() { ["strategy"] = "BLUE_GREEN", ["bakeTimeInMinutes"] = 1 },
        [(Cluster, "exports")] = new()
        {
            ["strategy"] = "LINEAR", ["bakeTimeInMinutes"] = 1,
            ["linearConfiguration"] = new JsonObject { ["stepPercent"] = 50.0, ["stepBakeTimeInMinutes"] = 1 },
        },
        [(Cluster, "reports")] = new()
        {
            ["strategy"] = "CANARY", ["bakeTimeInMinutes"] = 1,
            ["canaryConfiguration"] = new JsonObject { ["canaryPercent"] = 10.0, ["canaryBakeTimeInMinutes"] = 1 },
        },
        [(StagingCluster, "API")] = new()
        {
            ["strategy"] = "BLUE_GREEN", ["bakeTimeInMinutes"] = 1,
            ["lifecycleHooks"] = new JsonArray(new JsonObject
            {
                ["targetType"] = "PAUSE",
                ["lifecycleStages"] = new JsonArray("POST_SCALE_UP"),
                ["timeoutConfiguration"] = new JsonObject { ["timeoutInMinutes"] = 4320, ["action"] = "ROLLBACK" },
            }),
        },
    };

    private static readonly TimeSpan History = TimeSpan.FromDays(10);
    private static readonly TimeSpan CurrentReleaseAge = TimeSpan.FromHours(20);

    /// <summary>Adds the demo cluster, container instances (with their EC2 instances), task definitions and services.</summary>
    public static void Apply(SandboxWorld world, EcsApi ecs)
    {
        lock (world.Sync)
        {
            DateTimeOffset now = world.Clock.UtcNow;
            EnsureImages(world, now);
            EcsSimulation sim = ecs.Simulation;
            DateTimeOffset start = now - History;
            sim.RewindTo(start - TimeSpan.FromHours(2));

            ClusterState production = ecs.EnsureCluster(Cluster);
            production.ContainerInsights = "enabled";
            production.Tags.Add(new() { Key = "environment", Value = "production" });
            ClusterState staging = ecs.EnsureCluster(StagingCluster);
            staging.Tags.Add(new() { Key = "environment", Value = "staging" });
            AddGroups(world);

            var services = new List<(string Cluster, string Service, string Family, Func<string, JsonArray> Containers, int Desired)>
            {
                (Cluster, "WEB", "WEB", tag => WebContainers(world, "WEB", tag), 2),
                (Cluster, "API", "API", tag => ApiContainers(world, "API", tag), 2),
            };
            foreach ((string queue, int desired) in WorkersFor(world.Options.WorkerServiceCount))
            {
                services.Add((Cluster, queue, queue, tag => WorkerContainers(world, queue, tag), desired));
            }
            services.Add((StagingCluster, "WEB", "staging-WEB", tag => WebContainers(world, "staging-WEB", tag), 1));
            services.Add((StagingCluster, "API", "staging-API", tag => ApiContainers(world, "staging-API", tag), 1));

            // Ten days ago: the services are created on master.3.
            sim.AdvanceTo(start - TimeSpan.FromMinutes(10));
            foreach (var service in services)
            {
                Register(world, ecs, service.Family, service.Containers(PreviousTag));
            }
            sim.AdvanceTo(start);
            // WEB and API of production are behind an Application Load Balancer with AWS's defaults.
            Dictionary<string, JsonArray> loadBalancers = Elb.ElbDemoSeed.Apply(world, start, [("WEB", "nginx", 80), ("API", "application", 3000)]);
            foreach (var service in services)
            {
                JsonObject create = CreateServiceRequest(service.Cluster, service.Service, service.Family, service.Desired, RoleOf(service.Cluster, service.Service));
                if (service.Cluster == Cluster && loadBalancers.TryGetValue(service.Service, out JsonArray? targets))
                {
                    create["loadBalancers"] = targets;
                }
                ecs.InvokeAtSimulatedNow("CreateService", create);
            }

            // Twenty hours ago: master.4 is deployed everywhere, the way Publish-MightyService does it.
            sim.AdvanceTo(now - CurrentReleaseAge - TimeSpan.FromMinutes(3));
            foreach (var service in services)
            {
                Register(world, ecs, service.Family, service.Containers(CurrentTag));
            }
            // Some teams moved to other strategies since the services were made (a configuration
            // change alone deploys nothing); master.4 is their first deployment that way.
            foreach (((string cluster, string name), JsonObject strategy) in Strategies)
            {
                if (services.Any(s => s.Cluster == cluster && s.Service == name))
                {
                    ecs.InvokeAtSimulatedNow("UpdateService", new JsonObject
                    {
                        ["cluster"] = cluster,
                        ["service"] = name,
                        ["deploymentConfiguration"] = DeploymentConfiguration(cluster, name),
                    });
                }
            }
            sim.AdvanceTo(now - CurrentReleaseAge);
            foreach (var service in services)
            {
                ecs.InvokeAtSimulatedNow("UpdateService", new JsonObject
                {
                    ["cluster"] = service.Cluster,
                    ["service"] = service.Service,
                    ["taskDefinition"] = service.Family,
                });
            }
            sim.AdvanceTo(now);
        }
    }

    /// <summary>
    /// The first <paramref name="count"/> demo queues; beyond the 30 real ones, idle services
    /// <c>queue_031</c>, <c>queue_032</c>, ... (desired 0, so they fit on the demo's instances).
    /// </summary>
    public static IEnumerable<(string Queue, int DesiredCount)> WorkersFor(int count) =>
        Workers.Take(count).Concat(Enumerable.Range(Workers.Count + 1, Math.Max(0, count - Workers.Count)).Select(i => ($"queue_{i:000}", 0)));

    /// <summary>The images the services run: the demo registry, unless the world already has one.</summary>
    private static void EnsureImages(SandboxWorld world, DateTimeOffset now)
    {
        if (!world.Repositories.ContainsKey(DemoSeed.AppRepository) && !world.Repositories.ContainsKey(DemoSeed.ProxyRepository))
        {
            DemoSeed.PushImages(world, now);
        }
    }

    /// <summary>The web group (On-Demand) for WEB and API.</summary>
    public const string WebGroup = "web";

    /// <summary>The Spot group the Sidekiq workers share, sized by hand and tight.</summary>
    public const string WorkerGroup = "workers";

    /// <summary>Staging's group, scaled by ECS through a capacity provider with managed scaling.</summary>
    public const string StagingGroup = "staging";

    /// <summary>The capacity provider over <see cref="StagingGroup"/>.</summary>
    public const string StagingProvider = "staging-capacity";

    /// <summary>
    /// The team's cluster shape: production runs WEB and API on a group of On-Demand instances
    /// and the workers on a Spot group of ten small instances with room for a few more tasks
    /// only; staging's one instance belongs to a group that a capacity provider with managed
    /// scaling sizes. Instances carry a custom attribute <c>role</c> (ECS_INSTANCE_ATTRIBUTES)
    /// that the services' memberOf constraints select.
    /// </summary>
    private static void AddGroups(SandboxWorld world)
    {
        var scaling = world.AutoScaling;
        string[] zones = [world.Region + "a", world.Region + "b", world.Region + "c"];
        var web = scaling.AddGroup(WebGroup, Launch(world, Cluster, "web", "m5.large", spot: false), zones, min: 2, max: 6, desired: 3, booted: true);
        Tag(web, Cluster);
        var workers = scaling.AddGroup(WorkerGroup, Launch(world, Cluster, "workers", "t3.medium", spot: true), zones, min: 2, max: 14, desired: 10, booted: true);
        Tag(workers, Cluster);
        var staging = scaling.AddGroup(StagingGroup, Launch(world, StagingCluster, "staging", "m5.large", spot: false), [world.Region + "b"], min: 1, max: 3, desired: 1, booted: true);
        Tag(staging, StagingCluster);
        world.CapacityProviders[StagingProvider] = new AutoScaling.SandboxCapacityProvider
        {
            Name = StagingProvider,
            Arn = $"arn:aws:ecs:{world.Region}:{world.AccountId}:capacity-provider/{StagingProvider}",
            GroupName = StagingGroup,
            ManagedScaling = true,
            InstanceWarmupPeriod = 300,
        };
    }

    private static AutoScaling.SandboxLaunchSpec Launch(SandboxWorld world, string cluster, string role, string type, bool spot) => new()
    {
        LaunchTemplateName = $"ecs-{cluster}-{role}",
        LaunchTemplateId = "lt-0" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(world.AccountId + role + cluster))).ToLowerInvariant()[..16],
        InstanceType = type,
        Spot = spot,
        Cluster = cluster,
        ReservedMemoryMiB = 256,
        Attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["role"] = role },
    };

    private static void Tag(AutoScaling.SandboxAutoScalingGroup group, string cluster)
    {
        group.Tags.Add(("Name", $"ecs-{cluster}", true));
        group.Tags.Add(("environment", cluster, true));
    }

    /// <summary>The instances a demo service runs on: the web group for WEB and API, the worker group for the rest; staging has one group.</summary>
    private static string? RoleOf(string cluster, string service) =>
        cluster != Cluster ? null : service is "WEB" or "API" ? "web" : "workers";

    private static void Register(SandboxWorld world, EcsApi ecs, string family, JsonArray containers)
    {
        ecs.InvokeAtSimulatedNow("RegisterTaskDefinition", new JsonObject
        {
            ["family"] = family,
            ["taskRoleArn"] = $"arn:aws:iam::{world.AccountId}:role/mighty-app",
            ["executionRoleArn"] = $"arn:aws:iam::{world.AccountId}:role/ecsTaskExecutionRole",
            ["networkMode"] = "bridge",
            ["requiresCompatibilities"] = new JsonArray("EC2"),
            ["containerDefinitions"] = containers,
            ["tags"] = new JsonArray(new JsonObject { ["key"] = "app", ["value"] = "mighty" }),
        });
    }

    private static JsonObject CreateServiceRequest(string cluster, string service, string family, int desired, string? role)
    {
        JsonObject request = ServiceRequest(cluster, service, family, desired);
        if (role is not null)
        {
            request["placementConstraints"] = new JsonArray(new JsonObject { ["type"] = "memberOf", ["expression"] = $"attribute:role == {role}" });
        }
        else
        {
            request.Remove("launchType");
            request["capacityProviderStrategy"] = new JsonArray(new JsonObject { ["capacityProvider"] = StagingProvider, ["weight"] = 1, ["base"] = 0 });
        }
        return request;
    }

    private static JsonObject ServiceRequest(string cluster, string service, string family, int desired) => new()
    {
        ["cluster"] = cluster,
        ["serviceName"] = service,
        ["taskDefinition"] = family,
        ["desiredCount"] = desired,
        ["launchType"] = "EC2",
        ["deploymentConfiguration"] = DeploymentConfiguration(cluster, service, withStrategy: false),
        ["placementStrategy"] = new JsonArray(
            new JsonObject { ["type"] = "spread", ["field"] = "attribute:ecs.availability-zone" },
            new JsonObject { ["type"] = "spread", ["field"] = "instanceId" }),
        ["enableECSManagedTags"] = true,
        ["propagateTags"] = "SERVICE",
        ["tags"] = new JsonArray(new JsonObject { ["key"] = "app", ["value"] = "mighty" }),
    };

    private static JsonObject DeploymentConfiguration(string cluster, string service, bool withStrategy = true)
    {
        var configuration = new JsonObject
        {
            ["deploymentCircuitBreaker"] = new JsonObject { ["enable"] = true, ["rollback"] = true },
            ["maximumPercent"] = 200,
            ["minimumHealthyPercent"] = 100,
        };
        if (withStrategy && Strategies.TryGetValue((cluster, service), out JsonObject? strategy))
        {
            foreach ((string name, JsonNode? value) in strategy)
            {
                configuration[name] = value?.DeepClone();
            }
        }
        return configuration;
    }

    private static JsonArray WebContainers(SandboxWorld world, string family, string tag) => new(
        Application(world, family, tag, ["bundle", "exec", "puma", "-C", "config/puma.rb"], cpu: 256, memory: 512, port: 3000),
        new JsonObject
        {
            ["name"] = "nginx",
            ["image"] = world.Image("nginx-proxy", tag).ToString(),
            ["cpu"] = 64,
            ["memoryReservation"] = 128,
            ["essential"] = true,
            ["links"] = new JsonArray("application"),
            ["portMappings"] = new JsonArray(new JsonObject { ["containerPort"] = 80, ["protocol"] = "tcp" }),
            ["logConfiguration"] = Logs(world, family, "nginx"),
        });

    private static JsonArray ApiContainers(SandboxWorld world, string family, string tag) => new(
        Application(world, family, tag, ["bundle", "exec", "puma", "-C", "config/puma.rb"], cpu: 256, memory: 512, port: 3000));

    private static JsonArray WorkerContainers(SandboxWorld world, string queue, string tag)
    {
        JsonObject sidekiq = Application(world, queue, tag, ["bundle", "exec", "sidekiq", "-q", queue], cpu: 128, memory: 448, port: null);
        sidekiq["name"] = "sidekiq";
        // Sidekiq finishes its jobs on SIGTERM within its 25 s timeout; give it room.
        sidekiq["stopTimeout"] = 30;
        sidekiq["logConfiguration"] = Logs(world, queue, "sidekiq");
        return new JsonArray(sidekiq);
    }

    private static JsonObject Application(SandboxWorld world, string family, string tag, string[] command, int cpu, int memory, int? port)
    {
        var container = new JsonObject
        {
            ["name"] = "application",
            ["image"] = world.Image("app", tag).ToString(),
            ["cpu"] = cpu,
            ["memoryReservation"] = memory,
            ["essential"] = true,
            ["command"] = new JsonArray(command.Select(c => (JsonNode?)c).ToArray()),
            ["environment"] = new JsonArray(
                new JsonObject { ["name"] = "RAILS_ENV", ["value"] = "production" },
                new JsonObject { ["name"] = "RAILS_LOG_TO_STDOUT", ["value"] = "1" }),
            ["logConfiguration"] = Logs(world, family, "application"),
        };
        if (port is int containerPort)
        {
            container["portMappings"] = new JsonArray(new JsonObject { ["containerPort"] = containerPort, ["protocol"] = "tcp" });
        }
        return container;
    }

    private static JsonObject Logs(SandboxWorld world, string family, string container) => new()
    {
        ["logDriver"] = "awslogs",
        ["options"] = new JsonObject
        {
            ["awslogs-group"] = $"/mighty/{family}",
            ["awslogs-region"] = world.Region,
            ["awslogs-stream-prefix"] = container,
        },
    };
}
