using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using MightyOps.Sandbox.Http;

namespace MightyOps.Sandbox.Routing;

/// <summary>The three wire protocols the sandbox answers in.</summary>
internal enum AwsProtocol
{
    /// <summary>AWS JSON 1.1 (ECS, ECR): POST / with X-Amz-Target.</summary>
    Json,
    /// <summary>EC2 Query: form-encoded POST, XML answers.</summary>
    Ec2Query,
    /// <summary>S3 REST-XML, path-style.</summary>
    S3,
    /// <summary>The query protocol (Auto Scaling, Elastic Load Balancing v2): form-encoded POST, XML answers in the service's namespace.</summary>
    Query,
}

/// <summary>
/// Success and error responses in each protocol's shape, with the headers the clients read:
/// botocore takes the request id from <c>x-amzn-RequestId</c> (JSON), the XML body (EC2) or
/// <c>x-amz-request-id</c> (S3), and AWSSDK does the same.
/// </summary>
internal static class AwsResponses
{
    public const string JsonContentType = "application/x-amz-json-1.1";
    public const string Ec2Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/";
    public const string S3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

    public static readonly JsonSerializerOptions JsonWriteOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string NewRequestId() => Guid.NewGuid().ToString();

    /// <summary>S3 request ids are 16 upper-case hex characters.</summary>
    public static string NewS3RequestId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(8));

    // Written as UTF-8 straight away: a large page (10,000 log events) would otherwise also exist
    // once as a UTF-16 string, twice its size, on the large object heap.
    public static HttpResponse Json(JsonNode body, string requestId) =>
        new HttpResponse(200) { Body = JsonSerializer.SerializeToUtf8Bytes(body, JsonWriteOptions) }
            .With("Content-Type", JsonContentType)
            .With("x-amzn-RequestId", requestId);

    /// <summary>
    /// A JSON 1.1 error (docs/design/ecs-json-protocol.md, "Errors"). Authentication errors use the long coral form of
    /// <c>__type</c>; botocore and AWSSDK cut it after the last '#'.
    /// </summary>
    public static HttpResponse JsonError(int status, string code, string? message, string requestId)
    {
        var body = new JsonObject { ["__type"] = code };
        if (message is not null)
        {
            body["message"] = message;
        }
        string shortCode = code[(code.LastIndexOf('#') + 1)..];
        return new HttpResponse(status) { Body = Encoding.UTF8.GetBytes(body.ToJsonString(JsonWriteOptions)) }
            .With("Content-Type", JsonContentType)
            .With("x-amzn-RequestId", requestId)
            .With("x-amzn-ErrorType", shortCode);
    }

    public static HttpResponse Xml(int status, XElement root, string contentType = "text/xml;charset=UTF-8")
    {
        var doc = new XDocument(new XDeclaration("1.0", "UTF-8", null), root);
        using var ms = new MemoryStream();
        using (var writer = System.Xml.XmlWriter.Create(ms, new System.Xml.XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
        {
            doc.Save(writer);
        }
        return new HttpResponse(status) { Body = ms.ToArray() }.With("Content-Type", contentType);
    }

    /// <summary>EC2 Query errors: <c>&lt;Response&gt;&lt;Errors&gt;&lt;Error&gt;…&lt;/Errors&gt;&lt;RequestID&gt;</c>.</summary>
    public static HttpResponse Ec2Error(int status, string code, string message, string requestId) =>
        Xml(status, new XElement("Response",
            new XElement("Errors", new XElement("Error", new XElement("Code", code), new XElement("Message", message))),
            new XElement("RequestID", requestId)));

    /// <summary>S3 errors: <c>&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;…&lt;RequestId/&gt;&lt;HostId/&gt;&lt;/Error&gt;</c>; HEAD answers carry no body.</summary>
    public static HttpResponse S3Error(int status, string code, string message, string requestId, bool isHead, IReadOnlyList<(string Name, string Value)>? details = null)
    {
        if (isHead)
        {
            return WithS3Headers(new HttpResponse(status), requestId);
        }
        var error = new XElement("Error", new XElement("Code", code), new XElement("Message", message));
        foreach ((string name, string value) in details ?? [])
        {
            error.Add(new XElement(name, value));
        }
        error.Add(new XElement("RequestId", requestId), new XElement("HostId", HostId(requestId)));
        return WithS3Headers(Xml(status, error, "application/xml"), requestId);
    }

    /// <summary>Headers every S3 answer carries: botocore and AWSSDK read the request id pair from them.</summary>
    public static HttpResponse WithS3Headers(HttpResponse response, string requestId) =>
        response.With("x-amz-request-id", requestId).With("x-amz-id-2", HostId(requestId)).With("Server", "AmazonS3");

    /// <summary>
    /// A query-protocol error (docs/design/query-protocol.md, "Errors"):
    /// <c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Type/&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;/Error&gt;&lt;RequestId/&gt;&lt;/ErrorResponse&gt;</c>
    /// in the service's namespace, Sender for a 4xx and Receiver for a 5xx.
    /// </summary>
    public static HttpResponse QueryError(int status, string code, string message, string requestId, string? service)
    {
        XNamespace ns = service == "elasticloadbalancing" ? Elb.ElbApi.Namespace : AutoScaling.AutoScalingApi.Namespace;
        return Xml(status, new XElement(ns + "ErrorResponse",
                new XElement(ns + "Error",
                    new XElement(ns + "Type", status >= 500 ? "Receiver" : "Sender"),
                    new XElement(ns + "Code", code),
                    new XElement(ns + "Message", message)),
                new XElement(ns + "RequestId", requestId)))
            .With("x-amzn-RequestId", requestId);
    }

    /// <summary>An error in the protocol of the request.</summary>
    public static HttpResponse Error(AwsProtocol protocol, SandboxException error, string requestId, bool isHead, string? service = null) => protocol switch
    {
        AwsProtocol.Json => JsonError(error.StatusCode, error.Code, error.Message, requestId),
        AwsProtocol.Ec2Query => Ec2Error(error.StatusCode, error.Code, error.Message, requestId),
        AwsProtocol.Query => QueryError(error.StatusCode, error.Code, error.Message, requestId, service),
        _ => S3Error(error.StatusCode, error.Code, error.Message, requestId, isHead, error.Details),
    };

    /// <summary>
    /// Each service's throttling answer, the codes botocore and AWSSDK retry with backoff:
    /// ECS/ECR 400 ThrottlingException "Rate exceeded" (docs/design/ecs-json-protocol.md, "Throttling and retries"), EC2 503
    /// RequestLimitExceeded, S3 503 SlowDown.
    /// </summary>
    public static HttpResponse Throttled(AwsProtocol protocol, string requestId, bool isHead, string? service = null) => protocol switch
    {
        AwsProtocol.Json => JsonError(400, "ThrottlingException", "Rate exceeded", requestId),
        AwsProtocol.Ec2Query => Ec2Error(503, "RequestLimitExceeded", "Request limit exceeded.", requestId),
        AwsProtocol.Query => QueryError(400, "Throttling", "Rate exceeded", requestId, service),
        _ => S3Error(503, "SlowDown", "Please reduce your request rate.", requestId, isHead),
    };

    /// <summary>A 500 the clients treat as transient: ServerException (JSON), InternalError (EC2, S3).</summary>
    public static HttpResponse ServerError(AwsProtocol protocol, string message, string requestId, bool isHead, string? service = null) => protocol switch
    {
        AwsProtocol.Json => JsonError(500, "ServerException", message, requestId),
        AwsProtocol.Ec2Query => Ec2Error(500, "InternalError", message, requestId),
        AwsProtocol.Query => QueryError(500, "InternalFailure", message, requestId, service),
        _ => S3Error(500, "InternalError", message, requestId, isHead),
    };

    private static string HostId(string requestId) => Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(requestId)));
}
