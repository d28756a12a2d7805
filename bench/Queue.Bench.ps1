# Get-MightyQueue over 75 queues, one ECS service each: the Redis round trips it takes (goal: 2,
# however many queues) and the ECS calls it makes (goal: ListServices pages + 8 DescribeServices),
# and its wall time against 1 queue.
param([Parameter(Mandatory)] [string] $ModulePath)

. $PSScriptRoot/Common.ps1
. $PSScriptRoot/../tests/pester/QueueWorld.ps1
Import-Module (Join-Path $ModulePath 'MightyOps.psd1')

# Counts request/response turns on the way to Redis: a turn starts each time the client sends
# after the server has answered. Pipelined commands go out together and count once.
Add-Type -TypeDefinition @'
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
public sealed class TurnCountingProxy
{
    private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
    private int _turns;
    private int _answered = 1;
    public TurnCountingProxy(int target)
    {
        _listener.Start();
        Task.Run(async () =>
        {
            while (true)
            {
                TcpClient client = await _listener.AcceptTcpClientAsync();
                var server = new TcpClient();
                await server.ConnectAsync(IPAddress.Loopback, target);
                _ = Pump(client.GetStream(), server.GetStream(), true);
                _ = Pump(server.GetStream(), client.GetStream(), false);
            }
        });
    }
    public int Port { get { return ((IPEndPoint)_listener.LocalEndpoint).Port; } }
    public int Turns { get { return _turns; } }
    public void Reset() { _turns = 0; }
    private async Task Pump(NetworkStream from, NetworkStream to, bool fromClient)
    {
        var buffer = new byte[65536];
        int n;
        while ((n = await from.ReadAsync(buffer, 0, buffer.Length)) > 0)
        {
            if (fromClient) { if (Interlocked.Exchange(ref _answered, 0) == 1) Interlocked.Increment(ref _turns); }
            else { Interlocked.Exchange(ref _answered, 1); }
            await to.WriteAsync(buffer, 0, n);
        }
    }
}
'@

$redis = Start-TestRedis
$sandbox = Start-MightySandbox -Seed demo -WorkerServiceCount 75
try {
    $queues = @(Get-MightyService -Cluster production | Where-Object Service -NotIn 'WEB', 'API' | ForEach-Object Service)
    $jobs = @{}
    for ($i = 0; $i -lt $queues.Count; $i++) { $jobs[$queues[$i]] = 1 + ($i % 5) * 40 }
    Push-SidekiqJob $redis.Url $jobs
    # A second database with one queue: the 1-queue baseline on the same server.
    $single = $redis.Url -replace '/0$', '/1'
    Push-SidekiqJob $single @{ mailers = 40 }
    $proxy = [TurnCountingProxy]::new($redis.Port)
    $viaProxy = "redis://127.0.0.1:$($proxy.Port)"

    foreach ($case in @(@{ Name = '75 queues'; Url = "$viaProxy/0" }, @{ Name = '1 queue'; Url = "$viaProxy/1" })) {
        Get-MightyQueue -Cluster production -Redis $case.Url -WarningAction SilentlyContinue | Out-Null
        $proxy.Reset()
        $sandbox.ResetRequestCounts()
        $verbose = Get-MightyQueue -Cluster production -Redis $case.Url -Verbose -WarningAction SilentlyContinue 4>&1
        $read = @($verbose | Where-Object { $_ -is [Management.Automation.VerboseRecord] -and $_.Message -match 'Redis round trips' })[0].Message
        $queueCount = @($verbose | Where-Object { $_ -is [MightyOps.MightyQueue] }).Count
        $case.Turns = $proxy.Turns
        $case.Pipelined = [int]([regex]::Match($read, 'in (\d+) Redis round trips').Groups[1].Value)
        $case.Calls = $sandbox.RequestCounts
        $case.Queues = $queueCount
        $case.Time = Measure-Median -Count 5 -Action { Get-MightyQueue -Cluster production -Redis $case.Url -WarningAction SilentlyContinue }
        $case.Result = $case
        Set-Variable -Name ('case' + $case.Queues) -Value $case
    }
    $many = Get-Variable -Name 'case75' -ValueOnly
    $one = Get-Variable -Name 'case1' -ValueOnly
    $services = 2 + $queues.Count
    Write-BenchResult 'queues reported' $many.Queues '' "($services services in the cluster)"
    Write-BenchResult 'Redis: pipelined reads (75 queues)' $many.Pipelined 'trips' 'goal <= 2'
    Write-BenchResult 'Redis: turns on the wire incl. connect (75 queues)' $many.Turns 'turns' 'loopback proxy; the connect handshake is 2-3 of them'
    Write-BenchResult 'Redis: turns on the wire incl. connect (1 queue)' $one.Turns 'turns' 'nothing per queue (+-1: handshake timing)'
    foreach ($key in $many.Calls.Keys | Sort-Object) {
        Write-BenchResult "  $key" $many.Calls[$key] 'calls'
    }
    $expected = [math]::Ceiling($services / 100) + [math]::Ceiling($services / 10)
    Write-BenchResult 'ECS calls in all (75 queues)' (($many.Calls.Values | Measure-Object -Sum).Sum) 'calls' "goal $([math]::Ceiling($services / 100)) ListServices + $([math]::Ceiling($services / 10)) DescribeServices = $expected"
    Write-BenchResult 'Get-MightyQueue, 75 queues' $many.Time 'ms' 'median of 5'
    Write-BenchResult 'Get-MightyQueue, 1 queue' $one.Time 'ms' 'median of 5 (same cluster)'
    Write-BenchResult 'time 75 queues / time 1 queue' ($many.Time / $one.Time) 'x'
}
finally {
    Stop-MightySandbox
    Stop-TestRedis $redis
}
