using System.Reflection;
using Amazon.Runtime;

namespace MightyOps.Core.Aws;

/// <summary>
/// An AWSCredentials object that belongs to someone else's AWSSDK.Core (AWS Tools for PowerShell
/// loads its own copy into PowerShell's default load context; MightyOps has its own in its own
/// context), used as a credentials provider of ours.
/// </summary>
/// <remarks>
/// The two AWSCredentials types are different types even when the versions match, so the object
/// is never cast: its public <c>GetCredentialsAsync()</c> (or <c>GetCredentials()</c>, the only
/// one in AWSSDK.Core 3.x before 3.1) is called by reflection, and the AccessKey, SecretKey,
/// Token and UseToken properties of the ImmutableCredentials it returns are read the same way.
/// Every call asks the object again, so refreshing providers (assumed roles, SSO) keep working.
/// AWS.Tools' <c>$StoredAWSCredentials</c> holds an <c>AWSPSCredentials</c> wrapper whose
/// credentials sit in a non-public <c>Credentials</c> property; it is unwrapped here too.
/// </remarks>
internal sealed class ForeignCredentials : AWSCredentials
{
    private readonly object _source;
    private readonly string _description;
    private readonly MethodInfo? _getAsync;
    private readonly MethodInfo? _get;

    private ForeignCredentials(object source, string description, MethodInfo? getAsync, MethodInfo? get)
    {
        _source = source;
        _description = description;
        _getAsync = getAsync;
        _get = get;
    }

    /// <summary>
    /// Wraps <paramref name="value"/>, or throws <c>AwsCredentialsInvalid</c> when it is not a
    /// credentials object (no GetCredentials method, directly or in a Credentials property).
    /// </summary>
    public static ForeignCredentials From(object value, string description)
    {
        ArgumentNullException.ThrowIfNull(value);
        object source = Unwrap(value);
        Type type = source.GetType();
        MethodInfo? getAsync = type.GetMethod("GetCredentialsAsync", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
        MethodInfo? get = type.GetMethod("GetCredentials", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
        if (getAsync is null && get is null)
        {
            throw new MightyOpsException(AwsErrorIds.AwsCredentialsInvalid,
                $"{AwsErrors.Capitalize(description)} is a {value.GetType().FullName}, not AWS credentials. Pass an AWSCredentials object (New-AWSCredential, Get-AWSCredential -ProfileName x), or use -ProfileName, or -AccessKey with -SecretKey.",
                description);
        }
        return new ForeignCredentials(source, description, getAsync, get);
    }

    public override ImmutableCredentials GetCredentials() => GetCredentialsAsync().GetAwaiter().GetResult();

    public override async Task<ImmutableCredentials> GetCredentialsAsync()
    {
        object? result;
        try
        {
            if (_getAsync is not null)
            {
                var task = (Task)_getAsync.Invoke(_source, null)!;
                await task.ConfigureAwait(false);
                result = task.GetType().GetProperty("Result")?.GetValue(task);
            }
            else
            {
                result = _get!.Invoke(_source, null);
            }
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new AmazonClientException($"{AwsErrors.Capitalize(_description)} could not produce keys: {e.InnerException.Message}", e.InnerException);
        }
        if (result is null)
        {
            throw new AmazonClientException($"{AwsErrors.Capitalize(_description)} produced no keys.");
        }
        Type type = result.GetType();
        string? accessKey = type.GetProperty("AccessKey")?.GetValue(result) as string;
        string? secretKey = type.GetProperty("SecretKey")?.GetValue(result) as string;
        string? token = type.GetProperty("Token")?.GetValue(result) as string;
        if (string.IsNullOrEmpty(accessKey) || string.IsNullOrEmpty(secretKey))
        {
            throw new AmazonClientException($"{AwsErrors.Capitalize(_description)} produced empty keys.");
        }
        return new ImmutableCredentials(accessKey, secretKey, string.IsNullOrEmpty(token) ? null : token);
    }

    // AWSPSCredentials (AWS.Tools' $StoredAWSCredentials) keeps the AWSCredentials in an internal property.
    private static object Unwrap(object value)
    {
        Type type = value.GetType();
        if (type.GetMethod("GetCredentials", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes) is not null)
        {
            return value;
        }
        PropertyInfo? inner = type.GetProperty("Credentials", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance);
        return inner?.GetValue(value) ?? value;
    }
}
