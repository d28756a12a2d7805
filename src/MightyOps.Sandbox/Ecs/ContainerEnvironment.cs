using System.Text;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Sandbox.Ecs;

/// <summary>
/// What the container agent does with a container's <c>environmentFiles</c> and
/// <c>environment</c> when a task starts: each file is read from the sandbox's S3 with the task's
/// execution role, parsed as <c>VAR=VALUE</c> lines, and the definition's own
/// <c>environment</c> is laid on top (ECS: "variables specified with the environment parameter
/// take precedence over the variables contained within an environment file").
/// </summary>
/// <remarks>
/// Files are applied in the order listed, a later file's value replacing an earlier one's for the
/// same name. The file format is ECS's: one <c>VAR=VALUE</c> per line, lines starting with
/// <c>#</c> and blank lines ignored, no quoting and no escapes (the value is everything after the
/// first <c>=</c>). A one-off task's container override comes last: its environment files replace
/// the definition's, and its environment is laid over everything (docs/design/one-off-tasks.md).
/// </remarks>
internal static class ContainerEnvironment
{
    /// <summary>The prefix of every failure, as the agent reports it in the task's stoppedReason.</summary>
    public const string FailurePrefix = "ResourceInitializationError: failed to download env files: ";

    /// <summary>
    /// The effective environment of <paramref name="container"/>, or null with
    /// <paramref name="error"/> set when an environment file cannot be read.
    /// </summary>
    public static Dictionary<string, string>? Resolve(SandboxWorld world, EcsTaskDefinition task, EcsContainerDefinition container, TaskOverrides? overrides, out string? error)
    {
        error = null;
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        string containerName = container.Name ?? string.Empty;
        foreach (EcsEnvironmentFile file in overrides?.EnvironmentFilesOf(containerName) ?? container.EnvironmentFiles ?? [])
        {
            string location = file.Value ?? string.Empty;
            if (task.ExecutionRoleArn is null)
            {
                // Without an execution role the agent has no credentials to read S3 with.
                error = FailurePrefix + "file download command: non empty error stream: NoCredentialProviders: no valid providers in chain " +
                    $"(the task definition has no executionRoleArn to read {location} with)";
                return null;
            }
            if (ReadObject(world, location, out string? readError) is not string content)
            {
                error = FailurePrefix + "file download command: non empty error stream: service call has been retried 5 time(s): " + readError;
                return null;
            }
            foreach ((string name, string value) in Parse(content))
            {
                environment[name] = value;
            }
        }
        foreach (EcsKeyValuePair variable in container.Environment ?? [])
        {
            if (variable.Name is not null)
            {
                environment[variable.Name] = variable.Value ?? string.Empty;
            }
        }
        foreach ((string variable, string value) in overrides?.EnvironmentOf(containerName) ?? [])
        {
            environment[variable] = value;
        }
        return environment;
    }

    /// <summary>The <c>VAR=VALUE</c> lines of an env file, in order.</summary>
    public static IEnumerable<(string Name, string Value)> Parse(string content)
    {
        foreach (string raw in content.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                yield return (line[..equals], line[(equals + 1)..]);
            }
        }
    }

    /// <summary>The text of an S3 object named by <c>arn:aws:s3:::bucket/key</c>.</summary>
    private static string? ReadObject(SandboxWorld world, string location, out string? error)
    {
        const string prefix = "arn:aws:s3:::";
        error = null;
        int slash = location.IndexOf('/', StringComparison.Ordinal);
        if (!location.StartsWith(prefix, StringComparison.Ordinal) || slash < 0)
        {
            error = $"InvalidArn: {location} is not an S3 object ARN (arn:aws:s3:::bucket/key.env) status code: 400";
            return null;
        }
        string bucketName = location[prefix.Length..slash];
        string key = location[(slash + 1)..];
        if (!world.Buckets.TryGetValue(bucketName, out SandboxBucket? bucket))
        {
            error = "NoSuchBucket: The specified bucket does not exist status code: 404";
            return null;
        }
        if (!bucket.Objects.TryGetValue(key, out SandboxObject? found))
        {
            error = "NoSuchKey: The specified key does not exist. status code: 404";
            return null;
        }
        return Encoding.UTF8.GetString(found.Content);
    }
}
