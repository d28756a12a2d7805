using System.Text.Json;
using System.Text.Json.Nodes;

namespace MightyOps.Sandbox.Ecs;

/// <summary>
/// The ECS side of the sandbox: one method per ECS operation over the shared world, with the
/// deployment/task simulation behind it.
/// </summary>
public sealed class EcsApi
{
    private readonly SandboxWorld _world;

    public EcsApi(SandboxWorld world)
    {
        _world = world;
    }

    /// <summary>
    /// Runs one ECS operation (the part of X-Amz-Target after the dot) on its JSON body and returns
    /// the JSON response body. Throws <see cref="SandboxException"/> for AWS errors. The caller
    /// holds <see cref="SandboxWorld.Sync"/>.
    /// </summary>
    public JsonNode Invoke(string operation, JsonElement body) =>
        throw new SandboxException("UnknownOperationException", $"The sandbox does not implement ECS {operation} yet ({_world.Region}).");
}
