#!/usr/bin/env node
// EIP-712 and keystore interop with ethers v6, driven by tests/Contracts.Tests/Interop/EthersInteropTests.cs.
// The C# test writes the eth_signTypedData_v4 documents; this script only uses ethers' public API on them, so
// any disagreement is ours or ethers', never a re-implementation's.
//
//   node eip712-ethers.js sign     <documents.json> <privateKeyHex>
//        -> {"<struct>": {"digest": TypedDataEncoder.hash, "signature": Wallet.signTypedData, "signer": wallet.address}}
//   node eip712-ethers.js verify   <documents.json> <signatures.json>     (signatures.json: {"<struct>": "0x…65 bytes"})
//        -> {"<struct>": verifyTypedData(...) recovered address}
//   node eip712-ethers.js keystore <privateKeyHex> <password> <outFile>   (ethers default scrypt, N = 131072)
//        -> {"address": wallet.address, "file": outFile}
//
// Output is one JSON object on stdout; any failure exits non-zero with the reason on stderr.
'use strict';

const fs = require('fs');
const { Wallet, TypedDataEncoder, verifyTypedData } = require('ethers');

// ethers derives EIP712Domain from the domain object and rejects it inside `types`.
function ethersTypes(document) {
  const types = { ...document.types };
  delete types.EIP712Domain;
  return types;
}

function readDocuments(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

async function sign(documentsFile, privateKey) {
  const wallet = new Wallet(privateKey);
  const result = {};
  for (const [name, document] of Object.entries(readDocuments(documentsFile))) {
    const types = ethersTypes(document);
    // ethers infers the primary type; a mismatch would mean it hashed a different struct than the document names.
    const primary = TypedDataEncoder.from(types).primaryType;
    if (primary !== document.primaryType) throw new Error(`${name}: ethers sees primary type ${primary}, document says ${document.primaryType}`);
    result[name] = {
      digest: TypedDataEncoder.hash(document.domain, types, document.message),
      signature: await wallet.signTypedData(document.domain, types, document.message),
      signer: wallet.address,
    };
  }
  return result;
}

function verify(documentsFile, signaturesFile) {
  const documents = readDocuments(documentsFile);
  const signatures = JSON.parse(fs.readFileSync(signaturesFile, 'utf8'));
  const result = {};
  for (const [name, signature] of Object.entries(signatures)) {
    const document = documents[name];
    if (!document) throw new Error(`no document for signature ${name}`);
    result[name] = verifyTypedData(document.domain, ethersTypes(document), document.message, signature);
  }
  return result;
}

async function keystore(privateKey, password, outFile) {
  const wallet = new Wallet(privateKey);
  fs.writeFileSync(outFile, await wallet.encrypt(password));
  return { address: wallet.address, file: outFile };
}

async function main(argv) {
  const [command, ...args] = argv;
  switch (command) {
    case 'sign': if (args.length === 2) return sign(...args); break;
    case 'verify': if (args.length === 2) return verify(...args); break;
    case 'keystore': if (args.length === 3) return keystore(...args); break;
  }
  throw new Error('usage: eip712-ethers.js sign <documents.json> <privateKeyHex> | verify <documents.json> <signatures.json> | keystore <privateKeyHex> <password> <outFile>');
}

main(process.argv.slice(2)).then(
  (output) => process.stdout.write(JSON.stringify(output) + '\n'),
  (error) => { process.stderr.write(`${error.stack || error}\n`); process.exit(1); });
