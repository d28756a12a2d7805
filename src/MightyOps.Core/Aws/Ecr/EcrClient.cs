namespace MightyOps.Core.Aws.Ecr;

/// <summary>A page-following, batch-splitting ECR client over the JSON 1.1 protocol.</summary>
public sealed class EcrClient
{
}
