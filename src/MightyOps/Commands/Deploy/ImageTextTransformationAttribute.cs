using System.Collections;
using System.Management.Automation;
using MightyOps.Core;
using MightyOps.Core.Deploy;

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

/// <summary>The images a command was given, -Tag or -Image (Publish-MightyService, Start-MightyTask), as one request.</summary>
internal static class ImageParameters
{
    /// <summary>
    /// <paramref name="image"/> (a string as <see cref="ImageText"/>, or container names and
    /// images), else <paramref name="tag"/> for <paramref name="containers"/> (all when null).
    /// </summary>
    public static ImageRequest Request(Hashtable? image, string? tag, string[]? containers) =>
        image is ImageText text ? ImageRequest.FromImageText(text.Text) : new ImageRequest(tag, Values(image), containers);

    private static Dictionary<string, string>? Values(Hashtable? image)
    {
        if (image is null)
        {
            return null;
        }
        var images = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in image)
        {
            string? container = entry.Key?.ToString();
            string? value = (entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value)?.ToString();
            if (string.IsNullOrWhiteSpace(container) || string.IsNullOrWhiteSpace(value))
            {
                throw new MightyOpsException(DeployErrorIds.InvalidImage,
                    "-Image takes container names and images, @{ application = 'master.5'; nginx = 'nginx-proxy:master.6' } (each a tag, repository:tag, or a full image URI), or one tag or image: -Image master.5, -Image app:master.5.", image);
            }
            images[container] = value;
        }
        return images;
    }
}
