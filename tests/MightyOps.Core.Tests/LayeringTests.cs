using System.Reflection;
using MightyOps.Core.Aws;
using Xunit;

namespace MightyOps.Core.Tests;

/// <summary>The layer rules of docs/design/architecture.md that the compiler does not enforce.</summary>
public sealed class LayeringTests
{
    [Fact]
    public void Core_does_not_reference_PowerShell()
    {
        AssemblyName[] references = typeof(AwsSession).Assembly.GetReferencedAssemblies();
        Assert.DoesNotContain(references, r => r.Name!.StartsWith("System.Management.Automation", StringComparison.Ordinal));
        Assert.DoesNotContain(references, r => r.Name!.StartsWith("Microsoft.PowerShell", StringComparison.Ordinal));
    }

    [Fact]
    public void Shared_references_only_the_base_class_library()
    {
        // Shared loads into PowerShell's default context; a third-party reference there would pull
        // that dependency out of the module's own load context.
        AssemblyName[] references = typeof(MightyService).Assembly.GetReferencedAssemblies();
        Assert.All(references, r => Assert.True(
            r.Name == "netstandard" || r.Name!.StartsWith("System", StringComparison.Ordinal) || r.Name == "mscorlib",
            $"MightyOps.Shared references {r.Name}"));
    }
}
