using System.Globalization;
using System.Management.Automation;

namespace MightyOps.Commands;

/// <summary>
/// Lets a TimeSpan parameter take a plain number as seconds (<c>-Timeout 30</c>); PowerShell
/// alone would read an integer as ticks. TimeSpans and strings such as '00:05:00' pass through.
/// Every TimeSpan parameter of the module carries it (a test enumerates them).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SecondsToTimeSpanAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        double? seconds = value switch
        {
            byte or sbyte or short or ushort or int or uint or long or ulong or double or float or decimal => Convert.ToDouble(value, CultureInfo.InvariantCulture),
            string text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) => parsed,
            _ => null,
        };
        if (seconds is not double s)
        {
            return inputData;
        }
        if (double.IsNaN(s) || Math.Abs(s) >= TimeSpan.MaxValue.TotalSeconds)
        {
            throw new ArgumentTransformationMetadataException($"{value} seconds is not a length of time; give seconds (600), a TimeSpan or a string such as '00:10:00'.");
        }
        return TimeSpan.FromSeconds(s);
    }
}
