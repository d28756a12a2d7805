namespace MightyOps.Core.Aws;

/// <summary>Names for completion: the SDK's regions and the profiles in the shared config files.</summary>
public static class AwsRegions
{
    public static IReadOnlyList<string> Names() =>
        Amazon.RegionEndpoint.EnumerableAllRegions.Select(r => r.SystemName).ToList();

    public static IReadOnlyList<string> ProfileNames() =>
        throw new NotImplementedException();
}
