using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using P2PEnergy.Anchor.Evm;
using P2PEnergy.Anchor.Tests.Support;

namespace P2PEnergy.Anchor.Tests.Evm;

/// <summary>
/// The checked-in ABI and bytecode are what solc 0.8.28 makes of the checked-in source (tests/evm/compile.js), and the
/// Nethereum messages the node sends match that ABI. After changing the contract: P2PE_UPDATE_ANCHOR=1 rewrites both files.
/// </summary>
public sealed class AnchorArtifactTests
{
    [EvmFact]
    [Trait("Category", "Integration")]
    public async Task CheckedInAbiAndBytecode_AreWhatSolcMakesOfTheSource()
    {
        var evm = EvmFactAttribute.EvmDirectory!;
        var start = new ProcessStartInfo(EvmFactAttribute.NodeExecutable!) { WorkingDirectory = evm, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(evm, "compile.js"));
        if (Environment.GetEnvironmentVariable("P2PE_UPDATE_ANCHOR") == "1") start.ArgumentList.Add("--write");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try { await process.WaitForExitAsync(deadline.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("compile.js did not finish within 2 minutes");
        }
        Assert.True(process.ExitCode == 0, $"solc failed: {await stderr}");
        using var compiled = JsonDocument.Parse(await stdout);
        var source = Path.Combine(evm, "..", "..", "src", "Anchor", "evm");
        Assert.StartsWith("0.8.28+", compiled.RootElement.GetProperty("solc").GetString());
        Assert.True(compiled.RootElement.GetProperty("bytecode").GetString() == File.ReadAllText(Path.Combine(source, "P2PEnergyAnchor.bin")).Trim(),
            "src/Anchor/evm/P2PEnergyAnchor.bin is not what the source compiles to; run with P2PE_UPDATE_ANCHOR=1 to rewrite it");
        using var checkedIn = JsonDocument.Parse(File.ReadAllText(Path.Combine(source, "P2PEnergyAnchor.abi.json")));
        Assert.True(JsonElement.DeepEquals(compiled.RootElement.GetProperty("abi"), checkedIn.RootElement),
            "src/Anchor/evm/P2PEnergyAnchor.abi.json is not the source's ABI; run with P2PE_UPDATE_ANCHOR=1 to rewrite it");
    }

    [Fact]
    public void EmbeddedBytecode_IsTheCheckedInFile()
        => Assert.StartsWith("0x6", AnchorArtifact.Bytecode);

    public static TheoryData<Type> Messages() => new()
    {
        typeof(SubmitCheckpointFunction), typeof(LastHeightFunction), typeof(LedgerChainIdFunction), typeof(ValidatorSetHashFunction),
        typeof(TotalPowerFunction), typeof(CheckpointsFunction),
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void NethereumFunction_MatchesAFunctionOfTheCompiledAbi(Type message)
    {
        var name = message.GetCustomAttribute<FunctionAttribute>()!.Name;
        var abi = Assert.Single(AnchorArtifact.Abi.Functions, f => f.Name == name);
        var encode = typeof(FunctionMessageExtensions).GetMethods().Single(m => m.Name == nameof(FunctionMessageExtensions.GetCallData) && m.IsGenericMethod);
        var ours = (byte[])encode.MakeGenericMethod(message).Invoke(null, [Activator.CreateInstance(message)])!;
        Assert.Equal(abi.Sha3Signature, Convert.ToHexStringLower(ours.AsSpan(0, 4)));
    }

    [Theory]
    [InlineData(typeof(CheckpointAnchoredEvent))]
    [InlineData(typeof(ValidatorSetChangedEvent))]
    public void NethereumEvent_MatchesAnEventOfTheCompiledAbi(Type dto)
    {
        var name = dto.GetCustomAttribute<EventAttribute>()!.Name;
        var abi = Assert.Single(AnchorArtifact.Abi.Events, e => e.Name == name);
        var ours = Nethereum.Contracts.ABITypedRegistry.GetEvent(dto);
        Assert.Equal(abi.Sha3Signature, ours.Sha3Signature);
    }

    [Fact]
    public void Deployment_HasTheAbisConstructorParameters()
    {
        Assert.Equal(["uint64", "tuple[]"], AnchorArtifact.Abi.Constructor.InputParameters.Select(p => p.Type));
        var ours = typeof(AnchorDeployment).GetProperties().Select(p => p.GetCustomAttribute<ParameterAttribute>()).OfType<ParameterAttribute>().OrderBy(p => p.Order);
        Assert.Equal(["uint64", "tuple[]"], ours.Select(p => p.Type));
    }
}
