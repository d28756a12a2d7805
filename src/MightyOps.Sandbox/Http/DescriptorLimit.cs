using System.Runtime.InteropServices;

namespace MightyOps.Sandbox.Http;

/// <summary>The process's soft limit on open file descriptors (<c>ulimit -n</c>), where the OS has one.</summary>
internal static partial class DescriptorLimit
{
    private const int LinuxRlimitNofile = 7;
    private const int MacRlimitNofile = 8;

    /// <summary>The soft limit, or null when there is none or it cannot be read (e.g. Windows).</summary>
    public static long? Soft()
    {
        int resource = OperatingSystem.IsLinux() ? LinuxRlimitNofile : OperatingSystem.IsMacOS() ? MacRlimitNofile : -1;
        if (resource < 0)
        {
            return null;
        }
        try
        {
            return getrlimit(resource, out RLimit limit) == 0 && limit.Current < long.MaxValue ? (long)limit.Current : null;
        }
        catch (DllNotFoundException)
        {
            return null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrlimit(int resource, out RLimit limit);
}
