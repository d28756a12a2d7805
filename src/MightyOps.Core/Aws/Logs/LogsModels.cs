namespace MightyOps.Core.Aws.Logs;

// CloudWatch Logs wire shapes (JSON 1.1, target Logs_20140328). Timestamps are epoch
// milliseconds as plain numbers here, not the epoch seconds ECS uses: docs/design/awslogs.md.

public sealed class FilterLogEventsRequest
{
    public string? LogGroupName { get; set; }
    public List<string>? LogStreamNames { get; set; }
    public string? LogStreamNamePrefix { get; set; }
    public long? StartTime { get; set; }
    public long? EndTime { get; set; }
    public string? FilterPattern { get; set; }
    public string? NextToken { get; set; }
    public int? Limit { get; set; }
}

public sealed class FilteredLogEvent
{
    public string? LogStreamName { get; set; }
    public long Timestamp { get; set; }
    public string? Message { get; set; }
    public long IngestionTime { get; set; }
    public string? EventId { get; set; }
}

public sealed class SearchedLogStream
{
    public string? LogStreamName { get; set; }
    public bool? SearchedCompletely { get; set; }
}

public sealed class FilterLogEventsResponse
{
    public List<FilteredLogEvent>? Events { get; set; }
    public List<SearchedLogStream>? SearchedLogStreams { get; set; }
    public string? NextToken { get; set; }
}

public sealed class GetLogEventsRequest
{
    public string? LogGroupName { get; set; }
    public string? LogStreamName { get; set; }
    public long? StartTime { get; set; }
    public long? EndTime { get; set; }
    public string? NextToken { get; set; }
    public int? Limit { get; set; }
    public bool? StartFromHead { get; set; }
}

public sealed class OutputLogEvent
{
    public long Timestamp { get; set; }
    public string? Message { get; set; }
    public long IngestionTime { get; set; }
}

public sealed class GetLogEventsResponse
{
    public List<OutputLogEvent>? Events { get; set; }
    public string? NextForwardToken { get; set; }
    public string? NextBackwardToken { get; set; }
}

public sealed class DescribeLogStreamsRequest
{
    public string? LogGroupName { get; set; }
    public string? LogStreamNamePrefix { get; set; }
    public string? OrderBy { get; set; }
    public bool? Descending { get; set; }
    public string? NextToken { get; set; }
    public int? Limit { get; set; }
}

public sealed class LogStream
{
    public string? LogStreamName { get; set; }
    public long? CreationTime { get; set; }
    public long? FirstEventTimestamp { get; set; }
    public long? LastEventTimestamp { get; set; }
    public long? LastIngestionTime { get; set; }
    public string? UploadSequenceToken { get; set; }
    public string? Arn { get; set; }
    public long? StoredBytes { get; set; }
}

public sealed class DescribeLogStreamsResponse
{
    public List<LogStream>? LogStreams { get; set; }
    public string? NextToken { get; set; }
}
