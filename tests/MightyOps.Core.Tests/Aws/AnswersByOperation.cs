using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace MightyOps.Core.Tests.Aws;

/// <summary>
/// An in-process handler for JSON 1.1 services that answers each operation (the
/// <c>X-Amz-Target</c> after the dot) from a function of the request body: captured answers for a
/// component that makes several different calls (CannedAws answers in the order asked).
/// </summary>
internal sealed class AnswersByOperation : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, Func<JsonObject, (int Status, string Body)>> _answers = new(StringComparer.Ordinal);

    /// <summary>Every request as it came: the operation and the body.</summary>
    public ConcurrentQueue<(string Operation, JsonObject Body)> Seen { get; } = new();

    public AnswersByOperation On(string operation, Func<JsonObject, string> answer) =>
        OnStatus(operation, body => (200, answer(body)));

    /// <summary>An answer that may be an error: its HTTP status and body.</summary>
    public AnswersByOperation OnStatus(string operation, Func<JsonObject, (int Status, string Body)> answer)
    {
        _answers[operation] = answer;
        return this;
    }

    /// <summary>The bodies of one operation's requests, in order.</summary>
    public List<JsonObject> Requests(string operation) => Seen.Where(s => s.Operation == operation).Select(s => s.Body).ToList();

    public int Count(string operation) => Seen.Count(s => s.Operation == operation);

    /// <summary>A JSON 1.1 error body, as the services send it.</summary>
    public static (int Status, string Body) Error(string type, string message) =>
        (400, new JsonObject { ["__type"] = type, ["message"] = message }.ToJsonString());

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string target = request.Headers.TryGetValues("X-Amz-Target", out IEnumerable<string>? values) ? values.Single() : string.Empty;
        string operation = target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..];
        string text = request.Content is null ? "{}" : await request.Content.ReadAsStringAsync(cancellationToken);
        JsonObject body = JsonNode.Parse(text)!.AsObject();
        Seen.Enqueue((operation, body));
        if (!_answers.TryGetValue(operation, out var answer))
        {
            throw new InvalidOperationException($"No answer for {operation} ({target}).");
        }
        (int status, string json) = answer(body);
        var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json)) };
        response.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-amz-json-1.1");
        return response;
    }
}
