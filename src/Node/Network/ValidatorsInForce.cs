using P2PEnergy.Contracts.Crypto;
using P2PEnergy.Node.Consensus.Application;

namespace P2PEnergy.Node.Network;

/// <summary>
/// The validators in force at the height the node decides next, as the driver sees them, readable from any thread: the
/// peer handshake and the transport's vote check ask it. Refreshed after each commit (on the consensus thread).
/// </summary>
public sealed class ValidatorsInForce
{
    private readonly LedgerApplication _application;
    private volatile HashSet<Address> _validators;

    public ValidatorsInForce(LedgerApplication application)
    {
        _application = application;
        _validators = Read();
        application.Feed.Committed += _ => _validators = Read();
    }

    public bool Contains(Address address) => _validators.Contains(address);

    private HashSet<Address> Read() => _application.ValidatorsAt(_application.Height + 1).Validators.Select(v => v.Address).ToHashSet();
}
