namespace P2PEnergy.Wallet.Cli;

/// <summary>The <c>p2pe</c> command line.</summary>
public static class WalletCli
{
    public static Task<int> RunAsync(string[] args)
    {
        Console.Error.WriteLine("p2pe: no commands yet");
        return Task.FromResult(2);
    }
}
