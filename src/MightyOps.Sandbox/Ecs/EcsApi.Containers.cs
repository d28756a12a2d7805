using System.Text;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Sandbox.Ecs;

/// <summary>A container as the Docker daemon on its instance would see it.</summary>
/// <param name="Name">The container name from the task definition.</param>
/// <param name="TaskArn">The task it belongs to.</param>
/// <param name="LastStatus">PENDING, RUNNING or STOPPED.</param>
/// <param name="Image">The image it runs.</param>
/// <param name="Environment">
/// The effective environment, in the order Docker applies it: the <c>environmentFiles</c> (read
/// from the sandbox's S3, in order), then the container's <c>environment</c>, a later value
/// replacing an earlier one.
/// </param>
public sealed record SandboxContainerView(string Name, string TaskArn, string LastStatus, string Image, IReadOnlyList<KeyValuePair<string, string>> Environment);

// Containers by Docker runtime id: not an ECS operation, the view the test rig's docker stand-in
// needs (the sandbox admin endpoint GET /_sandbox/containers/<runtimeId>).
public sealed partial class EcsApi
{
    /// <summary>The container with this Docker runtime id, or null. The caller holds <see cref="SandboxWorld.Sync"/>.</summary>
    public SandboxContainerView? Container(string runtimeId)
    {
        _sim.AdvanceTo(_world.Clock.UtcNow);
        foreach (ClusterState cluster in _sim.Clusters.Values)
        {
            foreach (TaskState task in cluster.Tasks.Values)
            {
                ContainerState? container = task.Containers.Find(c => c.RuntimeId == runtimeId);
                if (container is not null)
                {
                    return new SandboxContainerView(container.Name, task.Arn, container.LastStatus, container.Image, Environment(task, container.Name));
                }
            }
        }
        return null;
    }

    private List<KeyValuePair<string, string>> Environment(TaskState task, string container)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var order = new List<string>();
        void Set(string name, string value)
        {
            if (!values.ContainsKey(name))
            {
                order.Add(name);
            }
            values[name] = value;
        }

        EcsContainerDefinition? definition = task.TaskDefinition.Definition.ContainerDefinitions?.Find(c => c.Name == container);
        foreach (EcsEnvironmentFile file in definition?.EnvironmentFiles ?? [])
        {
            foreach ((string name, string value) in EnvironmentFile(file.Value))
            {
                Set(name, value);
            }
        }
        foreach (EcsKeyValuePair pair in definition?.Environment ?? [])
        {
            if (pair.Name is not null)
            {
                Set(pair.Name, pair.Value ?? string.Empty);
            }
        }
        return order.Select(n => new KeyValuePair<string, string>(n, values[n])).ToList();
    }

    // An environment file is an S3 object ARN (arn:aws:s3:::bucket/key) of KEY=VALUE lines; lines
    // starting with # and lines without '=' are skipped, as the ECS agent does.
    private IEnumerable<(string Name, string Value)> EnvironmentFile(string? arn)
    {
        const string prefix = "arn:aws:s3:::";
        if (arn is null || !arn.StartsWith(prefix, StringComparison.Ordinal))
        {
            yield break;
        }
        string path = arn[prefix.Length..];
        int slash = path.IndexOf('/');
        if (slash <= 0
            || !_world.Buckets.TryGetValue(path[..slash], out SandboxBucket? bucket)
            || !bucket.Objects.TryGetValue(path[(slash + 1)..], out SandboxObject? file))
        {
            yield break;
        }
        foreach (string line in Encoding.UTF8.GetString(file.Content).Split('\n'))
        {
            string text = line.TrimEnd('\r');
            int equals = text.IndexOf('=');
            if (text.StartsWith('#') || equals <= 0)
            {
                continue;
            }
            yield return (text[..equals], text[(equals + 1)..]);
        }
    }
}
