using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Tagging;

namespace MightyOps.Commands.Tagging;

[Cmdlet(VerbsCommon.Get, "MightyTag")]
[OutputType(typeof(MightyTag))]
public sealed class GetMightyTagCommand : MightyCmdlet
{
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ReleaseBranchCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Branch { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "RepositoryPath", "Repository")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    [Parameter]
    public SwitchParameter Latest { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(GitRemoteCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Remote { get; set; }

    protected override void ProcessRecord()
    {
        var progress = new StatusProgress(this, 0x7A7, "Get-MightyTag");
        try
        {
            string path = RepositoryLocation.Resolve(this, Path);
            var query = new ReleaseTagQuery(Log);
            IReadOnlyList<MightyTag> tags = Run(progress.Tracking(ct => query.GetAsync(path, Branch, Latest, Remote, e => Post(() => WriteMightyError(e)), progress.Reporter, ct)));
            foreach (MightyTag tag in tags)
            {
                WriteObject(tag);
            }
        }
        catch (MightyOpsException e)
        {
            WriteMightyError(e);
        }
        finally
        {
            progress.Complete();
        }
    }
}
