using System.Collections;
using System.Management.Automation;

namespace MightyOps.Commands.Deploy;

/// <summary>
/// Lets Publish-MightyService's <c>-Image</c>, a hashtable of container names and images, take a
/// single string too (<c>-Image master.5</c>, <c>-Image app:master.5</c>): the string is carried
/// to the cmdlet as an <see cref="ImageText"/>, which the engine turns into what it means
/// (a bare tag as -Tag; an image for the containers that run its repository).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class ImageTextTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value is string text && !string.IsNullOrWhiteSpace(text) ? new ImageText(text) : value;
    }
}

/// <summary>A string given to <c>-Image</c> where a hashtable is declared; one entry so that ValidateNotNullOrEmpty accepts it.</summary>
internal sealed class ImageText : Hashtable
{
    public ImageText(string text)
    {
        Text = text;
        Add(string.Empty, text);
    }

    /// <summary>What was given.</summary>
    public string Text { get; }
}
