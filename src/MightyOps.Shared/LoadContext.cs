using System.Reflection;
using System.Runtime.Loader;

namespace MightyOps.Shared;

/// <summary>
/// The module's private assembly load context. Every assembly that sits in the module's bin
/// folder (MightyOps, MightyOps.Core, AWSSDK.*, SSH.NET, ...) loads here, so another module's
/// AWSSDK.Core in the default context (AWS.Tools.*) never meets ours. Anything not in the bin
/// folder (the BCL, System.Management.Automation) falls through to the default context.
/// </summary>
public sealed class LoadContext : AssemblyLoadContext
{
    private static LoadContext? _instance;
    private static readonly object Sync = new();

    private readonly string _assemblyDir;
    private readonly Assembly _sharedAssembly;
    private readonly AssemblyName _sharedAssemblyName;

    private LoadContext(string name, string assemblyDir) : base(name, isCollectible: false)
    {
        _assemblyDir = assemblyDir;
        _sharedAssembly = typeof(LoadContext).Assembly;
        _sharedAssemblyName = _sharedAssembly.GetName();
    }

    /// <summary>The directory the module's private assemblies are loaded from.</summary>
    public string AssemblyDirectory => _assemblyDir;

    /// <summary>
    /// Creates the load context once per process and loads the cmdlet assembly into it.
    /// Called by MightyOps.psm1; a second import reuses the context (an ALC cannot be unloaded
    /// while PowerShell holds types from it).
    /// </summary>
    /// <param name="name">Name of the load context, also the cmdlet assembly's simple name.</param>
    /// <returns>The cmdlet assembly, for <c>Import-Module -Assembly</c>.</returns>
    public static Assembly Initialize(string name)
    {
        lock (Sync)
        {
            if (_instance is null)
            {
                string dir = Path.GetDirectoryName(typeof(LoadContext).Assembly.Location)
                    ?? throw new InvalidOperationException("Cannot find the module's bin folder.");
                _instance = new LoadContext(name, dir);
            }
            return _instance.LoadFromAssemblyName(new AssemblyName(name));
        }
    }

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // The shared assembly is the bridge: both contexts must see the same copy of its types.
        if (AssemblyName.ReferenceMatchesDefinition(_sharedAssemblyName, assemblyName))
        {
            return _sharedAssembly;
        }

        string path = Path.Join(_assemblyDir, $"{assemblyName.Name}.dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
