namespace MightyOps.Sandbox.Ecs;

// Container instances changing: set DRAINING or ACTIVE, registered by an agent, deregistered when
// their EC2 instance terminates; and the scheduler looking again when room appears.
internal sealed partial class EcsSimulation
{
    /// <summary>
    /// UpdateContainerInstancesState: DRAINING stops new placements on the instance and makes the
    /// scheduler replace its service tasks (docs/design/capacity-and-placement.md, "Draining");
    /// ACTIVE takes new tasks again.
    /// </summary>
    public void SetStatus(ContainerInstanceState instance, string status)
    {
        if (instance.Status == status)
        {
            return;
        }
        instance.Status = status;
        instance.Version++;
        if (status == "DRAINING")
        {
            foreach (ServiceState service in instance.Cluster.Tasks.Values
                .Where(t => t.IsLive && ReferenceEquals(t.ContainerInstance, instance))
                .Select(t => t.Service)
                .OfType<ServiceState>()
                .Distinct())
            {
                RequestEvaluation(service, Now);
            }
        }
        else
        {
            OnRoomAdded(instance.Cluster);
        }
    }

    /// <summary>Room appeared in <paramref name="cluster"/> (an instance registered or is ACTIVE again, a task stopped): services waiting to place tasks look again.</summary>
    public void OnRoomAdded(ClusterState cluster)
    {
        foreach (ServiceState service in cluster.Services.Values.Where(s => s.WaitingForPlacement && s.Status == "ACTIVE"))
        {
            RequestEvaluation(service, Now);
        }
    }

    /// <summary>The EC2 instance behind a container instance is gone: the container instance is deregistered and its tasks stop.</summary>
    public void Deregister(string ec2InstanceId, string reason)
    {
        foreach (ClusterState cluster in Clusters.Values)
        {
            foreach (ContainerInstanceState instance in cluster.ContainerInstances.Values.Where(i => i.Ec2Instance.InstanceId == ec2InstanceId).ToList())
            {
                foreach (TaskState task in cluster.Tasks.Values.Where(t => ReferenceEquals(t.ContainerInstance, instance) && t.Phase != TaskPhase.Stopped).ToList())
                {
                    Stop(task, "TerminationNotice", reason);
                    if (task.Service is not null)
                    {
                        RequestEvaluation(task.Service, Now);
                    }
                }
                instance.AgentConnected = false;
                cluster.ContainerInstances.Remove(instance.Id);
            }
        }
    }
}
