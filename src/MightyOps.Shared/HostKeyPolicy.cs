namespace MightyOps;

// In the shared assembly, not Core: it is a public parameter type (-HostKeyPolicy), which users
// may name ([MightyOps.HostKeyPolicy]::Strict), and the cmdlet assembly must load without Core
// (docs/design/module-loading.md).
/// <summary>What to do with a host key that is not in known_hosts yet.</summary>
public enum HostKeyPolicy
{
    /// <summary>Trust and record a host seen for the first time; refuse a changed key (ssh's StrictHostKeyChecking=accept-new). The default.</summary>
    AcceptNew,

    /// <summary>Refuse any host whose key is not already in known_hosts.</summary>
    Strict,
}
