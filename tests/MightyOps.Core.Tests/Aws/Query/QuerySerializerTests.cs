using System.Text.Json;
using System.Text.Json.Nodes;
using MightyOps.Core.Aws.Query;
using Xunit;

namespace MightyOps.Core.Tests.Aws.Query;

/// <summary>
/// Query-protocol request bodies (docs/design/query-protocol.md, "Requests"), one row per case:
/// the request as a client will build it, the same request as botocore's parameters, and the body
/// beside them. The body is what botocore itself sends for those parameters: the last test runs
/// every row through a real botocore client (tests/tools/query_protocol.py, the installed Auto
/// Scaling and ELBv2 models, parameters validated) and compares.
/// </summary>
public sealed class QuerySerializerTests
{
    public sealed record Row(string Service, string Operation, string Version, object? Request, string Parameters, string[] Body)
    {
        public override string ToString() => $"{Service} {Operation}: {Parameters}";
    }

    private const string TargetGroupArn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067";
    private const string TargetGroupArnSent = "arn%3Aaws%3Aelasticloadbalancing%3Aus-east-1%3A123456789012%3Atargetgroup%2Fweb%2F73e2d6bc24d8a067";

    public static readonly Row[] Rows =
    [
        // Lists of strings and of structures, a boolean, an integer; ':' '/' ' ' encoded.
        new("autoscaling", "DescribeAutoScalingGroups", "2011-01-01",
            new DescribeAutoScalingGroupsRequest
            {
                AutoScalingGroupNames = ["web-asg", "worker asg/2"],
                IncludeInstances = true,
                MaxRecords = 100,
                Filters = [new() { Name = "tag:environment", Values = ["production", "development"] }, new() { Name = "tag-key", Values = ["costcenter"] }],
            },
            """{"AutoScalingGroupNames":["web-asg","worker asg/2"],"IncludeInstances":true,"MaxRecords":100,"Filters":[{"Name":"tag:environment","Values":["production","development"]},{"Name":"tag-key","Values":["costcenter"]}]}""",
            ["Action=DescribeAutoScalingGroups", "Version=2011-01-01", "AutoScalingGroupNames.member.1=web-asg", "AutoScalingGroupNames.member.2=worker+asg%2F2", "IncludeInstances=true", "MaxRecords=100",
             "Filters.member.1.Name=tag%3Aenvironment", "Filters.member.1.Values.member.1=production", "Filters.member.1.Values.member.2=development", "Filters.member.2.Name=tag-key", "Filters.member.2.Values.member.1=costcenter"]),

        // No input at all: Action and Version.
        new("autoscaling", "DescribeAutoScalingGroups", "2011-01-01", null, "{}",
            ["Action=DescribeAutoScalingGroups", "Version=2011-01-01"]),

        // An empty list is sent as the bare name; an unset one not at all.
        new("autoscaling", "DescribeAutoScalingGroups", "2011-01-01",
            new DescribeAutoScalingGroupsRequest { AutoScalingGroupNames = [], Filters = [new() { Name = "tag-key", Values = [] }] },
            """{"AutoScalingGroupNames":[],"Filters":[{"Name":"tag-key","Values":[]}]}""",
            ["Action=DescribeAutoScalingGroups", "Version=2011-01-01", "AutoScalingGroupNames=", "Filters.member.1.Name=tag-key", "Filters.member.1.Values="]),

        // false is sent, not left out.
        new("autoscaling", "SetDesiredCapacity", "2011-01-01",
            new SetDesiredCapacityRequest { AutoScalingGroupName = "ecs-production", DesiredCapacity = 4, HonorCooldown = false },
            """{"AutoScalingGroupName":"ecs-production","DesiredCapacity":4,"HonorCooldown":false}""",
            ["Action=SetDesiredCapacity", "Version=2011-01-01", "AutoScalingGroupName=ecs-production", "DesiredCapacity=4", "HonorCooldown=false"]),

        // Timestamps in UTC, microseconds only when there are any; '*' is encoded.
        new("autoscaling", "PutScheduledUpdateGroupAction", "2011-01-01",
            new PutScheduledUpdateGroupActionRequest
            {
                AutoScalingGroupName = "ecs-production",
                ScheduledActionName = "office hours",
                StartTime = new DateTimeOffset(2025, 6, 1, 12, 0, 0, 250, TimeSpan.FromHours(2)),
                EndTime = new DateTimeOffset(2025, 12, 31, 23, 0, 0, TimeSpan.Zero),
                Recurrence = "0 9 * * 1-5",
                MinSize = 0,
                DesiredCapacity = 2,
                TimeZone = "Europe/Berlin",
            },
            """{"AutoScalingGroupName":"ecs-production","ScheduledActionName":"office hours","StartTime":"2025-06-01T12:00:00.25+02:00","EndTime":"2025-12-31T23:00:00Z","Recurrence":"0 9 * * 1-5","MinSize":0,"DesiredCapacity":2,"TimeZone":"Europe/Berlin"}""",
            ["Action=PutScheduledUpdateGroupAction", "Version=2011-01-01", "AutoScalingGroupName=ecs-production", "ScheduledActionName=office+hours", "StartTime=2025-06-01T10%3A00%3A00.250000Z",
             "EndTime=2025-12-31T23%3A00%3A00Z", "Recurrence=0+9+%2A+%2A+1-5", "MinSize=0", "DesiredCapacity=2", "TimeZone=Europe%2FBerlin"]),

        // Nested structures as A.B.C; a double.
        new("autoscaling", "PutScalingPolicy", "2011-01-01",
            new PutScalingPolicyRequest
            {
                AutoScalingGroupName = "ecs-production",
                PolicyName = "cpu70",
                PolicyType = "TargetTrackingScaling",
                TargetTrackingConfiguration = new() { PredefinedMetricSpecification = new() { PredefinedMetricType = "ASGAverageCPUUtilization" }, TargetValue = 70.5, DisableScaleIn = false },
                Enabled = true,
            },
            """{"AutoScalingGroupName":"ecs-production","PolicyName":"cpu70","PolicyType":"TargetTrackingScaling","TargetTrackingConfiguration":{"PredefinedMetricSpecification":{"PredefinedMetricType":"ASGAverageCPUUtilization"},"TargetValue":70.5,"DisableScaleIn":false},"Enabled":true}""",
            ["Action=PutScalingPolicy", "Version=2011-01-01", "AutoScalingGroupName=ecs-production", "PolicyName=cpu70", "PolicyType=TargetTrackingScaling",
             "TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType=ASGAverageCPUUtilization", "TargetTrackingConfiguration.TargetValue=70.5", "TargetTrackingConfiguration.DisableScaleIn=false", "Enabled=true"]),

        // Doubles as Python writes them: 0.0, 12345678.9, 1e+16, -1e-05, 0.0001.
        new("autoscaling", "PutScalingPolicy", "2011-01-01",
            new PutScalingPolicyRequest
            {
                AutoScalingGroupName = "ecs-production",
                PolicyName = "steps",
                PolicyType = "StepScaling",
                AdjustmentType = "ChangeInCapacity",
                StepAdjustments =
                [
                    new() { MetricIntervalLowerBound = 0.0, MetricIntervalUpperBound = 12345678.9, ScalingAdjustment = 1 },
                    new() { MetricIntervalLowerBound = 12345678.9, MetricIntervalUpperBound = 1e16, ScalingAdjustment = 2 },
                    new() { MetricIntervalLowerBound = -0.00001, MetricIntervalUpperBound = 0.0001, ScalingAdjustment = -1 },
                ],
            },
            """{"AutoScalingGroupName":"ecs-production","PolicyName":"steps","PolicyType":"StepScaling","AdjustmentType":"ChangeInCapacity","StepAdjustments":[{"MetricIntervalLowerBound":0.0,"MetricIntervalUpperBound":12345678.9,"ScalingAdjustment":1},{"MetricIntervalLowerBound":12345678.9,"MetricIntervalUpperBound":1e16,"ScalingAdjustment":2},{"MetricIntervalLowerBound":-0.00001,"MetricIntervalUpperBound":0.0001,"ScalingAdjustment":-1}]}""",
            ["Action=PutScalingPolicy", "Version=2011-01-01", "AutoScalingGroupName=ecs-production", "PolicyName=steps", "PolicyType=StepScaling", "AdjustmentType=ChangeInCapacity",
             "StepAdjustments.member.1.MetricIntervalLowerBound=0.0", "StepAdjustments.member.1.MetricIntervalUpperBound=12345678.9", "StepAdjustments.member.1.ScalingAdjustment=1",
             "StepAdjustments.member.2.MetricIntervalLowerBound=12345678.9", "StepAdjustments.member.2.MetricIntervalUpperBound=1e%2B16", "StepAdjustments.member.2.ScalingAdjustment=2",
             "StepAdjustments.member.3.MetricIntervalLowerBound=-1e-05", "StepAdjustments.member.3.MetricIntervalUpperBound=0.0001", "StepAdjustments.member.3.ScalingAdjustment=-1"]),

        // A member the model renames (References -> Reference) whose list names its members (item); UTF-8 and '&' in a value.
        new("autoscaling", "CreateAutoScalingGroup", "2011-01-01",
            new CreateAutoScalingGroupRequest
            {
                AutoScalingGroupName = "ecs-production",
                MixedInstancesPolicy = new()
                {
                    LaunchTemplate = new()
                    {
                        LaunchTemplateSpecification = new() { LaunchTemplateName = "ecs", Version = "$Latest" },
                        Overrides =
                        [
                            new()
                            {
                                InstanceRequirements = new()
                                {
                                    VCpuCount = new() { Min = 2, Max = 8 },
                                    MemoryMiB = new() { Min = 4096 },
                                    BaselinePerformanceFactors = new() { Cpu = new() { References = [new() { InstanceFamily = "c6i" }, new() { InstanceFamily = "m7g" }] } },
                                },
                            },
                        ],
                    },
                },
                MinSize = 0,
                MaxSize = 10,
                VPCZoneIdentifier = "subnet-0a1,subnet-0b2",
                TerminationPolicies = [],
                Tags = [new() { ResourceId = "ecs-production", ResourceType = "auto-scaling-group", Key = "Name", Value = "café ☕ & co", PropagateAtLaunch = true }],
            },
            """{"AutoScalingGroupName":"ecs-production","MixedInstancesPolicy":{"LaunchTemplate":{"LaunchTemplateSpecification":{"LaunchTemplateName":"ecs","Version":"$Latest"},"Overrides":[{"InstanceRequirements":{"VCpuCount":{"Min":2,"Max":8},"MemoryMiB":{"Min":4096},"BaselinePerformanceFactors":{"Cpu":{"References":[{"InstanceFamily":"c6i"},{"InstanceFamily":"m7g"}]}}}}]}},"MinSize":0,"MaxSize":10,"VPCZoneIdentifier":"subnet-0a1,subnet-0b2","TerminationPolicies":[],"Tags":[{"ResourceId":"ecs-production","ResourceType":"auto-scaling-group","Key":"Name","Value":"café ☕ & co","PropagateAtLaunch":true}]}""",
            ["Action=CreateAutoScalingGroup", "Version=2011-01-01", "AutoScalingGroupName=ecs-production",
             "MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.LaunchTemplateName=ecs", "MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification.Version=%24Latest",
             "MixedInstancesPolicy.LaunchTemplate.Overrides.member.1.InstanceRequirements.VCpuCount.Min=2", "MixedInstancesPolicy.LaunchTemplate.Overrides.member.1.InstanceRequirements.VCpuCount.Max=8",
             "MixedInstancesPolicy.LaunchTemplate.Overrides.member.1.InstanceRequirements.MemoryMiB.Min=4096",
             "MixedInstancesPolicy.LaunchTemplate.Overrides.member.1.InstanceRequirements.BaselinePerformanceFactors.Cpu.Reference.item.1.InstanceFamily=c6i",
             "MixedInstancesPolicy.LaunchTemplate.Overrides.member.1.InstanceRequirements.BaselinePerformanceFactors.Cpu.Reference.item.2.InstanceFamily=m7g",
             "MinSize=0", "MaxSize=10", "VPCZoneIdentifier=subnet-0a1%2Csubnet-0b2", "TerminationPolicies=",
             "Tags.member.1.ResourceId=ecs-production", "Tags.member.1.ResourceType=auto-scaling-group", "Tags.member.1.Key=Name", "Tags.member.1.Value=caf%C3%A9+%E2%98%95+%26+co", "Tags.member.1.PropagateAtLaunch=true"]),

        new("elbv2", "DescribeTargetHealth", "2015-12-01",
            new DescribeTargetHealthRequest
            {
                TargetGroupArn = TargetGroupArn,
                Targets = [new() { Id = "i-0abcdef1234567890", Port = 32768 }, new() { Id = "10.0.1.7", Port = 80, AvailabilityZone = "all" }],
                Include = ["AnomalyDetection"],
            },
            $$"""{"TargetGroupArn":"{{TargetGroupArn}}","Targets":[{"Id":"i-0abcdef1234567890","Port":32768},{"Id":"10.0.1.7","Port":80,"AvailabilityZone":"all"}],"Include":["AnomalyDetection"]}""",
            ["Action=DescribeTargetHealth", "Version=2015-12-01", $"TargetGroupArn={TargetGroupArnSent}", "Targets.member.1.Id=i-0abcdef1234567890", "Targets.member.1.Port=32768",
             "Targets.member.2.Id=10.0.1.7", "Targets.member.2.Port=80", "Targets.member.2.AvailabilityZone=all", "Include.member.1=AnomalyDetection"]),

        new("elbv2", "ModifyTargetGroupAttributes", "2015-12-01",
            new ModifyTargetGroupAttributesRequest
            {
                TargetGroupArn = TargetGroupArn,
                Attributes = [new() { Key = "deregistration_delay.timeout_seconds", Value = "30" }, new() { Key = "slow_start.duration_seconds", Value = "0" }],
            },
            $$"""{"TargetGroupArn":"{{TargetGroupArn}}","Attributes":[{"Key":"deregistration_delay.timeout_seconds","Value":"30"},{"Key":"slow_start.duration_seconds","Value":"0"}]}""",
            ["Action=ModifyTargetGroupAttributes", "Version=2015-12-01", $"TargetGroupArn={TargetGroupArnSent}", "Attributes.member.1.Key=deregistration_delay.timeout_seconds",
             "Attributes.member.1.Value=30", "Attributes.member.2.Key=slow_start.duration_seconds", "Attributes.member.2.Value=0"]),

        // A map: entry.N.key / entry.N.value; a long; '+', '/', '=' encoded.
        new("elbv2", "CreateListener", "2015-12-01",
            new CreateListenerRequest
            {
                LoadBalancerArn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188",
                Protocol = "HTTPS",
                Port = 443,
                DefaultActions =
                [
                    new()
                    {
                        Type = "authenticate-oidc",
                        Order = 1,
                        AuthenticateOidcConfig = new()
                        {
                            Issuer = "https://idp.example.com",
                            AuthorizationEndpoint = "https://idp.example.com/authorize",
                            TokenEndpoint = "https://idp.example.com/token",
                            UserInfoEndpoint = "https://idp.example.com/userinfo",
                            ClientId = "mighty",
                            ClientSecret = "s3cr3t+/=",
                            SessionTimeout = 604800,
                            AuthenticationRequestExtraParams = new() { ["prompt"] = "login", ["display"] = "page" },
                            UseExistingClientSecret = false,
                        },
                    },
                    new() { Type = "forward", TargetGroupArn = TargetGroupArn, Order = 2 },
                ],
            },
            $$$"""{"LoadBalancerArn":"arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188","Protocol":"HTTPS","Port":443,"DefaultActions":[{"Type":"authenticate-oidc","AuthenticateOidcConfig":{"Issuer":"https://idp.example.com","AuthorizationEndpoint":"https://idp.example.com/authorize","TokenEndpoint":"https://idp.example.com/token","UserInfoEndpoint":"https://idp.example.com/userinfo","ClientId":"mighty","ClientSecret":"s3cr3t+/=","SessionTimeout":604800,"AuthenticationRequestExtraParams":{"prompt":"login","display":"page"},"UseExistingClientSecret":false},"Order":1},{"Type":"forward","TargetGroupArn":"{{{TargetGroupArn}}}","Order":2}]}""",
            ["Action=CreateListener", "Version=2015-12-01", "LoadBalancerArn=arn%3Aaws%3Aelasticloadbalancing%3Aus-east-1%3A123456789012%3Aloadbalancer%2Fapp%2Fweb%2F50dc6c495c0c9188", "Protocol=HTTPS", "Port=443",
             "DefaultActions.member.1.Type=authenticate-oidc",
             "DefaultActions.member.1.AuthenticateOidcConfig.Issuer=https%3A%2F%2Fidp.example.com", "DefaultActions.member.1.AuthenticateOidcConfig.AuthorizationEndpoint=https%3A%2F%2Fidp.example.com%2Fauthorize",
             "DefaultActions.member.1.AuthenticateOidcConfig.TokenEndpoint=https%3A%2F%2Fidp.example.com%2Ftoken", "DefaultActions.member.1.AuthenticateOidcConfig.UserInfoEndpoint=https%3A%2F%2Fidp.example.com%2Fuserinfo",
             "DefaultActions.member.1.AuthenticateOidcConfig.ClientId=mighty", "DefaultActions.member.1.AuthenticateOidcConfig.ClientSecret=s3cr3t%2B%2F%3D", "DefaultActions.member.1.AuthenticateOidcConfig.SessionTimeout=604800",
             "DefaultActions.member.1.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.1.key=prompt", "DefaultActions.member.1.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.1.value=login",
             "DefaultActions.member.1.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.2.key=display", "DefaultActions.member.1.AuthenticateOidcConfig.AuthenticationRequestExtraParams.entry.2.value=page",
             "DefaultActions.member.1.AuthenticateOidcConfig.UseExistingClientSecret=false", "DefaultActions.member.1.Order=1",
             "DefaultActions.member.2.Type=forward", $"DefaultActions.member.2.TargetGroupArn={TargetGroupArnSent}", "DefaultActions.member.2.Order=2"]),
    ];

    public static TheoryData<Row> Cases => [.. Rows];

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_body_is_the_one_botocore_sends(Row row)
    {
        byte[] body = QuerySerializer.Body(QuerySerializer.Parameters(row.Operation, row.Version, row.Request));
        Assert.Equal(row.Body, System.Text.Encoding.ASCII.GetString(body).Split('&'));
    }

    /// <summary>botocore, given each row's parameters, sends exactly the row's body (as a form POST to /).</summary>
    [Fact]
    public async Task Botocore_sends_the_same_bodies()
    {
        var requests = new JsonArray([.. Rows.Select(r => (JsonNode)new JsonObject { ["service"] = r.Service, ["operation"] = r.Operation, ["params"] = JsonNode.Parse(r.Parameters) })]);
        JsonObject answer = await BotocoreAsync(new JsonObject { ["requests"] = requests });

        var sent = answer["requests"]!.AsArray();
        Assert.Equal(Rows.Length, sent.Count);
        for (int i = 0; i < Rows.Length; i++)
        {
            Assert.True(
                string.Join("&", Rows[i].Body) == (string?)sent[i]!["body"],
                $"row {i} ({Rows[i].Operation}):\n ours:     {string.Join("&", Rows[i].Body)}\n botocore: {sent[i]!["body"]}");
            Assert.Equal(("POST", "/", AwsQueryClient.ContentType), ((string?)sent[i]!["method"], (string?)sent[i]!["path"], (string?)sent[i]!["contentType"]));
        }
    }

    /// <summary>Numbers as Python's str() writes a float (what botocore sends), one per row.</summary>
    [Theory]
    [InlineData(0.0, "0.0")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(1.0, "1.0")]
    [InlineData(70.5, "70.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(1.0 / 3, "0.3333333333333333")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(-0.000012345, "-1.2345e-05")]
    [InlineData(123456789012345.6, "123456789012345.6")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(9999999999999998.0, "9999999999999998.0")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1.5e300, "1.5e+300")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void A_double_is_written_as_Python_writes_it(double value, string text)
    {
        Assert.Equal(text, QuerySerializer.Number(value));
    }

    /// <summary>The same numbers through Python itself, so the table above is Python's and not a guess.</summary>
    [Fact]
    public async Task Python_writes_the_numbers_so()
    {
        double[] values = [0.0, -0.0, 1.0, 70.5, 0.1, 1.0 / 3, 0.0001, 0.00001, -0.000012345, 123456789012345.6, 1e15, 9999999999999998.0, 1e16, 1.5e300, 5e-324];
        string program = "import json,sys\nfor v in json.load(sys.stdin): print(str(float.fromhex(v)))";
        (int exitCode, string output, string error) = await ExternalProgram.RunAsync("python3", ["-c", program], JsonSerializer.Serialize(values.Select(Hex)));
        Assert.True(exitCode == 0, error);
        Assert.Equal(output.TrimEnd('\n').Split('\n'), values.Select(QuerySerializer.Number));
    }

    [Theory]
    [InlineData("2025-06-01T12:00:00+00:00", "2025-06-01T12:00:00Z")]
    [InlineData("2025-06-01T12:00:00+02:00", "2025-06-01T10:00:00Z")]               // always UTC
    [InlineData("2025-06-01T12:00:00.25-05:00", "2025-06-01T17:00:00.250000Z")]     // microseconds when there are any
    [InlineData("2025-06-01T12:00:00.0000019+00:00", "2025-06-01T12:00:00.000001Z")] // below a microsecond: cut, as Python's datetime has none
    [InlineData("2025-06-01T12:00:00.0000001+00:00", "2025-06-01T12:00:00Z")]
    public void A_timestamp_is_ISO_8601_in_UTC(string value, string text)
    {
        Assert.Equal(text, QuerySerializer.Timestamp(DateTimeOffset.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("plain-text_1.0~", "plain-text_1.0~")]
    [InlineData("a b", "a+b")]
    [InlineData("a+b", "a%2Bb")]
    [InlineData("*'()!", "%2A%27%28%29%21")]
    [InlineData("é", "%C3%A9")]
    [InlineData("\n", "%0A")]
    public void Form_encoding_is_Pythons_quote_plus(string text, string encoded)
    {
        Assert.Equal(encoded, QuerySerializer.FormEncode(text));
    }

    /// <summary>Runs tests/tools/query_protocol.py with <paramref name="input"/> and returns what it printed.</summary>
    internal static async Task<JsonObject> BotocoreAsync(JsonObject input)
    {
        string tool = Path.Combine(TestEnvironment.RepositoryRoot(), "tests", "tools", "query_protocol.py");
        (int exitCode, string output, string error) = await ExternalProgram.RunAsync("python3", [tool], input.ToJsonString());
        Assert.True(exitCode == 0, $"query_protocol.py failed:\n{error}");
        return JsonNode.Parse(output)!.AsObject();
    }

    /// <summary>A double in float.fromhex form, so Python gets exactly its bits.</summary>
    private static string Hex(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        string sign = bits < 0 ? "-" : string.Empty;
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        return exponent == 0 ? $"{sign}0x0.{mantissa:x13}p-1022" : $"{sign}0x1.{mantissa:x13}p{exponent - 1023}";
    }
}
