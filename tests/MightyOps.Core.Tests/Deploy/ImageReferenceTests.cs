using MightyOps.Core.Deploy;
using Xunit;

namespace MightyOps.Core.Tests.Deploy;

/// <summary>
/// The image forms a task definition can name (docs/design/image-references.md), one row each:
/// how the text splits, the repository Docker resolves it to, the ECR account and region, and
/// that writing it back gives the same text.
/// </summary>
public sealed class ImageReferenceTests
{
    private const string Sha = "sha256:0d2d0fd0b9a5de3b9fa8dd2b14b6a3efc5f15e0fa4f1c44a9b6b4d5c9f7e1a2b";
    private const string Ecr = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

    public static TheoryData<string, string?, string, string?, string?, string, string?, string?> Forms => new()
    {
        // text, registry, repository, tag, digest, name as Docker resolves it, ECR account, ECR region
        { "nginx", null, "nginx", null, null, "docker.io/library/nginx", null, null },
        { "nginx:1.25", null, "nginx", "1.25", null, "docker.io/library/nginx", null, null },
        { $"nginx@{Sha}", null, "nginx", null, Sha, "docker.io/library/nginx", null, null },
        { $"nginx:1.25@{Sha}", null, "nginx", "1.25", Sha, "docker.io/library/nginx", null, null },
        { "datadog/agent:7", null, "datadog/agent", "7", null, "docker.io/datadog/agent", null, null },
        { "docker.io/library/nginx:1.25", "docker.io", "library/nginx", "1.25", null, "docker.io/library/nginx", null, null },
        { "docker.io/nginx", "docker.io", "nginx", null, null, "docker.io/library/nginx", null, null },
        { "index.docker.io/datadog/agent:7.1", "index.docker.io", "datadog/agent", "7.1", null, "docker.io/datadog/agent", null, null },
        { "public.ecr.aws/nginx/nginx:1.25", "public.ecr.aws", "nginx/nginx", "1.25", null, "public.ecr.aws/nginx/nginx", null, null },
        { "public.ecr.aws/docker/library/redis:7", "public.ecr.aws", "docker/library/redis", "7", null, "public.ecr.aws/docker/library/redis", null, null },
        { $"{Ecr}/app:master.5", Ecr, "app", "master.5", null, $"{Ecr}/app", "123456789012", "us-east-1" },
        { $"{Ecr}/app", Ecr, "app", null, null, $"{Ecr}/app", "123456789012", "us-east-1" },
        { $"{Ecr}/team/app@{Sha}", Ecr, "team/app", null, Sha, $"{Ecr}/team/app", "123456789012", "us-east-1" },
        { $"{Ecr}/app:master.5@{Sha}", Ecr, "app", "master.5", Sha, $"{Ecr}/app", "123456789012", "us-east-1" },
        { "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1", "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "app", "1", null, "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app", "123456789012", "cn-north-1" },
        { "localhost:5000/app:1", "localhost:5000", "app", "1", null, "localhost:5000/app", null, null },
        { "localhost/app", "localhost", "app", null, null, "localhost/app", null, null },
        { "registry.example.com:5000/team/app:1.0", "registry.example.com:5000", "team/app", "1.0", null, "registry.example.com:5000/team/app", null, null },
        { "[::1]:5000/app:1", "[::1]:5000", "app", "1", null, "[::1]:5000/app", null, null },
        { "Registry/app", "Registry", "app", null, null, "Registry/app", null, null },
        { $"ghcr.io/acme/app:1.0@{Sha}", "ghcr.io", "acme/app", "1.0", Sha, "ghcr.io/acme/app", null, null },
        // Not ECR: another host spelling (an ECR FIPS endpoint), an account that is not 12 digits.
        { "123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/app:1", "123456789012.dkr.ecr-fips.us-east-1.amazonaws.com", "app", "1", null, "123456789012.dkr.ecr-fips.us-east-1.amazonaws.com/app", null, null },
        { "12345.dkr.ecr.us-east-1.amazonaws.com/app:1", "12345.dkr.ecr.us-east-1.amazonaws.com", "app", "1", null, "12345.dkr.ecr.us-east-1.amazonaws.com/app", null, null },
    };

    [Theory]
    [MemberData(nameof(Forms))]
    public void An_image_splits_into_its_parts_and_is_written_back_as_it_came(
        string text, string? registry, string repository, string? tag, string? digest, string name, string? account, string? region)
    {
        ImageReference image = ImageReference.Parse(text);
        Assert.Equal((registry, repository, tag, digest), (image.Registry, image.Repository, image.Tag, image.Digest));
        Assert.Equal(name, image.Name);
        Assert.Equal((account, region), (image.EcrAccount, image.EcrRegion));
        Assert.Equal(text, image.ToString());
    }

    [Theory]
    [InlineData("app", "latest", "latest")]
    [InlineData("app:master.5", "master.5", "master.5")]
    [InlineData("app@" + Sha, "latest", Sha)]
    [InlineData("app:master.5@" + Sha, "master.5", Sha)]
    public void A_pull_by_tag_asks_for_latest_when_none_is_written_and_a_digest_is_what_runs(string text, string pulledTag, string tagOrDigest)
    {
        ImageReference image = ImageReference.Parse(text);
        Assert.Equal((pulledTag, tagOrDigest), (image.PulledTag, image.TagOrDigest));
    }

    [Theory]
    [InlineData("123456789012", "us-east-1", Ecr + "/app:master.5")]
    [InlineData("123456789012", "cn-north-1", "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:master.5")]
    public void An_ECR_image_is_written_with_the_registry_of_its_partition(string account, string region, string expected)
    {
        ImageReference image = ImageReference.InEcr(account, region, "app", "master.5");
        Assert.Equal(expected, image.ToString());
        Assert.True(image.IsInEcrOf(account, region));
        Assert.False(image.IsInEcrOf(account, "eu-west-1"));
        Assert.False(image.IsInEcrOf("210987654321", region));
    }

    [Fact]
    public void A_new_tag_keeps_the_registry_as_written_and_drops_the_digest()
    {
        Assert.Equal("index.docker.io/datadog/agent:7.2", ImageReference.Parse("index.docker.io/datadog/agent:7.1").WithTag("7.2").ToString());
        Assert.Equal($"{Ecr}/app:master.6", ImageReference.Parse($"{Ecr}/app:master.5@{Sha}").WithTag("master.6").ToString());
        Assert.Equal("localhost:5000/app:2", ImageReference.Parse("localhost:5000/app").WithTag("2").ToString());
    }

    [Fact]
    public void Empty_text_is_no_image()
    {
        Assert.False(ImageReference.TryParse(null, out _));
        Assert.False(ImageReference.TryParse(string.Empty, out _));
        Assert.Throws<ArgumentException>(() => ImageReference.Parse(string.Empty));
    }
}
