namespace MightyOps.Sandbox.AutoScaling;

/// <summary>An EC2 Auto Scaling group of the sandbox: its size, its instances and what it launches.</summary>
internal sealed class SandboxAutoScalingGroup
{
    public required string Name { get; init; }

    public required string Arn { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public int MinSize { get; set; }

    public int MaxSize { get; set; }

    public int DesiredCapacity { get; set; }

    /// <summary>The zones it launches into, e.g. <c>us-east-1a</c>.</summary>
    public required IReadOnlyList<string> AvailabilityZones { get; init; }

    /// <summary>What its launch template launches.</summary>
    public required SandboxLaunchSpec Launch { get; init; }

    /// <summary>Group tags (key, value, propagated to the instances it launches).</summary>
    public List<(string Key, string Value, bool Propagate)> Tags { get; } = [];

    /// <summary>Its instances, launch order; terminated ones leave the list.</summary>
    public List<SandboxGroupInstance> Instances { get; } = [];

    /// <summary>Scaling activities, newest first.</summary>
    public List<SandboxScalingActivity> Activities { get; } = [];

    public int DefaultCooldown { get; init; } = 300;

    public int HealthCheckGracePeriod { get; init; } = 300;

    /// <summary>The instances that count against the desired capacity: not terminating.</summary>
    public IEnumerable<SandboxGroupInstance> Counted => Instances.Where(i => i.LifecycleState is "Pending" or "InService");
}

/// <summary>What a group's launch template says: the instance type, Spot or On-Demand, and the ECS agent's configuration in the user data.</summary>
internal sealed class SandboxLaunchSpec
{
    public required string LaunchTemplateName { get; init; }

    public required string LaunchTemplateId { get; init; }

    public string Version { get; init; } = "1";

    public required string InstanceType { get; init; }

    public string ImageId { get; init; } = "ami-0c5ee33c81cf67a7f";

    /// <summary>True for Spot Instances (EC2's <c>instanceLifecycle</c> spot).</summary>
    public bool Spot { get; init; }

    /// <summary>ECS_CLUSTER: the cluster the agent registers with.</summary>
    public required string Cluster { get; init; }

    /// <summary>ECS_RESERVED_MEMORY: MiB the agent keeps out of what it registers.</summary>
    public int ReservedMemoryMiB { get; init; }

    /// <summary>ECS_INSTANCE_ATTRIBUTES: custom attributes the agent registers the instance with.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public string KeyName { get; init; } = "mighty-ops";
}

/// <summary>An instance of a group and where it is in the group's lifecycle.</summary>
internal sealed class SandboxGroupInstance
{
    public required string InstanceId { get; init; }

    public required string AvailabilityZone { get; init; }

    /// <summary>Pending, InService, Terminating.</summary>
    public string LifecycleState { get; set; } = "Pending";

    public bool ProtectedFromScaleIn { get; init; }
}

/// <summary>One scaling activity: a launch or a termination.</summary>
internal sealed class SandboxScalingActivity
{
    public required string ActivityId { get; init; }

    public required string Description { get; init; }

    public required string Cause { get; init; }

    public required DateTimeOffset StartTime { get; init; }

    public DateTimeOffset? EndTime { get; set; }

    /// <summary>InProgress, Successful, ...</summary>
    public string StatusCode { get; set; } = "InProgress";

    public int Progress { get; set; }

    public required string Details { get; init; }
}

/// <summary>An ECS capacity provider of the sandbox over one of its Auto Scaling groups.</summary>
internal sealed class SandboxCapacityProvider
{
    public required string Name { get; init; }

    public required string Arn { get; init; }

    public required string GroupName { get; init; }

    /// <summary>Managed scaling: ECS sets the group's capacity for the tasks of services that use the provider.</summary>
    public bool ManagedScaling { get; init; }

    public int TargetCapacity { get; init; } = 100;

    public int MinimumScalingStepSize { get; init; } = 1;

    public int MaximumScalingStepSize { get; init; } = 10_000;

    public int InstanceWarmupPeriod { get; init; } = 300;
}
