using Amazon.Runtime.CredentialManagement;

namespace MightyOps.Core.Aws;

/// <summary>
/// The region, in the AWS CLI's order with AWS.Tools' session default after the parameter: -Region,
/// Set-DefaultAWSRegion ($StoredAWSRegion), AWS_REGION, AWS_DEFAULT_REGION (AWSSDK.Core alone
/// ignores it), then the <c>region</c> of the selected profile. No IMDS lookup:
/// a region guessed from the machine a runbook happens to run on is a surprise, not a default.
/// </summary>
public static class RegionResolver
{
    private static readonly Lazy<IReadOnlyList<string>> Known = new(() =>
        Amazon.RegionEndpoint.EnumerableAllRegions
            .Where(r => r.DisplayName != "Unknown" && !r.SystemName.EndsWith("-regional", StringComparison.Ordinal))
            .Select(r => r.SystemName)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList());

    /// <summary>Region names AWSSDK.Core knows (its partitions file), without the pseudo region us-east-1-regional.</summary>
    public static IReadOnlyList<string> KnownRegions => Known.Value;

    /// <summary>True when AWSSDK.Core knows the region name.</summary>
    public static bool IsKnown(string region) => Known.Value.Contains(region, StringComparer.Ordinal);

    /// <summary>
    /// Resolves and checks the region. An unknown name is an error unless an endpoint override is
    /// in use (a local endpoint may use any name), in which case it is a warning.
    /// </summary>
    public static (string Region, string Source) Resolve(AwsOptions options, IOperationLog log)
    {
        (string? region, string source) = Find(options);
        if (region is null)
        {
            string profile = AwsProfiles.SelectedName(options.ProfileName);
            throw new MightyOpsException(
                AwsErrorIds.AwsRegionNotSet,
                $"No AWS region is set. Pass -Region (for example -Region us-east-1), run Set-DefaultAWSRegion us-east-1 for this session, set $env:AWS_REGION, or add 'region = ...' to profile '{profile}' in {AwsProfiles.ConfigFilePath}.",
                profile);
        }

        string name = region.Trim().ToLowerInvariant();
        if (IsKnown(name))
        {
            return (name, source);
        }
        if (EndpointResolver.AnyOverride(options.EndpointUrl))
        {
            log.Warning($"Region '{name}' (from {source}) is not a region AWSSDK knows; requests go to the configured endpoint and are signed for '{name}'.");
            return (name, source);
        }
        string? suggestion = Suggest(name);
        throw new MightyOpsException(
            AwsErrorIds.AwsRegionInvalid,
            $"'{region}' (from {source}) is not an AWS region.{(suggestion is null ? string.Empty : $" Did you mean '{suggestion}'?")} Use a region name such as us-east-1 or eu-west-1 (Get-AWSRegion or 'aws ec2 describe-regions' lists them).",
            region);
    }

    private static (string? Region, string Source) Find(AwsOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Region))
        {
            return (options.Region, options.RegionOrigin);
        }
        if (!string.IsNullOrWhiteSpace(options.SessionRegion))
        {
            return (options.SessionRegion, "Set-DefaultAWSRegion");
        }
        foreach (string variable in new[] { "AWS_REGION", "AWS_DEFAULT_REGION" })
        {
            string? value = Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrWhiteSpace(value))
            {
                return (value, variable);
            }
        }
        string profileName = AwsProfiles.SelectedName(options.ProfileName);
        if (AwsProfiles.TryGet(profileName, out CredentialProfile? profile) && profile.Region is { } endpoint && !string.IsNullOrEmpty(endpoint.SystemName))
        {
            return (endpoint.SystemName, $"profile '{profileName}'");
        }
        return (null, string.Empty);
    }

    private static string? Suggest(string name)
    {
        (string Region, int Distance) best = Known.Value
            .Select(r => (r, Distance(r, name)))
            .MinBy(p => p.Item2);
        return best.Region is not null && best.Distance <= 2 ? best.Region : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
