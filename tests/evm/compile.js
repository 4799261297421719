// Compiles src/Anchor/evm/P2PEnergyAnchor.sol with solc-js and prints {abi, bytecode, solc} as JSON on stdout.
// tests/Anchor.Tests (AnchorArtifactTests) compares the result with the checked-in .abi.json and .bin; with --write it
// rewrites them (P2PE_UPDATE_ANCHOR=1 does the same from the test).
"use strict";
const fs = require("fs");
const path = require("path");
const solc = require("solc");

const dir = path.resolve(__dirname, "..", "..", "src", "Anchor", "evm");
const source = fs.readFileSync(path.join(dir, "P2PEnergyAnchor.sol"), "utf8");
const input = {
  language: "Solidity",
  sources: { "P2PEnergyAnchor.sol": { content: source } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "cancun",
    metadata: { bytecodeHash: "none", appendCBOR: false },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === "error" || e.severity === "warning");
if (errors.length > 0) {
  process.stderr.write(errors.map((e) => e.formattedMessage).join("\n"));
  process.exit(1);
}
const contract = output.contracts["P2PEnergyAnchor.sol"].P2PEnergyAnchor;
const result = { solc: solc.version(), abi: contract.abi, bytecode: "0x" + contract.evm.bytecode.object };
if (process.argv.includes("--write")) {
  fs.writeFileSync(path.join(dir, "P2PEnergyAnchor.abi.json"), JSON.stringify(contract.abi, null, 2) + "\n");
  fs.writeFileSync(path.join(dir, "P2PEnergyAnchor.bin"), result.bytecode + "\n");
}
process.stdout.write(JSON.stringify(result));
