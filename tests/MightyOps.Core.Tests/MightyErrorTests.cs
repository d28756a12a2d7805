using MightyOps.Core.Aws;
using MightyOps.Core.Deploy;
using Xunit;

namespace MightyOps.Core.Tests;

/// <summary>An exception is built from a catalog entry, takes only the kinds the entry allows, and is caught by entry.</summary>
public sealed class MightyErrorTests
{
    [Fact]
    public void An_exception_carries_its_entrys_id_and_kind_unless_told_another_allowed_kind()
    {
        var plain = new MightyOpsException(AwsErrorIds.AwsEndpointUnreachable, "no answer");
        Assert.Equal(("AwsEndpointUnreachable", MightyErrorKind.Connection), (plain.ErrorId, plain.Kind));

        var timedOut = new MightyOpsException(AwsErrorIds.AwsEndpointUnreachable, MightyErrorKind.Timeout, "no answer in time");
        Assert.Equal(MightyErrorKind.Timeout, timedOut.Kind);
        Assert.Same(AwsErrorIds.AwsEndpointUnreachable, timedOut.Error);
    }

    [Fact]
    public void A_kind_the_entry_does_not_allow_is_a_bug_caught_where_the_exception_is_built()
    {
        ArgumentOutOfRangeException wrong = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new MightyOpsException(DeployErrorIds.ImageTagNotFound, MightyErrorKind.Timeout, "x"));
        Assert.Contains("ImageTagNotFound is never Timeout", wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Is_matches_the_entry_not_an_id_spelt_alike()
    {
        var e = new MightyOpsException(AwsErrorIds.S3BucketNotFound, "no bucket");
        Assert.True(e.Is(AwsErrorIds.S3BucketNotFound));
        Assert.False(e.Is(AwsErrorIds.S3ObjectNotFound));
        Assert.True(e.IsAny(AwsErrorIds.S3ObjectNotFound, AwsErrorIds.S3BucketNotFound));
        Assert.False(e.Is(new MightyError("S3BucketNotFound", "a look-alike outside the catalog", MightyErrorKind.NotFound)));
    }
}
