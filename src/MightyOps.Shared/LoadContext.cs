using System.Reflection;
using System.Runtime.Loader;

namespace MightyOps.Shared;

/// <summary>
/// The module's private assembly load context. The cmdlet assembly (MightyOps.dll) and this one
/// sit in the module's root folder and load into PowerShell's default context; everything in
/// the module's <c>bin</c> folder (MightyOps.Core, MightyOps.Sandbox, AWSSDK.*, SSH.NET, ...)
/// loads here, so another module's AWSSDK.Core in the default context (AWS.Tools.*) never meets
/// ours. Why this layout imports fast and stays isolated: docs/design/module-loading.md.
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
    /// Creates the load context once per process and lets the default context find the module's
    /// own engine assemblies (<c>MightyOps.*</c> in <paramref name="privateDirectory"/>) in it.
    /// Called when the cmdlet assembly is imported, before any cmdlet runs; a second import
    /// reuses the context (an ALC cannot be unloaded while PowerShell holds types from it).
    /// </summary>
    /// <param name="name">Name of the load context (the module's name).</param>
    /// <param name="privateDirectory">The folder of the assemblies that load into the context.</param>
    public static void Register(string name, string privateDirectory)
    {
        lock (Sync)
        {
            if (_instance is not null)
            {
                return;
            }
            _instance = new LoadContext(name, privateDirectory);
            Default.Resolving += ResolveEngineAssembly;
        }
    }

    // The default context asks here only for what it cannot find itself. Answer only for the
    // module's own MightyOps.* assemblies in the private folder: a name another module may ask
    // for (AWSSDK.Core, Newtonsoft.Json) must never be handed our copy.
    private static Assembly? ResolveEngineAssembly(AssemblyLoadContext defaultContext, AssemblyName assemblyName)
    {
        LoadContext? context = _instance;
        if (context is null || assemblyName.Name is not { } simpleName
            || !simpleName.StartsWith("MightyOps.", StringComparison.Ordinal)
            || !File.Exists(Path.Join(context._assemblyDir, $"{simpleName}.dll")))
        {
            return null;
        }
        return context.LoadFromAssemblyName(assemblyName);
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
