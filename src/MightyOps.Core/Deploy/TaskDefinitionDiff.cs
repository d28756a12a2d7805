using System.Text.Json.Nodes;
using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Core.Deploy;

/// <summary>One changed field of a task definition, as -WhatIf shows it.</summary>
/// <param name="Path">Where: <c>cpu</c>, <c>containers.application.image</c>, <c>containers.application.environment</c>.</param>
/// <param name="Change">What changed, in words; environment and secret values are never included.</param>
public sealed record DefinitionChange(string Path, string Change)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Change}";
}

/// <summary>
/// A field-level diff between the live task definition and the one a deploy would register.
/// Environment variables are compared by name and shown by name only: a value may be a secret
/// (Secrets.Mode = 'Environment'), and nothing tells the two apart once it is in the definition.
/// </summary>
public static class TaskDefinitionDiff
{
    private const int MaxValueLength = 100;

    // Lists of {name, value} pairs: shown as names added, removed or changed, never values.
    private static readonly HashSet<string> NamedValueLists = new(StringComparer.Ordinal) { "environment", "secrets" };

    public static IReadOnlyList<DefinitionChange> Compare(RegisterTaskDefinitionRequest live, RegisterTaskDefinitionRequest rendered)
    {
        JsonObject before = TaskDefinitionRenderer.Canonical(live);
        JsonObject after = TaskDefinitionRenderer.Canonical(rendered);
        var changes = new List<DefinitionChange>();
        JsonArray beforeContainers = before["containerDefinitions"] as JsonArray ?? [];
        JsonArray afterContainers = after["containerDefinitions"] as JsonArray ?? [];
        before.Remove("containerDefinitions");
        after.Remove("containerDefinitions");
        CompareObjects(string.Empty, before, after, changes);

        Dictionary<string, JsonObject> oldByName = ByName(beforeContainers);
        Dictionary<string, JsonObject> newByName = ByName(afterContainers);
        foreach ((string name, JsonObject container) in newByName)
        {
            if (oldByName.TryGetValue(name, out JsonObject? old))
            {
                CompareObjects($"containers.{name}.", old, container, changes);
            }
            else
            {
                changes.Add(new DefinitionChange($"containers.{name}", "added"));
            }
        }
        foreach (string name in oldByName.Keys.Where(n => !newByName.ContainsKey(n)))
        {
            changes.Add(new DefinitionChange($"containers.{name}", "removed"));
        }
        return changes;
    }

    private static void CompareObjects(string prefix, JsonObject before, JsonObject after, List<DefinitionChange> changes)
    {
        foreach (string key in before.Select(p => p.Key).Union(after.Select(p => p.Key)).Order(StringComparer.Ordinal))
        {
            JsonNode? a = before[key];
            JsonNode? b = after[key];
            if (JsonNode.DeepEquals(a, b))
            {
                continue;
            }
            if (NamedValueLists.Contains(key))
            {
                changes.Add(new DefinitionChange(prefix + key, NamesChanged(a as JsonArray, b as JsonArray)));
            }
            else
            {
                changes.Add(new DefinitionChange(prefix + key, $"{Show(a)} -> {Show(b)}"));
            }
        }
    }

    private static string NamesChanged(JsonArray? before, JsonArray? after)
    {
        Dictionary<string, string> old = Pairs(before);
        Dictionary<string, string> now = Pairs(after);
        var parts = new List<string>();
        List<string> added = now.Keys.Where(k => !old.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        List<string> removed = old.Keys.Where(k => !now.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        List<string> changed = now.Keys.Where(k => old.TryGetValue(k, out string? v) && v != now[k]).Order(StringComparer.Ordinal).ToList();
        if (added.Count > 0)
        {
            parts.Add("added " + string.Join(", ", added));
        }
        if (removed.Count > 0)
        {
            parts.Add("removed " + string.Join(", ", removed));
        }
        if (changed.Count > 0)
        {
            parts.Add("changed " + string.Join(", ", changed));
        }
        return string.Join("; ", parts) + " (values not shown)";
    }

    private static Dictionary<string, string> Pairs(JsonArray? list)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonNode? item in list ?? [])
        {
            if (item?["name"]?.GetValue<string>() is string name)
            {
                pairs[name] = item.ToJsonString();
            }
        }
        return pairs;
    }

    private static Dictionary<string, JsonObject> ByName(JsonArray containers)
    {
        var byName = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (JsonObject container in containers.OfType<JsonObject>())
        {
            byName[container["name"]?.GetValue<string>() ?? string.Empty] = container;
        }
        return byName;
    }

    private static string Show(JsonNode? node)
    {
        if (node is null)
        {
            return "(none)";
        }
        string text = node is JsonValue value && value.TryGetValue(out string? s) ? s : node.ToJsonString();
        return text.Length > MaxValueLength ? text[..(MaxValueLength - 1)] + "…" : text;
    }
}
