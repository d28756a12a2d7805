namespace MightyOps.Core.Queues;

/// <summary>The errors of reading Sidekiq's queues from Redis and scaling their services (docs/design/queue-scaling.md).</summary>
public static class QueuesErrorIds
{
    public static readonly MightyError CountOutsidePolicy = new("CountOutsidePolicy",
        "-Count is outside the queue's MinCount to MaxCount: pass -Force to set it anyway, or change the policy in mighty.psd1.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError QueueHasNoService = new("QueueHasNoService",
        "No ECS service works the queue, so there is nothing to scale: give a service the queue in mighty.psd1 (Queue) or in its queue tag.",
        MightyErrorKind.NotFound);

    public static readonly MightyError QueueNotFound = new("QueueNotFound",
        "No Sidekiq queue has that name or matches the wildcard, and no service is mapped to one.",
        MightyErrorKind.NotFound);

    public static readonly MightyError QueueNotNamed = new("QueueNotNamed",
        "Set-MightyQueueScale was given neither a queue nor a service.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError QueueServiceMismatch = new("QueueServiceMismatch",
        "The queue is worked by another service than the one named.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError RedisAuthenticationFailed = new("RedisAuthenticationFailed",
        "Redis refused the user and password of the URL.",
        MightyErrorKind.Authentication);

    public static readonly MightyError RedisConnectionLost = new("RedisConnectionLost",
        "The connection to Redis broke in the middle of the read; nothing is reported or scaled on a partial read.",
        MightyErrorKind.Connection);

    public static readonly MightyError RedisNotConfigured = new("RedisNotConfigured",
        "No Redis is named: pass -Redis, set Redis in mighty.psd1, or set REDIS_URL.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError RedisTimeout = new("RedisTimeout",
        "Redis took no connection, or gave no answer, in time; the message says which (a frozen or overloaded server, or packets dropped on the way).",
        MightyErrorKind.Timeout);

    public static readonly MightyError RedisTlsFailed = new("RedisTlsFailed",
        "The TLS handshake with Redis failed: the certificate is not trusted, or not for the host.",
        MightyErrorKind.Connection);

    public static readonly MightyError RedisUnreachable = new("RedisUnreachable",
        "Redis cannot be reached: check the host, the port and the network (rediss:// for a TLS-only Redis).",
        MightyErrorKind.Connection);

    public static readonly MightyError RedisUrlInvalid = new("RedisUrlInvalid",
        "The Redis URL is not redis://[user:password@]host[:port][/database] (rediss:// for TLS).",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError ScaleModeNotGiven = new("ScaleModeNotGiven",
        "Set-MightyQueueScale was given neither -Count nor -Auto.",
        MightyErrorKind.InvalidArgument);

    public static readonly MightyError ServiceHasNoQueue = new("ServiceHasNoQueue",
        "The service works no Sidekiq queue (no Queue in mighty.psd1, no queue tag).",
        MightyErrorKind.NotFound);

    public static readonly MightyError SidekiqDataInvalid = new("SidekiqDataInvalid",
        "Redis holds keys where Sidekiq keeps its data that are not Sidekiq's (another type, jobs that are not its JSON, an impossible enqueued_at); the message names the key and position, never a job's contents.",
        MightyErrorKind.InvalidOperation);

    public static readonly MightyError SidekiqDataNotFound = new("SidekiqDataNotFound",
        "Redis holds no Sidekiq data (no queues or processes key): check the database index of the URL and -Namespace.",
        MightyErrorKind.NotFound);
}
