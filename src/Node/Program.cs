using P2PEnergy.Node.Hosting;

return await NodeCli.RunAsync(args);
