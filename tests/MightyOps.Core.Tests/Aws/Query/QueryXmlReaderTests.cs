using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml;
using MightyOps.Core.Aws;
using MightyOps.Core.Aws.Query;
using Xunit;

namespace MightyOps.Core.Tests.Aws.Query;

/// <summary>
/// Query-protocol answers read into a client's classes (docs/design/query-protocol.md, "Answers"
/// and "Errors"): captured XML written into the test, what is read beside it, and botocore's own
/// QueryParser given the same XML as the reference (tests/tools/query_protocol.py).
/// </summary>
public sealed class QueryXmlReaderTests
{
    /// <summary>The example answer of the Auto Scaling API reference for DescribeAutoScalingGroups, as AWS documents it.</summary>
    internal const string DescribeAutoScalingGroupsExample = """
        <DescribeAutoScalingGroupsResponse xmlns="https://autoscaling.amazonaws.com/doc/2011-01-01/">
          <DescribeAutoScalingGroupsResult>
            <AutoScalingGroups>
              <member>
                <AutoScalingGroupName>my-asg</AutoScalingGroupName>
                <AutoScalingGroupARN>arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:12345678-1234-1234-1234-123456789012:autoScalingGroupName/my-asg</AutoScalingGroupARN>
                <LaunchConfigurationName>my-lc</LaunchConfigurationName>
                <LaunchTemplate />
                <MixedInstancesPolicy />
                <MinSize>2</MinSize>
                <MaxSize>10</MaxSize>
                <DesiredCapacity>2</DesiredCapacity>
                <DefaultCooldown>300</DefaultCooldown>
                <AvailabilityZones>
                  <member>us-east-1a</member>
                  <member>us-east-1b</member>
                </AvailabilityZones>
                <LoadBalancerNames />
                <TargetGroupARNs />
                <HealthCheckType>ELB</HealthCheckType>
                <HealthCheckGracePeriod>300</HealthCheckGracePeriod>
                <Instances>
                  <member>
                    <ProtectedFromScaleIn>false</ProtectedFromScaleIn>
                    <AvailabilityZone>us-east-1c</AvailabilityZone>
                    <LaunchConfigurationName>my-lc</LaunchConfigurationName>
                    <LaunchTemplate />
                    <InstanceId>i-1234567890abcdef0</InstanceId>
                    <InstanceType>t3.micro</InstanceType>
                    <HealthStatus>Healthy</HealthStatus>
                    <LifecycleState>InService</LifecycleState>
                    <WeightedCapacity />
                  </member>
                </Instances>
                <CreatedTime>2023-05-06T17:47:15.107Z</CreatedTime>
                <SuspendedProcesses />
                <PlacementGroup />
                <VPCZoneIdentifier>subnet-057fa0918fEXAMPLE,subnet-610acd08EXAMPLE</VPCZoneIdentifier>
                <EnabledMetrics />
                <Status />
                <Tags>
                  <member>
                    <ResourceId>my-asg</ResourceId>
                    <PropagateAtLaunch>true</PropagateAtLaunch>
                    <Value>test</Value>
                    <Key>environment</Key>
                    <ResourceType>auto-scaling-group</ResourceType>
                  </member>
                </Tags>
                <TerminationPolicies>
                  <member>Default</member>
                </TerminationPolicies>
                <NewInstancesProtectedFromScaleIn>false</NewInstancesProtectedFromScaleIn>
                <ServiceLinkedRoleARN>arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling</ServiceLinkedRoleARN>
                <MaxInstanceLifetime />
                <CapacityRebalance />
                <WarmPoolConfiguration />
                <WarmPoolSize />
                <DesiredCapacityType />
                <DefaultInstanceWarmup />
                <TrafficSources />
              </member>
            </AutoScalingGroups>
          </DescribeAutoScalingGroupsResult>
          <ResponseMetadata>
            <RequestId>7c6e177f-f082-11e1-ac58-3714bEXAMPLE</RequestId>
          </ResponseMetadata>
        </DescribeAutoScalingGroupsResponse>
        """;

    internal const string DescribeTargetHealthAnswer = """
        <DescribeTargetHealthResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
          <DescribeTargetHealthResult>
            <TargetHealthDescriptions>
              <member>
                <HealthCheckPort>32768</HealthCheckPort>
                <TargetHealth>
                  <State>healthy</State>
                </TargetHealth>
                <Target>
                  <Port>32768</Port>
                  <Id>i-0f76fade435676abd</Id>
                </Target>
              </member>
              <member>
                <HealthCheckPort>32771</HealthCheckPort>
                <TargetHealth>
                  <State>unhealthy</State>
                  <Reason>Target.ResponseCodeMismatch</Reason>
                  <Description>Health checks failed with these codes: [502]</Description>
                </TargetHealth>
                <Target>
                  <Port>32771</Port>
                  <Id>i-0f76fade435676abd</Id>
                </Target>
              </member>
              <member>
                <HealthCheckPort>32769</HealthCheckPort>
                <TargetHealth>
                  <State>draining</State>
                  <Reason>Target.DeregistrationInProgress</Reason>
                  <Description>Target deregistration is in progress</Description>
                </TargetHealth>
                <Target>
                  <Port>32769</Port>
                  <Id>i-0a1b2c3d4e5f60718</Id>
                </Target>
              </member>
            </TargetHealthDescriptions>
          </DescribeTargetHealthResult>
          <ResponseMetadata>
            <RequestId>c534f810-f389-11e5-9192-3fff33344cfa</RequestId>
          </ResponseMetadata>
        </DescribeTargetHealthResponse>
        """;

    private const string DescribeTargetGroupsAnswer = """
        <DescribeTargetGroupsResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
          <DescribeTargetGroupsResult>
            <TargetGroups>
              <member>
                <TargetGroupArn>arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067</TargetGroupArn>
                <TargetGroupName>web</TargetGroupName>
                <Protocol>HTTP</Protocol>
                <Port>80</Port>
                <VpcId>vpc-3ac0fb5f</VpcId>
                <HealthCheckEnabled>true</HealthCheckEnabled>
                <HealthCheckIntervalSeconds>30</HealthCheckIntervalSeconds>
                <HealthyThresholdCount>5</HealthyThresholdCount>
                <HealthCheckPath>/up</HealthCheckPath>
                <Matcher>
                  <HttpCode>200-299</HttpCode>
                </Matcher>
                <LoadBalancerArns>
                  <member>arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188</member>
                </LoadBalancerArns>
                <TargetType>instance</TargetType>
              </member>
            </TargetGroups>
            <NextMarker>bWFya2VyLTE=</NextMarker>
          </DescribeTargetGroupsResult>
          <ResponseMetadata>
            <RequestId>70092c0e-f3a9-11e5-ae48-cff02092876b</RequestId>
          </ResponseMetadata>
        </DescribeTargetGroupsResponse>
        """;

    private const string DescribeListenersAnswer = """
        <DescribeListenersResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">
          <DescribeListenersResult>
            <Listeners>
              <member>
                <LoadBalancerArn>arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188</LoadBalancerArn>
                <Protocol>HTTPS</Protocol>
                <Port>443</Port>
                <ListenerArn>arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2</ListenerArn>
                <DefaultActions>
                  <member>
                    <Type>authenticate-oidc</Type>
                    <Order>1</Order>
                    <AuthenticateOidcConfig>
                      <Issuer>https://idp.example.com</Issuer>
                      <ClientId>mighty</ClientId>
                      <SessionTimeout>604800</SessionTimeout>
                      <AuthenticationRequestExtraParams>
                        <entry><key>prompt</key><value>login</value></entry>
                        <entry><key>display</key><value></value></entry>
                      </AuthenticationRequestExtraParams>
                    </AuthenticateOidcConfig>
                  </member>
                  <member>
                    <Type>forward</Type>
                    <Order>2</Order>
                    <TargetGroupArn>arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067</TargetGroupArn>
                  </member>
                </DefaultActions>
              </member>
            </Listeners>
          </DescribeListenersResult>
          <ResponseMetadata>
            <RequestId>18e470d3-f39c-11e5-a53c-67205c0d10fd</RequestId>
          </ResponseMetadata>
        </DescribeListenersResponse>
        """;

    private const string SetDesiredCapacityAnswer = """
        <SetDesiredCapacityResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">
          <ResponseMetadata>
            <RequestId>9fb7e2db-6998-11e2-a985-57c82EXAMPLE</RequestId>
          </ResponseMetadata>
        </SetDesiredCapacityResponse>
        """;

    [Fact]
    public void An_Auto_Scaling_group_is_read_from_the_documented_example()
    {
        DescribeAutoScalingGroupsResponse answer = Read<DescribeAutoScalingGroupsResponse>(DescribeAutoScalingGroupsExample, "DescribeAutoScalingGroups");

        AutoScalingGroup group = Assert.Single(answer.AutoScalingGroups!);
        Assert.Equal(("my-asg", 2, 10, 2, 300), (group.AutoScalingGroupName, group.MinSize, group.MaxSize, group.DesiredCapacity, group.DefaultCooldown));
        Assert.Equal(["us-east-1a", "us-east-1b"], group.AvailabilityZones);
        Assert.Empty(group.LoadBalancerNames!);                                   // <LoadBalancerNames /> is an empty list
        Assert.Empty(group.TargetGroupARNs!);
        Assert.Equal(new DateTimeOffset(2023, 5, 6, 17, 47, 15, 107, TimeSpan.Zero), group.CreatedTime);
        Assert.Equal(string.Empty, group.Status);                                  // an empty string element is "", not null
        Assert.NotNull(group.LaunchTemplate);                                      // <LaunchTemplate /> is an empty structure
        Assert.Null(group.LaunchTemplate!.LaunchTemplateName);
        Assert.Null(group.MaxInstanceLifetime);                                    // an empty number is absent (botocore cannot read it)
        Assert.False(group.CapacityRebalance);                                     // an empty boolean is false, as botocore reads it
        Assert.False(group.NewInstancesProtectedFromScaleIn);
        AutoScalingInstance instance = Assert.Single(group.Instances!);
        Assert.Equal(("i-1234567890abcdef0", "InService", "Healthy", false, ""), (instance.InstanceId, instance.LifecycleState, instance.HealthStatus, instance.ProtectedFromScaleIn, instance.WeightedCapacity));
        TagDescription tag = Assert.Single(group.Tags!);
        Assert.Equal(("environment", "test", true), (tag.Key, tag.Value, tag.PropagateAtLaunch));
        Assert.Equal("7c6e177f-f082-11e1-ac58-3714bEXAMPLE", answer.ResponseMetadata!.RequestId);
    }

    [Fact]
    public void Target_health_lists_nested_structures_in_members()
    {
        DescribeTargetHealthResponse answer = Read<DescribeTargetHealthResponse>(DescribeTargetHealthAnswer, "DescribeTargetHealth");

        Assert.Equal(
            ["i-0f76fade435676abd:32768 healthy", "i-0f76fade435676abd:32771 unhealthy Target.ResponseCodeMismatch Health checks failed with these codes: [502]", "i-0a1b2c3d4e5f60718:32769 draining Target.DeregistrationInProgress Target deregistration is in progress"],
            answer.TargetHealthDescriptions!.Select(d => $"{d.Target!.Id}:{d.Target.Port} {d.TargetHealth!.State} {d.TargetHealth.Reason} {d.TargetHealth.Description}".TrimEnd()));
        Assert.Equal("c534f810-f389-11e5-9192-3fff33344cfa", answer.ResponseMetadata!.RequestId);
    }

    [Fact]
    public void A_map_is_read_from_its_entries()
    {
        DescribeListenersResponse answer = Read<DescribeListenersResponse>(DescribeListenersAnswer, "DescribeListeners");

        Listener listener = Assert.Single(answer.Listeners!);
        Assert.Equal(["authenticate-oidc", "forward"], listener.DefaultActions!.Select(a => a.Type));
        AuthenticateOidcConfig oidc = listener.DefaultActions![0].AuthenticateOidcConfig!;
        Assert.Equal(new Dictionary<string, string> { ["prompt"] = "login", ["display"] = "" }, oidc.AuthenticationRequestExtraParams);
        Assert.Equal(604800L, oidc.SessionTimeout);
    }

    [Fact]
    public void An_operation_without_output_gives_its_metadata_only()
    {
        SetDesiredCapacityResponse answer = Read<SetDesiredCapacityResponse>(SetDesiredCapacityAnswer, "SetDesiredCapacity");
        Assert.Equal("9fb7e2db-6998-11e2-a985-57c82EXAMPLE", answer.ResponseMetadata!.RequestId);
    }

    /// <summary>Every answer above, read by botocore's QueryParser and by ours: the same members with the same values.</summary>
    [Fact]
    public async Task Botocore_reads_the_same_values()
    {
        (string Service, string Operation, string Xml, Func<string, string> Ours, Func<JsonNode, string> Theirs)[] answers =
        [
            // botocore cannot read the example's empty numbers (int('') fails): they are left out for it.
            ("autoscaling", "DescribeAutoScalingGroups",
                string.Join("\n", DescribeAutoScalingGroupsExample.Split('\n').Where(l => l.Trim() is not ("<MaxInstanceLifetime />" or "<WarmPoolSize />" or "<DefaultInstanceWarmup />"))),
                Ours<DescribeAutoScalingGroupsResponse>("DescribeAutoScalingGroups"), Theirs<DescribeAutoScalingGroupsResponse>),
            ("elbv2", "DescribeTargetHealth", DescribeTargetHealthAnswer, Ours<DescribeTargetHealthResponse>("DescribeTargetHealth"), Theirs<DescribeTargetHealthResponse>),
            ("elbv2", "DescribeTargetGroups", DescribeTargetGroupsAnswer, Ours<DescribeTargetGroupsResponse>("DescribeTargetGroups"), Theirs<DescribeTargetGroupsResponse>),
            ("elbv2", "DescribeListeners", DescribeListenersAnswer, Ours<DescribeListenersResponse>("DescribeListeners"), Theirs<DescribeListenersResponse>),
            ("autoscaling", "SetDesiredCapacity", SetDesiredCapacityAnswer, Ours<SetDesiredCapacityResponse>("SetDesiredCapacity"), Theirs<SetDesiredCapacityResponse>),
        ];
        JsonObject parsed = await QuerySerializerTests.BotocoreAsync(new JsonObject
        {
            ["answers"] = new JsonArray([.. answers.Select(a => (JsonNode)new JsonObject { ["service"] = a.Service, ["operation"] = a.Operation, ["status"] = 200, ["body"] = a.Xml })]),
        });

        for (int i = 0; i < answers.Length; i++)
        {
            Assert.Equal(answers[i].Theirs(parsed["answers"]![i]!), answers[i].Ours(answers[i].Xml));
        }
    }

    /// <summary>
    /// Error documents: the status and body, and the code, message and request id read from them,
    /// with the error id and kind the module gives them.
    /// </summary>
    [Theory]
    [InlineData(400, "<ErrorResponse xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>e1f4a6b2-0c2d-4e8f-9a7b-1c2d3e4f5a6b</RequestId></ErrorResponse>",
        "Throttling|Rate exceeded|e1f4a6b2-0c2d-4e8f-9a7b-1c2d3e4f5a6b", "AwsThrottled Throttled")]
    [InlineData(400, "<ErrorResponse xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>1 validation error detected: Value '-1' at 'desiredCapacity' failed to satisfy constraint: Member must have value greater than or equal to 0</Message></Error><RequestId>r-2</RequestId></ErrorResponse>",
        "ValidationError|1 validation error detected: Value '-1' at 'desiredCapacity' failed to satisfy constraint: Member must have value greater than or equal to 0|r-2", "AwsInvalidParameter InvalidArgument")]
    [InlineData(400, "<ErrorResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>ValidationError</Code>\n    <Message>Target group ARN 'x' is not valid</Message>\n  </Error>\n  <RequestId>r-3</RequestId>\n</ErrorResponse>\n",
        "ValidationError|Target group ARN 'x' is not valid|r-3", "AwsInvalidParameter InvalidArgument")]
    [InlineData(403, "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/ci is not authorized to perform: autoscaling:SetDesiredCapacity</Message></Error><RequestId>r-4</RequestId></ErrorResponse>",
        "AccessDenied|User: arn:aws:iam::123456789012:user/ci is not authorized to perform: autoscaling:SetDesiredCapacity|r-4", "AwsAccessDenied PermissionDenied")]
    [InlineData(403, "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>r-5</RequestId></ErrorResponse>",
        "InvalidClientTokenId|The security token included in the request is invalid.|r-5", "AwsAuthenticationFailed Authentication")]
    [InlineData(403, "<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message></Error><RequestId>r-6</RequestId></ErrorResponse>",
        "SignatureDoesNotMatch|The request signature we calculated does not match the signature you provided.|r-6", "AwsAuthenticationFailed Authentication")]
    [InlineData(400, "<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>r-7</RequestId></ErrorResponse>",
        "ExpiredToken|The security token included in the request is expired|r-7", "AwsAuthenticationFailed Authentication")]
    [InlineData(500, "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>An internal error occurred.</Message></Error><RequestId>r-8</RequestId></ErrorResponse>",
        "InternalFailure|An internal error occurred.|r-8", "AwsServerError Failed")]
    [InlineData(503, "<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message /></Error><RequestId>r-9</RequestId></ErrorResponse>",
        "ServiceUnavailable||r-9", "AwsServerError Failed")]
    [InlineData(400, "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>r-10</RequestID></Response>",
        "RequestLimitExceeded|Request limit exceeded.|header-id", "AwsThrottled Throttled")]                                              // EC2's form: Errors is read, its RequestID is not (as botocore)
    [InlineData(502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "502||header-id", "AwsServerError Failed")]                 // a proxy's page: the status is the code
    [InlineData(503, "", "503||header-id", "AwsServerError Failed")]
    public void An_error_document_gives_code_message_and_request_id(int status, string body, string read, string mapped)
    {
        AwsErrorResponse error = QueryXmlReader.ReadError(status, Encoding.UTF8.GetBytes(body), "header-id");

        Assert.Equal(read, $"{error.Code}|{error.Message}|{error.RequestId}");
        var call = new AwsCall("Auto Scaling", "autoscaling", "SetDesiredCapacity", new Uri("https://autoscaling.us-east-1.amazonaws.com/"), "us-east-1", "AKIDEXAMPLE", "ecs-production");
        MightyOpsException exception = AwsErrors.ToException(error, call, attempts: 5);
        Assert.Equal(mapped, $"{exception.ErrorId} {exception.Kind}");
        Assert.Equal(error.RequestId, exception.RequestId);
    }

    /// <summary>botocore reads the same code, message and request id from the XML error documents above.</summary>
    [Fact]
    public async Task Botocore_reads_the_same_errors()
    {
        var rows = typeof(QueryXmlReaderTests).GetMethod(nameof(An_error_document_gives_code_message_and_request_id))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>()
            .Select(a => a.GetData(null!).Single())
            .Where(r => ((string)r[1]).StartsWith('<') && !((string)r[1]).StartsWith("<html", StringComparison.Ordinal))
            .ToList();
        JsonObject parsed = await QuerySerializerTests.BotocoreAsync(new JsonObject
        {
            ["answers"] = new JsonArray([.. rows.Select(r => (JsonNode)new JsonObject { ["service"] = "autoscaling", ["operation"] = "SetDesiredCapacity", ["status"] = (int)r[0], ["body"] = (string)r[1] })]),
        });

        for (int i = 0; i < rows.Count; i++)
        {
            JsonNode theirs = parsed["answers"]![i]!;
            AwsErrorResponse ours = QueryXmlReader.ReadError((int)rows[i][0], Encoding.UTF8.GetBytes((string)rows[i][1]), null);
            Assert.Equal($"{theirs["Error"]!["Code"]}|{(string?)theirs["Error"]!["Message"] ?? string.Empty}|{theirs["ResponseMetadata"]!["RequestId"]}", $"{ours.Code}|{ours.Message}|{ours.RequestId}");
        }
    }

    [Fact]
    public void A_document_type_declaration_is_refused()
    {
        string xml = """<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><SetDesiredCapacityResponse><ResponseMetadata><RequestId>&x;</RequestId></ResponseMetadata></SetDesiredCapacityResponse>""";
        Assert.Throws<XmlException>(() => QueryXmlReader.Load(Encoding.UTF8.GetBytes(xml)));
    }

    private static T Read<T>(string xml, string operation)
        where T : class, new() =>
        QueryXmlReader.ReadResult<T>(QueryXmlReader.Load(Encoding.UTF8.GetBytes(xml)), operation);

    private static readonly JsonSerializerOptions Compared = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull, WriteIndented = true };

    private static Func<string, string> Ours<T>(string operation)
        where T : class, new() =>
        xml => JsonSerializer.Serialize(Read<T>(xml, operation), Compared);

    /// <summary>botocore's dictionary read into the same class (members it lacks dropped), written the same way.</summary>
    private static string Theirs<T>(JsonNode parsed) => JsonSerializer.Serialize(parsed.Deserialize<T>(), Compared);
}
