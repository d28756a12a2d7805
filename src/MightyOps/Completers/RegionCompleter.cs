using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using MightyOps.Core;
using MightyOps.Core.Aws;

namespace MightyOps.Completers;

/// <summary>Completes -Region from the regions the AWS SDK knows.</summary>
public sealed class RegionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completions.Matching(RegionResolver.KnownRegions, wordToComplete);
}

/// <summary>Completes -ProfileName from ~/.aws/config and ~/.aws/credentials.</summary>
public sealed class ProfileCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            return Completions.Matching(AwsProfiles.Names(), wordToComplete);
        }
        catch (MightyOpsException)
        {
            // An unreadable config file completes nothing; the cmdlet itself will say what is wrong.
            return [];
        }
    }
}
