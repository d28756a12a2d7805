using System.Text.Json.Nodes;
using Xunit;

namespace MightyOps.Sandbox.Tests;

/// <summary>
/// The real AWS CLI (botocore 1.43) against the sandbox's service-deployment ledger: every new
/// operation parses, its arguments travel as the CLI writes them, its errors read as ECS's do.
/// </summary>
public sealed class EcsLedgerCliTests : IAsyncLifetime
{
    private SandboxHost _host = null!;

    public async Task InitializeAsync() => _host = await Sandboxes.StartAsync("demo", o => o with { TimeScale = 1e-6 });

    public async Task DisposeAsync() => await _host.StopAsync();

    private AwsCliResult Ok(params string[] args) => AwsCli.Ok(_host, args);

    [Fact]
    public void List_describe_and_continue_the_demo_deployment_that_waits_at_a_pause_hook()
    {
        JsonArray listed = Ok("ecs", "list-service-deployments", "--cluster", "staging", "--service", "API").Json!["serviceDeployments"]!.AsArray();
        Assert.Equal(["IN_PROGRESS", "SUCCESSFUL"], listed.Select(d => (string)d!["status"]!));
        string arn = (string)listed[0]!["serviceDeploymentArn"]!;
        Assert.Matches(@"^arn:aws:ecs:us-east-1:123456789012:service-deployment/staging/API/[A-Za-z0-9_-]{21}$", arn);
        JsonArray inProgress = Ok("ecs", "list-service-deployments", "--cluster", "staging", "--service", "API", "--status", "IN_PROGRESS", "PENDING").Json!["serviceDeployments"]!.AsArray();
        Assert.Equal([arn], inProgress.Select(d => (string)d!["serviceDeploymentArn"]!));

        JsonNode deployment = Ok("ecs", "describe-service-deployments", "--service-deployment-arns", arn).Json!["serviceDeployments"]![0]!;
        Assert.Equal("POST_SCALE_UP", (string?)deployment["lifecycleStage"]);
        Assert.Equal("BLUE_GREEN", (string?)deployment["deploymentConfiguration"]!["strategy"]);
        JsonNode hook = deployment["lifecycleHookDetails"]![0]!;
        Assert.Equal("AWAITING_ACTION", (string?)hook["status"]);
        string revision = (string)deployment["targetServiceRevision"]!["arn"]!;
        JsonNode described = Ok("ecs", "describe-service-revisions", "--service-revision-arns", revision).Json!["serviceRevisions"]![0]!;
        Assert.EndsWith("task-definition/staging-API:2", (string?)described["taskDefinition"]);
        Assert.Matches("^sha256:[0-9a-f]{64}$", (string?)described["containerImages"]![0]!["imageDigest"]);

        Ok("ecs", "continue-service-deployment", "--service-deployment-arn", arn, "--hook-id", (string)hook["hookId"]!, "--action", "CONTINUE");
        _host.AdvanceTime(TimeSpan.FromMinutes(10));
        JsonNode done = Ok("ecs", "describe-service-deployments", "--service-deployment-arns", arn).Json!["serviceDeployments"]![0]!;
        Assert.Equal("SUCCESSFUL", (string?)done["status"]);
        Assert.Equal("SUCCEEDED", (string?)done["lifecycleHookDetails"]![0]!["status"]);

        AwsCliResult again = AwsCli.Run(_host, "ecs", "continue-service-deployment", "--service-deployment-arn", arn, "--hook-id", (string)hook["hookId"]!);
        Assert.Contains("An error occurred (InvalidParameterException) when calling the ContinueServiceDeployment operation", again.Stderr);
    }

    [Fact]
    public void Stop_a_linear_deployment_with_a_rollback_and_read_the_outcome()
    {
        Ok("ecs", "update-service", "--cluster", "production", "--service", "exports", "--force-new-deployment");
        string arn = (string)Ok("ecs", "list-service-deployments", "--cluster", "production", "--service", "exports", "--max-results", "1").Json!["serviceDeployments"]![0]!["serviceDeploymentArn"]!;
        _host.AdvanceTime(TimeSpan.FromSeconds(30));
        JsonNode stopped = Ok("ecs", "stop-service-deployment", "--service-deployment-arn", arn, "--stop-type", "ROLLBACK").Json!;
        Assert.Equal(arn, (string?)stopped["serviceDeploymentArn"]);
        Assert.Equal("ROLLBACK_REQUESTED", (string?)Ok("ecs", "describe-service-deployments", "--service-deployment-arns", arn).Json!["serviceDeployments"]![0]!["status"]);
        _host.AdvanceTime(TimeSpan.FromMinutes(5));
        JsonNode final = Ok("ecs", "describe-service-deployments", "--service-deployment-arns", arn, "arn:aws:ecs:us-east-1:123456789012:service-deployment/production/exports/nope").Json!;
        Assert.Equal("ROLLBACK_SUCCESSFUL", (string?)final["serviceDeployments"]![0]!["status"]);
        Assert.Equal("Rollback requested by StopServiceDeployment.", (string?)final["serviceDeployments"]![0]!["rollback"]!["reason"]);
        Assert.Equal("MISSING", (string?)final["failures"]![0]!["reason"]);

        AwsCliResult late = AwsCli.Run(_host, "ecs", "stop-service-deployment", "--service-deployment-arn", arn);
        Assert.Contains("An error occurred (ConflictException) when calling the StopServiceDeployment operation", late.Stderr);
        AwsCliResult unknown = AwsCli.Run(_host, "ecs", "stop-service-deployment", "--service-deployment-arn", arn + "x");
        Assert.Contains("(ServiceDeploymentNotFoundException)", unknown.Stderr);
        AwsCliResult badType = AwsCli.Run(_host, "ecs", "list-service-deployments", "--cluster", "production", "--service", "exports", "--status", "DONE");
        Assert.NotEqual(0, badType.ExitCode);
    }
}
