using P2PEnergy.Wallet;

return await WalletCli.RunAsync(args);
