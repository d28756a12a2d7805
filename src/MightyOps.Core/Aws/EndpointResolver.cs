namespace MightyOps.Core.Aws;

/// <summary>Where one service's requests go and how they are signed.</summary>
/// <param name="Service">Display name: ECS, ECR, EC2, S3.</param>
/// <param name="SigningName">The SigV4 service name (ECR signs as <c>ecr</c>, not its host prefix <c>api.ecr</c>).</param>
/// <param name="Url">The endpoint base URL.</param>
/// <param name="Region">The region requests are signed for: the configured one, even with an override.</param>
/// <param name="IsOverride">True when the URL came from -EndpointUrl or an AWS_ENDPOINT_URL* variable.</param>
/// <param name="Source">Where the URL came from, for messages: <c>-EndpointUrl</c>, <c>AWS_ENDPOINT_URL_ECS</c>, <c>default</c>.</param>
public sealed record AwsServiceEndpoint(string Service, string SigningName, Uri Url, string Region, bool IsOverride, string Source);

/// <summary>
/// Endpoint per service, the way the AWS SDKs and CLI do it (the "service-specific endpoints"
/// feature): -EndpointUrl for every service, else <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>, else
/// <c>AWS_ENDPOINT_URL</c>, unless <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true</c>; else the
/// public endpoint of the region's partition (docs/design/ecs-json-protocol.md, "Endpoints").
/// </summary>
public static class EndpointResolver
{
    /// <summary>
    /// Resolves the endpoint of <paramref name="service"/> (<c>ecs</c>, <c>ecr</c>, <c>ec2</c>,
    /// <c>s3</c>, <c>logs</c>, or the query-protocol <c>autoscaling</c> and <c>elasticloadbalancing</c>).
    /// </summary>
    public static AwsServiceEndpoint Resolve(string service, string region, string? endpointUrl, Func<string, string?>? environment = null, string endpointOrigin = "-EndpointUrl")
    {
        environment ??= Environment.GetEnvironmentVariable;
        // The variable suffix is the SDKs' service id, upper-cased with '_' for spaces and hyphens:
        // AWS_ENDPOINT_URL_CLOUDWATCH_LOGS for CloudWatch Logs (AWS_ENDPOINT_URL_LOGS is honoured
        // too: it is what people write), AWS_ENDPOINT_URL_AUTO_SCALING, AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2.
        (string display, string signingName, string hostPrefix, string[] variables) = service.ToLowerInvariant() switch
        {
            "ecs" => ("ECS", "ecs", "ecs", new[] { "ECS" }),
            "ecr" => ("ECR", "ecr", "api.ecr", new[] { "ECR" }),
            "ec2" => ("EC2", "ec2", "ec2", new[] { "EC2" }),
            "s3" => ("S3", "s3", "s3", new[] { "S3" }),
            "logs" => ("CloudWatch Logs", "logs", "logs", new[] { "LOGS", "CLOUDWATCH_LOGS" }),
            "autoscaling" => ("Auto Scaling", "autoscaling", "autoscaling", new[] { "AUTO_SCALING" }),
            "elasticloadbalancing" => ("Elastic Load Balancing v2", "elasticloadbalancing", "elasticloadbalancing", new[] { "ELASTIC_LOAD_BALANCING_V2" }),
            _ => throw new ArgumentException($"No endpoint rule for service '{service}'.", nameof(service)),
        };

        (string? url, string source) = Configured(variables, endpointUrl, environment, endpointOrigin);
        if (url is not null)
        {
            return new AwsServiceEndpoint(display, signingName, Parse(url, source), region, true, source);
        }
        string dnsSuffix = Amazon.RegionEndpoint.GetBySystemName(region).PartitionDnsSuffix;
        if (string.IsNullOrEmpty(dnsSuffix))
        {
            dnsSuffix = "amazonaws.com";
        }
        return new AwsServiceEndpoint(display, signingName, new Uri($"https://{hostPrefix}.{region}.{dnsSuffix}/"), region, false, "default");
    }

    /// <summary>True when any endpoint override applies, so an unknown region name may be a local one on purpose.</summary>
    public static bool AnyOverride(string? endpointUrl, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        return new[] { "ECS", "ECR", "EC2", "S3", "LOGS", "CLOUDWATCH_LOGS", "AUTO_SCALING", "ELASTIC_LOAD_BALANCING_V2" }.Any(s => Configured([s], endpointUrl, environment).Url is not null);
    }

    private static (string? Url, string Source) Configured(string[] variables, string? endpointUrl, Func<string, string?> environment, string endpointOrigin = "-EndpointUrl")
    {
        if (!string.IsNullOrWhiteSpace(endpointUrl))
        {
            return (endpointUrl.Trim(), endpointOrigin);
        }
        if (string.Equals(environment("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            return (null, "default");
        }
        string? value;
        foreach (string specific in variables.Select(v => "AWS_ENDPOINT_URL_" + v))
        {
            value = environment(specific);
            if (!string.IsNullOrWhiteSpace(value))
            {
                return (value.Trim(), specific);
            }
        }
        value = environment("AWS_ENDPOINT_URL");
        return string.IsNullOrWhiteSpace(value) ? (null, "default") : (value.Trim(), "AWS_ENDPOINT_URL");
    }

    private static Uri Parse(string url, string source)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out Uri? uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && !string.IsNullOrEmpty(uri.Host)
            && string.IsNullOrEmpty(uri.Query))
        {
            // JSON 1.1 and the query protocol post to "/"; a path on the override (a proxy prefix) is kept, with one trailing slash.
            return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.GetLeftPart(UriPartial.Path) + "/");
        }
        throw new MightyOpsException(
            AwsErrorIds.AwsEndpointInvalid,
            $"The endpoint URL '{url}' from {source} is not an absolute http:// or https:// URL. Use something like http://127.0.0.1:4566 or https://ecs.us-east-1.amazonaws.com.",
            url);
    }
}
