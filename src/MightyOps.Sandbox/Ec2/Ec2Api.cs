using MightyOps.Sandbox.Http;
using MightyOps.Sandbox.Routing;

namespace MightyOps.Sandbox.Ec2;

/// <summary>EC2 Query protocol: DescribeInstances over <see cref="SandboxWorld.Instances"/>.</summary>
internal sealed class Ec2Api(SandboxWorld world)
{
    public HttpResponse Handle(string action, HttpRequest request, string requestId)
    {
        _ = world;
        _ = request;
        return AwsResponses.Ec2Error(400, "InvalidAction", $"The action {action} is not valid for this web service.", requestId);
    }
}
