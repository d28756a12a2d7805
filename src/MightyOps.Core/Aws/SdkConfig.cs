using Amazon.Runtime;

namespace MightyOps.Core.Aws;

/// <summary>The AWSSDK client settings the SDK-based clients (S3, EC2) share.</summary>
internal static class SdkConfig
{
    /// <summary>
    /// A config that sends to <paramref name="endpoint"/> and signs for its region. The SDK makes
    /// one attempt per call: retries, their backoff and quota, the per-attempt timeout and the
    /// error mapping are the module's own (<see cref="AwsRetryLoop"/>, docs/design/retries-and-timeouts.md).
    /// </summary>
    public static TConfig For<TConfig>(AwsServiceEndpoint endpoint)
        where TConfig : ClientConfig, new()
    {
        var config = new TConfig
        {
            // Our EndpointResolver already applied -EndpointUrl and AWS_ENDPOINT_URL*; the SDK must not apply them again differently.
            IgnoreConfiguredEndpointUrls = true,
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = 0,
        };
        if (endpoint.IsOverride)
        {
            config.ServiceURL = endpoint.Url.ToString();
            // Setting ServiceURL clears the region; without this the SDK signs for us-east-1 (docs/design/aws-sdk-notes.md).
            config.AuthenticationRegion = endpoint.Region;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(endpoint.Region);
        }
        return config;
    }
}
