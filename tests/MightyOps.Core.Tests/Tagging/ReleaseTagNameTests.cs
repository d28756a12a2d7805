using MightyOps.Core;
using MightyOps.Core.Tagging;
using Xunit;

namespace MightyOps.Core.Tests.Tagging;

public class ReleaseTagNameTests
{
    [Theory]
    [InlineData("master", "master")]
    [InlineData("feature/login", "feature-login")]
    [InlineData("release.2", "release.2")]
    [InlineData("Fix_Bug-42", "Fix_Bug-42")]
    [InlineData("user/jane/fix@home", "user-jane-fix-home")]
    [InlineData("feature//double", "feature--double")]
    [InlineData("a..b", "a.b")]
    [InlineData("-lead", "lead")]
    [InlineData(".hidden/x", "hidden-x")]
    [InlineData("/x", "x")]
    [InlineData("trail.", "trail")]
    [InlineData("café/menu", "caf--menu")]
    [InlineData("émoji😀x", "moji-x")]
    [InlineData("with space", "with-space")]
    public void Branch_names_map_to_docker_safe_names(string branch, string expected)
    {
        Assert.Equal(expected, ReleaseTagName.ToTagBranch(branch));
    }

    [Theory]
    [InlineData("feature/login")]
    [InlineData("café/menu")]
    [InlineData("release.2")]
    [InlineData("a..b")]
    public void Mapped_names_are_valid_docker_tags_for_any_number(string branch)
    {
        string tag = ReleaseTagName.Format(ReleaseTagName.ToTagBranch(branch), int.MaxValue);
        Assert.Matches("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", tag);
        Assert.DoesNotContain("..", tag);
    }

    [Fact]
    public void The_mapping_is_idempotent_and_deterministic()
    {
        string once = ReleaseTagName.ToTagBranch("feature/Login.page//x");
        Assert.Equal(once, ReleaseTagName.ToTagBranch(once));
        Assert.Equal(once, ReleaseTagName.ToTagBranch("feature/Login.page//x"));
        Assert.True(ReleaseTagName.IsTagBranch(once));
        Assert.False(ReleaseTagName.IsTagBranch("feature/login"));
    }

    [Fact]
    public void Long_branch_names_are_cut_so_the_tag_fits_128_characters()
    {
        string branch = "feature/" + new string('x', 200);
        string safe = ReleaseTagName.ToTagBranch(branch);
        Assert.Equal(ReleaseTagName.MaxBranchLength, safe.Length);
        Assert.StartsWith("feature-xxx", safe, StringComparison.Ordinal);
        Assert.True(ReleaseTagName.Format(safe, int.MaxValue).Length <= 128);
    }

    [Fact]
    public void A_cut_never_ends_in_a_dot()
    {
        // 116 letters then a dot at position 117: the cut must not leave "x." (the tag would hold "..").
        string branch = new string('x', 116) + ".yyyy";
        string safe = ReleaseTagName.ToTagBranch(branch);
        Assert.Equal(new string('x', 116), safe);
    }

    [Theory]
    [InlineData("///")]
    [InlineData("ü")]
    [InlineData("...")]
    [InlineData("-")]
    public void A_name_with_nothing_usable_is_refused(string branch)
    {
        var e = Assert.Throws<MightyOpsException>(() => ReleaseTagName.ToTagBranch(branch));
        Assert.Equal("InvalidBranchName", e.ErrorId);
        Assert.Equal(MightyErrorKind.InvalidArgument, e.Kind);
    }

    [Theory]
    [InlineData("master.5", "master", 5)]
    [InlineData("master.10", "master", 10)]
    [InlineData("master.05", "master", 5)]
    [InlineData("release.2.1", "release.2", 1)]
    [InlineData("release.2", "release", 2)]
    [InlineData("feature-login.3", "feature-login", 3)]
    public void Exact_tags_of_a_branch_give_their_number(string tag, string branch, int number)
    {
        Assert.True(ReleaseTagName.TryGetNumber(tag, branch, out int n));
        Assert.Equal(number, n);
    }

    [Theory]
    [InlineData("master.5a", "master")]
    [InlineData("master.5.1", "master")]
    [InlineData("mastery.3", "master")]
    [InlineData("master.", "master")]
    [InlineData("master", "master")]
    [InlineData("master.-1", "master")]
    [InlineData("master.+1", "master")]
    [InlineData("master. 1", "master")]
    [InlineData("master.١", "master")]
    [InlineData("master.99999999999", "master")]
    [InlineData("Master.1", "master")]
    [InlineData("release.2.1", "release")]
    [InlineData("release.2", "release.2")]
    [InlineData("xmaster.1", "master")]
    public void Look_alike_tags_do_not_belong_to_the_branch(string tag, string branch)
    {
        Assert.False(ReleaseTagName.TryGetNumber(tag, branch, out _));
    }

    [Theory]
    [InlineData("master.5", "master", 5)]
    [InlineData("release.2.1", "release.2", 1)]
    [InlineData("feature-login.12", "feature-login", 12)]
    [InlineData("v1.2.3", "v1.2", 3)]
    public void Any_tag_splits_at_its_last_dot(string tag, string branch, int number)
    {
        Assert.True(ReleaseTagName.TryParse(tag, out string b, out int n));
        Assert.Equal(branch, b);
        Assert.Equal(number, n);
    }

    [Theory]
    [InlineData("master")]
    [InlineData("master.5a")]
    [InlineData(".5")]
    [InlineData("-x.5")]
    [InlineData("a..b.5")]
    [InlineData("feature/login.5")]
    public void Tags_that_are_not_release_tags_do_not_parse(string tag)
    {
        Assert.False(ReleaseTagName.TryParse(tag, out _, out _));
    }

    [Theory]
    [InlineData("v1.2", true)]
    [InlineData("1.2", true)]
    [InlineData("V10", true)]
    [InlineData("master", false)]
    [InlineData("release.2", false)]
    [InlineData("v2-hotfix", false)]
    public void Version_like_branch_parts_are_recognised(string branch, bool versionLike)
    {
        Assert.Equal(versionLike, ReleaseTagName.IsVersionLike(branch));
    }

    [Fact]
    public void The_next_number_compares_as_integers_and_ignores_look_alikes()
    {
        string[] tags = ["master.9", "master.10", "master.2", "master.11a", "master.12.1", "mastery.40", "release.99", "master.x"];
        Assert.Equal(11, ReleaseTagName.NextNumber(tags, "master"));
    }

    [Fact]
    public void Dotted_branches_are_numbered_apart_from_their_prefix()
    {
        string[] tags = ["release.1", "release.2", "release.2.1", "release.2.7", "release.3"];
        Assert.Equal(4, ReleaseTagName.NextNumber(tags, "release"));
        Assert.Equal(8, ReleaseTagName.NextNumber(tags, "release.2"));
        Assert.Equal(1, ReleaseTagName.NextNumber(tags, "release.3"));
    }

    [Fact]
    public void The_first_tag_of_a_branch_is_number_one()
    {
        Assert.Equal(1, ReleaseTagName.NextNumber([], "master"));
        Assert.Equal(1, ReleaseTagName.NextNumber(["main.4"], "master"));
    }

    [Fact]
    public void The_largest_number_has_no_successor()
    {
        var e = Assert.Throws<MightyOpsException>(() => ReleaseTagName.NextNumber(["master.2147483647"], "master"));
        Assert.Equal("TagNumberExhausted", e.ErrorId);
    }

    [Theory]
    [InlineData("feature/*", "feature-*")]
    [InlineData("feature/log?n", "feature-log?n")]
    [InlineData("release.[12]", "release.[12]")]
    [InlineData("a`*b/c", "a`*b-c")]
    public void Wildcard_patterns_keep_their_wildcards(string pattern, string expected)
    {
        Assert.Equal(expected, ReleaseTagName.ToTagBranchPattern(pattern));
    }
}
