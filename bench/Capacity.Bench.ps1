# InstancesNeeded and the rest of Get-MightyCapacity's report for a large cluster: 1,000 container
# instances in four Auto Scaling groups and 200 services (tasks of mixed CPU and memory, some with a
# static host port or distinctInstance, each constrained to its group by an attribute). Goal: well
# under a second for the whole report (the bin packing of every group included). Core only: the
# AWS reads are counted by tests/pester/Capacity.Tests.ps1, not timed here.
param([Parameter(Mandatory)] [string] $ModulePath)

. $PSScriptRoot/Common.ps1
$bin = Join-Path $ModulePath 'bin'
$core = Join-Path $bin 'MightyOps.Core.dll'
$shared = Join-Path $ModulePath 'MightyOps.Shared.dll'
$null = [Reflection.Assembly]::LoadFrom($shared)
$null = [Reflection.Assembly]::LoadFrom($core)

Add-Type -IgnoreWarnings -WarningAction SilentlyContinue -ReferencedAssemblies $core, $shared, 'System.Text.Json', 'System.Collections', 'System.Linq', 'System.Runtime', 'System.Text.RegularExpressions' -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using MightyOps.Core.Aws.Ecs;
using MightyOps.Core.Capacity;

public static class CapacityBench
{
    public static CapacitySnapshot Snapshot(int instances, int services)
    {
        var random = new Random(1000);
        string[] groups = { "web", "workers", "batch", "spot" };
        var list = new List<CapacityInstance>();
        for (int i = 0; i < instances; i++)
        {
            string group = groups[i % groups.Length];
            var attributes = new Dictionary<string, string>
            {
                ["role"] = group,
                ["ecs.instance-type"] = "m5.xlarge",
                ["ecs.availability-zone"] = "us-east-1" + "abc"[i % 3],
            };
            int usedCpu = random.Next(0, 3) * 512, usedMemory = random.Next(0, 6) * 1024;
            list.Add(new CapacityInstance($"arn:aws:ecs:us-east-1:123456789012:container-instance/bench/{i:x32}", $"i-0{i:x16}", "ACTIVE", true,
                (4096, 15576), (4096 - usedCpu, 15576 - usedMemory), new HashSet<HostPort>(), attributes)
            {
                AutoScalingGroup = group, InstanceType = "m5.xlarge", Lifecycle = group == "spot" ? "spot" : "on-demand", RunningTasks = random.Next(0, 8),
            });
        }
        var capacityServices = new List<CapacityService>();
        for (int s = 0; s < services; s++)
        {
            string group = groups[s % groups.Length];
            var constraints = new JsonArray(new JsonObject { ["type"] = "memberOf", ["expression"] = "attribute:role == " + group });
            if (s % 17 == 0)
            {
                constraints.Add(new JsonObject { ["type"] = "distinctInstance" });
            }
            var service = new EcsService
            {
                ServiceName = "service-" + s, DesiredCount = random.Next(1, 40), RunningCount = 0, LaunchType = "EC2",
                DeploymentConfiguration = new EcsDeploymentConfiguration { MaximumPercent = 200, MinimumHealthyPercent = 100 },
                PlacementConstraints = constraints,
            };
            IReadOnlyList<HostPort> ports = s % 23 == 0 ? new[] { new HostPort(8000 + s, "tcp") } : Array.Empty<HostPort>();
            var task = new TaskRequirements(random.Next(1, 9) * 128, random.Next(1, 17) * 256, ports);
            TaskPlacement placement = TaskPlacement.Of(service.ServiceName, service.PlacementConstraints, null, null, null, _ => { });
            capacityServices.Add(new CapacityService { Service = service, Task = task, Placement = placement });
        }
        return new CapacitySnapshot { Cluster = "bench", Instances = list, Services = capacityServices };
    }

    /// <summary>Every wanted task of the snapshot as one group's items.</summary>
    public static List<PackItem> Items(CapacitySnapshot snapshot) =>
        snapshot.Services.SelectMany(s => Enumerable.Repeat(new PackItem(s.Task.Cpu, s.Task.Memory, s.Task.StaticPorts), s.Desired)).ToList();
}
'@

$script:snapshot = [CapacityBench]::Snapshot(1000, 200)
$groups = [MightyOps.Core.Capacity.CapacityReport]::Build($snapshot)
$tasks = [Linq.Enumerable]::Sum([int[]]@($snapshot.Services | ForEach-Object { $_.Service.DesiredCount }))
Write-Host "  1,000 instances in $($groups.Count) groups, 200 services, $tasks wanted tasks"
foreach ($group in $groups) {
    Write-Host ('    {0,-8} InstancesNeeded {1,4} (of {2} instances), headroom {3}' -f $group.Name, $group.InstancesNeeded, $group.Instances.Count, $group.Headroom)
}
$ms = Measure-Median -Count 7 { [MightyOps.Core.Capacity.CapacityReport]::Build($script:snapshot) }
Write-BenchResult 'Get-MightyCapacity report, 1,000 instances x 200 services' $ms 'ms' '(median of 7; goal: well under 1,000 ms)'
$script:items = [CapacityBench]::Items($snapshot)
$ms = Measure-Median -Count 7 { [MightyOps.Core.Capacity.BinPacking]::InstancesNeeded($script:items, 4096, 15576, $null) }
Write-BenchResult "InstancesNeeded alone, all $tasks tasks in one group" $ms 'ms' '(median of 7)'
