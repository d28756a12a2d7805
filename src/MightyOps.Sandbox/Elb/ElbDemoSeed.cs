using System.Text.Json.Nodes;

namespace MightyOps.Sandbox.Elb;

/// <summary>The load-balancing part of the demo seed: one Application Load Balancer, a target group per web service, AWS's default settings.</summary>
internal static class ElbDemoSeed
{
    /// <summary>Makes the load balancer and the target groups (<c>web-tg</c>, <c>api-tg</c>); returns each service's <c>loadBalancers</c> for CreateService.</summary>
    public static Dictionary<string, JsonArray> Apply(SandboxWorld world, DateTimeOffset at, IEnumerable<(string Service, string Container, int Port)> services)
    {
        ElbSimulation elb = world.Elb;
        string prefix = $"arn:aws:elasticloadbalancing:{world.Region}:{world.AccountId}";
        var loadBalancer = new LoadBalancerState { Arn = $"{prefix}:loadbalancer/app/mighty/50dc6c495c0c9188", Name = "mighty", CreatedAt = at };
        elb.LoadBalancers[loadBalancer.Arn] = loadBalancer;
        var result = new Dictionary<string, JsonArray>(StringComparer.Ordinal);
        int n = 0;
        foreach ((string service, string container, int port) in services)
        {
            string name = $"{service.ToLowerInvariant()}-tg";
            var group = new TargetGroupState
            {
                Arn = $"{prefix}:targetgroup/{name}/73e2d6bc24d8a0{n++:x2}",
                Name = name,
                LoadBalancer = loadBalancer,
                Port = port,
                HealthCheckPath = "/up",
            };
            elb.TargetGroups[group.Arn] = group;
            result[service] = new JsonArray(new JsonObject { ["targetGroupArn"] = group.Arn, ["containerName"] = container, ["containerPort"] = port });
        }
        return result;
    }
}
