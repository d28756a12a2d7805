using MightyOps.Core.Aws;
using MightyOps.Core.Aws.S3;

namespace MightyOps.Core.Deploy;

/// <summary>The outcome of putting an env file in S3.</summary>
/// <param name="Location">Where the file is: the value for the container's <c>environmentFiles</c>.</param>
/// <param name="Written">False when an object of that name was already there (same name, same content).</param>
public sealed record EnvironmentFileUpload(S3Location Location, bool Written)
{
    /// <summary>The ARN ECS expects in <c>environmentFiles[].value</c>: <c>arn:aws:s3:::bucket/key</c>.</summary>
    public string Arn => $"arn:aws:s3:::{Location.Bucket}/{Location.Key}";
}

/// <summary>
/// Secrets in S3: reads the JSON document the config's <c>Secrets.Source</c> names, and puts a
/// service's env file next to it. Failures are <see cref="MightyOpsException"/>s whose messages name
/// objects and keys, never values.
/// </summary>
public sealed class SecretsSource
{
    private readonly S3Client _s3;
    private readonly IOperationLog _log;

    public SecretsSource(S3Client s3, IOperationLog log)
    {
        ArgumentNullException.ThrowIfNull(s3);
        ArgumentNullException.ThrowIfNull(log);
        _s3 = s3;
        _log = log;
    }

    /// <summary>
    /// Reads and checks the document. A missing object or bucket is <c>SecretsNotFound</c>; content
    /// that is not a usable secrets object is <c>SecretsInvalid</c>.
    /// </summary>
    public async Task<SecretsDocument> ReadAsync(S3Location source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        S3ObjectContent content;
        try
        {
            content = await _s3.GetObjectAsync(source, cancellationToken).ConfigureAwait(false);
        }
        catch (MightyOpsException e) when (e.IsAny(AwsErrorIds.S3ObjectNotFound, AwsErrorIds.S3BucketNotFound))
        {
            string what = e.Is(AwsErrorIds.S3BucketNotFound) ? $"bucket '{source.Bucket}'" : "object";
            throw new MightyOpsException(
                DeployErrorIds.SecretsNotFound,
                $"The secrets object {source} does not exist (no such {what}). Upload it ('aws s3 cp production.json {source}'), or correct Secrets.Source in mighty.psd1.",
                source.ToString(),
                e)
            {
                RequestId = e.RequestId,
            };
        }
        SecretsDocument document = SecretsDocument.Parse(content.Content, source);
        _log.Verbose(document.Layout == SecretsLayout.Flat
            ? $"Secrets {source}: one set for every service ({document.Shared.Count} keys)."
            : $"Secrets {source}: shared keys and sections for {document.Services.Count} service(s) ({string.Join(", ", document.Services)}).");
        return document;
    }

    /// <summary>
    /// Puts <paramref name="file"/> next to <paramref name="source"/> unless an object of that name
    /// exists. The name is the content's hash, so an existing object already holds these exact
    /// bytes: nothing is rewritten, and two deploys racing to write it write the same thing.
    /// </summary>
    public async Task<EnvironmentFileUpload> PublishAsync(EnvironmentFile file, S3Location source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        S3Location location = file.LocationNextTo(source);
        if (await _s3.ObjectExistsAsync(location.Bucket, location.Key, cancellationToken).ConfigureAwait(false))
        {
            _log.Verbose($"Env file {location} is already there ({file.Keys.Count} keys).");
            return new EnvironmentFileUpload(location, Written: false);
        }
        await _s3.PutObjectAsync(location.Bucket, location.Key, file.Content.ToArray(), "text/plain; charset=utf-8", cancellationToken).ConfigureAwait(false);
        _log.Verbose($"Wrote env file {location} ({file.Keys.Count} keys: {string.Join(", ", file.Keys)}).");
        return new EnvironmentFileUpload(location, Written: true);
    }
}
