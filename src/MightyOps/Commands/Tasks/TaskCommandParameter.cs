using System.Collections;
using System.Management.Automation;
using MightyOps.Core;
using MightyOps.Core.Tasks;

namespace MightyOps.Commands.Tasks;

/// <summary>A -Command (Start-MightyTask) or -BeforeDeploy (Publish-MightyService) value as the command it means.</summary>
internal static class TaskCommandParameter
{
    /// <summary>A string is a command line for the container's sh -c; an array of strings is a program and its arguments, passed as they are.</summary>
    public static TaskCommand From(object? value)
    {
        object? command = value is PSObject wrapped ? wrapped.BaseObject : value;
        return command switch
        {
            string text => TaskCommand.Shell(text),
            IEnumerable words when command is not IDictionary => TaskCommand.Exec(words.Cast<object?>().Select(w => (w is PSObject p ? p.BaseObject : w)?.ToString() ?? string.Empty).ToList()),
            _ => throw new MightyOpsException(TasksErrorIds.TaskCommandInvalid,
                $"A command is a command line ('bin/rails db:migrate') or a program and its arguments ('bin/rails', 'db:migrate'), not a {command?.GetType().Name}."),
        };
    }
}
