using System.Text.Json;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Aws.S3;
using MightyOps.Core.Config;

namespace MightyOps.Core.Deploy;

/// <summary>
/// What mighty.psd1 and the secrets add to a rendered task definition: the container settings
/// (Defaults, then the service's, then the container's) before the images, and the environment
/// and secrets after them. A service the file does not list under Services keeps its settings
/// and environment; only the secrets reach it.
/// </summary>
public sealed class ConfigRendering
{
    private readonly MightyConfig _config;
    private readonly SecretsDocument? _secrets;
    private readonly string _account;
    private readonly string _region;

    /// <param name="config">The loaded configuration (<see cref="MightyConfig.Empty"/> without a file).</param>
    /// <param name="secrets">The secrets document, read once per deploy; null when the config names none.</param>
    /// <param name="account">The account of the services (from their ARNs): whose ECR images count as the application's.</param>
    /// <param name="region">The session's region.</param>
    public ConfigRendering(MightyConfig config, SecretsDocument? secrets, string account, string region)
    {
        _config = config;
        _secrets = secrets;
        _account = account;
        _region = region;
    }

    /// <summary>The layer applied before the images: each container's configured settings.</summary>
    public Action<RegisterTaskDefinitionRequest> Settings(string service) => request =>
    {
        foreach (EcsContainerDefinition container in request.ContainerDefinitions ?? [])
        {
            if (_config.ContainerSettingsFor(service, container.Name ?? string.Empty) is not ContainerSettings settings)
            {
                continue;
            }
            container.Cpu = settings.Cpu ?? container.Cpu;
            container.Memory = settings.Memory ?? container.Memory;
            container.MemoryReservation = settings.MemoryReservation ?? container.MemoryReservation;
            container.Essential = settings.Essential ?? container.Essential;
            if (settings.Command is not null)
            {
                container.Command = [.. settings.Command];
            }
            if (settings.EntryPoint is not null)
            {
                container.EntryPoint = [.. settings.EntryPoint];
            }
            if (settings.PortMappings is not null)
            {
                // Container ports only: ECS picks the host port (dynamic mapping) in bridge mode.
                container.PortMappings = settings.PortMappings.Select(p => new EcsPortMapping { ContainerPort = p, Protocol = "tcp" }).ToList();
            }
            if (settings.LogConfiguration is LogSettings log)
            {
                container.LogConfiguration = new EcsLogConfiguration { LogDriver = log.LogDriver, Options = log.Options.ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal) };
            }
            if (settings.StopTimeout is int stopTimeout)
            {
                container.Other ??= new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                container.Other["stopTimeout"] = JsonSerializer.SerializeToElement(stopTimeout);
            }
        }
    };

    /// <summary>
    /// The layer applied after the images: the configured plain environment over the live one,
    /// then the secrets of <paramref name="service"/> for every container that runs an image of
    /// this account's ECR (the application's containers; a Docker Hub sidecar gets none). In
    /// EnvironmentFile mode the secrets go into the env file returned in <paramref name="file"/>
    /// and are removed from <c>environment</c>; a task definition without an execution role is
    /// refused, because ECS could not read the file.
    /// </summary>
    public Action<RegisterTaskDefinitionRequest> Environment(string service, Action<EnvironmentFile, S3Location> file) => request =>
    {
        SecretSet? secrets = _secrets?.For(service);
        SecretsSettings? delivery = _config.Secrets;
        foreach (EcsContainerDefinition container in request.ContainerDefinitions ?? [])
        {
            var plain = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (EcsKeyValuePair pair in container.Environment ?? [])
            {
                if (pair.Name is not null)
                {
                    plain[pair.Name] = pair.Value ?? string.Empty;
                }
            }
            foreach ((string key, string value) in _config.ContainerSettingsFor(service, container.Name ?? string.Empty)?.Environment ?? new Dictionary<string, string>())
            {
                plain[key] = value;
            }
            bool application = ImageReference.TryParse(container.Image, out ImageReference image) && image.IsInEcrOf(_account, _region);
            if (secrets is null || delivery is null || !application)
            {
                container.Environment = Pairs(plain);
                continue;
            }
            SecretDelivery delivered = SecretDelivery.Plan(plain, secrets, delivery.Mode, service, delivery.Source);
            container.Environment = Pairs(delivered.Environment);
            if (delivery.Mode != SecretsMode.EnvironmentFile)
            {
                continue;
            }
            // Replace the file an earlier deploy put there; keep env files of anyone else.
            string managed = ManagedPrefix(delivery.Source, service);
            List<EcsEnvironmentFile> files = (container.EnvironmentFiles ?? []).Where(f => f.Value is null || !f.Value.StartsWith(managed, StringComparison.Ordinal)).ToList();
            if (delivered.File is EnvironmentFile envFile)
            {
                if (string.IsNullOrEmpty(request.ExecutionRoleArn))
                {
                    throw new MightyOpsException(DeployErrorIds.ExecutionRoleRequired,
                        $"Service '{service}' gets its secrets as an S3 env file, but its task definition {request.Family} has no executionRoleArn, so ECS could not read the file and every task would fail to start. Give the task definition an execution role that may read {delivery.Source.Bucket} (s3:GetObject), or set Secrets.Mode = 'Environment' in the config.",
                        service);
                }
                S3Location location = envFile.LocationNextTo(delivery.Source);
                files.Add(new EcsEnvironmentFile { Value = $"arn:aws:s3:::{location.Bucket}/{location.Key}", Type = "s3" });
                file(envFile, delivery.Source);
            }
            container.EnvironmentFiles = files.Count > 0 ? files : null;
        }
    };

    private static string ManagedPrefix(S3Location source, string service)
    {
        string folder = source.Key.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? source.Key[..^5] : source.Key;
        return $"arn:aws:s3:::{source.Bucket}/{folder}/{service}-";
    }

    // In the order they came (the live ones first), so an unchanged environment compares equal.
    private static List<EcsKeyValuePair> Pairs(IReadOnlyDictionary<string, string> values) =>
        values.Select(v => new EcsKeyValuePair { Name = v.Key, Value = v.Value }).ToList();
}
