namespace MightyOps;

// In the shared assembly, not Core: it is a public parameter type (-CapacityCheck), which users
// may name ([MightyOps.CapacityCheck]::Strict), and the cmdlet assembly must load without Core
// (docs/design/module-loading.md).
/// <summary>What the commands that add tasks do when the tasks would not fit (-CapacityCheck, CapacityCheck in mighty.psd1).</summary>
public enum CapacityCheck
{
    /// <summary>Warn with the numbers and go on (the default).</summary>
    Warn,

    /// <summary>Stop with InsufficientCapacity before anything changes.</summary>
    Strict,

    /// <summary>Do not read or check capacity.</summary>
    Off,
}
