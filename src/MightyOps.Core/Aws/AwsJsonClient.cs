using System.Text.Json;

namespace MightyOps.Core.Aws;

/// <summary>
/// One AWS JSON 1.1 service (ECS, ECR, CloudWatch Logs): POST / with X-Amz-Target, signed and
/// retried by <see cref="AwsPostClient"/>, errors read the JSON 1.1 way (<see cref="AwsErrors.Parse"/>)
/// and turned into <see cref="MightyOpsException"/>.
/// The typed clients (<see cref="Ecs.EcsClient"/>, <see cref="Ecr.EcrClient"/>) add paging and batching.
/// </summary>
internal sealed class AwsJsonClient
{
    private const string ContentType = "application/x-amz-json-1.1";
    private static readonly byte[] EmptyObject = "{}"u8.ToArray();

    private readonly string _targetPrefix;
    private readonly AwsPostClient _post;

    public AwsJsonClient(
        AwsServiceEndpoint endpoint,
        string targetPrefix,
        CredentialSource credentials,
        RetryPolicy retry,
        IOperationLog log,
        HttpMessageInvoker? http = null,
        TimeProvider? clock = null)
    {
        _targetPrefix = targetPrefix;
        _post = new AwsPostClient(endpoint, credentials, retry, log, http, clock);
    }

    public AwsServiceEndpoint Endpoint => _post.Endpoint;

    public RetryPolicy Retry => _post.Retry;

    /// <summary>
    /// Calls <paramref name="operation"/> with <paramref name="request"/> as the JSON body and
    /// returns the parsed response. <paramref name="target"/> names what the call is about in errors.
    /// </summary>
    public Task<TResponse> InvokeAsync<TRequest, TResponse>(string operation, TRequest? request, object? target, CancellationToken cancellationToken)
        where TResponse : class, new() =>
        InvokeAsync<TRequest, TResponse>(operation, request, target, write: null, cancellationToken);

    /// <summary>
    /// As <see cref="InvokeAsync{TRequest, TResponse}(string, TRequest, object, CancellationToken)"/>
    /// for a write that must not happen twice: after an attempt that leaves open whether it ran,
    /// it is sent again only once <paramref name="write"/> found no trace of it (never when the
    /// attempt got no answer: it may still run).
    /// </summary>
    public Task<TResponse> InvokeAsync<TRequest, TResponse>(string operation, TRequest? request, object? target, AwsWriteCheck<TResponse>? write, CancellationToken cancellationToken)
        where TResponse : class, new()
    {
        byte[] body = request is null ? EmptyObject : JsonSerializer.SerializeToUtf8Bytes(request, AwsJson.Options);
        var post = new AwsPost(operation, body, ContentType, [new("X-Amz-Target", $"{_targetPrefix}.{operation}")], target);
        return _post.SendAsync(post, Deserialize<TResponse>, (status, error, requestId) => AwsErrors.Parse(status, error, requestId), write, cancellationToken);
    }

    internal static string Seconds(TimeSpan time) => $"{time.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} s";

    private static TResponse Deserialize<TResponse>(AwsAnswer answer, AwsCall call)
        where TResponse : new()
    {
        if (answer.Body.Length == 0)
        {
            return new TResponse();
        }
        try
        {
            return JsonSerializer.Deserialize<TResponse>(answer.Body, AwsJson.Options) ?? new TResponse();
        }
        catch (JsonException e)
        {
            throw AwsPostClient.Unreadable(answer, call, "JSON", e);
        }
    }
}
