using MightyOps.Core.Config;
using MightyOps.Core.Tests.Aws;
using Xunit;

namespace MightyOps.Core.Tests.Config;

/// <summary>Which mighty.psd1 a command uses: -ConfigPath, else MIGHTYOPS_CONFIG, else the nearest one upward.</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class ConfigLocatorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mightyops-config-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task The_nearest_file_upward_is_used_and_verbose_says_which()
    {
        string nested = Directory.CreateDirectory(Path.Combine(_root, "app", "deploy", "scripts")).FullName;
        File.WriteAllText(Path.Combine(_root, "mighty.psd1"), "@{ Cluster = 'outer' }");
        File.WriteAllText(Path.Combine(_root, "app", "mighty.psd1"), "@{ Cluster = 'inner' }");
        using var scope = new EnvironmentScope().Set(ConfigLocator.EnvironmentVariable, null);
        var log = new RecordingLog();

        MightyConfig config = await ConfigLocator.LoadAsync(null, nested, log, CancellationToken.None);

        Assert.Equal("inner", config.Cluster);
        Assert.Equal(Path.Combine(_root, "app", "mighty.psd1"), config.Path);
        Assert.Contains(log.VerboseLines, l => l.Contains(Path.Combine(_root, "app", "mighty.psd1"), StringComparison.Ordinal) && l.Contains("upward", StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_file_anywhere_is_an_empty_config_not_an_error()
    {
        using var scope = new EnvironmentScope().Set(ConfigLocator.EnvironmentVariable, null);
        var log = new RecordingLog();
        // The temporary folder's parents hold no mighty.psd1 on a build machine; the test would say so if one did.
        Assert.Null(ConfigLocator.Locate(null, _root));
        Assert.Same(MightyConfig.Empty, await ConfigLocator.LoadAsync(null, _root, log, CancellationToken.None));
        Assert.Contains(log.VerboseLines, l => l.StartsWith("No mighty.psd1", StringComparison.Ordinal));
    }

    [Fact]
    public void The_parameter_wins_over_the_variable_which_wins_over_the_search()
    {
        File.WriteAllText(Path.Combine(_root, "mighty.psd1"), "@{}");
        string fromVariable = Path.Combine(_root, "from-variable.psd1");
        string fromParameter = Path.Combine(_root, "sub", "from-parameter.psd1");
        File.WriteAllText(fromVariable, "@{}");
        Directory.CreateDirectory(Path.GetDirectoryName(fromParameter)!);
        File.WriteAllText(fromParameter, "@{}");
        using var scope = new EnvironmentScope().Set(ConfigLocator.EnvironmentVariable, "from-variable.psd1");

        Assert.Equal(new ConfigLocation(fromParameter, "-ConfigPath"), ConfigLocator.Locate("sub/from-parameter.psd1", _root));
        Assert.Equal(new ConfigLocation(fromVariable, "$env:MIGHTYOPS_CONFIG"), ConfigLocator.Locate(null, _root));
        // A folder names the mighty.psd1 inside it.
        Assert.Equal(Path.Combine(_root, "mighty.psd1"), ConfigLocator.Locate(_root, "/")!.Path);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_named_file_that_is_missing_is_ConfigNotFound(bool byVariable)
    {
        File.WriteAllText(Path.Combine(_root, "mighty.psd1"), "@{}");
        using var scope = new EnvironmentScope().Set(ConfigLocator.EnvironmentVariable, byVariable ? "nope.psd1" : null);

        MightyOpsException error = Assert.Throws<MightyOpsException>(() => ConfigLocator.Locate(byVariable ? null : "nope.psd1", _root));

        Assert.Equal("ConfigNotFound", error.ErrorId);
        Assert.Equal(MightyErrorKind.NotFound, error.Kind);
        Assert.Equal(Path.Combine(_root, "nope.psd1"), error.Target);
        Assert.Contains(byVariable ? "$env:MIGHTYOPS_CONFIG" : "-ConfigPath", error.Message, StringComparison.Ordinal);
    }
}
