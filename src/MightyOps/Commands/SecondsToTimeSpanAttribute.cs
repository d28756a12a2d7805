using System.Globalization;
using System.Management.Automation;

namespace MightyOps.Commands;

/// <summary>
/// Lets a TimeSpan parameter take a plain number as seconds (<c>-Timeout 30</c>); PowerShell
/// alone would read an integer as ticks. TimeSpans and strings such as '00:05:00' pass through.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SecondsToTimeSpanAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value switch
        {
            int or long or double or float or decimal => TimeSpan.FromSeconds(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
            string text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) => TimeSpan.FromSeconds(seconds),
            _ => inputData,
        };
    }
}
