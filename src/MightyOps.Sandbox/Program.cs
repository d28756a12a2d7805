namespace MightyOps.Sandbox;

internal static class Program
{
    private static int Main(string[] args) => throw new NotImplementedException();
}
