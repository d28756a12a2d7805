using MightyOps.Core.Tagging;
using Xunit;

namespace MightyOps.Core.Tests.Tagging;

public class GitOutputParsingTests
{
    private const string A = "1111111111111111111111111111111111111111";
    private const string B = "2222222222222222222222222222222222222222";
    private const string C = "3333333333333333333333333333333333333333";

    [Fact]
    public void Ls_remote_pairs_annotated_tags_with_their_peeled_commit()
    {
        string output = $"{A}\trefs/tags/master.1\n{B}\trefs/tags/master.1^{{}}\n{C}\trefs/tags/master.2\n{A}\trefs/heads/master\n";
        IReadOnlyList<GitTag> tags = GitRepository.ParseLsRemote(output);
        Assert.Equal(2, tags.Count);
        Assert.Equal(new GitTag("master.1", A, B) { Annotated = true }, tags[0]);
        Assert.Equal(new GitTag("master.2", C, C), tags[1]);
    }

    [Fact]
    public void For_each_ref_records_carry_date_tagger_subject_and_branch_trailer()
    {
        string output =
            $"feature-login.3\0tag\0{A}\0{B}\02025-03-04T05:06:07+01:00\0Jane Doe\0<jane@example.com>\0Release feature-login.3\0feature/login\n"
            + $"master.1\0commit\0{C}\0\02025-01-01T00:00:00+00:00\0\0\0the commit's subject\0Some-Trailer\n";
        IReadOnlyList<GitTag> tags = GitRepository.ParseForEachRef(output);

        GitTag annotated = tags[0];
        Assert.True(annotated.Annotated);
        Assert.Equal(A, annotated.ObjectId);
        Assert.Equal(B, annotated.Commit);
        Assert.Equal(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.FromHours(1)), annotated.Date);
        Assert.Equal("Jane Doe <jane@example.com>", annotated.Tagger);
        Assert.Equal("Release feature-login.3", annotated.Subject);
        Assert.Equal("feature/login", annotated.SourceBranch);

        GitTag lightweight = tags[1];
        Assert.False(lightweight.Annotated);
        Assert.Equal(C, lightweight.Commit);
        Assert.Equal(string.Empty, lightweight.Tagger);
        Assert.Equal(string.Empty, lightweight.Subject);
        Assert.Equal(string.Empty, lightweight.SourceBranch);
    }

    [Theory]
    [InlineData("To /o.git\n*\trefs/tags/master.5:refs/tags/master.5\t[new tag]\nDone\n", '*', true, false)]
    [InlineData("To /o.git\n!\trefs/tags/master.5:refs/tags/master.5\t[rejected] (already exists)\nDone\n", '!', false, true)]
    [InlineData("To /o.git\n!\trefs/tags/master.5:refs/tags/master.5\t[remote rejected] (pre-receive hook declined)\nDone\n", '!', false, true)]
    [InlineData("To /o.git\n=\trefs/tags/master.5:refs/tags/master.5\t[up to date]\nDone\n", '=', false, true)]
    [InlineData("", '?', false, false)]
    [InlineData("To /o.git\n*\trefs/tags/master.50:refs/tags/master.50\t[new tag]\n", '?', false, false)]
    public void Push_porcelain_is_read_for_our_ref_only(string output, char flag, bool accepted, bool rejected)
    {
        PushStatus status = PushStatus.Parse(output, "master.5");
        Assert.Equal(flag, status.Flag);
        Assert.Equal(accepted, status.Accepted);
        Assert.Equal(rejected, status.Rejected);
    }
}
