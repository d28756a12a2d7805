using System.Management.Automation;
using System.Security;

namespace MightyOps.Commands;

/// <summary>
/// Lets a SecureString parameter take a plain string too (AWS.Tools' -SecretKey is a string, so
/// scripts written for it pass one); the string is turned into a SecureString at binding.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class SecureStringTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is not string text)
        {
            return value;
        }
        var secure = new SecureString();
        foreach (char c in text)
        {
            secure.AppendChar(c);
        }
        secure.MakeReadOnly();
        return secure;
    }
}
