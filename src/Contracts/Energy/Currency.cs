namespace P2PEnergy.Contracts.Energy;

/// <summary>The market's currency (genesis <c>currency</c>, <c>currencyDecimals</c>): formats and parses its amounts.</summary>
public sealed record Currency(string Code, int Decimals)
{
    /// <summary>The genesis defaults: EUR in micro-units.</summary>
    public static Currency Default { get; } = new("EUR", 6);

    /// <summary><c>0.100000</c> (without the code: tables name the currency in their header).</summary>
    public string Format(Int128 micros) => Micros.Format(micros, Decimals);

    /// <summary><c>0.100000 EUR</c>.</summary>
    public string WithCode(Int128 micros) => Format(micros) + " " + Code;

    /// <summary>An amount typed in this currency, as micros; see <see cref="Micros.TryParse"/>.</summary>
    public bool TryParse(string text, out Micros money, out string problem) => Micros.TryParse(text, Decimals, out money, out problem);
}
