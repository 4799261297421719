using P2PEnergy.Wallet.Cli;

return await WalletCli.RunAsync(args);
