using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>
/// Every ECS and ECR answer the sandbox gives is checked strictly against botocore's output shapes
/// (tests/tools/validate_responses.py: unknown or mis-cased members, wrong types, values outside
/// an enum fail). The sandbox builds its answers from MightyOps.Core's wire models, so a wrong
/// member name there would be invisible to the module's own client: botocore is the judge.
/// Each operation is called in the states that give its answer the most members (a deployment
/// paused at a hook, rolled back, blue/green traffic weights, stopped tasks).
/// </summary>
public sealed class ResponseShapeTests
{
    private static readonly string[] EcrOperations = ["DescribeRepositories", "DescribeImages", "BatchGetImage"];

    [Fact]
    public async Task Every_ECS_and_ECR_answer_is_strictly_valid_for_botocore()
    {
        await using SandboxHost host = await Sandboxes.StartAsync("demo", o => o with { TimeScale = 1e-6 });
        using var client = new SignedClient(host);
        var answers = new List<(string Service, string Operation, string Body)>();

        async Task<JsonNode> Ecs(string operation, string body)
        {
            (int status, JsonNode? answer, HttpResponseMessage response) = await client.EcsAsync(operation, body);
            response.Dispose();
            Assert.True(status == 200, $"ecs {operation} answered {status}: {answer?.ToJsonString()}");
            answers.Add(("ecs", operation, answer!.ToJsonString()));
            return answer;
        }

        async Task<JsonNode> Ecr(string operation, string body)
        {
            (int status, JsonNode? answer, HttpResponseMessage response) = await client.EcrAsync(operation, body);
            response.Dispose();
            Assert.True(status == 200, $"ecr {operation} answered {status}: {answer?.ToJsonString()}");
            answers.Add(("ecr", operation, answer!.ToJsonString()));
            return answer;
        }

        // A broken release on a rolling and on a blue/green worker, and a canary one that goes well:
        // rolled back, stopped tasks, traffic weights, circuit breaker counts.
        JsonObject config = (await Ecs("DescribeTaskDefinition", """{"taskDefinition":"mailers","include":["TAGS"]}"""))["taskDefinition"]!.AsObject();
        await Ecs("UpdateService", """{"cluster":"production","service":"critical","deploymentConfiguration":{"alarms":{"alarmNames":["critical-errors"],"enable":true,"rollback":true}}}""");
        foreach ((string service, string tag) in new[] { ("mailers", "broken.1"), ("imports", "broken.1"), ("reports", "master.3"), ("critical", "master.3") })
        {
            string family = (string)(await Ecs("DescribeServices", $$"""{"cluster":"production","services":["{{service}}"]}"""))["services"]![0]!["taskDefinition"]!;
            JsonObject definition = (await Ecs("DescribeTaskDefinition", $$"""{"taskDefinition":"{{family}}"}"""))["taskDefinition"]!.AsObject();
            var register = new JsonObject
            {
                ["family"] = definition["family"]!.DeepClone(),
                ["containerDefinitions"] = definition["containerDefinitions"]!.DeepClone(),
                ["executionRoleArn"] = definition["executionRoleArn"]?.DeepClone(),
                ["taskRoleArn"] = definition["taskRoleArn"]?.DeepClone(),
                ["networkMode"] = definition["networkMode"]?.DeepClone(),
                ["tags"] = new JsonArray(new JsonObject { ["key"] = "release", ["value"] = tag }),
            };
            foreach (JsonNode? container in register["containerDefinitions"]!.AsArray())
            {
                container!["image"] = ((string)container["image"]!).Replace("master.4", tag, StringComparison.Ordinal);
            }
            string arn = (string)(await Ecs("RegisterTaskDefinition", register.ToJsonString()))["taskDefinition"]!["taskDefinitionArn"]!;
            await Ecs("UpdateService", $$"""{"cluster":"production","service":"{{service}}","taskDefinition":"{{arn}}"}""");
        }
        host.AdvanceTime(TimeSpan.FromSeconds(40));
        lock (host.World.Sync)
        {
            host.World.Ecs.SetAlarm("critical-errors", inAlarm: true);
        }
        host.AdvanceTime(TimeSpan.FromMinutes(3));

        // Clusters, services, task definitions, tasks, container instances, tags.
        await Ecs("ListClusters", "{}");
        await Ecs("CreateCluster", """{"clusterName":"shapes","tags":[{"key":"team","value":"ops"}],"settings":[{"name":"containerInsights","value":"enabled"}]}""");
        await Ecs("DescribeClusters", """{"clusters":["production","staging","nope"],"include":["STATISTICS","TAGS","SETTINGS","ATTACHMENTS"]}""");
        List<string> services = [];
        string? token = null;
        do
        {
            JsonNode page = await Ecs("ListServices", token is null ? """{"cluster":"production"}""" : $$"""{"cluster":"production","nextToken":"{{token}}"}""");
            services.AddRange(page["serviceArns"]!.AsArray().Select(a => (string)a!));
            token = (string?)page["nextToken"];
        }
        while (token is not null);
        foreach (string[] batch in services.Chunk(10))
        {
            await Ecs("DescribeServices", new JsonObject { ["cluster"] = "production", ["services"] = new JsonArray(batch.Select(s => (JsonNode?)s).ToArray()), ["include"] = new JsonArray("TAGS") }.ToJsonString());
        }
        await Ecs("DescribeServices", """{"cluster":"staging","services":["WEB","API","nope"]}""");
        await Ecs("ListTaskDefinitions", """{"familyPrefix":"WEB","sort":"DESC"}""");
        await Ecs("ListTaskDefinitionFamilies", """{"status":"ACTIVE"}""");
        string registered = (string)(await Ecs("RegisterTaskDefinition", """
            {"family":"shapes","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512",
             "containerDefinitions":[{"name":"app","image":"nginx:1.27","essential":true,"portMappings":[{"containerPort":80}],
             "healthCheck":{"command":["CMD-SHELL","true"]},"environment":[{"name":"A","value":"b"}]}]}
            """))["taskDefinition"]!["taskDefinitionArn"]!;
        await Ecs("CreateService", $$$"""
            {"cluster":"shapes","serviceName":"blue","taskDefinition":"{{{registered}}}","desiredCount":1,"launchType":"FARGATE",
             "networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-0a1b2c3d4e5f60718"],"securityGroups":["sg-0123456789abcdef0"],"assignPublicIp":"DISABLED"}},
             "deploymentConfiguration":{"strategy":"LINEAR","bakeTimeInMinutes":1,"linearConfiguration":{"stepPercent":50.0,"stepBakeTimeInMinutes":1},
               "lifecycleHooks":[{"targetType":"AWS_LAMBDA","hookTargetArn":"arn:aws:lambda:us-east-1:123456789012:function:check","roleArn":"arn:aws:iam::123456789012:role/hooks","lifecycleStages":["POST_SCALE_UP"],"hookDetails":{"check":"smoke"}}]},
             "tags":[{"key":"team","value":"ops"}],"enableExecuteCommand":true}
            """);
        await Ecs("CreateService", $$$$"""{"cluster":"shapes","serviceName":"deployed-elsewhere","taskDefinition":"{{{{registered}}}}","desiredCount":0,"launchType":"FARGATE","deploymentController":{"type":"CODE_DEPLOY"},"networkConfiguration":{"awsvpcConfiguration":{"subnets":["subnet-0a1b2c3d4e5f60718"]}}}""");
        host.AdvanceTime(TimeSpan.FromMinutes(1));
        await Ecs("DescribeServices", """{"cluster":"shapes","services":["blue","deployed-elsewhere"],"include":["TAGS"]}""");
        JsonArray running = (await Ecs("ListTasks", """{"cluster":"production","serviceName":"WEB"}"""))["taskArns"]!.AsArray();
        JsonArray stopped = (await Ecs("ListTasks", """{"cluster":"production","desiredStatus":"STOPPED"}"""))["taskArns"]!.AsArray();
        JsonArray fargate = (await Ecs("ListTasks", """{"cluster":"shapes"}"""))["taskArns"]!.AsArray();
        Assert.NotEmpty(stopped);
        await Ecs("DescribeTasks", new JsonObject { ["cluster"] = "production", ["tasks"] = new JsonArray([.. running.Concat(stopped).Take(100).Select(t => t!.DeepClone())]), ["include"] = new JsonArray("TAGS") }.ToJsonString());
        await Ecs("DescribeTasks", new JsonObject { ["cluster"] = "shapes", ["tasks"] = fargate.DeepClone(), ["include"] = new JsonArray("TAGS") }.ToJsonString());
        await Ecs("StopTask", $$"""{"cluster":"production","task":"{{(string)running[0]!}}","reason":"shapes"}""");
        JsonArray instances = (await Ecs("ListContainerInstances", """{"cluster":"production"}"""))["containerInstanceArns"]!.AsArray();
        await Ecs("DescribeContainerInstances", new JsonObject { ["cluster"] = "production", ["containerInstances"] = instances.DeepClone(), ["include"] = new JsonArray("TAGS", "CONTAINER_INSTANCE_HEALTH") }.ToJsonString());
        string webArn = services.Single(s => s.EndsWith("/WEB", StringComparison.Ordinal));
        await Ecs("TagResource", $$"""{"resourceArn":"{{webArn}}","tags":[{"key":"shape","value":"checked"}]}""");
        await Ecs("ListTagsForResource", $$"""{"resourceArn":"{{webArn}}"}""");
        await Ecs("UntagResource", $$"""{"resourceArn":"{{webArn}}","tagKeys":["shape"]}""");

        // The ledger: every deployment of every service that has one, whole; their revisions; stop and continue.
        var deploymentArns = new List<string>();
        foreach ((string cluster, string service) in new[] { ("production", "mailers"), ("production", "imports"), ("production", "reports"), ("production", "critical"), ("production", "WEB"), ("staging", "API"), ("shapes", "blue") })
        {
            JsonNode list = await Ecs("ListServiceDeployments", $$"""{"cluster":"{{cluster}}","service":"{{service}}","maxResults":2}""");
            deploymentArns.AddRange(list["serviceDeployments"]!.AsArray().Select(d => (string)d!["serviceDeploymentArn"]!));
        }
        var revisionArns = new List<string>();
        foreach (string[] batch in deploymentArns.Chunk(20))
        {
            JsonNode described = await Ecs("DescribeServiceDeployments", new JsonObject { ["serviceDeploymentArns"] = new JsonArray([.. batch.Append("arn:aws:ecs:us-east-1:123456789012:service-deployment/production/WEB/nope").Select(a => (JsonNode?)a)]) }.ToJsonString());
            foreach (JsonNode? deployment in described["serviceDeployments"]!.AsArray())
            {
                revisionArns.Add((string)deployment!["targetServiceRevision"]!["arn"]!);
                revisionArns.AddRange(deployment["sourceServiceRevisions"]!.AsArray().Select(r => (string)r!["arn"]!));
            }
        }
        string answers_ = string.Join("\n", answers.Where(a => a.Operation == "DescribeServiceDeployments").Select(a => a.Body));
        foreach (string state in new[] { "ROLLBACK_SUCCESSFUL", "AWAITING_ACTION", "requestedProductionTrafficWeight", "TRIGGERED", "triggeredAlarmNames", "\"rollback\":{" })
        {
            Assert.Contains(state, answers_);
        }
        foreach (string[] batch in revisionArns.Distinct().Chunk(20))
        {
            await Ecs("DescribeServiceRevisions", new JsonObject { ["serviceRevisionArns"] = new JsonArray([.. batch.Select(a => (JsonNode?)a)]) }.ToJsonString());
        }
        JsonObject paused = (await Ecs("DescribeServiceDeployments", new JsonObject { ["serviceDeploymentArns"] = new JsonArray(deploymentArns.Where(a => a.Contains("/staging/API/", StringComparison.Ordinal)).Select(a => (JsonNode?)a).First()) }.ToJsonString()))["serviceDeployments"]![0]!.AsObject();
        await Ecs("ContinueServiceDeployment", $$"""{"serviceDeploymentArn":"{{(string)paused["serviceDeploymentArn"]!}}","hookId":"{{(string)paused["lifecycleHookDetails"]![0]!["hookId"]!}}","action":"CONTINUE"}""");
        string blue = deploymentArns.First(a => a.Contains("/shapes/blue/", StringComparison.Ordinal));
        await Ecs("StopServiceDeployment", $$"""{"serviceDeploymentArn":"{{blue}}","stopType":"ABORT"}""");
        // One-off tasks (one placed, one that cannot be) and capacity: container instance states, capacity providers.
        await Ecs("RunTask", """{"cluster":"production","taskDefinition":"API","startedBy":"mightyops","overrides":{"containerOverrides":[{"name":"application","command":["sh","-c","exit 3"]}]}}""");
        await Ecs("RunTask", """{"cluster":"production","taskDefinition":"API","count":2,"overrides":{"memory":"200000"}}""");
        string instance = (string)(await Ecs("ListContainerInstances", """{"cluster":"production"}"""))["containerInstanceArns"]![0]!;
        await Ecs("UpdateContainerInstancesState", $$"""{"cluster":"production","containerInstances":["{{instance}}","nope"],"status":"ACTIVE"}""");
        await Ecs("DescribeCapacityProviders", "{}");
        await Ecs("DescribeCapacityProviders", """{"capacityProviders":["staging-capacity","nope"],"include":["TAGS"]}""");
        await Ecs("DeleteService", """{"cluster":"shapes","service":"deployed-elsewhere"}""");
        await Ecs("DeregisterTaskDefinition", $$"""{"taskDefinition":"{{registered}}"}""");
        Assert.NotNull(config);

        // ECR: repositories, images (paged), BatchGetImage with a failure.
        await Ecr("DescribeRepositories", "{}");
        await Ecr("DescribeRepositories", """{"repositoryNames":["app"]}""");
        await Ecr("DescribeImages", """{"repositoryName":"app","maxResults":2}""");
        await Ecr("DescribeImages", """{"repositoryName":"app","filter":{"tagStatus":"UNTAGGED"}}""");
        await Ecr("BatchGetImage", """{"repositoryName":"app","imageIds":[{"imageTag":"master.4"},{"imageTag":"nope"}],"acceptedMediaTypes":["application/vnd.docker.distribution.manifest.v2+json"]}""");

        var ecsOperations = new Ecs.EcsApi(host.World).Operations.Keys;
        Assert.Empty(ecsOperations.Except(answers.Where(a => a.Service == "ecs").Select(a => a.Operation)));
        Assert.Empty(EcrOperations.Except(answers.Where(a => a.Service == "ecr").Select(a => a.Operation)));

        (int exitCode, string output) = await ValidateAsync(answers);
        Assert.True(exitCode == 0, $"botocore's output shapes reject sandbox answers:\n{output}");
        Assert.Contains($"{answers.Count} responses checked", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_check_fails_on_a_wrong_member_name_type_or_enum_value()
    {
        (int exitCode, string output) = await ValidateAsync(
        [
            ("ecs", "DescribeServiceDeployments", """{"serviceDeployments":[{"status":"DONE","lifecycleStage":"BAKE_TIME","deploymentCircuitBreaker":{"failureCount":"3"},"targetRevision":{}}]}"""),
            ("ecs", "DescribeServices", """{"services":[{"serviceName":"WEB","deployments":[{"rolloutState":"FINISHED","RunningCount":1}]}]}"""),
        ]);
        Assert.Equal(1, exitCode);
        Assert.Contains("'DONE' is not one of", output, StringComparison.Ordinal);
        Assert.Contains("failureCount: expected an integer", output, StringComparison.Ordinal);
        Assert.Contains("targetRevision: no such member", output, StringComparison.Ordinal);
        Assert.Contains("'FINISHED' is not one of", output, StringComparison.Ordinal);
        Assert.Contains("RunningCount: no such member", output, StringComparison.Ordinal);
    }

    /// <summary>Runs tests/tools/validate_responses.py over the answers.</summary>
    private static async Task<(int ExitCode, string Output)> ValidateAsync(IEnumerable<(string Service, string Operation, string Body)> answers)
    {
        string input = Path.Combine(Path.GetTempPath(), $"mighty-responses-{Guid.NewGuid():n}.json");
        await File.WriteAllTextAsync(input, JsonSerializer.Serialize(answers.Select(a => new { service = a.Service, operation = a.Operation, body = a.Body })));
        try
        {
            var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "tests", "tools", "validate_responses.py"));
            start.ArgumentList.Add(input);
            using Process process = Process.Start(start)!;
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout + await stderr);
        }
        finally
        {
            File.Delete(input);
        }
    }

    private static string RepositoryRoot()
    {
        DirectoryInfo? dir = new(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MightyOps.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("MightyOps.sln not found above the test assembly.");
    }
}
