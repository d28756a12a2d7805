using System.Collections.Concurrent;
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
    private static readonly ConcurrentDictionary<string, (DateTime At, IReadOnlyList<string> Names)> Cache = new();

    public static IReadOnlyList<string> Get(AwsOptions options, string list, Func<AwsSession, CancellationToken, Task<IReadOnlyList<string>>> fetch)
    {
        string key = string.Join('|', options.EndpointUrl, options.Region, options.ProfileName, Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL"), Environment.GetEnvironmentVariable("AWS_REGION"), Environment.GetEnvironmentVariable("AWS_PROFILE"), list);
        if (Cache.TryGetValue(key, out var hit) && DateTime.UtcNow - hit.At < Lifetime)
        {
            return hit.Names;
        }
        try
        {
            using var cts = new CancellationTokenSource(Timeout);
            IReadOnlyList<string> names = Task.Run(async () =>
            {
                using AwsSession aws = await AwsSession.CreateAsync(options, NullOperationLog.Instance, cts.Token).ConfigureAwait(false);
                return await fetch(aws, cts.Token).ConfigureAwait(false);
            }).WaitAsync(Timeout).GetAwaiter().GetResult();
            Cache[key] = (DateTime.UtcNow, names);
            return names;
        }
        catch (Exception e) when (e is MightyOpsException or OperationCanceledException or TimeoutException)
        {
            return [];
        }
    }
}
