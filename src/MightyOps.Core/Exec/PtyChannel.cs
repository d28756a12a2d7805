using System.Reflection;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace MightyOps.Core.Exec;

/// <summary>
/// A command run under a remote pseudo-terminal: what <c>ssh -t host command</c> does. SSH.NET
/// (2026.0.0, pinned in Directory.Packages.props) offers a pty only with a login shell
/// (CreateShellStream), so this opens its session channel through the internal members that
/// ShellStream itself uses, sending <c>exec</c> instead of <c>shell</c>
/// (docs/design/interactive-terminal.md). The Enter-MightyContainer tmux test exercises it.
/// </summary>
internal sealed class PtyChannel : IDisposable
{
    private const BindingFlags Members = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
    private static readonly Assembly SshNet = typeof(SshClient).Assembly;
    private static readonly Type SessionType = Required(SshNet.GetType("Renci.SshNet.ISession"));
    private static readonly Type ChannelSessionType = Required(SshNet.GetType("Renci.SshNet.Channels.IChannelSession"));
    private static readonly Type ChannelType = Required(SshNet.GetType("Renci.SshNet.Channels.IChannel"));

    private readonly object _channel;
    private readonly Action<byte[], int, int> _onData;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _exitCode = -1;

    private PtyChannel(object channel, Action<byte[], int, int> onData)
    {
        _channel = channel;
        _onData = onData;
    }

    /// <summary>Completes with the remote exit code (-1 when none was sent) when the channel closes.</summary>
    public Task<int> Exited => _exited.Task;

    /// <summary>Opens the channel, asks for a pty of the given size and runs the command on it.</summary>
    public static PtyChannel Open(SshClient client, string command, string terminal, int columns, int rows, Action<byte[], int, int> onData)
    {
        object session = Required(typeof(BaseClient).GetProperty("Session", Members)).GetValue(client)
            ?? throw new MightyOpsException(ExecErrorIds.SshConnectionLost, "The SSH connection closed before the terminal could be opened. Try again.");
        object channel = Required(SessionType.GetMethod("CreateChannelSession")).Invoke(session, null)!;
        var pty = new PtyChannel(channel, onData);
        pty.Subscribe("DataReceived", nameof(OnData));
        pty.Subscribe("ExtendedDataReceived", nameof(OnData));
        pty.Subscribe("RequestReceived", nameof(OnRequest));
        pty.Subscribe("Closed", nameof(OnClosed));
        client.ErrorOccurred += (_, _) => pty._exited.TrySetResult(pty._exitCode);
        Call(ChannelSessionType, "Open", channel);
        bool granted = (bool)Call(ChannelSessionType, "SendPseudoTerminalRequest", channel, terminal, (uint)columns, (uint)rows, 0u, 0u, new Dictionary<TerminalModes, uint>())!;
        bool started = granted && (bool)Call(ChannelSessionType, "SendExecRequest", channel, command)!;
        if (!started)
        {
            pty.Dispose();
            throw new MightyOpsException(
                ExecErrorIds.TerminalRefused,
                granted ? "The host refused to run the command." : "The host refused a terminal (pty); its sshd may forbid them (PermitTTY no).");
        }
        return pty;
    }

    /// <summary>Sends what the user typed.</summary>
    public void Send(byte[] data, int offset, int count) =>
        Call(ChannelType, "SendData", _channel, data, offset, count);

    /// <summary>Tells the remote pty the window's new size (the program there gets SIGWINCH).</summary>
    public void Resize(int columns, int rows) =>
        Call(ChannelSessionType, "SendWindowChangeRequest", _channel, (uint)columns, (uint)rows, 0u, 0u);

    public void Dispose()
    {
        try
        {
            ((IDisposable)_channel).Dispose();
        }
        catch (Exception e) when (e is SshException or ObjectDisposedException or InvalidOperationException)
        {
            // The connection is already gone; nothing is left to close.
        }
        _exited.TrySetResult(_exitCode);
    }

    private void OnData(object? sender, EventArgs e)
    {
        var data = (ArraySegment<byte>)Required(e.GetType().GetProperty("Data", Members)).GetValue(e)!;
        _onData(data.Array!, data.Offset, data.Count);
    }

    private void OnRequest(object? sender, EventArgs e)
    {
        object? info = Required(e.GetType().GetProperty("Info", Members)).GetValue(e);
        if (info is not null && info.GetType().GetProperty("ExitStatus", Members) is PropertyInfo status)
        {
            _exitCode = (int)(uint)status.GetValue(info)!;
        }
    }

    private void OnClosed(object? sender, EventArgs e) => _exited.TrySetResult(_exitCode);

    private void Subscribe(string eventName, string handler)
    {
        EventInfo info = Required(ChannelType.GetEvent(eventName));
        info.AddEventHandler(_channel, Delegate.CreateDelegate(info.EventHandlerType!, this, Required(typeof(PtyChannel).GetMethod(handler, Members))));
    }

    private static object? Call(Type type, string method, object target, params object[] arguments)
    {
        MethodInfo info = Required(type.GetMethods().FirstOrDefault(m => m.Name == method && m.GetParameters().Length == arguments.Length));
        try
        {
            return info.Invoke(target, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new MightyOpsException(ExecErrorIds.SshConnectionLost, $"The SSH terminal failed: {e.InnerException.Message}", innerException: e.InnerException);
        }
    }

    private static T Required<T>(T? member) where T : class =>
        member ?? throw new MightyOpsException(
            ExecErrorIds.SshLibraryIncompatible,
            "This SSH.NET build lacks the channel members Enter-MightyContainer uses; MightyOps ships SSH.NET 2026.0.0. Reinstall the module, or use Invoke-MightyContainer.");
}
