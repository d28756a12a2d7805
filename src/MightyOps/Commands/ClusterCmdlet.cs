using System.Management.Automation;
using MightyOps.Completers;

namespace MightyOps.Commands;

/// <summary>
/// Base of the cmdlets whose -Cluster is the plain one: optional, by name or ARN, bound from the
/// <c>Cluster</c>/<c>ClusterArn</c>/<c>ClusterName</c> property of piped objects, tab-completed.
/// Declared once here; the cmdlets that need it in a parameter set or at a position of its own
/// (Get-MightyService, the rollout cmdlets) declare it alike, which a Pester test checks
/// (docs/design/targeting.md, "One -Cluster, one -Service").
/// </summary>
public abstract class ClusterCmdlet : AwsCmdlet
{
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ClusterArn", "ClusterName")]
    [ArgumentCompleter(typeof(ClusterCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Cluster { get; set; }
}
