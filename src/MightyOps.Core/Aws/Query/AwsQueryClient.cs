using System.Xml;

namespace MightyOps.Core.Aws.Query;

/// <summary>What every query-protocol answer carries beside its result (botocore's <c>ResponseMetadata</c>).</summary>
public sealed class AwsQueryResponseMetadata
{
    /// <summary>The request id AWS gives the call (support and CloudTrail know it).</summary>
    public string? RequestId { get; set; }
}

/// <summary>
/// One AWS query-protocol service (Auto Scaling, Elastic Load Balancing v2): a form-encoded
/// <c>POST /</c> with <c>Action</c> and <c>Version</c>, signed and retried by
/// <see cref="AwsPostClient"/> like the JSON 1.1 clients, answered in XML
/// (docs/design/query-protocol.md). Requests and responses are plain classes whose property
/// names are the model's member names; <see cref="QueryNameAttribute"/>,
/// <see cref="QueryListAttribute"/> and <see cref="QueryMapAttribute"/> mark where the model
/// names the wire form otherwise. A typed client on top adds paging and batching.
/// </summary>
internal sealed class AwsQueryClient
{
    /// <summary>What botocore sends; the value sent is the value signed.</summary>
    public const string ContentType = "application/x-www-form-urlencoded; charset=utf-8";

    private readonly AwsPostClient _post;

    /// <param name="endpoint">The service's endpoint (<see cref="EndpointResolver"/>).</param>
    /// <param name="apiVersion">The model's <c>apiVersion</c>, sent as <c>Version</c> (Auto Scaling 2011-01-01, ELBv2 2015-12-01).</param>
    /// <param name="credentials">Where each attempt's keys come from.</param>
    /// <param name="retry">The cmdlet's retry policy and quota, shared with its other clients.</param>
    /// <param name="log">Verbose and debug lines.</param>
    /// <param name="http">The HTTP stack (tests give their own).</param>
    /// <param name="clock">The signing clock (tests give their own).</param>
    public AwsQueryClient(AwsServiceEndpoint endpoint, string apiVersion, CredentialSource credentials, RetryPolicy retry, IOperationLog log, HttpMessageInvoker? http = null, TimeProvider? clock = null)
    {
        ApiVersion = apiVersion;
        _post = new AwsPostClient(endpoint, credentials, retry, log, http, clock);
    }

    public AwsServiceEndpoint Endpoint => _post.Endpoint;

    public RetryPolicy Retry => _post.Retry;

    public string ApiVersion { get; }

    /// <summary>
    /// Calls <paramref name="operation"/> with <paramref name="request"/>'s members (null: no
    /// input) and reads the answer into <typeparamref name="TResponse"/>. <paramref name="target"/>
    /// names what the call is about in errors.
    /// </summary>
    public Task<TResponse> InvokeAsync<TRequest, TResponse>(string operation, TRequest? request, object? target, CancellationToken cancellationToken)
        where TResponse : class, new() =>
        InvokeAsync<TRequest, TResponse>(operation, request, target, write: null, cancellationToken);

    /// <summary>As <see cref="InvokeAsync{TRequest, TResponse}(string, TRequest, object, CancellationToken)"/>, for a write that must not happen twice (<see cref="AwsWriteCheck{T}"/>).</summary>
    public Task<TResponse> InvokeAsync<TRequest, TResponse>(string operation, TRequest? request, object? target, AwsWriteCheck<TResponse>? write, CancellationToken cancellationToken)
        where TResponse : class, new()
    {
        byte[] body = QuerySerializer.Body(QuerySerializer.Parameters(operation, ApiVersion, request));
        var post = new AwsPost(operation, body, ContentType, [], target);
        return _post.SendAsync(post, Read<TResponse>, QueryXmlReader.ReadError, write, cancellationToken);
    }

    private static TResponse Read<TResponse>(AwsAnswer answer, AwsCall call)
        where TResponse : class, new()
    {
        try
        {
            return QueryXmlReader.ReadResult<TResponse>(QueryXmlReader.Load(answer.Body), call.Operation);
        }
        catch (Exception e) when (e is XmlException or FormatException or OverflowException)
        {
            throw AwsPostClient.Unreadable(answer, call, "XML", e);
        }
    }
}
