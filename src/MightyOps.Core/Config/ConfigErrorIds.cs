namespace MightyOps.Core.Config;

/// <summary>The errors of reading mighty.psd1: the file is wrong, or the named file is not there.</summary>
public static class ConfigErrorIds
{
    public static readonly MightyError ConfigInvalid = new("ConfigInvalid",
        "mighty.psd1 cannot be used (syntax, an unknown key, a wrong type, an impossible value, a container the service lacks); the message names the key, the file, line and column.",
        MightyErrorKind.InvalidData);

    public static readonly MightyError ConfigNotFound = new("ConfigNotFound",
        "The config file named by -ConfigPath or MIGHTYOPS_CONFIG does not exist.",
        MightyErrorKind.NotFound);
}
