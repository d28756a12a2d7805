using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using MightyOps.Core;
using MightyOps.Core.Aws;

namespace MightyOps.Completers;

/// <summary>
/// Names fetched from AWS for tab completion: cached for 30 seconds per endpoint, region, profile
/// and list, and abandoned after two seconds so a slow or unreachable endpoint never hangs the
/// prompt. Failures complete nothing rather than print errors at the prompt.
/// </summary>
internal static class RemoteNames
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    // What else decides where the names come from (start or stop a sandbox, switch accounts).
    private static readonly string[] KeyVariables =
        ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECS", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID"];

    private static readonly ConcurrentDictionary<string, (DateTime At, IReadOnlyList<string> Names)> Cache = new();

    public static IReadOnlyList<string> Get(AwsOptions options, string list, Func<AwsSession, CancellationToken, Task<IReadOnlyList<string>>> fetch)
    {
        // A session credentials object (Set-AWSCredential) counts by identity: its ToString() is no key.
        string? sessionCredentials = options.SessionCredentials switch
        {
            null => null,
            string name => name,
            object other => RuntimeHelpers.GetHashCode(other).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        string key = string.Join('|', [options.EndpointUrl, options.Region, options.ProfileName, options.ProfileLocation, options.SessionRegion, sessionCredentials, .. KeyVariables.Select(Environment.GetEnvironmentVariable), list]);
        if (Cache.TryGetValue(key, out var hit) && DateTime.UtcNow - hit.At < Lifetime)
        {
            return hit.Names;
        }
        IReadOnlyList<string>? names = Completions.Within(Timeout, async ct =>
        {
            using AwsSession aws = await AwsSession.CreateAsync(options, NullOperationLog.Instance, ct).ConfigureAwait(false);
            return await fetch(aws, ct).ConfigureAwait(false);
        });
        if (names is null)
        {
            return [];
        }
        Cache[key] = (DateTime.UtcNow, names);
        return names;
    }
}
