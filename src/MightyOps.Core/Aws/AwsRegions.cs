namespace MightyOps.Core.Aws;

/// <summary>Names for completion: the SDK's regions and the profiles in the shared config files.</summary>
public static class AwsRegions
{
    /// <summary>Region names AWSSDK.Core knows, sorted.</summary>
    public static IReadOnlyList<string> Names() => RegionResolver.KnownRegions;

    /// <summary>Profiles in ~/.aws/credentials and ~/.aws/config (or AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE) that can produce credentials; empty when the files are missing or unreadable.</summary>
    public static IReadOnlyList<string> ProfileNames()
    {
        try
        {
            return AwsProfiles.Names();
        }
        catch (MightyOpsException)
        {
            // Completion must never throw at the user.
            return [];
        }
    }
}
