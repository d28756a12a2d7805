using System.Management.Automation;
using MightyOps.Completers;
using MightyOps.Core;
using MightyOps.Core.Tagging;

namespace MightyOps.Commands.Tagging;

[Cmdlet(VerbsCommon.New, "MightyTag", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(MightyTag))]
public sealed class NewMightyTagCommand : MightyCmdlet
{
    // -Branch is first, as in Get-MightyTag: "New-MightyTag hotfix" names the branch in both.
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(ReleaseBranchCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Branch { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "RepositoryPath")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(GitRemoteCompleter))]
    [ValidateNotNullOrEmpty]
    public string Remote { get; set; } = "origin";

    [Parameter]
    [Alias("Revision")]
    [ValidateNotNullOrEmpty]
    public string? Commit { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Message { get; set; }

    [Parameter]
    public SwitchParameter NoPush { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var progress = new StatusProgress(this, 0x7A6, "New-MightyTag");
        try
        {
            var request = new TagRequest
            {
                Path = RepositoryLocation.Resolve(this, Path),
                Branch = Branch,
                Remote = Remote,
                Commit = Commit,
                Message = Message,
                NoPush = NoPush,
                Force = Force,
            };
            var tagger = new ReleaseTagger(Log);
            // The number is only known after reading the remote, so plan first, then ask.
            TagPlan plan = Run(progress.Tracking(ct => tagger.PlanAsync(request, progress.Reporter, ct)));
            if (plan.Existing is not null)
            {
                WriteObject(plan.Existing);
                return;
            }
            if (!ShouldProcess(plan.Target, plan.Action))
            {
                return;
            }
            WriteObject(Run(progress.Tracking(ct => tagger.CreateAsync(plan, progress.Reporter, ct))));
        }
        catch (MightyOpsException e)
        {
            // One repository failed; the next pipeline input may still work.
            WriteMightyError(e);
        }
        finally
        {
            progress.Complete();
        }
    }
}
