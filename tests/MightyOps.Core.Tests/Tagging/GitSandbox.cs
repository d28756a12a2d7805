using System.Diagnostics;

namespace MightyOps.Core.Tests.Tagging;

/// <summary>A temporary folder with a bare "origin" and clones of it, driven by the real git CLI.</summary>
internal sealed class GitSandbox : IDisposable
{
    public GitSandbox()
    {
        Root = Path.Combine(Path.GetTempPath(), "mighty-tag-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(Root);
        Origin = Path.Combine(Root, "origin.git");
        Git(Root, "init", "--quiet", "--bare", "--initial-branch=master", Origin);
        string seed = Clone("seed");
        Git(seed, "commit", "--quiet", "--allow-empty", "-m", "first");
        Git(seed, "push", "--quiet", "origin", "master");
    }

    public string Root { get; }

    public string Origin { get; }

    /// <summary>A clone of origin with its own identity (never the user's global config).</summary>
    public string Clone(string name)
    {
        string path = Path.Combine(Root, name);
        Git(Root, "clone", "--quiet", Origin, path);
        Git(path, "config", "user.name", "Test " + name);
        Git(path, "config", "user.email", name + "@example.com");
        return path;
    }

    public string Commit(string repo, string message)
    {
        Git(repo, "commit", "--quiet", "--allow-empty", "-m", message);
        return Git(repo, "rev-parse", "HEAD").Trim();
    }

    /// <summary>Installs a hook script in origin (git runs hooks through /bin/sh).</summary>
    public void OriginHook(string name, string script)
    {
        string hook = Path.Combine(Origin, "hooks", name);
        File.WriteAllText(hook, script);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public static string Git(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        using Process p = Process.Start(start)!;
        Task<string> error = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {error.Result}");
        }
        return output;
    }

    public static string[] Tags(string repo) =>
        Git(repo, "for-each-ref", "--format=%(refname:strip=2)", "refs/tags").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A git process killed by a test may still hold a file for a moment; the temp folder is cleaned eventually.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
