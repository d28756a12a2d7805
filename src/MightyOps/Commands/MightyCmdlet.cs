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
/// <remarks>
/// Every message a cmdlet writes (error, warning, verbose, debug, information, progress, a
/// ShouldProcess question, a line written to the host) leaves through the methods below, which
/// make control characters visible with <see cref="TerminalText"/>: a message may quote text from
/// the cluster, logs, Redis, git or a config file, and the terminal must never obey it. They hide
/// <see cref="Cmdlet"/>'s own methods, so a cmdlet's <c>WriteWarning(...)</c> lands here; a test
/// (TerminalSafety.Tests.ps1) fails if any other type calls PowerShell's methods directly
/// (docs/design/terminal-safety.md).
/// </remarks>
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

    /// <summary>Writes an error record whose message and target name are made visible.</summary>
    public new void WriteError(ErrorRecord errorRecord) => base.WriteError(ErrorRecords.Visible(errorRecord));

    /// <summary>Stops the cmdlet with an error record whose message and target name are made visible.</summary>
    public new void ThrowTerminatingError(ErrorRecord errorRecord) => base.ThrowTerminatingError(ErrorRecords.Visible(errorRecord));

    /// <summary>Writes a warning, control characters made visible.</summary>
    public new void WriteWarning(string text) => base.WriteWarning(TerminalText.Visible(text));

    /// <summary>Writes a verbose message, control characters made visible.</summary>
    public new void WriteVerbose(string text) => base.WriteVerbose(TerminalText.Visible(text));

    /// <summary>Writes a debug message, control characters made visible.</summary>
    public new void WriteDebug(string text) => base.WriteDebug(TerminalText.Visible(text));

    /// <summary>
    /// Writes to the Information stream: a string is made visible; any other object is written as
    /// it is (the module's output types show themselves made visible through their ToString).
    /// </summary>
    public new void WriteInformation(object messageData, string[] tags) =>
        base.WriteInformation(messageData is string text ? TerminalText.Visible(text) : messageData, tags);

    /// <summary>Writes an information record, its text made visible.</summary>
    public new void WriteInformation(InformationRecord informationRecord)
    {
        ArgumentNullException.ThrowIfNull(informationRecord);
        if (informationRecord.MessageData is string text && TerminalText.HasControls(text))
        {
            var visible = new InformationRecord(TerminalText.Visible(text), informationRecord.Source);
            visible.Tags.AddRange(informationRecord.Tags);
            informationRecord = visible;
        }
        base.WriteInformation(informationRecord);
    }

    /// <summary>Writes a progress record whose activity, status and operation are made visible on one line each.</summary>
    public new void WriteProgress(ProgressRecord progressRecord)
    {
        ArgumentNullException.ThrowIfNull(progressRecord);
        string activity = TerminalText.VisibleLine(progressRecord.Activity);
        string status = TerminalText.VisibleLine(progressRecord.StatusDescription);
        string? operation = progressRecord.CurrentOperation is null ? null : TerminalText.VisibleLine(progressRecord.CurrentOperation);
        if (!ReferenceEquals(activity, progressRecord.Activity) || !ReferenceEquals(status, progressRecord.StatusDescription)
            || !ReferenceEquals(operation, progressRecord.CurrentOperation))
        {
            // A copy: the caller keeps updating its own record.
            progressRecord = new ProgressRecord(progressRecord.ActivityId, activity, status)
            {
                ParentActivityId = progressRecord.ParentActivityId,
                CurrentOperation = operation,
                PercentComplete = progressRecord.PercentComplete,
                SecondsRemaining = progressRecord.SecondsRemaining,
                RecordType = progressRecord.RecordType,
            };
        }
        base.WriteProgress(progressRecord);
    }

    /// <summary>Asks ShouldProcess with the target and action made visible (-WhatIf prints them, -Confirm asks with them); an action keeps its lines (a deploy's diff is several), a target is one line.</summary>
    public new bool ShouldProcess(string target) => base.ShouldProcess(TerminalText.VisibleLine(target));

    /// <inheritdoc cref="ShouldProcess(string)" />
    public new bool ShouldProcess(string target, string action) => base.ShouldProcess(TerminalText.VisibleLine(target), TerminalText.Visible(action));

    /// <inheritdoc cref="ShouldProcess(string)" />
    public new bool ShouldProcess(string verboseDescription, string verboseWarning, string caption) =>
        base.ShouldProcess(TerminalText.Visible(verboseDescription), TerminalText.Visible(verboseWarning), TerminalText.VisibleLine(caption));

    /// <inheritdoc cref="ShouldProcess(string)" />
    public new bool ShouldProcess(string verboseDescription, string verboseWarning, string caption, out ShouldProcessReason shouldProcessReason) =>
        base.ShouldProcess(TerminalText.Visible(verboseDescription), TerminalText.Visible(verboseWarning), TerminalText.VisibleLine(caption), out shouldProcessReason);

    /// <summary>Writes a warning line straight to the host, made visible; safe from Ctrl+C's thread, where the pipeline can no longer write.</summary>
    internal void WriteHostWarning(string text) => Host.UI.WriteWarningLine(TerminalText.Visible(text));

    /// <summary>Writes a prompt straight to the host (no line break), made visible, before reading the answer.</summary>
    internal void WriteHostPrompt(string text) => Host.UI.Write(TerminalText.VisibleLine(text));

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
                ModuleErrorIds.UnexpectedError,
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
