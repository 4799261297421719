// The Hardhat 2 development node the anchor tests and `devnet/up --anchor` run (`npx hardhat node`). Nothing is
// compiled here: tests/evm/compile.js builds the contract with solc-js. P2PE_EVM_BLOCK_MS > 0 adds interval mining
// (a block every that many ms besides one per transaction), so confirmations keep coming on an idle chain.
"use strict";
const interval = Number(process.env.P2PE_EVM_BLOCK_MS || "0");
module.exports = {
  solidity: "0.8.28",
  networks: {
    hardhat: {
      chainId: 31337,
      mining: { auto: true, interval: interval > 0 ? interval : 0 },
      loggingEnabled: false,
    },
  },
};
