using System.Runtime.CompilerServices;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Aws.Logs;

/// <summary>A page-following CloudWatch Logs client over the JSON 1.1 protocol (target <c>Logs_20140328</c>, signing name <c>logs</c>).</summary>
/// <remarks>
/// Paging differs between the two reads (docs/design/awslogs.md): FilterLogEvents pages by
/// <c>nextToken</c> and may answer an empty page that still carries a token; GetLogEvents always
/// answers both tokens, and the end is reached when the token in the direction of reading comes
/// back unchanged, which can follow empty pages.
/// </remarks>
public sealed class LogsClient
{
    public const string TargetPrefix = "Logs_20140328";

    /// <summary>Most streams one FilterLogEvents may name.</summary>
    public const int MaxStreamNames = 100;

    /// <summary>Most events one GetLogEvents or FilterLogEvents page holds.</summary>
    public const int MaxLimit = 10000;

    // A reader that keeps getting empty pages with new tokens stops here instead of spinning.
    private const int MaxEmptyPages = 100;

    internal LogsClient(AwsJsonClient json)
    {
        Json = json;
    }

    /// <summary>The endpoint and signing region in use.</summary>
    public AwsServiceEndpoint Endpoint => Json.Endpoint;

    internal AwsJsonClient Json { get; }

    /// <summary>
    /// The events of a log group matching <paramref name="request"/> (its streams, time range and
    /// pattern), every page, oldest first within each page. The request's NextToken is ignored.
    /// </summary>
    public async IAsyncEnumerable<FilteredLogEvent> FilterLogEventsAsync(FilterLogEventsRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.LogStreamNames is { Count: > MaxStreamNames })
        {
            throw new ArgumentException($"FilterLogEvents names at most {MaxStreamNames} streams.", nameof(request));
        }
        string? token = null;
        int empty = 0;
        try
        {
            do
            {
                request.NextToken = token;
                FilterLogEventsResponse page = await Json.InvokeAsync<FilterLogEventsRequest, FilterLogEventsResponse>(
                    "FilterLogEvents", request, request.LogGroupName, cancellationToken).ConfigureAwait(false);
                List<FilteredLogEvent> events = page.Events ?? [];
                foreach (FilteredLogEvent e in events)
                {
                    yield return e;
                }
                empty = events.Count == 0 ? empty + 1 : 0;
                token = empty >= MaxEmptyPages ? null : EcsClient.NextToken(token, page.NextToken, "FilterLogEvents");
            }
            while (token is not null);
        }
        finally
        {
            // The caller's request is left as it was given, also after a failure or an early stop.
            request.NextToken = null;
        }
    }

    /// <summary>
    /// The last <paramref name="count"/> events of one stream at or before <paramref name="endTime"/>
    /// (newest last), reading backward: GetLogEvents without startFromHead, then the backward token
    /// until enough events are found or the token stops changing.
    /// </summary>
    public async Task<IReadOnlyList<OutputLogEvent>> GetLastEventsAsync(string logGroupName, string logStreamName, int count, long? startTime, long? endTime, CancellationToken cancellationToken)
    {
        var newestFirst = new List<OutputLogEvent>();
        string? token = null;
        int empty = 0;
        while (newestFirst.Count < count)
        {
            GetLogEventsResponse page = await Json.InvokeAsync<GetLogEventsRequest, GetLogEventsResponse>(
                "GetLogEvents",
                new GetLogEventsRequest
                {
                    LogGroupName = logGroupName,
                    LogStreamName = logStreamName,
                    StartTime = startTime,
                    EndTime = endTime,
                    Limit = Math.Clamp(count - newestFirst.Count, 1, MaxLimit),
                    NextToken = token,
                    StartFromHead = token is null ? false : null,
                },
                $"{logGroupName} {logStreamName}",
                cancellationToken).ConfigureAwait(false);
            List<OutputLogEvent> events = page.Events ?? [];
            newestFirst.AddRange(Enumerable.Reverse(events));
            empty = events.Count == 0 ? empty + 1 : 0;
            // Backward: the end (the stream's start) is the token coming back unchanged.
            if (string.IsNullOrEmpty(page.NextBackwardToken) || page.NextBackwardToken == token || empty >= MaxEmptyPages)
            {
                break;
            }
            token = page.NextBackwardToken;
        }
        newestFirst.Reverse();
        return newestFirst.Count > count ? newestFirst.GetRange(newestFirst.Count - count, count) : newestFirst;
    }

    /// <summary>
    /// Every event of one stream from <paramref name="startTime"/> on, oldest first, reading
    /// forward with startFromHead until the forward token comes back unchanged.
    /// </summary>
    public async IAsyncEnumerable<OutputLogEvent> GetEventsForwardAsync(string logGroupName, string logStreamName, long? startTime, long? endTime, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? token = null;
        int empty = 0;
        while (true)
        {
            GetLogEventsResponse page = await Json.InvokeAsync<GetLogEventsRequest, GetLogEventsResponse>(
                "GetLogEvents",
                new GetLogEventsRequest { LogGroupName = logGroupName, LogStreamName = logStreamName, StartTime = startTime, EndTime = endTime, NextToken = token, StartFromHead = true },
                $"{logGroupName} {logStreamName}",
                cancellationToken).ConfigureAwait(false);
            List<OutputLogEvent> events = page.Events ?? [];
            foreach (OutputLogEvent e in events)
            {
                yield return e;
            }
            empty = events.Count == 0 ? empty + 1 : 0;
            // Forward: an unchanged token is the end; empty pages before it are normal.
            if (string.IsNullOrEmpty(page.NextForwardToken) || page.NextForwardToken == token || empty >= MaxEmptyPages)
            {
                yield break;
            }
            token = page.NextForwardToken;
        }
    }

    /// <summary>The streams of a log group whose names start with <paramref name="prefix"/> (pages of 50).</summary>
    public async Task<IReadOnlyList<LogStream>> DescribeLogStreamsAsync(string logGroupName, string? prefix, CancellationToken cancellationToken)
    {
        var result = new List<LogStream>();
        string? token = null;
        do
        {
            DescribeLogStreamsResponse page = await Json.InvokeAsync<DescribeLogStreamsRequest, DescribeLogStreamsResponse>(
                "DescribeLogStreams",
                new DescribeLogStreamsRequest { LogGroupName = logGroupName, LogStreamNamePrefix = string.IsNullOrEmpty(prefix) ? null : prefix, Limit = 50, NextToken = token },
                logGroupName,
                cancellationToken).ConfigureAwait(false);
            result.AddRange(page.LogStreams ?? []);
            token = EcsClient.NextToken(token, page.NextToken, "DescribeLogStreams");
        }
        while (token is not null);
        return result;
    }
}
