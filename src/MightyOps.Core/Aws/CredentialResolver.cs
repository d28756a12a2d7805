using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Amazon.Util;

namespace MightyOps.Core.Aws;

/// <summary>
/// Finds credentials the way the AWS SDKs do: explicit keys, else an explicitly named profile
/// (only that profile: environment keys do not override -ProfileName), else AWSSDK.Core's default
/// chain (<see cref="DefaultAWSCredentialsIdentityResolver"/>: environment keys, web identity, the
/// AWS_PROFILE/default profile including role, SSO and credential_process profiles, container
/// credentials, EC2 instance metadata). Environment keys therefore win over AWS_PROFILE, as in the
/// AWS CLI and the AWS SDK for .NET (docs/design/credentials.md).
/// </summary>
/// <remarks>
/// The one change to the SDK's chain is how the instance-metadata step fails. With nothing
/// configured, AWSSDK.Core 4.1 waits ~31 s on an IMDS address that drops packets (a laptop, a
/// container, CI); measured on loopback with a listener that never answers. So the chain runs
/// with the SDK's own generators (<see cref="Amazon.AWSConfigs.AWSCredentialsGenerators"/>, the
/// documented hook) except that the IMDS step first asks the metadata service for a token with a
/// 1 s budget and is skipped when nothing answers; AWS_EC2_METADATA_DISABLED=true skips it outright
/// (the SDK's own switch). On EC2 the token call answers in milliseconds, so nothing changes there.
/// </remarks>
internal static class CredentialResolver
{
    /// <summary>How long the metadata service may take to answer the probe before the IMDS step is skipped.</summary>
    public static readonly TimeSpan ImdsProbeTimeout = TimeSpan.FromSeconds(1);

    private static readonly object Gate = new();
    private static readonly ConcurrentDictionary<string, bool> ImdsAnswers = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, (string Stamp, AWSCredentials Credentials)> NamedProfiles = new(StringComparer.Ordinal);
    private static DefaultAWSCredentialsIdentityResolver? _chain;
    private static string? _chainStamp;

    static CredentialResolver()
    {
        // AWSConfigs is process-wide state of the AWSSDK.Core assembly it belongs to, and this is
        // safe to replace only because that assembly is the module's own copy: MightyOps loads its
        // dependencies into its own AssemblyLoadContext (docs/design/module-loading.md), so AWS.Tools or any
        // other AWSSDK user in the same pwsh session has its own AWSSDK.Core with its own
        // AWSConfigs, and this assignment is invisible to it. Core's tests run in a process of
        // their own. Should Core ever share an AWSSDK.Core with another library, this must become a
        // chain of our own instead (the four steps below, without the SDK resolver's caching).
        Amazon.AWSConfigs.AWSCredentialsGenerators =
        [
            () => new EnvironmentVariablesAWSCredentials(),
            () => AssumeRoleWithWebIdentityCredentials.FromEnvironmentVariables(),
            () => ProfileStep(),
            () => ContainerOrInstanceStep(),
        ];
    }

    /// <summary>Resolves the session's credential source; errors name what to set.</summary>
    public static async Task<CredentialSource> ResolveAsync(AwsOptions options, IOperationLog log, CancellationToken cancellationToken)
    {
        if (options.Credentials is { } explicitCredentials)
        {
            return CredentialSource.Static(explicitCredentials, options.CredentialsSource ?? "explicit credentials");
        }
        string? location = string.IsNullOrWhiteSpace(options.ProfileLocation) ? null : Path.GetFullPath(options.ProfileLocation.Trim());
        if (!string.IsNullOrWhiteSpace(options.ProfileName) || location is not null)
        {
            // A -ProfileLocation without -ProfileName means the selected (AWS_PROFILE or default) profile of that file, as in AWS.Tools.
            string name = AwsProfiles.SelectedName(options.ProfileName);
            string source = string.IsNullOrWhiteSpace(options.ProfileName) ? "-ProfileLocation" : options.ProfileOrigin;
            return CredentialSource.FromSdk(NamedProfile(name, source, location), location is null ? $"profile '{name}'" : $"profile '{name}' of {location}");
        }
        if (options.CredentialObject is { } credentialObject)
        {
            return CredentialSource.FromSdk(ForeignCredentials.From(credentialObject, "-Credential"), "-Credential");
        }
        if (SessionCredentials(options.SessionCredentials) is { } session)
        {
            log.Verbose($"AWS credentials from {session.Description}.");
            return session;
        }

        DefaultAWSCredentialsIdentityResolver chain = Chain();
        AWSCredentials credentials;
        try
        {
            credentials = await chain.ResolveIdentityAsync(null!, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (ProfileNotFoundException)
        {
            throw AwsProfiles.NotFound(AwsProfiles.SelectedName(null), "AWS_PROFILE");
        }
        catch (ProcessAWSCredentialException e)
        {
            throw Failed(e, $"profile '{AwsProfiles.SelectedName(null)}'");
        }
        catch (Exception e) when (ConfigUnreadable(e) is { } unreadable)
        {
            // ProfileStep threw it inside the SDK's chain, which wraps what its steps throw.
            throw unreadable;
        }
        catch (AmazonClientException e)
        {
            log.Debug(e.Message);
            throw ProfileFailure() ?? NotFound(e);
        }
        string description = Describe(credentials);
        if (credentials is EnvironmentVariablesAWSCredentials && Environment.GetEnvironmentVariable("AWS_PROFILE") is { Length: > 0 } profileName)
        {
            // The AWS CLI and the SDKs (.NET included) take environment keys before AWS_PROFILE's
            // profile; a shell with both set is worth a word (docs/design/credentials.md).
            log.Verbose($"AWS_PROFILE names profile '{profileName.Trim()}', but AWS_ACCESS_KEY_ID holds keys, and those come first (as in the AWS CLI and SDKs): the profile is read only for settings such as its region. Unset one of the two to choose.");
        }
        log.Verbose($"AWS credentials from {description}.");
        return CredentialSource.FromSdk(credentials, description);
    }

    /// <summary>A provider failed to produce keys (a role it could not assume, an SSO login that expired, ...).</summary>
    public static MightyOpsException Failed(Exception e, string source)
    {
        if (ConfigUnreadable(e) is { } unreadable)
        {
            return unreadable;
        }
        if (e is InvalidDataException)
        {
            // A parse error of the files (a source_profile read again): its message quotes the line.
            return AwsProfiles.Unreadable(e);
        }
        string message = Flatten(e);
        if (message.Contains("SSO", StringComparison.Ordinal) && (message.Contains("not allowed here", StringComparison.Ordinal) || message.Contains("token", StringComparison.OrdinalIgnoreCase)))
        {
            string profile = source.StartsWith("profile '", StringComparison.Ordinal) ? source[9..^1] : AwsProfiles.SelectedName(null);
            return new MightyOpsException(AwsErrorIds.AwsSsoLoginRequired,
                $"{AwsErrors.Capitalize(source)} is an SSO profile with no valid login. Run 'aws sso login --profile {profile}' and try again ({message}).",
                profile, e);
        }
        string hint = e is ProcessAWSCredentialException
            ? "Check the credential_process command of the profile."
            : message.Contains("AssumeRole", StringComparison.Ordinal)
                ? $"Check role_arn and source_profile in {AwsProfiles.ConfigFilePath}, that the source credentials work, and that they may call sts:AssumeRole on that role."
                : "Check that source and try again.";
        return new MightyOpsException(AwsErrorIds.AwsCredentialsFailed,
            $"Could not get AWS credentials from {source}: {message}. {hint}", source, e);
    }

    // Set-AWSCredential stores a profile name or an AWSPSCredentials wrapper (its ToString() is
    // the name it was given: the profile, or "Supplied Key Parameters").
    private static CredentialSource? SessionCredentials(object? stored)
    {
        const string Origin = "Set-AWSCredential ($StoredAWSCredentials)";
        switch (stored)
        {
            case null:
                return null;
            case string name when string.IsNullOrWhiteSpace(name):
                return null;
            case string name:
                return CredentialSource.FromSdk(NamedProfile(name.Trim(), Origin, null), $"profile '{name.Trim()}' ({Origin})");
            default:
                string label = stored.ToString() is { Length: > 0 } text && text != stored.GetType().FullName ? $"'{text}' ({Origin})" : Origin;
                return CredentialSource.FromSdk(ForeignCredentials.From(stored, Origin), label);
        }
    }

    private static AWSCredentials NamedProfile(string name, string source, string? location)
    {
        string stamp = AwsProfiles.FilesStamp(location);
        string key = location is null ? name : $"{location}|{name}";
        if (NamedProfiles.TryGetValue(key, out var cached) && cached.Stamp == stamp)
        {
            // A role or SSO credential object keeps (and refreshes) its session: no new AssumeRole per cmdlet.
            return cached.Credentials;
        }
        if (location is not null && !File.Exists(location))
        {
            throw new MightyOpsException(AwsErrorIds.AwsProfileLocationNotFound,
                $"The credentials file '{location}' (-ProfileLocation) does not exist. Pass the full path of a shared credentials file.",
                location);
        }
        var store = location is null ? new CredentialProfileStoreChain() : new CredentialProfileStoreChain(location);
        if (!AwsProfiles.TryGet(name, store, out CredentialProfile? profile))
        {
            throw AwsProfiles.NotFound(name, source);
        }
        if (!profile.CanCreateAWSCredentials)
        {
            throw new MightyOpsException(AwsErrorIds.AwsCredentialsNotFound,
                $"AWS profile '{name}' has no credentials: it needs aws_access_key_id/aws_secret_access_key, role_arn with source_profile, sso_session, or credential_process (in {AwsProfiles.CredentialsFilePath} or {AwsProfiles.ConfigFilePath}). Run 'aws configure --profile {name}' or 'aws configure sso --profile {name}'.",
                name);
        }
        AWSCredentials credentials;
        try
        {
            credentials = AWSCredentialsFactory.GetAWSCredentials(profile, store, true);
        }
        catch (Exception e) when (e is AmazonClientException or InvalidOperationException or ArgumentException or InvalidDataException)
        {
            throw Failed(e, $"profile '{name}'");
        }
        NamedProfiles[key] = (stamp, credentials);
        return credentials;
    }

    private static DefaultAWSCredentialsIdentityResolver Chain()
    {
        // The SDK resolver caches what it found and notices changed environment keys and
        // AWS_PROFILE; a new one when the files change keeps a profile edit from being ignored.
        string stamp = AwsProfiles.FilesStamp();
        lock (Gate)
        {
            if (_chain is null || _chainStamp != stamp)
            {
                _chain = new DefaultAWSCredentialsIdentityResolver();
                _chainStamp = stamp;
            }
            return _chain;
        }
    }

    /// <summary>The SDK's profile step (DefaultAWSCredentialsIdentityResolver.GetProfileCredentials), unchanged in meaning.</summary>
    private static AWSCredentials ProfileStep()
    {
        string name = AwsProfiles.SelectedName(null);
        var store = new CredentialProfileStoreChain();
        // AwsProfiles.TryGet, not the store's own: the SDK's parse error quotes the malformed line,
        // and the chain would carry that text into its own exception.
        if (AwsProfiles.TryGet(name, store, out CredentialProfile? profile))
        {
            return AWSCredentialsFactory.GetAWSCredentials(profile, store, true);
        }
        if (!string.Equals(name, AwsProfiles.DefaultProfileName, StringComparison.OrdinalIgnoreCase))
        {
            throw new ProfileNotFoundException($"Unable to find the \"{name}\" profile.");
        }
        throw new AmazonClientException($"Unable to find the \"{name}\" profile.");
    }

    /// <summary>When the chain failed, a profile that exists but could not produce keys is the real story (an SSO login, a bad role).</summary>
    private static MightyOpsException? ProfileFailure()
    {
        string name = AwsProfiles.SelectedName(null);
        try
        {
            if (!AwsProfiles.TryGet(name, out CredentialProfile? profile) || !profile.CanCreateAWSCredentials)
            {
                return null;
            }
            AWSCredentialsFactory.GetAWSCredentials(profile, new CredentialProfileStoreChain(), true);
            return null;
        }
        catch (Exception e) when (e is AmazonClientException or InvalidOperationException or ArgumentException or InvalidDataException)
        {
            return Failed(e, $"profile '{name}'");
        }
    }

    private static AWSCredentials ContainerOrInstanceStep()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("AWS_CONTAINER_CREDENTIALS_FULL_URI")))
        {
            return new GenericContainerCredentials();
        }
        if (!EC2InstanceMetadata.IsIMDSEnabled)
        {
            throw new InvalidOperationException("EC2 instance metadata is disabled (AWS_EC2_METADATA_DISABLED).");
        }
        string endpoint = EC2InstanceMetadata.ServiceEndpoint;
        if (!ImdsAnswers.GetOrAdd(endpoint, ProbeImds))
        {
            throw new InvalidOperationException($"No EC2 instance metadata service answered at {endpoint} within {ImdsProbeTimeout.TotalSeconds:0.#} s.");
        }
        var credentials = new InstanceProfileAWSCredentials();
        credentials.GetCredentials();
        return credentials;
    }

    private static bool ProbeImds(string endpoint)
    {
        try
        {
            using var handler = new SocketsHttpHandler { UseProxy = false, ConnectTimeout = ImdsProbeTimeout };
            using var client = new HttpClient(handler) { Timeout = ImdsProbeTimeout };
            using var request = new HttpRequestMessage(HttpMethod.Put, endpoint.TrimEnd('/') + "/latest/api/token");
            request.Headers.TryAddWithoutValidation("X-aws-ec2-metadata-token-ttl-seconds", "60");
            using HttpResponseMessage response = client.Send(request);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or UriFormatException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The sanitised <c>AwsConfigUnreadable</c> somewhere in <paramref name="e"/>'s chain, if any.</summary>
    private static MightyOpsException? ConfigUnreadable(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is MightyOpsException unreadable && unreadable.Is(AwsErrorIds.AwsConfigUnreadable))
            {
                return unreadable;
            }
        }
        return null;
    }

    private static MightyOpsException NotFound(Exception e) =>
        new(
            AwsErrorIds.AwsCredentialsNotFound,
            $"No AWS credentials were found. Set $env:AWS_ACCESS_KEY_ID and $env:AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary keys), or name a profile from {AwsProfiles.CredentialsFilePath} / {AwsProfiles.ConfigFilePath} with -ProfileName or $env:AWS_PROFILE (create one with 'aws configure', or 'aws configure sso' then 'aws sso login').",
            null,
            e);

    private static string Describe(AWSCredentials credentials) => credentials switch
    {
        EnvironmentVariablesAWSCredentials => "environment variables (AWS_ACCESS_KEY_ID)",
        AssumeRoleWithWebIdentityCredentials => "web identity (AWS_WEB_IDENTITY_TOKEN_FILE)",
        GenericContainerCredentials => "container credentials",
        InstanceProfileAWSCredentials => "the EC2 instance profile",
        _ => $"profile '{AwsProfiles.SelectedName(null)}'",
    };

    private static string Flatten(Exception e)
    {
        var parts = new List<string>();
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            string text = current.Message.Trim().TrimEnd('.');
            if (text.Length > 0 && !parts.Any(p => p.Contains(text, StringComparison.Ordinal)))
            {
                parts.Add(text);
            }
        }
        return string.Join(": ", parts);
    }
}
