using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MightyOps.Sandbox.Ecs;

namespace MightyOps.Sandbox.Seeds;

/// <summary>
/// The demo world: ECR repositories <c>app</c> (the Rails/Sidekiq image every service runs) and
/// <c>nginx-proxy</c> (WEB's front container), each with release tags <c>master.1</c> to
/// <c>master.4</c> pushed a week apart and a <c>broken.1</c> image that never starts; the S3
/// bucket <c>mighty-secrets</c> with <c>production.json</c>; then the ECS side (cluster
/// <c>production</c>, WEB, API, 30 Sidekiq workers, container instances and their EC2 hosts),
/// which is applied last because it refers to the images.
/// </summary>
internal static class DemoSeed
{
    public const string AppRepository = "app";
    public const string ProxyRepository = "nginx-proxy";
    public const string SecretsBucket = "mighty-secrets";
    public const string SecretsKey = "production.json";
    public const string BrokenTag = "broken.1";
    public static readonly IReadOnlyList<string> ReleaseTags = ["master.1", "master.2", "master.3", "master.4"];

    public static void Apply(SandboxWorld world)
    {
        DateTimeOffset now = world.Clock.UtcNow;
        PushImages(world, now);

        var bucket = new SandboxBucket { Name = SecretsBucket, CreatedAt = now.AddDays(-180) };
        world.Buckets[SecretsBucket] = bucket;
        byte[] secrets = Encoding.UTF8.GetBytes(SecretsDocument().ToJsonString(new() { WriteIndented = true }));
        bucket.Objects[SecretsKey] = new SandboxObject
        {
            Key = SecretsKey,
            Content = secrets,
            ContentType = "application/json",
            ETag = "\"" + Convert.ToHexString(MD5.HashData(secrets)).ToLowerInvariant() + "\"",
            LastModified = now.AddDays(-3),
        };

        EcsDemoSeed.Apply(world, new EcsApi(world));
    }

    /// <summary>
    /// The demo registry: <c>app</c> and <c>nginx-proxy</c> with <c>master.1</c> to <c>master.4</c>
    /// a week apart, an untagged older build, and <c>broken.1</c> builds that never start. Also
    /// what <see cref="EcsDemoSeed"/> pushes when it runs on a world without them.
    /// </summary>
    public static void PushImages(SandboxWorld world, DateTimeOffset now)
    {
        foreach (string name in new[] { AppRepository, ProxyRepository })
        {
            world.Repositories[name] = new SandboxRepository { Name = name, CreatedAt = now.AddDays(-180) };
        }

        // An older build whose tag was moved on: DescribeImages shows it as UNTAGGED.
        SandboxImage orphan = ImageFactory.Push(world, AppRepository, "master.0", pushedAt: now.AddDays(-35));
        orphan.Tags.Clear();

        for (int i = 0; i < ReleaseTags.Count; i++)
        {
            DateTimeOffset pushedAt = now.AddDays(-28 + (7 * i)).AddHours(i);
            ImageFactory.Push(world, AppRepository, ReleaseTags[i], pushedAt: pushedAt);
            ImageFactory.Push(world, ProxyRepository, ReleaseTags[i], pushedAt: pushedAt.AddMinutes(3));
        }

        // Builds that pass CI but crash on boot, so a failed deployment and its rollback can be shown.
        ImageFactory.Push(world, AppRepository, BrokenTag, failsToStart: true, pushedAt: now.AddDays(-1));
        ImageFactory.Push(world, ProxyRepository, BrokenTag, failsToStart: true, pushedAt: now.AddDays(-1).AddMinutes(3));
    }

    /// <summary>Shared secrets for every service, and per-service ones (merged last-wins by the deploy).</summary>
    private static JsonObject SecretsDocument() => new()
    {
        ["shared"] = new JsonObject
        {
            ["DATABASE_URL"] = "postgres://mighty:Xq8vR2mN4kL7pW1z@mighty-production.cluster-c9akexample.us-east-1.rds.amazonaws.com:5432/mighty_production",
            ["REDIS_URL"] = "redis://sidekiq.internal:6379/0",
            ["SECRET_KEY_BASE"] = "9f4c2b7e1d8a6f3c5e0b9d2a7c4f1e8b3d6a9c2f5e8b1d4a7c0f3e6b9d2a5c8f1e4b7d0a3c6f9e2b5d8a1c4f7e0b3d6a9c2f5e8b1d4a7c0f3e6b9d2a5c8f1e4b",
            ["RAILS_MASTER_KEY"] = "3b8e1f6a9d2c5e7b0a4f8d1c6e9b2a5f",
            ["SENTRY_DSN"] = "https://4f9e2c7b1a8d4e6f@o482213.ingest.sentry.io/5531204",
            ["AWS_S3_UPLOADS_BUCKET"] = "mighty-production-uploads",
        },
        ["WEB"] = new JsonObject
        {
            ["WEB_CONCURRENCY"] = "3",
            ["RAILS_MAX_THREADS"] = "5",
            ["SESSION_COOKIE_DOMAIN"] = ".mightyapp.example",
            ["STRIPE_SECRET_KEY"] = "sk_live_51Hx9EXAMPLEq7TzLwR4vN8mK2pJ6sD0fG3hY5uC1bV",
        },
        ["API"] = new JsonObject
        {
            ["RAILS_MAX_THREADS"] = "8",
            ["API_RATE_LIMIT_PER_MINUTE"] = "600",
            ["JWT_SIGNING_KEY"] = "c2b9f7e4a1d8c5b2f9e6a3d0c7b4f1e8",
        },
    };
}
