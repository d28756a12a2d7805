using MightyOps.Core.Aws.Ecs;

namespace MightyOps.Sandbox.Ecs;

// The container agent: a task's life from placement through pull and start to stop.
internal sealed partial class EcsSimulation
{
    private void Step(TaskState task)
    {
        switch (task.Phase)
        {
            case TaskPhase.Placed:
                BeginPull(task);
                break;
            case TaskPhase.Pulling:
                task.PullStoppedAt = Now;
                foreach (ContainerState container in task.Containers)
                {
                    task.ContainerInstance?.PulledImages.Add(container.ImageDigest ?? container.Image);
                }
                task.Phase = TaskPhase.Starting;
                Schedule(task, Now + EcsTimings.ContainerStart + Jitter(800));
                break;
            case TaskPhase.PullFailing:
                task.PullStoppedAt = Now;
                foreach (ContainerState container in task.Containers)
                {
                    container.LastStatus = "STOPPED";
                }
                if (!task.FailedInitialization)
                {
                    ContainerState failing = task.Containers.FirstOrDefault(c => c.ImageDigest is null) ?? task.Containers[0];
                    failing.Reason = task.PullError;
                }
                Finish(task, "TaskFailedToStart", task.PullError!);
                OnTaskFailed(task);
                break;
            case TaskPhase.Starting:
                StartContainers(task);
                break;
            case TaskPhase.Running when _world.Elb.FailedGroup(task) is { } failedGroup:
                // Load-balancer hook: a target that failed its health checks gets its task stopped and counted as failed.
                FailedHealthChecks(task, failedGroup);
                break;
            case TaskPhase.Running:
                task.Phase = TaskPhase.Healthy;
                Schedule(task, null);
                OnTaskHealthy(task);
                break;
            case TaskPhase.Crashing:
                foreach (ContainerState container in task.Containers.Where(c => c.LastStatus == "RUNNING"))
                {
                    container.LastStatus = "STOPPED";
                    // The agent stops the other containers once an essential one has exited.
                    container.ExitCode = ReferenceEquals(container, task.CrashingContainer) ? ExitCodeOf(container) : 0;
                    _world.Logs.ContainerStopped(task.Id, container.Name, Definition(task, container), crashed: container.FailsToStart, Now);
                }
                task.CrashingContainer!.Reason = task.CrashingContainer.FailsToStart ? task.CrashingContainer.RegistryImage?.FailureReason : null;
                Finish(task, "EssentialContainerExited", "Essential container in task exited");
                OnTaskFailed(task);
                break;
            case TaskPhase.Deactivating:
                // Load-balancer hook: the targets have drained; now SIGTERM.
                task.Phase = TaskPhase.Stopping;
                task.StoppingAt = Now;
                Schedule(task, Now + EcsTimings.StopRunning + Jitter(1500));
                break;
            case TaskPhase.Stopping:
                foreach (ContainerState container in task.Containers.Where(c => c.LastStatus != "STOPPED"))
                {
                    if (container.LastStatus == "RUNNING")
                    {
                        container.ExitCode = 0;
                        _world.Logs.ContainerStopped(task.Id, container.Name, Definition(task, container), crashed: false, Now);
                    }
                    container.LastStatus = "STOPPED";
                }
                Finish(task, task.StopCode!, task.StoppedReason!);
                if (task.Service is not null)
                {
                    RequestEvaluation(task.Service, Now);
                }
                break;
            default:
                Schedule(task, null);
                break;
        }
    }

    private void BeginPull(TaskState task)
    {
        if (task.LastStatus == "PROVISIONING")
        {
            task.Version++;   // the ENI is attached: PROVISIONING becomes PENDING with the phase change below
        }
        task.PullStartedAt = Now;
        // The environment files are fetched as the task's resources are set up, before any pull.
        foreach (ContainerState container in task.Containers)
        {
            EcsContainerDefinition definition = task.TaskDefinition.Definition.ContainerDefinitions!.First(c => c.Name == container.Name);
            if (ContainerEnvironment.Resolve(_world, task.TaskDefinition.Definition, definition, task.Overrides, out string? error) is { } environment)
            {
                container.Environment = environment;
            }
            else
            {
                task.PullError ??= error;
                task.FailedInitialization = true;
            }
        }
        bool allCached = true;
        foreach (ContainerState container in task.Containers.Where(_ => !task.FailedInitialization))
        {
            ImageLookup.PullResult pull = ImageLookup.Pull(_world, container.Image, container.PinnedDigest);
            if (pull.Error is not null)
            {
                task.PullError ??= pull.Error;
                continue;
            }
            container.ImageDigest = pull.Digest;
            container.RegistryImage = pull.Image;
            // A one-off command that does not load the application (sleep, echo) runs on a failing image.
            container.FailsToStart = pull.Image?.FailsToStart == true && container.Program?.BootsApplication != false;
            allCached &= task.ContainerInstance?.PulledImages.Contains(pull.Digest) == true;
        }
        if (task.PullError is not null)
        {
            task.Phase = TaskPhase.PullFailing;
            Schedule(task, Now + EcsTimings.FailingPull + Jitter(2000));
            return;
        }
        task.Phase = TaskPhase.Pulling;
        Schedule(task, Now + (allCached ? EcsTimings.WarmPull + Jitter(500) : EcsTimings.ColdPull + Jitter(3000)));
    }

    private void StartContainers(TaskState task)
    {
        task.StartedAt = Now;
        task.Version++;
        foreach (ContainerState container in task.Containers)
        {
            // A Docker id on EC2; Fargate reports "<task id>-<number>" (docs/design/ecs-json-protocol.md).
            container.RuntimeId = task.LaunchType == "FARGATE"
                ? $"{task.Id}-{Convert.ToUInt32(Arns.Hex(4), 16)}"
                : Arns.NewRuntimeId();
            container.LastStatus = "RUNNING";
            if (container.FailsToStart && !container.Essential)
            {
                // A non-essential container may die without taking the task with it.
                container.LastStatus = "STOPPED";
                container.ExitCode = container.RegistryImage!.FailureExitCode;
                container.Reason = container.RegistryImage.FailureReason;
            }
        }
        task.CrashingContainer = task.Containers.FirstOrDefault(c => c.FailsToStart && c.Essential);
        foreach (ContainerState container in task.Containers)
        {
            _world.Logs.ContainerStarted(task.Id, container.Name, Definition(task, container), container.RegistryImage, container.FailsToStart, Now, container.FailsToStart ? null : container.Program);
            if (container.LastStatus == "STOPPED")
            {
                _world.Logs.ContainerStopped(task.Id, container.Name, Definition(task, container), crashed: true, Now.AddSeconds(1));
            }
        }
        Touch(task);
        if (task.CrashingContainer is not null)
        {
            task.Phase = TaskPhase.Crashing;
            Schedule(task, Now + EcsTimings.CrashAfter + Jitter(1000));
        }
        else if (FirstCommandExit(task) is (ContainerState exiting, TimeSpan after))
        {
            // A one-off command ends its essential container, and so the task, when it is done.
            task.CrashingContainer = exiting;
            task.Phase = TaskPhase.Crashing;
            Schedule(task, Now + after);
        }
        else
        {
            task.Phase = TaskPhase.Running;
            // Load-balancer hook: behind a target group the task counts healthy once the health checks say so.
            DateTimeOffset? decided = RegisterTargets(task);
            Schedule(task, decided is DateTimeOffset d && d > Now + EcsTimings.HealthyAfter ? d : Now + EcsTimings.HealthyAfter);
        }
    }

    /// <summary>Sets the desired status to STOPPED; the agent then stops the containers.</summary>
    public void Stop(TaskState task, string stopCode, string reason)
    {
        if (task.DesiredStatus == "STOPPED")
        {
            return;
        }
        bool wasRunning = task.LastStatus == "RUNNING";
        task.StopCode = stopCode;
        task.StoppedReason = reason;
        task.StoppingAt = Now;
        task.Version++;
        task.Phase = TaskPhase.Stopping;
        Touch(task);
        // Load-balancer hook: a running target drains for the deregistration delay first.
        if (wasRunning && DeregisterTargets(task) is TimeSpan drain && drain > TimeSpan.Zero)
        {
            task.Phase = TaskPhase.Deactivating;
            task.StoppingAt = null;
            Schedule(task, Now + drain);
            return;
        }
        Schedule(task, Now + (wasRunning ? EcsTimings.StopRunning + Jitter(1500) : EcsTimings.StopPending + Jitter(300)));
    }

    private void Finish(TaskState task, string stopCode, string reason)
    {
        task.StopCode ??= stopCode;
        task.StoppedReason ??= reason;
        task.StoppingAt ??= Now;
        task.ExecutionStoppedAt = Now;
        task.StoppedAt = Now;
        task.Version++;
        task.Phase = TaskPhase.Stopped;
        Schedule(task, null);
        Release(task);
        Touch(task);
        if (task.ContainerInstance is ContainerInstanceState instance)
        {
            OnRoomAdded(instance.Cluster);
        }
    }

    // The exit code of a container that ends by itself: its image's crash, else its one-off command's.
    private static int ExitCodeOf(ContainerState container) =>
        container.FailsToStart ? container.RegistryImage!.FailureExitCode : container.Program?.ExitCode ?? 0;

    // The essential container whose one-off command ends first, and when.
    private static (ContainerState Container, TimeSpan After)? FirstCommandExit(TaskState task) =>
        task.Containers
            .Where(c => c.Essential && c.LastStatus == "RUNNING" && c.Program is not null)
            .Select(c => ((ContainerState, TimeSpan)?)(c, c.Program!.RunsFor))
            .OrderBy(x => x!.Value.Item2)
            .FirstOrDefault();

    private static EcsContainerDefinition Definition(TaskState task, ContainerState container) =>
        task.TaskDefinition.Definition.ContainerDefinitions!.First(c => c.Name == container.Name);

    private void Touch(TaskState task)
    {
        if (task.Deployment is DeploymentState deployment)
        {
            deployment.UpdatedAt = Now;
        }
    }
}
