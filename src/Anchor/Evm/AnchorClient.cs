using System.Numerics;
using Nethereum.Contracts.ContractHandlers;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;
using P2PEnergy.Contracts.Crypto;

namespace P2PEnergy.Anchor.Evm;

/// <summary>EIP-1559 fees of one transaction, in wei per gas.</summary>
public sealed record Fees(BigInteger MaxFeePerGas, BigInteger MaxPriorityFeePerGas)
{
    /// <summary>These fees raised by 1/8 and 1 wei: above the 10 % a node asks for a replacement with the same nonce.</summary>
    public Fees Bumped() => new(MaxFeePerGas + MaxFeePerGas / 8 + 1, MaxPriorityFeePerGas + MaxPriorityFeePerGas / 8 + 1);
}

/// <summary>
/// The anchor contract on one EVM JSON-RPC endpoint, through Nethereum.Web3: reads (last height, stored checkpoints,
/// the validator set), and — with a sender key — the steps of posting a checkpoint (simulate, estimate, fees, nonce,
/// send, receipt). Each call is bounded by the HTTP timeout; the caller owns retries.
/// </summary>
public sealed class AnchorClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Web3 _web3;
    private readonly string _sender;

    private AnchorClient(HttpClient http, Web3 web3, string contract, string sender, BigInteger evmChainId)
    {
        _http = http;
        _web3 = web3;
        Contract = contract;
        _sender = sender;
        EvmChainId = evmChainId;
    }

    /// <summary>The anchor contract's address.</summary>
    public string Contract { get; }

    /// <summary>The EVM chain's id (eth_chainId), which signs our transactions (EIP-155); not the ledger's.</summary>
    public BigInteger EvmChainId { get; }

    /// <summary>Connects to <paramref name="rpcUrl"/> (asking its chain id); <paramref name="sender"/> signs transactions, none for read-only use.</summary>
    public static async Task<AnchorClient> ConnectAsync(string rpcUrl, string contract, PrivateKey? sender, TimeSpan requestTimeout, CancellationToken cancellationToken = default)
    {
        if (!Uri.TryCreate(rpcUrl, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new ArgumentException($"EVM JSON-RPC URL must be an absolute http(s) URL, got '{rpcUrl}'");
        if (!Address.TryParse(contract, out var address, out var why))
            throw new ArgumentException($"anchor contract address '{contract}': {why}");
        var http = new HttpClient { Timeout = requestTimeout };
        try
        {
            // One RpcClient per HttpClient: it sets the client's base address, which may be set only once.
            var rpc = new RpcClient(uri, http);
            var reader = new Web3(rpc);
            var chainId = (await reader.Eth.ChainId.SendRequestAsync().WaitAsync(cancellationToken)).Value;
            var web3 = sender is null ? reader : new Web3(new Account(sender.Bytes.ToArray(), chainId), rpc);
            return new AnchorClient(http, web3, address.ToString(), sender?.Address.ToString() ?? "", chainId);
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    /// <summary>Deploys the anchor for ledger <paramref name="ledgerChainId"/> with its current validator set; returns the contract address.</summary>
    public static async Task<(string Address, BigInteger GasUsed)> DeployAsync(string rpcUrl, PrivateKey deployer, ulong ledgerChainId,
        IEnumerable<(Address Address, long Power)> validators, TimeSpan requestTimeout, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { Timeout = requestTimeout };
        var rpc = new RpcClient(new Uri(rpcUrl), http);
        var chainId = (await new Web3(rpc).Eth.ChainId.SendRequestAsync().WaitAsync(cancellationToken)).Value;
        var web3 = new Web3(new Account(deployer.Bytes.ToArray(), chainId), rpc);
        var deployment = new AnchorDeployment { ChainId = ledgerChainId, Validators = AnchorCheckpoint.ToInput(validators) };
        var receipt = await web3.Eth.GetContractDeploymentHandler<AnchorDeployment>().SendRequestAndWaitForReceiptAsync(deployment, cancellationToken);
        if (receipt.Status?.Value != 1) throw new InvalidOperationException($"the anchor deployment {receipt.TransactionHash} failed on chain");
        return (receipt.ContractAddress, receipt.GasUsed.Value);
    }

    private ContractHandler Handler => _web3.Eth.GetContractHandler(Contract);

    public async Task<ulong> LastHeightAsync() => (ulong)await Handler.QueryAsync<LastHeightFunction, BigInteger>(new LastHeightFunction());

    public async Task<ulong> LedgerChainIdAsync() => (ulong)await Handler.QueryAsync<LedgerChainIdFunction, BigInteger>(new LedgerChainIdFunction());

    public async Task<Hash32> ValidatorSetHashAsync() => Hash32.FromBytes(await Handler.QueryAsync<ValidatorSetHashFunction, byte[]>(new ValidatorSetHashFunction()));

    public async Task<ulong> TotalPowerAsync() => (ulong)await Handler.QueryAsync<TotalPowerFunction, BigInteger>(new TotalPowerFunction());

    /// <summary>The block hash anchored at <paramref name="height"/>; the zero hash when none was.</summary>
    public async Task<Hash32> CheckpointAsync(ulong height)
        => Hash32.FromBytes(await Handler.QueryAsync<CheckpointsFunction, byte[]>(new CheckpointsFunction { Height = height }));

    /// <summary>Whether the code at the contract address is there at all (a wrong address reads as zeros otherwise).</summary>
    public async Task<bool> HasCodeAsync() => (await _web3.Eth.GetCode.SendRequestAsync(Contract)).Length > 2;

    /// <summary>The call run as eth_call from the sender: the contract's custom error when it would revert, else null.</summary>
    public async Task<AnchorRevert?> SimulateAsync(SubmitCheckpointFunction call)
    {
        call.FromAddress = _sender;
        try
        {
            await Handler.QueryRawAsync(call, BlockParameter.CreateLatest());
            return null;
        }
        catch (Exception e) when (AnchorRevert.From(e) is { } revert) { return revert; }
    }

    public async Task<BigInteger> EstimateGasAsync(SubmitCheckpointFunction call)
    {
        call.FromAddress = _sender;
        return (await Handler.EstimateGasAsync(call)).Value;
    }

    /// <summary>Fees for the next block: priority from eth_maxPriorityFeePerGas, max = 2 × base fee + priority.</summary>
    public async Task<Fees> SuggestFeesAsync()
    {
        var block = await _web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(BlockParameter.CreateLatest());
        BigInteger baseFee = block.BaseFeePerGas?.Value ?? 0;
        BigInteger priority;
        try { priority = (await _web3.Eth.GasPrice.SendRequestAsync()).Value - baseFee; }
        catch (RpcResponseException) { priority = 0; }
        if (priority < 1_000_000_000) priority = 1_000_000_000; // 1 gwei: what wallets tip when the node suggests less
        return new Fees(baseFee * 2 + priority, priority);
    }

    /// <summary>The sender's next nonce counting only mined transactions, so a stuck one can be replaced.</summary>
    public async Task<BigInteger> MinedNonceAsync()
        => (await _web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(_sender, BlockParameter.CreateLatest())).Value;

    public async Task<BigInteger> BalanceAsync() => (await _web3.Eth.GetBalance.SendRequestAsync(_sender)).Value;

    /// <summary>Signs and sends the call with the given nonce, gas and fees; returns the transaction hash.</summary>
    public Task<string> SendAsync(SubmitCheckpointFunction call, BigInteger nonce, BigInteger gas, Fees fees)
    {
        call.FromAddress = _sender;
        call.Nonce = nonce;
        call.Gas = gas;
        call.MaxFeePerGas = fees.MaxFeePerGas;
        call.MaxPriorityFeePerGas = fees.MaxPriorityFeePerGas;
        return _web3.Eth.GetContractTransactionHandler<SubmitCheckpointFunction>().SendRequestAsync(Contract, call);
    }

    /// <summary>The receipt of a transaction, null while it is not mined.</summary>
    public Task<TransactionReceipt?> ReceiptAsync(string transactionHash)
        => _web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(transactionHash)!;

    public async Task<BigInteger> BlockNumberAsync() => (await _web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;

    /// <summary>Every CheckpointAnchored event of the contract (an auditor's list of anchored heights).</summary>
    public async Task<IReadOnlyList<CheckpointAnchoredEvent>> CheckpointEventsAsync()
    {
        var handler = _web3.Eth.GetEvent<CheckpointAnchoredEvent>(Contract);
        var logs = await handler.GetAllChangesAsync(handler.CreateFilterInput(BlockParameter.CreateEarliest(), BlockParameter.CreateLatest()));
        return logs.Select(l => l.Event).ToList();
    }

    public void Dispose() => _http.Dispose();
}
