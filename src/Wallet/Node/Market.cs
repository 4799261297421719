using P2PEnergy.Contracts.Energy;
using P2PEnergy.Contracts.Protos;

namespace P2PEnergy.Wallet.Node;

/// <summary>
/// The chain's market parameters as its node publishes them (GetNodeStatus): the chain id signatures bind to, the
/// interval length and gate closure, and the currency every amount is shown and typed in.
/// </summary>
internal sealed record Market(ulong ChainId, string Name, ulong IntervalSeconds, ulong GateClosureSeconds, Currency Currency, ulong LastBlockTime)
{
    public static Market From(NodeStatus status) => new(status.ChainId, status.MarketName, status.IntervalSeconds, status.GateClosureSeconds,
        new Currency(status.Currency.Length > 0 ? status.Currency : Currency.Default.Code, status.Currency.Length > 0 ? (int)status.CurrencyDecimals : Currency.Default.Decimals),
        (ulong)Math.Max(0, status.LastBlockTimeMs / 1000));
}
