using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using MightyOps.Core;
using Xunit;

namespace MightyOps.Core.Tests.Aws;

/// <summary>
/// Runs before any test: points AWSSDK at empty per-run config files (it reads AWS_CONFIG_FILE
/// once per process) and turns EC2 instance metadata off, so no test reads the developer's
/// ~/.aws or sends a packet to 169.254.169.254. Tests that need either set them in a scope.
/// </summary>
internal static class TestEnvironment
{
    public static readonly string AwsDirectory = Path.Combine(Path.GetTempPath(), "mightyops-core-tests-" + Environment.ProcessId);

    /// <summary>The folder that holds MightyOps.sln, found above the test assembly.</summary>
    public static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MightyOps.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("MightyOps.sln not found above the test assembly.");
    }

    public static string ConfigFile => Path.Combine(AwsDirectory, "config");

    public static string CredentialsFile => Path.Combine(AwsDirectory, "credentials");

    /// <summary>A loopback port nothing listens on (it was free a moment ago): connecting is refused, or a listener may take it.</summary>
    public static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [ModuleInitializer]
    internal static void Initialize()
    {
        Directory.CreateDirectory(AwsDirectory);
        File.WriteAllText(ConfigFile, string.Empty);
        File.WriteAllText(CredentialsFile, string.Empty);
        Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", ConfigFile);
        Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", CredentialsFile);
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        // Belt and braces: were IMDS enabled by a test, it would still only see a closed loopback port.
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9");
        Amazon.Runtime.Internal.FallbackInternalConfigurationFactory.Reset();
        foreach (string name in new[]
        {
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
            "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECS", "AWS_ENDPOINT_URL_ECR", "AWS_ENDPOINT_URL_EC2",
            "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_STS", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_MAX_ATTEMPTS",
            "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        })
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }
}

/// <summary>Tests that change process environment variables or the shared AWS files: never in parallel with anything.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "Process environment";
}

/// <summary>Sets environment variables and the shared config files for one test, and puts everything back.</summary>
internal sealed class EnvironmentScope : IDisposable
{
    private readonly Dictionary<string, string?> _saved = new(StringComparer.Ordinal);
    private readonly string _config = File.ReadAllText(TestEnvironment.ConfigFile);
    private readonly string _credentials = File.ReadAllText(TestEnvironment.CredentialsFile);

    public EnvironmentScope Set(string name, string? value)
    {
        if (!_saved.ContainsKey(name))
        {
            _saved[name] = Environment.GetEnvironmentVariable(name);
        }
        Environment.SetEnvironmentVariable(name, value);
        return this;
    }

    public EnvironmentScope Config(string text)
    {
        File.WriteAllText(TestEnvironment.ConfigFile, text.ReplaceLineEndings("\n"));
        return this;
    }

    public EnvironmentScope Credentials(string text)
    {
        File.WriteAllText(TestEnvironment.CredentialsFile, text.ReplaceLineEndings("\n"));
        return this;
    }

    public void Dispose()
    {
        foreach ((string name, string? value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
        File.WriteAllText(TestEnvironment.ConfigFile, _config);
        File.WriteAllText(TestEnvironment.CredentialsFile, _credentials);
    }
}

/// <summary>
/// A loopback listener that accepts connections and never answers: what a stuck server, or an
/// address that drops packets after the handshake, looks like to a client.
/// </summary>
internal sealed class BlackHoleListener : IAsyncDisposable
{
    private readonly System.Net.Sockets.TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<System.Net.Sockets.TcpClient> _accepted = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public BlackHoleListener()
    {
        _listener.Start();
        _accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    System.Net.Sockets.TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    lock (_accepted)
                    {
                        _accepted.Add(client);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How many connections it has taken so far.</summary>
    public int Accepted
    {
        get
        {
            lock (_accepted)
            {
                return _accepted.Count;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _accepting;
        _listener.Stop();
        _accepted.ForEach(c => c.Dispose());
        _stop.Dispose();
    }
}

/// <summary>An <see cref="IOperationLog"/> that keeps what it is told.</summary>
internal sealed class RecordingLog : IOperationLog
{
    public ConcurrentQueue<(string Level, string Message)> Entries { get; } = new();

    public IEnumerable<string> VerboseLines => Entries.Where(e => e.Level == "Verbose").Select(e => e.Message);

    public IEnumerable<string> Warnings => Entries.Where(e => e.Level == "Warning").Select(e => e.Message);

    public void Verbose(string message) => Entries.Enqueue(("Verbose", message));

    public void Debug(string message) => Entries.Enqueue(("Debug", message));

    public void Warning(string message) => Entries.Enqueue(("Warning", message));

    public void Information(object data, string tag) => Entries.Enqueue(("Information", $"{tag}: {data}"));

    public string All => string.Join("\n", Entries.Select(e => e.Message));
}

/// <summary>A request as the handler saw it (the message is disposed after sending, so it is copied).</summary>
internal sealed record SeenRequest(HttpMethod Method, Uri Uri, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body, string? ContentType)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// An in-process HTTP handler answering with canned AWS responses, for the retry and error-mapping
/// unit tests (the end-to-end behaviour is also tested against the sandbox over loopback).
/// </summary>
internal sealed class CannedAws : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> _script = new();
    private Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>? _then;

    public ConcurrentQueue<SeenRequest> Seen { get; } = new();

    public int Count => Seen.Count;

    public CannedAws Reply(int status, string body, string? requestId = null)
    {
        _script.Enqueue((_, _) => Task.FromResult(Response(status, body, requestId)));
        return this;
    }

    public CannedAws Error(int status, string type, string message, string? requestId = null) =>
        Reply(status, $"{{\"__type\":\"{type}\",\"message\":\"{message}\"}}", requestId);

    public CannedAws Throw(Exception exception)
    {
        _script.Enqueue((_, _) => Task.FromException<HttpResponseMessage>(exception));
        return this;
    }

    public CannedAws Hang()
    {
        _script.Enqueue(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        });
        return this;
    }

    /// <summary>What to answer once the script runs out.</summary>
    public CannedAws ThenAlways(int status, string body, string? requestId = null)
    {
        _then = (_, _) => Task.FromResult(Response(status, body, requestId));
        return this;
    }

    public CannedAws ThenAlwaysError(int status, string type, string message, string? requestId = null) =>
        ThenAlways(status, $"{{\"__type\":\"{type}\",\"message\":\"{message}\"}}", requestId);

    public CannedAws ThenAlwaysHang()
    {
        _then = async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        };
        return this;
    }

    public CannedAws ThenAlwaysThrow(Func<Exception> exception)
    {
        _then = (_, _) => Task.FromException<HttpResponseMessage>(exception());
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        byte[] body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var headers = request.Headers.NonValidated.SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v))).ToList();
        if (request.Content is not null)
        {
            headers.AddRange(request.Content.Headers.NonValidated.SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v))));
        }
        Seen.Enqueue(new SeenRequest(request.Method, request.RequestUri!, headers, body, request.Content?.Headers.ContentType?.ToString()));
        Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> next =
            _script.TryDequeue(out var scripted) ? scripted : _then ?? throw new InvalidOperationException("The canned AWS script ran out.");
        return await next(request, cancellationToken);
    }

    private static HttpResponseMessage Response(int status, string body, string? requestId)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
        };
        response.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-amz-json-1.1");
        if (requestId is not null)
        {
            response.Headers.TryAddWithoutValidation("x-amzn-RequestId", requestId);
        }
        return response;
    }
}
