using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Ecs;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>Each ECS operation called directly: answers, pagination, batch limits and errors.</summary>
public sealed class EcsApiTests
{
    private static readonly EcsTestWorld Demo = new(demo: true);

    private static string Arn(string resource) => "arn:aws:ecs:us-east-1:123456789012:" + resource;

    // ------------------------------------------------------------------ request shapes

    [Fact]
    public void Accepted_members_are_exactly_those_of_the_botocore_model()
    {
        string models = PythonOutput("import botocore, os; print(os.path.dirname(botocore.__file__))").Trim();
        string path = Path.Combine(models, "data", "ecs", "2014-11-13", "service-2.json.gz");
        using FileStream file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        JsonNode model = JsonNode.Parse(gzip)!;
        foreach ((string operation, IReadOnlyList<string> members) in Demo.Api.Operations)
        {
            string shape = (string)model["operations"]![operation]!["input"]!["shape"]!;
            List<string> expected = model["shapes"]![shape]!["members"]!.AsObject().Select(m => m.Key).ToList();
            Assert.Equal(expected.Order(), members.Order());
        }
    }

    [Fact]
    public void The_embedded_nested_input_shapes_are_what_botocore_has()
    {
        DirectoryInfo? dir = new(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MightyOps.sln")))
        {
            dir = dir.Parent;
        }
        string root = dir?.FullName ?? throw new InvalidOperationException("MightyOps.sln not found above the test assembly.");
        string generated = PythonOutput([Path.Combine(root, "tests", "tools", "ecs_input_shapes.py"), .. Demo.Api.Operations.Keys]);
        string embedded = File.ReadAllText(Path.Combine(root, "src", "MightyOps.Sandbox", "Ecs", "EcsInputShapes.json"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(generated), JsonNode.Parse(embedded)),
            "src/MightyOps.Sandbox/Ecs/EcsInputShapes.json is out of date: regenerate it with tests/tools/ecs_input_shapes.py (see its header).");
    }

    private static string PythonOutput(string code) => PythonOutput(["-c", code]);

    private static string PythonOutput(string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("python3") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = System.Diagnostics.Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    [Fact]
    public void Read_only_members_sent_back_on_register_are_rejected()
    {
        var t = new EcsTestWorld();
        SandboxException error = t.Fails("RegisterTaskDefinition", $$"""
            {"family":"web","revision":3,"containerDefinitions":[{"name":"a","image":"nginx","memory":128}]}
            """);
        Assert.Equal("InvalidParameterException", error.Code);
        Assert.StartsWith("Unknown parameter in input: \"revision\", must be one of: family, taskRoleArn,", error.Message);
        Assert.Equal(400, error.StatusCode);
    }

    [Fact]
    public void Members_of_the_wrong_type_are_a_serialization_error()
    {
        SandboxException error = Demo.Fails("UpdateService", """{"cluster":"production","service":"WEB","desiredCount":"3"}""");
        Assert.Equal("SerializationException", error.Code);
        Assert.Equal("SerializationException", Demo.Fails("DescribeServices", """{"cluster":"production","services":"WEB"}""").Code);
        Assert.Equal("SerializationException", Demo.Fails("RegisterTaskDefinition", """{"family":"x","containerDefinitions":[{"name":"a","image":"b","memory":"lots"}]}""").Code);
    }

    [Theory]
    [InlineData("RegisterTaskDefinition", """{"family":"x","volumes":{},"containerDefinitions":[{"name":"a","image":"b","memory":64}]}""", "$.volumes")]
    [InlineData("RegisterTaskDefinition", """{"family":"x","containerDefinitions":[{"name":"a","image":"b","memory":64,"portMappings":[{"containerPort":"80"}]}]}""", "$.containerDefinitions[0].portMappings[0].containerPort")]
    [InlineData("UpdateService", """{"cluster":"production","service":"WEB","deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":"yes"}}}""", "deploymentConfiguration.deploymentCircuitBreaker.enable")]
    [InlineData("CreateCluster", """{"clusterName":"half","settings":[{"name":"containerInsights","value":5}]}""", "settings[0].value")]
    [InlineData("ListServices", """{"cluster":"production","maxResults":1.5}""", "maxResults")]
    public void Malformed_members_name_where_they_went_wrong_and_change_nothing(string operation, string body, string where)
    {
        var t = new EcsTestWorld(demo: true);
        SandboxException error = t.Fails(operation, body);
        Assert.Equal("SerializationException", error.Code);
        Assert.Contains(where, error.Message);
        Assert.Equal(2, t.Call("ListClusters")["clusterArns"]!.AsArray().Count);
        Assert.Single(t.Service("production", "WEB")["deployments"]!.AsArray());
        Assert.Equal("ClientException", t.Fails("DescribeTaskDefinition", """{"taskDefinition":"x"}""").Code);
    }

    [Fact]
    public void Unknown_operations_are_refused()
    {
        Assert.Equal("UnknownOperationException", Demo.Fails("CreateTaskSet", "{}").Code);
    }

    // ------------------------------------------------------------------ clusters

    [Fact]
    public void ListClusters_and_DescribeClusters()
    {
        JsonNode list = Demo.Call("ListClusters");
        Assert.Equal([Arn("cluster/production"), Arn("cluster/staging")], list["clusterArns"]!.AsArray().Select(a => (string)a!));
        Assert.Null(list["nextToken"]);

        JsonNode first = Demo.Call("ListClusters", """{"maxResults":1}""");
        Assert.Single(first["clusterArns"]!.AsArray());
        JsonNode second = Demo.Call("ListClusters", new JsonObject { ["maxResults"] = 1, ["nextToken"] = (string)first["nextToken"]! });
        Assert.Equal(Arn("cluster/staging"), (string?)second["clusterArns"]![0]);
        Assert.Null(second["nextToken"]);

        JsonNode described = Demo.Call("DescribeClusters", $$"""{"clusters":["production","{{Arn("cluster/staging")}}","nope"],"include":["STATISTICS","TAGS","SETTINGS"]}""");
        JsonArray clusters = described["clusters"]!.AsArray();
        Assert.Equal(["production", "staging"], clusters.Select(c => (string)c!["clusterName"]!));
        JsonNode production = clusters[0]!;
        Assert.Equal("ACTIVE", (string?)production["status"]);
        Assert.Equal("environment", (string?)production["tags"]![0]!["key"]);
        Assert.Equal("containerInsights", (string?)production["settings"]![0]!["name"]);
        JsonArray statistics = production["statistics"]!.AsArray();
        Assert.Equal((int)production["runningTasksCount"]!, int.Parse((string)statistics.Single(s => (string?)s!["name"] == "runningEC2TasksCount")!["value"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Arn("cluster/nope"), (string?)described["failures"]![0]!["arn"]);
        Assert.Equal("MISSING", (string?)described["failures"]![0]!["reason"]);

        // Without include there are no statistics or tags; without clusters it is the "default" cluster.
        JsonNode plain = Demo.Call("DescribeClusters", """{"clusters":["production"]}""")["clusters"]![0]!;
        Assert.Null(plain["statistics"]);
        Assert.Null(plain["tags"]);
        JsonNode byDefault = Demo.Call("DescribeClusters");
        Assert.Empty(byDefault["clusters"]!.AsArray());
        Assert.Equal(Arn("cluster/default"), (string?)byDefault["failures"]![0]!["arn"]);
    }

    [Fact]
    public void Operations_on_a_cluster_that_does_not_exist_fail_with_ClusterNotFoundException()
    {
        foreach ((string operation, string body) in new[]
        {
            ("ListServices", """{"cluster":"nope"}"""),
            ("DescribeServices", """{"cluster":"nope","services":["WEB"]}"""),
            ("UpdateService", """{"cluster":"nope","service":"WEB","desiredCount":1}"""),
            ("ListTasks", """{"cluster":"nope"}"""),
            ("DescribeTasks", """{"cluster":"nope","tasks":["0123"]}"""),
            ("DescribeContainerInstances", """{"cluster":"nope","containerInstances":["0123"]}"""),
            ("ListServices", "{}"),   // no cluster means "default", which the demo does not have
        })
        {
            SandboxException error = Demo.Fails(operation, body);
            Assert.Equal("ClusterNotFoundException", error.Code);
            Assert.Equal("Cluster not found.", error.Message);
        }
    }

    // ------------------------------------------------------------------ services

    [Fact]
    public void ListServices_pages_ten_at_a_time_by_default()
    {
        var arns = new List<string>();
        string? token = null;
        int pages = 0;
        do
        {
            JsonObject body = new() { ["cluster"] = "production" };
            if (token is not null)
            {
                body["nextToken"] = token;
            }
            JsonNode page = Demo.Call("ListServices", body);
            JsonArray items = page["serviceArns"]!.AsArray();
            Assert.InRange(items.Count, 1, 10);
            arns.AddRange(items.Select(a => (string)a!));
            token = (string?)page["nextToken"];
            pages++;
        }
        while (token is not null);
        Assert.Equal(4, pages);
        Assert.Equal(32, arns.Distinct().Count());
        Assert.Equal(Arn("service/production/WEB"), arns[0]);

        Assert.Equal(32, Demo.Call("ListServices", """{"cluster":"production","maxResults":100,"launchType":"EC2","schedulingStrategy":"REPLICA"}""")["serviceArns"]!.AsArray().Count);
        Assert.Empty(Demo.Call("ListServices", """{"cluster":"production","launchType":"FARGATE"}""")["serviceArns"]!.AsArray());
        Assert.Empty(Demo.Call("ListServices", """{"cluster":"production","schedulingStrategy":"DAEMON"}""")["serviceArns"]!.AsArray());
        Assert.Equal("InvalidParameterException", Demo.Fails("ListServices", """{"cluster":"production","maxResults":101}""").Code);
        Assert.Equal("InvalidParameterException", Demo.Fails("ListServices", """{"cluster":"production","maxResults":0}""").Code);
        Assert.Equal("InvalidParameterException", Demo.Fails("ListServices", """{"cluster":"production","nextToken":"garbage"}""").Code);
        // A token is good for the listing that issued it only: not for another cluster's services, not for tasks.
        string servicesToken = (string)Demo.Call("ListServices", """{"cluster":"production","maxResults":1}""")["nextToken"]!;
        Assert.Equal("InvalidParameterException", Demo.Fails("ListServices", $$"""{"cluster":"staging","nextToken":"{{servicesToken}}"}""").Code);
        Assert.Equal("InvalidParameterException", Demo.Fails("ListTasks", $$"""{"cluster":"production","nextToken":"{{servicesToken}}"}""").Code);
    }

    [Fact]
    public void DescribeServices_takes_names_or_arns_up_to_ten_and_reports_the_missing()
    {
        JsonNode answer = Demo.Call("DescribeServices", $$"""
            {"cluster":"{{Arn("cluster/production")}}","services":["WEB","{{Arn("service/production/API")}}","nope","{{Arn("service/staging/WEB")}}"],"include":["TAGS"]}
            """);
        JsonArray services = answer["services"]!.AsArray();
        Assert.Equal(["WEB", "API"], services.Select(s => (string)s!["serviceName"]!));
        JsonNode web = services[0]!;
        Assert.Equal(Arn("service/production/WEB"), (string?)web["serviceArn"]);
        Assert.Equal(Arn("cluster/production"), (string?)web["clusterArn"]);
        Assert.Equal("app", (string?)web["tags"]![0]!["key"]);
        Assert.Equal("ECS", (string?)web["deploymentController"]!["type"]);
        Assert.Equal("REPLICA", (string?)web["schedulingStrategy"]);
        Assert.Equal("EC2", (string?)web["launchType"]);
        Assert.NotNull(web["deploymentConfiguration"]!["alarms"]);
        JsonArray failures = answer["failures"]!.AsArray();
        Assert.Equal([Arn("service/production/nope"), Arn("service/staging/WEB")], failures.Select(f => (string)f!["arn"]!));
        Assert.All(failures, f => Assert.Equal("MISSING", (string?)f!["reason"]));

        Assert.Null(Demo.Call("DescribeServices", """{"cluster":"production","services":["WEB"]}""")["services"]![0]!["tags"]);

        string eleven = string.Join(",", Enumerable.Range(0, 11).Select(i => $"\"s{i}\""));
        SandboxException tooMany = Demo.Fails("DescribeServices", $$"""{"cluster":"production","services":[{{eleven}}]}""");
        Assert.Equal(("InvalidParameterException", "service names can have at most 10 items."), (tooMany.Code, tooMany.Message));
        SandboxException empty = Demo.Fails("DescribeServices", """{"cluster":"production","services":[]}""");
        Assert.Equal(("InvalidParameterException", "Services cannot be empty."), (empty.Code, empty.Message));
        Assert.Equal("InvalidParameterException", Demo.Fails("DescribeServices", """{"cluster":"production","services":["WEB"],"include":["EVERYTHING"]}""").Code);
    }

    [Fact]
    public void Service_answers_parse_into_the_Core_wire_models()
    {
        JsonNode answer = Demo.Call("DescribeServices", """{"cluster":"production","services":["WEB","API"],"include":["TAGS"]}""");
        DescribeServicesResponse typed = answer.Deserialize<DescribeServicesResponse>(AwsJson.Options)!;
        Assert.Equal(2, typed.Services!.Count);
        EcsService web = typed.Services[0];
        Assert.Equal(2, web.RunningCount);
        Assert.Equal("PRIMARY", web.Deployments![0].Status);
        Assert.True(web.DeploymentConfiguration!.DeploymentCircuitBreaker!.Enable);
        Assert.True(web.Events![0].CreatedAt > DateTimeOffset.UtcNow.AddDays(-1));
    }

    [Fact]
    public void UpdateService_errors()
    {
        SandboxException missing = Demo.Fails("UpdateService", """{"cluster":"production","service":"nope","desiredCount":1}""");
        Assert.Equal(("ServiceNotFoundException", "Service not found."), (missing.Code, missing.Message));
        SandboxException noDefinition = Demo.Fails("UpdateService", """{"cluster":"production","service":"WEB","taskDefinition":"WEB:99"}""");
        Assert.Equal(("ClientException", "TaskDefinition not found."), (noDefinition.Code, noDefinition.Message));
        Assert.Equal("InvalidParameterException", Demo.Fails("UpdateService", """{"cluster":"production","service":"WEB","desiredCount":-1}""").Code);
        Assert.Equal("InvalidParameterException", Demo.Fails("UpdateService", """{"cluster":"production","service":"WEB","deploymentConfiguration":{"minimumHealthyPercent":150}}""").Code);
        // Nothing was changed by the rejected calls.
        Assert.Single(Demo.Service("production", "WEB")["deployments"]!.AsArray());
    }

    [Fact]
    public void Deleted_services_drain_then_answer_ServiceNotActiveException()
    {
        var t = new EcsTestWorld();
        t.AddCluster("test", 1);
        t.Register("web", $"{EcsTestWorld.Registry}/app:v1");
        t.CreateService("test", "web", "web", 1);
        t.RunUntil(() => (int)t.Service("test", "web")["runningCount"]! == 1, TimeSpan.FromMinutes(5));
        Assert.Equal("InvalidParameterException", t.Fails("DeleteService", """{"cluster":"test","service":"web"}""").Code);
        Assert.Equal("DRAINING", (string?)t.Call("DeleteService", """{"cluster":"test","service":"web","force":true}""")["service"]!["status"]);
        SandboxException notActive = t.Fails("UpdateService", """{"cluster":"test","service":"web","desiredCount":1}""");
        Assert.Equal(("ServiceNotActiveException", "Service was not ACTIVE."), (notActive.Code, notActive.Message));
        t.RunUntil(() => (string?)t.Service("test", "web")["status"] == "INACTIVE", TimeSpan.FromMinutes(5));
        Assert.Empty(t.Call("ListServices", """{"cluster":"test"}""")["serviceArns"]!.AsArray());
        Assert.Empty(t.Tasks("test", "web"));
    }

    [Fact]
    public void CreateService_checks_its_input()
    {
        var t = new EcsTestWorld();
        t.AddCluster("test", 1);
        t.Register("web", $"{EcsTestWorld.Registry}/app:v1");
        SandboxException unknownDefinition = t.Fails("CreateService", """{"cluster":"test","serviceName":"web","taskDefinition":"nope","desiredCount":1}""");
        Assert.Equal(("ClientException", "TaskDefinition not found."), (unknownDefinition.Code, unknownDefinition.Message));
        JsonNode created = t.CreateService("test", "web", "web", 1)["service"]!;
        Assert.Equal("ACTIVE", (string?)created["status"]);
        Assert.Equal(200, (int)created["deploymentConfiguration"]!["maximumPercent"]!);
        Assert.False((bool)created["deploymentConfiguration"]!["deploymentCircuitBreaker"]!["enable"]!);
        Assert.Equal("IN_PROGRESS", (string?)created["deployments"]![0]!["rolloutState"]);
        Assert.Equal("InvalidParameterException", t.Fails("CreateService", """{"cluster":"test","serviceName":"web","taskDefinition":"web","desiredCount":1}""").Code);
        SandboxException fargate = t.Fails("CreateService", """{"cluster":"test","serviceName":"f","taskDefinition":"web","desiredCount":1,"launchType":"FARGATE"}""");
        Assert.Equal(("InvalidParameterException", "Task definition does not support launch_type FARGATE."), (fargate.Code, fargate.Message));
    }

    // ------------------------------------------------------------------ task definitions

    [Fact]
    public void DescribeTaskDefinition_by_family_revision_and_arn()
    {
        var t = new EcsTestWorld();
        t.Register("web", "nginx:1.25");
        t.Register("web", "nginx:1.26");
        t.Register("web", "nginx:1.27");
        t.Call("DeregisterTaskDefinition", """{"taskDefinition":"web:3"}""");

        Assert.Equal(2, (int)t.Call("DescribeTaskDefinition", """{"taskDefinition":"web"}""")["taskDefinition"]!["revision"]!);
        JsonNode third = t.Call("DescribeTaskDefinition", """{"taskDefinition":"web:3"}""")["taskDefinition"]!;
        Assert.Equal("INACTIVE", (string?)third["status"]);
        Assert.NotNull(third["deregisteredAt"]);
        JsonNode first = t.Call("DescribeTaskDefinition", $$"""{"taskDefinition":"{{Arn("task-definition/web:1")}}"}""");
        Assert.Equal("nginx:1.25", (string?)first["taskDefinition"]!["containerDefinitions"]![0]!["image"]);
        Assert.Null(first["tags"]);

        foreach (string unknown in new[] { "nope", "web:9", Arn("task-definition/web:9"), "web:x" })
        {
            SandboxException error = t.Fails("DescribeTaskDefinition", $$"""{"taskDefinition":"{{unknown}}"}""");
            Assert.Equal(("ClientException", "Unable to describe task definition."), (error.Code, error.Message));
        }
    }

    [Fact]
    public void RegisterTaskDefinition_adds_a_revision_with_ECS_defaults_and_echoes_unknown_container_members()
    {
        var t = new EcsTestWorld();
        t.Register("web", "nginx:1.25");
        JsonNode answer = t.Call("RegisterTaskDefinition", """
            {"family":"web","networkMode":"bridge","tags":[{"key":"team","value":"ops"}],
             "containerDefinitions":[{"name":"app","image":"nginx:1.26","memory":256,"memoryReservation":128,
               "portMappings":[{"containerPort":80}],"restartPolicy":{"enabled":true,"restartAttemptPeriod":60},
               "dockerLabels":{"a":"b"},"healthCheck":{"command":["CMD","true"]}}]}
            """);
        JsonNode td = answer["taskDefinition"]!;
        Assert.Equal(2, (int)td["revision"]!);
        Assert.Equal(Arn("task-definition/web:2"), (string?)td["taskDefinitionArn"]);
        Assert.Equal("ACTIVE", (string?)td["status"]);
        Assert.Equal(["EXTERNAL", "EC2"], td["compatibilities"]!.AsArray().Select(c => (string)c!));
        Assert.NotNull(td["registeredAt"]);
        Assert.Equal("ops", (string?)answer["tags"]![0]!["value"]);
        JsonNode container = td["containerDefinitions"]![0]!;
        Assert.True((bool)container["essential"]!);
        Assert.Equal(0, (int)container["cpu"]!);
        Assert.Equal("tcp", (string?)container["portMappings"]![0]!["protocol"]);
        Assert.Empty(container["mountPoints"]!.AsArray());
        Assert.Empty(container["volumesFrom"]!.AsArray());
        Assert.Empty(container["environment"]!.AsArray());
        Assert.Equal(60, (int)container["restartPolicy"]!["restartAttemptPeriod"]!);
        Assert.Equal("b", (string?)container["dockerLabels"]!["a"]);
        Assert.Equal("CMD", (string?)container["healthCheck"]!["command"]![0]);

        JsonNode described = t.Call("DescribeTaskDefinition", """{"taskDefinition":"web","include":["TAGS"]}""");
        Assert.Equal("team", (string?)described["tags"]![0]!["key"]);
        Assert.Null(described["taskDefinition"]!["tags"]);
    }

    [Theory]
    [InlineData("""{"family":"web","containerDefinitions":[]}""", "Container list cannot be empty.")]
    [InlineData("""{"family":"web","containerDefinitions":[{"image":"nginx","memory":64}]}""", "Container.name should not be null or empty.")]
    [InlineData("""{"family":"web","containerDefinitions":[{"name":"a","memory":64}]}""", "Container.image should not be null or empty.")]
    [InlineData("""{"family":"web","containerDefinitions":[{"name":"a","image":"nginx"}]}""", "Invalid setting for container 'a'. At least one of 'memory' or 'memoryReservation' must be specified.")]
    [InlineData("""{"family":"web","containerDefinitions":[{"name":"a","image":"nginx","memory":64,"memoryReservation":128}]}""", "Invalid setting for container 'a'. 'memory' must be greater than or equal to 'memoryReservation'.")]
    [InlineData("""{"family":"web","requiresCompatibilities":["FARGATE"],"containerDefinitions":[{"name":"a","image":"nginx"}]}""", "Fargate only supports network mode 'awsvpc'.")]
    [InlineData("""{"family":"we b","containerDefinitions":[{"name":"a","image":"nginx","memory":64}]}""", null)]
    [InlineData("""{"family":"web","containerDefinitions":[{"name":"a","image":"nginx","memory":64},{"name":"a","image":"nginx","memory":64}]}""", null)]
    [InlineData("""{"family":"web","containerDefinitions":[{"name":"a","image":"nginx","memory":64,"essential":false}]}""", null)]
    public void RegisterTaskDefinition_validates_like_ECS(string body, string? message)
    {
        var t = new EcsTestWorld();
        SandboxException error = t.Fails("RegisterTaskDefinition", body);
        Assert.Equal("ClientException", error.Code);
        if (message is not null)
        {
            Assert.Equal(message, error.Message);
        }
    }

    [Fact]
    public void A_task_level_memory_makes_container_memory_optional()
    {
        var t = new EcsTestWorld();
        JsonNode td = t.Call("RegisterTaskDefinition", """
            {"family":"svc","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512",
             "containerDefinitions":[{"name":"a","image":"nginx","portMappings":[{"containerPort":80}]}]}
            """)["taskDefinition"]!;
        Assert.Equal(["EC2", "FARGATE"], td["compatibilities"]!.AsArray().Select(c => (string)c!));
        Assert.Equal(80, (int)td["containerDefinitions"]![0]!["portMappings"]![0]!["hostPort"]!);
    }

    [Fact]
    public void DeregisterTaskDefinition_needs_a_revision()
    {
        var t = new EcsTestWorld();
        t.Register("web", "nginx");
        Assert.Equal(("ClientException", "Revision is missing."), Describe(t.Fails("DeregisterTaskDefinition", """{"taskDefinition":"web"}""")));
        Assert.Equal("ClientException", t.Fails("DeregisterTaskDefinition", """{"taskDefinition":"web:7"}""").Code);
        JsonNode answer = t.Call("DeregisterTaskDefinition", $$"""{"taskDefinition":"{{Arn("task-definition/web:1")}}"}""");
        Assert.Equal("INACTIVE", (string?)answer["taskDefinition"]!["status"]);
        Assert.Equal("ClientException", t.Fails("DescribeTaskDefinition", """{"taskDefinition":"web"}""").Code);
        Assert.Empty(t.Call("ListTaskDefinitions")["taskDefinitionArns"]!.AsArray());
        Assert.Single(t.Call("ListTaskDefinitions", """{"status":"INACTIVE"}""")["taskDefinitionArns"]!.AsArray());
        Assert.Equal(["web"], t.Call("ListTaskDefinitionFamilies", """{"status":"INACTIVE"}""")["families"]!.AsArray().Select(f => (string)f!));
        SandboxException inactive = t.Fails("CreateService", """{"serviceName":"x","taskDefinition":"web:1","desiredCount":1}""");
        Assert.Equal("ClusterNotFoundException", inactive.Code);   // no default cluster in this world: checked first
    }

    private static (string, string) Describe(SandboxException error) => (error.Code, error.Message);

    [Fact]
    public void ListTaskDefinitions_sorts_and_filters_by_family()
    {
        JsonArray descending = Demo.Call("ListTaskDefinitions", """{"familyPrefix":"WEB","sort":"DESC"}""")["taskDefinitionArns"]!.AsArray();
        Assert.Equal([Arn("task-definition/WEB:2"), Arn("task-definition/WEB:1")], descending.Select(a => (string)a!));
        JsonNode page = Demo.Call("ListTaskDefinitions", """{"maxResults":5}""");
        Assert.Equal(5, page["taskDefinitionArns"]!.AsArray().Count);
        Assert.NotNull(page["nextToken"]);
        Assert.Contains("ios_web_scrape", Demo.Call("ListTaskDefinitionFamilies", """{"familyPrefix":"ios"}""")["families"]!.AsArray().Select(f => (string)f!));
    }

    // ------------------------------------------------------------------ tasks

    [Fact]
    public void ListTasks_filters_and_pages()
    {
        int expected = 4 + Sandbox.Ecs.EcsDemoSeed.Workers.Sum(w => w.DesiredCount);
        var all = new List<string>();
        string? token = null;
        do
        {
            JsonObject body = new() { ["cluster"] = "production", ["maxResults"] = 7 };
            if (token is not null)
            {
                body["nextToken"] = token;
            }
            JsonNode page = Demo.Call("ListTasks", body);
            all.AddRange(page["taskArns"]!.AsArray().Select(a => (string)a!));
            token = (string?)page["nextToken"];
        }
        while (token is not null);
        Assert.Equal(expected, all.Distinct().Count());
        Assert.Equal(expected, Demo.Call("ListTasks", """{"cluster":"production"}""")["taskArns"]!.AsArray().Count);

        Assert.Equal(2, Demo.Call("ListTasks", """{"cluster":"production","serviceName":"WEB"}""")["taskArns"]!.AsArray().Count);
        Assert.Equal(2, Demo.Call("ListTasks", """{"cluster":"production","family":"WEB"}""")["taskArns"]!.AsArray().Count);
        string deployment = (string)Demo.Service("production", "API")["deployments"]![0]!["id"]!;
        Assert.Equal(2, Demo.Call("ListTasks", new JsonObject { ["cluster"] = "production", ["startedBy"] = deployment })["taskArns"]!.AsArray().Count);
        Assert.Empty(Demo.Call("ListTasks", """{"cluster":"production","desiredStatus":"PENDING"}""")["taskArns"]!.AsArray());

        string instance = (string)Demo.Call("ListContainerInstances", """{"cluster":"production"}""")["containerInstanceArns"]![0]!;
        string instanceId = instance.Split('/')[^1];
        JsonArray onInstance = Demo.Call("ListTasks", new JsonObject { ["cluster"] = "production", ["containerInstance"] = instanceId })["taskArns"]!.AsArray();
        Assert.InRange(onInstance.Count, 1, expected - 1);

        Assert.Equal("InvalidParameterException", Demo.Fails("ListTasks", $$"""{"cluster":"production","startedBy":"{{deployment}}","family":"API"}""").Code);
        Assert.Equal("ServiceNotFoundException", Demo.Fails("ListTasks", """{"cluster":"production","serviceName":"nope"}""").Code);
        Assert.Equal("InvalidParameterException", Demo.Fails("ListTasks", """{"cluster":"production","desiredStatus":"DONE"}""").Code);
    }

    [Fact]
    public void DescribeTasks_takes_ids_or_arns_up_to_a_hundred()
    {
        JsonArray arns = Demo.Call("ListTasks", """{"cluster":"production","serviceName":"WEB"}""")["taskArns"]!.AsArray();
        string id = ((string)arns[1]!).Split('/')[^1];
        JsonNode answer = Demo.Call("DescribeTasks", $$"""
            {"cluster":"production","tasks":["{{(string)arns[0]!}}","{{id}}","0123456789abcdef0123456789abcdef"],"include":["TAGS"]}
            """);
        JsonArray tasks = answer["tasks"]!.AsArray();
        Assert.Equal(2, tasks.Count);
        JsonNode task = tasks[0]!;
        Assert.Equal("RUNNING", (string?)task["lastStatus"]);
        Assert.Equal("EC2", (string?)task["launchType"]);
        Assert.Contains(task["tags"]!.AsArray(), tag => (string?)tag!["key"] == "aws:ecs:serviceName" && (string?)tag["value"] == "WEB");
        Assert.Equal("application", (string?)task["overrides"]!["containerOverrides"]![0]!["name"]);
        Assert.Equal(Arn("task/production/0123456789abcdef0123456789abcdef"), (string?)answer["failures"]![0]!["arn"]);

        Assert.Equal(("InvalidParameterException", "Tasks cannot be empty."), Describe(Demo.Fails("DescribeTasks", """{"cluster":"production","tasks":[]}""")));
        string many = string.Join(",", Enumerable.Range(0, 101).Select(i => $"\"{i:x32}\""));
        Assert.Equal("InvalidParameterException", Demo.Fails("DescribeTasks", $$"""{"cluster":"production","tasks":[{{many}}]}""").Code);
        DescribeTasksResponse typed = answer.Deserialize<DescribeTasksResponse>(AwsJson.Options)!;
        Assert.Equal(2, typed.Tasks![0].Containers!.Count);
    }

    [Fact]
    public void DescribeContainerInstances_takes_ids_or_arns()
    {
        JsonArray arns = Demo.Call("ListContainerInstances", """{"cluster":"production"}""")["containerInstanceArns"]!.AsArray();
        string id = ((string)arns[0]!).Split('/')[^1];
        JsonNode answer = Demo.Call("DescribeContainerInstances", $$"""
            {"cluster":"production","containerInstances":["{{id}}","{{(string)arns[1]!}}","nope"],"include":["TAGS","CONTAINER_INSTANCE_HEALTH"]}
            """);
        JsonArray instances = answer["containerInstances"]!.AsArray();
        Assert.Equal(2, instances.Count);
        JsonNode instance = instances[0]!;
        Assert.Equal((string?)arns[0], (string?)instance["containerInstanceArn"]);
        Assert.Equal("ACTIVE", (string?)instance["status"]);
        Assert.True((bool)instance["agentConnected"]!);
        Assert.Equal("OK", (string?)instance["healthStatus"]!["overallStatus"]);
        // The demo's first instance is one of the web group's m5.large (2 vCPU).
        Assert.Contains(instance["attributes"]!.AsArray(), a => (string?)a!["name"] == "ecs.instance-type" && (string?)a["value"] == "m5.large");
        Assert.Equal(2048, (int)instance["registeredResources"]!.AsArray().Single(r => (string?)r!["name"] == "CPU")!["integerValue"]!);
        Assert.Equal(Arn("container-instance/production/nope"), (string?)answer["failures"]![0]!["arn"]);
        Assert.Equal("InvalidParameterException", Demo.Fails("DescribeContainerInstances", """{"cluster":"production","containerInstances":[]}""").Code);
        DescribeContainerInstancesResponse typed = answer.Deserialize<DescribeContainerInstancesResponse>(AwsJson.Options)!;
        Assert.StartsWith("i-0", typed.ContainerInstances![0].Ec2InstanceId);
    }
}
