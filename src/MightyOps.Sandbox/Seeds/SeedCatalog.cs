namespace MightyOps.Sandbox.Seeds;

/// <summary>The named starting states of a sandbox.</summary>
internal static class SeedCatalog
{
    public static readonly IReadOnlyList<string> Names = ["demo", "empty"];

    public static bool IsKnown(string? seed) => seed is not null && Names.Contains(seed, StringComparer.OrdinalIgnoreCase);

    /// <summary>Fills the world; the caller holds <see cref="SandboxWorld.Sync"/>.</summary>
    public static void Apply(string seed, SandboxWorld world)
    {
        switch (seed.ToLowerInvariant())
        {
            case "demo":
                DemoSeed.Apply(world);
                break;
            case "empty":
                break;
            default:
                throw new ArgumentException($"Unknown seed '{seed}'.", nameof(seed));
        }
    }
}
