using System.Management.Automation;
using System.Collections.ObjectModel;

namespace MightyOps.Commands;

/// <summary>
/// The session defaults of AWS Tools for PowerShell, read as plain variables so that AWS.Tools is
/// never loaded for them: <c>$StoredAWSRegion</c> (Set-DefaultAWSRegion) and
/// <c>$StoredAWSCredentials</c> (Set-AWSCredential).
/// </summary>
internal static class AwsToolsSession
{
    private const string RegionVariable = "StoredAWSRegion";
    private const string CredentialsVariable = "StoredAWSCredentials";

    /// <summary>The region and credentials as a cmdlet sees them (its scope chain).</summary>
    public static (string? Region, object? Credentials) Read(SessionState sessionState) =>
        (Unwrap(sessionState.PSVariable.GetValue(RegionVariable)) as string, Unwrap(sessionState.PSVariable.GetValue(CredentialsVariable)));

    /// <summary>
    /// As <see cref="Read(SessionState)"/>, for argument completers, which get no SessionState and
    /// may not use the runspace's SessionStateProxy (a pipeline, the completion, is running): a
    /// script block run on the prompt's thread reads the variables instead. Nothing when that fails.
    /// </summary>
    public static (string? Region, object? Credentials) ReadForCompletion()
    {
        try
        {
            Collection<PSObject> values = ScriptBlock.Create($"${RegionVariable}; ${CredentialsVariable}").Invoke();
            return values.Count == 2 ? (Unwrap(values[0]) as string, Unwrap(values[1])) : (null, null);
        }
        catch (RuntimeException)
        {
            return (null, null);
        }
    }

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;
}
