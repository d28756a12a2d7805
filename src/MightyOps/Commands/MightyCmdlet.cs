using System.Collections.Concurrent;
using System.Management.Automation;
using MightyOps.Core;

namespace MightyOps.Commands;

/// <summary>
/// Base of every MightyOps cmdlet. Core work runs off the pipeline thread (it is async all the way
/// down); whatever it reports (log lines, progress, items) is queued and written here, on the
/// pipeline thread, because PowerShell's Write* methods throw from any other thread. Ctrl+C
/// cancels the token handed to Core.
/// </summary>
public abstract class MightyCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private BlockingCollection<Action>? _pipelineQueue;
    private PipelineLog? _log;

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken CancelToken => _stopping.Token;

    /// <summary>An <see cref="IOperationLog"/> for Core whose lines reach Verbose/Debug/Warning/Information.</summary>
    internal IOperationLog Log => _log ??= new PipelineLog(this);

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Derived cmdlets call this first: the first MightyOps cmdlet in a runspace loads the module's table views.</summary>
    protected override void BeginProcessing() => ModuleFormats.EnsureLoaded(this);

    /// <summary>Runs Core work and writes what it reports while waiting; returns its result.</summary>
    protected T Run<T>(Func<CancellationToken, Task<T>> work)
    {
        var queue = new BlockingCollection<Action>();
        BlockingCollection<Action>? outer = _pipelineQueue;
        _pipelineQueue = queue;
        try
        {
            Task<T> task = Task.Run(() => work(CancelToken), CancelToken);
            task.ContinueWith(_ => queue.CompleteAdding(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            try
            {
                foreach (Action action in queue.GetConsumingEnumerable())
                {
                    action();
                }
            }
            catch
            {
                // A write threw: the pipeline is stopping (Select-Object -First, -ErrorAction Stop,
                // a failing downstream command). Stop the work and wait for it, so that nothing it
                // reports afterwards runs on a worker thread (a late WriteObject there breaks the
                // host) and its cleanup, such as deleting an unpushed tag, finishes first.
                _stopping.Cancel();
                foreach (Action _ in queue.GetConsumingEnumerable())
                {
                }
                throw;
            }
            return Unwrap(task);
        }
        finally
        {
            _pipelineQueue = outer;
        }
    }

    /// <summary>Runs Core work that returns nothing.</summary>
    protected void Run(Func<CancellationToken, Task> work) =>
        Run<bool>(async ct =>
        {
            await work(ct).ConfigureAwait(false);
            return true;
        });

    /// <summary>Streams Core results: <paramref name="onItem"/> runs on the pipeline thread as each item arrives.</summary>
    protected void RunEach<T>(Func<CancellationToken, IAsyncEnumerable<T>> work, Action<T> onItem) =>
        Run<bool>(async ct =>
        {
            await foreach (T item in work(ct).WithCancellation(ct).ConfigureAwait(false))
            {
                Post(() => onItem(item));
            }
            return true;
        });

    /// <summary>Queues an action for the pipeline thread; safe from any thread while <see cref="Run{T}"/> is waiting.</summary>
    internal void Post(Action action)
    {
        BlockingCollection<Action>? queue = _pipelineQueue;
        if (queue is null)
        {
            // Outside Run, so on the pipeline thread: no Core work outlives Run.
            action();
            return;
        }
        try
        {
            queue.Add(action);
        }
        catch (InvalidOperationException)
        {
            // The work already finished; a late report has nowhere to go.
        }
    }

    /// <summary>An <see cref="IProgress{T}"/> whose reports are handled on the pipeline thread.</summary>
    internal IProgress<T> ProgressOnPipeline<T>(Action<T> handler) => new PipelineProgress<T>(this, handler);

    /// <summary>Writes a non-terminating error for one failed item.</summary>
    protected void WriteMightyError(MightyOpsException exception) => WriteError(ErrorRecords.From(exception));

    /// <summary>Stops the cmdlet: nothing can proceed.</summary>
    protected void ThrowMightyError(MightyOpsException exception) => ThrowTerminatingError(ErrorRecords.From(exception));

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stopping.Dispose();
        }
    }

    private T Unwrap<T>(Task<T> task)
    {
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (MightyOpsException)
        {
            throw;
        }
        catch (PipelineStoppedException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Anything else is a bug in MightyOps; still, no raw exception leaves a cmdlet.
            throw new MightyOpsException(
                "UnexpectedError",
                MightyErrorKind.Failed,
                $"MightyOps failed unexpectedly: {e.Message} This is a bug; please report it with the output of $Error[0] | Format-List * -Force.",
                innerException: e);
        }
    }

    private sealed class PipelineProgress<T>(MightyCmdlet cmdlet, Action<T> handler) : IProgress<T>
    {
        public void Report(T value) => cmdlet.Post(() => handler(value));
    }

    private sealed class PipelineLog(MightyCmdlet cmdlet) : IOperationLog
    {
        public void Verbose(string message) => cmdlet.Post(() => cmdlet.WriteVerbose(message));

        public void Debug(string message) => cmdlet.Post(() => cmdlet.WriteDebug(message));

        public void Warning(string message) => cmdlet.Post(() => cmdlet.WriteWarning(message));

        public void Information(object data, string tag) => cmdlet.Post(() => cmdlet.WriteInformation(data, [tag]));
    }
}
