using MightyOps.Core.Aws;
using Xunit;

namespace MightyOps.Core.Tests.Aws;

public sealed class EndpointResolverTests
{
    [Theory]
    [InlineData("ecs", "us-east-1", "https://ecs.us-east-1.amazonaws.com/", "ecs")]
    [InlineData("ecr", "eu-west-1", "https://api.ecr.eu-west-1.amazonaws.com/", "ecr")]
    [InlineData("ecs", "cn-north-1", "https://ecs.cn-north-1.amazonaws.com.cn/", "ecs")]
    [InlineData("ecr", "cn-northwest-1", "https://api.ecr.cn-northwest-1.amazonaws.com.cn/", "ecr")]
    public void Without_overrides_the_public_endpoint_of_the_partition_is_used(string service, string region, string url, string signingName)
    {
        AwsServiceEndpoint endpoint = EndpointResolver.Resolve(service, region, null, Env());

        Assert.Equal(new Uri(url), endpoint.Url);
        Assert.Equal(signingName, endpoint.SigningName);
        Assert.Equal(region, endpoint.Region);
        Assert.False(endpoint.IsOverride);
    }

    [Fact]
    public void The_option_wins_over_every_variable_and_applies_to_every_service()
    {
        Func<string, string?> env = Env(("AWS_ENDPOINT_URL_ECS", "http://127.0.0.1:1111"), ("AWS_ENDPOINT_URL", "http://127.0.0.1:2222"));

        foreach (string service in new[] { "ecs", "ecr", "ec2", "s3" })
        {
            AwsServiceEndpoint endpoint = EndpointResolver.Resolve(service, "eu-west-2", "http://127.0.0.1:4566", env);
            Assert.Equal(new Uri("http://127.0.0.1:4566/"), endpoint.Url);
            Assert.Equal("-EndpointUrl", endpoint.Source);
            Assert.Equal("eu-west-2", endpoint.Region);
            Assert.True(endpoint.IsOverride);
        }
    }

    [Fact]
    public void A_service_variable_wins_over_the_global_one()
    {
        Func<string, string?> env = Env(("AWS_ENDPOINT_URL_ECS", "http://127.0.0.1:1111"), ("AWS_ENDPOINT_URL", "http://127.0.0.1:2222"));

        Assert.Equal(new Uri("http://127.0.0.1:1111/"), EndpointResolver.Resolve("ecs", "us-east-1", null, env).Url);
        Assert.Equal("AWS_ENDPOINT_URL_ECS", EndpointResolver.Resolve("ecs", "us-east-1", null, env).Source);
        Assert.Equal(new Uri("http://127.0.0.1:2222/"), EndpointResolver.Resolve("ecr", "us-east-1", null, env).Url);
        Assert.Equal("ecr", EndpointResolver.Resolve("ecr", "us-east-1", null, env).SigningName);
    }

    [Fact]
    public void Ignore_configured_endpoint_urls_turns_the_variables_off_but_not_the_option()
    {
        Func<string, string?> env = Env(("AWS_ENDPOINT_URL", "http://127.0.0.1:2222"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"));

        Assert.Equal(new Uri("https://ecs.us-east-1.amazonaws.com/"), EndpointResolver.Resolve("ecs", "us-east-1", null, env).Url);
        Assert.Equal(new Uri("http://127.0.0.1:9/"), EndpointResolver.Resolve("ecs", "us-east-1", "http://127.0.0.1:9", env).Url);
        Assert.False(EndpointResolver.AnyOverride(null, env));
    }

    [Theory]
    [InlineData("localhost:4566")]
    [InlineData("ftp://127.0.0.1/")]
    [InlineData("not a url")]
    [InlineData("http://127.0.0.1:4566/?x=1")]
    public void An_invalid_url_is_an_InvalidArgument_naming_the_value(string url)
    {
        var error = Assert.Throws<MightyOpsException>(() => EndpointResolver.Resolve("ecs", "us-east-1", null, Env(("AWS_ENDPOINT_URL", url))));

        Assert.Equal("AwsEndpointInvalid", error.ErrorId);
        Assert.Equal(MightyErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(url, error.Message, StringComparison.Ordinal);
        Assert.Contains("AWS_ENDPOINT_URL", error.Message, StringComparison.Ordinal);
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] values)
    {
        var map = values.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return name => map.GetValueOrDefault(name);
    }
}
