#!/usr/bin/env node
// A pure JavaScript wallet against the node's p2pe.v1.Ledger service: @grpc/grpc-js + @grpc/proto-loader read
// only src/Contracts/Protos, ethers v6 signs the EIP-712 structs whose definitions it reads from
// docs/typed-data.md. Nothing here comes from the C# code, so a disagreement is a wire or spec bug, not a shared
// mistake. Run by tests/Node.Tests (LedgerInteropTests):
//
//   node ledger-client.js <config.json>
//     config: {"address": "127.0.0.1:PORT", "chainId": "4242", "intervalSeconds": 900,
//              "keys": {"operator": "0x…", "alice": "0x…", "bob": "0x…", "carol": "0x…"},
//              "meters": {"alice": "MTR-A", "bob": "MTR-B"}}
//
// Prints one JSON object with the outcome of every call; exits non-zero only if the script itself breaks.
'use strict';

const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');
const { Wallet, TypedDataEncoder, keccak256, getAddress, hexlify } = require('ethers');

const repositoryRoot = path.join(__dirname, '..', '..');
const CALL_MS = 10000;
const COMMIT_MS = 20000;

// --- EIP-712 types, parsed from the generated encodeType blocks of docs/typed-data.md -------------------------

// "Take(bytes32 offerId,address taker)Other(...)" -> { Take: [{ name, type }], Other: [...] }
function parseEncodeType(encoded) {
  const types = {};
  for (const [, name, members] of encoded.matchAll(/(\w+)\(([^)]*)\)/g)) {
    types[name] = members === '' ? [] : members.split(',').map((member) => {
      const [type, field] = member.trim().split(' ');
      return { name: field, type };
    });
  }
  return types;
}

function typedDataFromDocs() {
  const markdown = fs.readFileSync(path.join(repositoryRoot, 'docs', 'typed-data.md'), 'utf8');
  const structs = {};
  for (const [, primary, encoded] of markdown.matchAll(/<!-- generated: encodeType (\w+) -->\s*```\s*([^`]+?)\s*```/g)) {
    const types = parseEncodeType(encoded);
    if (!types[primary]) throw new Error(`docs/typed-data.md: the encodeType block of ${primary} does not define it`);
    structs[primary] = types;
  }
  const domainLine = markdown.match(/```\s*(EIP712Domain\([^)]*\))\s*```/);
  if (!domainLine || domainLine[1] !== 'EIP712Domain(string name,string version,uint256 chainId)') {
    throw new Error(`docs/typed-data.md: unexpected domain ${domainLine && domainLine[1]}`);
  }
  return structs;
}

// --- protobuf values from EIP-712 values ---------------------------------------------------------------------

// The proto field's JSON name is the EIP-712 member name (docs/typed-data.md), so one walk over the struct's
// members converts: address/bytes32 become bytes, 64-bit integers stay decimal strings (no 2^53 rounding).
function toProto(types, typeName, value) {
  const message = {};
  for (const { name, type } of types[typeName]) {
    const v = value[name];
    if (type === 'address' || type === 'bytes32') message[name] = Buffer.from(v.slice(2), 'hex');
    else if (type.endsWith('[]')) message[name] = v.map((item) => toProto(types, type.slice(0, -2), item));
    else if (types[type]) message[name] = toProto(types, type, v);
    else if (/^u?int\d+$/.test(type)) message[name] = String(v);
    else message[name] = v;
  }
  return message;
}

function lowerFirst(name) {
  return name[0].toLowerCase() + name.slice(1);
}

// --- gRPC ------------------------------------------------------------------------------------------------------

const protoDir = path.join(repositoryRoot, 'src', 'Contracts', 'Protos');

// SubmitTransactionRequest carries the envelope as the bytes the wallet signed and submits, so the wallet
// serialises the p2pe.v1.Transaction message itself (protobufjs reads the same .proto files).
function envelopeEncoder() {
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => path.join(protoDir, target);
  root.loadSync('transactions.proto');
  const Transaction = root.lookupType('p2pe.v1.Transaction');
  return (envelope) => Buffer.from(Transaction.encode(Transaction.fromObject(envelope)).finish());
}
const encodeEnvelope = envelopeEncoder();

function ledgerClient(address) {
  const definition = protoLoader.loadSync('ledger_api.proto', {
    includeDirs: [protoDir],
    keepCase: false, longs: String, enums: String, bytes: Buffer, defaults: true, oneofs: true,
  });
  const Ledger = grpc.loadPackageDefinition(definition).p2pe.v1.Ledger;
  return new Ledger(address, grpc.credentials.createInsecure());
}

const inMs = (ms) => new Date(Date.now() + ms);
const hex = (buffer) => hexlify(buffer);
const failure = (err) => ({ code: err.code, details: err.details });

function unary(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: inMs(CALL_MS) }, (err, reply) => (err ? reject(err) : resolve(reply)));
  });
}

// Resolves with { code, details } for a call expected to fail; a success is reported as code 0.
function unaryStatus(client, method, request) {
  return unary(client, method, request).then(() => ({ code: grpc.status.OK }), failure);
}

function watchUntilCommitted(client, transactionId) {
  return new Promise((resolve) => {
    const states = [];
    let committed = null;
    const call = client.watchTransaction({ transactionId }, { deadline: inMs(COMMIT_MS) });
    call.on('data', (status) => {
      states.push(status.state);
      if (status.state === 'COMMITTED') committed = status;
    });
    call.on('status', (status) => resolve({ code: status.code, details: status.details, states, committed }));
    call.on('error', () => { /* reported through 'status' */ });
  });
}

function streamBlocks(client, fromHeight, take) {
  return new Promise((resolve) => {
    const heights = [];
    const call = client.streamBlocks({ fromHeight: String(fromHeight) }, { deadline: inMs(COMMIT_MS) });
    call.on('data', (block) => {
      heights.push(Number(block.header.height));
      // Cancelling is how a client stops following; grpc-js then ends the call with CANCELLED.
      if (heights.length === take) call.cancel();
    });
    call.on('status', (status) => resolve({ code: status.code, details: status.details, heights }));
    call.on('error', () => { /* reported through 'status' */ });
  });
}

function unknownMethod(client) {
  return new Promise((resolve) => {
    client.makeUnaryRequest('/p2pe.v1.Ledger/NoSuchMethod', (b) => b, (b) => b, Buffer.alloc(0),
      { deadline: inMs(CALL_MS) }, (err) => resolve(err ? failure(err) : { code: grpc.status.OK }));
  });
}

// --- the wallet ------------------------------------------------------------------------------------------------

async function submitAndWatch(client, structs, domain, primaryType, message, signers) {
  const types = structs[primaryType];
  const digest = TypedDataEncoder.hash(domain, types, message);
  const hashStruct = TypedDataEncoder.hashStruct(primaryType, types, message);
  const signatures = [];
  for (const signer of signers) {
    // ethers serialises r ‖ s ‖ v with v = 27/28 and low s, the layout the envelope expects.
    const signature = await signer.signTypedData(domain, types, message);
    signatures.push(Buffer.from(signature.slice(2), 'hex'));
  }
  const transaction = { chainId: String(domain.chainId), signatures, [lowerFirst(primaryType)]: toProto(types, primaryType, message) };
  const submitted = await unary(client, 'submitTransaction', { transaction: encodeEnvelope(transaction) });
  const watched = await watchUntilCommitted(client, submitted.transactionId);
  return {
    type: primaryType,
    digest,
    hashStruct,
    transactionId: hex(submitted.transactionId),
    accepted: submitted.accepted,
    submitCode: submitted.code,
    submitMessage: submitted.message,
    watchCode: watched.code,
    states: watched.states,
    height: watched.committed ? Number(watched.committed.height) : null,
    resultCode: watched.committed ? watched.committed.result.code : null,
    resultMessage: watched.committed ? watched.committed.result.message : null,
    payloadId: watched.committed ? hex(watched.committed.result.payloadId) : null,
  };
}

async function main(configFile) {
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  const structs = typedDataFromDocs();
  const wallets = Object.fromEntries(Object.entries(config.keys).map(([name, key]) => [name, new Wallet(key)]));
  const domain = { name: 'P2PEnergy', version: '1', chainId: BigInt(config.chainId) };
  const client = ledgerClient(config.address);
  try {
    const status = await unary(client, 'getNodeStatus', {});
    // Schedule from the ledger's own clock (BFT time), not this machine's: two intervals ahead clears gate closure.
    const now = Math.floor(Number(status.lastBlockTimeMs) / 1000);
    const interval = config.intervalSeconds;
    const intervalStart = (Math.floor(now / interval) + 2) * interval;
    const nonce = Date.now();
    const { operator, alice, bob, carol } = wallets;

    const transactions = [];
    transactions.push(await submitAndWatch(client, structs, domain, 'Admit',
      { account: carol.address, role: 'Consumer', name: 'Carol (grpc-js)', nonce }, [operator]));
    transactions.push(await submitAndWatch(client, structs, domain, 'Deposit',
      { account: carol.address, amount: '1234567', reference: 'grpc-js interop', nonce }, [operator]));
    const contract = {
      seller: alice.address, buyer: bob.address, sellerMeter: config.meters.alice, buyerMeter: config.meters.bob,
      intervalStart, intervalCount: 2, whPerInterval: 1500, pricePerKwh: 180000, nonce, validUntil: now + 3600,
    };
    transactions.push(await submitAndWatch(client, structs, domain, 'EnergyContract', contract, [alice, bob]));

    const account = await unary(client, 'getAccount', { address: Buffer.from(carol.address.slice(2), 'hex') });
    const listed = await unary(client, 'listContracts', { party: Buffer.from(alice.address.slice(2), 'hex'), limit: 1000 });
    const contractHeight = transactions[2].height || 0;
    const block = await unary(client, 'getBlock', { height: String(contractHeight) });
    const streamed = await streamBlocks(client, 1, 3);
    const finalStatus = await unary(client, 'getNodeStatus', {});

    return {
      transactions,
      account: {
        address: getAddress(hex(account.address)), admitted: account.admitted, name: account.name,
        role: account.role, balance: account.balance,
      },
      contracts: {
        ids: listed.contracts.map((c) => hex(c.id)),
        buyers: listed.contracts.map((c) => getAddress(hex(c.terms.buyer))),
        nextPageToken: hex(listed.nextPageToken),
      },
      block: {
        height: Number(block.header.height),
        chainId: block.header.chainId,
        // The envelope id is keccak256 of its bytes as stored: the client can find its transaction in the block.
        transactionIds: block.transactions.map((tx) => keccak256(tx)),
      },
      stream: streamed,
      status: {
        chainId: finalStatus.chainId, height: Number(finalStatus.height), marketName: finalStatus.marketName,
        validator: getAddress(hex(finalStatus.validator)),
      },
      unknownMethod: await unknownMethod(client),
      shortAddress: await unaryStatus(client, 'getAccount', { address: Buffer.alloc(19) }),
      futureBlock: await unaryStatus(client, 'getBlock', { height: String(Number(finalStatus.height) + 1000) }),
    };
  } finally {
    client.close();
  }
}

if (process.argv.length !== 3) {
  console.error('usage: node ledger-client.js <config.json>');
  process.exit(2);
}

main(process.argv[2]).then(
  (report) => process.stdout.write(JSON.stringify(report) + '\n'),
  (error) => { process.stderr.write(`${error.stack || error}\n`); process.exit(1); });
