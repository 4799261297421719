using Google.Protobuf;
using P2PEnergy.Contracts.Protos;
using P2PEnergy.Wallet.Devnet;

namespace P2PEnergy.Wallet.Tests.Devnet;

/// <summary>
/// Issue 17: <c>devnet status</c>'s delivery report — per role, contracted net energy against what was metered in that
/// direction (metered = contracted + the statement's imbalance), and POLR energy as a share of contracted.
/// </summary>
public class DevnetDeliveryTests
{
    private const ulong Length = 60, T0 = 1_800_000_000, T1 = T0 + Length;
    private static readonly DevnetParticipant Pv = Participant("p01", "0xAA", "MTR-01", "pv");
    private static readonly DevnetParticipant Consumer = Participant("p02", "0xbb", "MTR-02", "consumer");
    private static readonly DevnetParticipant Ev = Participant("p03", "0xcc", "MTR-03", "ev");

    private static DevnetParticipant Participant(string key, string address, string meter, string role)
        => new(key, address, "Consumer", meter, "SP", role, "load");

    private static ContractState Contract(string seller, string buyer, ulong start, uint count, ulong wh) => new()
    {
        Id = ByteString.CopyFrom(new byte[32]),
        Terms = new EnergyContract { SellerMeter = seller, BuyerMeter = buyer, IntervalStart = start, IntervalCount = count, WhPerInterval = wh },
    };

    [Fact]
    public void FullyDelivered_Is100Percent_AndNoPolr()
    {
        var contracts = new List<ContractState> { Contract("MTR-01", "MTR-02", T0, 2, 30) };
        var d = DevnetDelivery.Measure(new Dictionary<ulong, ulong> { [T0] = 0, [T1] = 0 }, Length, [Pv, Consumer, Ev], contracts, new Dictionary<(string, ulong), long>());
        Assert.Equal([T0, T1], d.Intervals);
        Assert.Equal((60UL, 1000UL, 0UL), (d.ContractedWh, d.DeliveredPermille, d.PolrPermille));
        Assert.Equal(["consumer", "pv"], d.Roles.Select(r => r.Name));
        Assert.All(d.Roles, r => Assert.Equal((60UL, 60UL, 60UL), (r.ContractedWh, r.MeteredWh, r.DeliveredWh)));
    }

    [Fact]
    public void ABuyerDrawingLess_AndASellerDeliveringMore_CountOnlyWhatWasContracted()
    {
        // The consumer drew 20 of its 30 Wh (imbalance +10: exported 10 more than contracted); the PV delivered 35 of 30.
        var contracts = new List<ContractState> { Contract("MTR-01", "MTR-02", T0, 1, 30) };
        var imbalance = new Dictionary<(string, ulong), long> { [("0xbb", T0)] = 10, [("0xaa", T0)] = 5 };
        var d = DevnetDelivery.Measure(new Dictionary<ulong, ulong> { [T0] = 15 }, Length, [Pv, Consumer], contracts, imbalance);
        var consumer = d.Roles.Single(r => r.Name == "consumer");
        var pv = d.Roles.Single(r => r.Name == "pv");
        Assert.Equal((30UL, 20UL, 20UL, 666UL), (consumer.ContractedWh, consumer.MeteredWh, consumer.DeliveredWh, consumer.DeliveredPermille));
        Assert.Equal((30UL, 35UL, 30UL, 1000UL), (pv.ContractedWh, pv.MeteredWh, pv.DeliveredWh, pv.DeliveredPermille));
        Assert.Equal((833UL, 500UL), (d.DeliveredPermille, d.PolrPermille)); // 50 of 60; 15 Wh of POLR energy over 30 contracted
        Assert.Equal("83.3", DevnetDelivery.Percent(d.DeliveredPermille));
    }

    [Fact]
    public void AMeterThatExportedInsteadOfImporting_DeliveredNothing()
    {
        var contracts = new List<ContractState> { Contract("MTR-01", "MTR-03", T0, 1, 40) };
        var imbalance = new Dictionary<(string, ulong), long> { [("0xcc", T0)] = 45 }; // metered +5: exported
        var d = DevnetDelivery.Measure(new Dictionary<ulong, ulong> { [T0] = 45 }, Length, [Pv, Ev], contracts, imbalance);
        Assert.Equal((40UL, 0UL, 0UL), (d.Roles.Single(r => r.Name == "ev").ContractedWh, d.Roles.Single(r => r.Name == "ev").MeteredWh, d.Roles.Single(r => r.Name == "ev").DeliveredWh));
    }

    [Fact]
    public void AContractOutsideTheMeasuredIntervals_IsNotCounted()
    {
        var contracts = new List<ContractState> { Contract("MTR-01", "MTR-02", T1, 1, 30) };
        var d = DevnetDelivery.Measure(new Dictionary<ulong, ulong> { [T0] = 4 }, Length, [Pv, Consumer], contracts, new Dictionary<(string, ulong), long>());
        Assert.Equal((0UL, 1000UL, 0UL), (d.ContractedWh, d.DeliveredPermille, d.PolrPermille));
        Assert.Empty(d.Roles);
    }
}
