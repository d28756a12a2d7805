using MightyOps.Sandbox.Auth;
using MightyOps.Sandbox.Http;
using MightyOps.Sandbox.Routing;

namespace MightyOps.Sandbox.S3;

/// <summary>S3 REST, path-style (<c>/bucket/key</c>), over <see cref="SandboxWorld.Buckets"/>.</summary>
internal sealed class S3Api(SandboxWorld world)
{
    public static string OperationName(HttpRequest request) => request.Method switch
    {
        _ => "Unknown",
    };

    public HttpResponse Handle(string operation, HttpRequest request, SignatureResult auth, string requestId)
    {
        _ = world;
        _ = auth;
        return AwsResponses.S3Error(501, "NotImplemented", $"The sandbox does not implement S3 {operation} yet.", requestId, request.Method == "HEAD");
    }
}
