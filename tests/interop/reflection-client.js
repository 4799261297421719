#!/usr/bin/env node
// A client that has none of the node's .proto files: it asks the node's server reflection (grpc-reflection-js over
// @grpc/grpc-js) which services it serves, fetches the descriptor of p2pe.v1.Ledger the same way, and calls
// GetNodeStatus with message types built from that descriptor alone. Run by tests/Node.Tests (ReflectionInteropTests):
//
//   node reflection-client.js 127.0.0.1:PORT
//
// Prints one JSON object; exits non-zero only if the script itself breaks.
'use strict';

const grpc = require('@grpc/grpc-js');
const { Client: ReflectionClient } = require('grpc-reflection-js');

const CALL_MS = 10000;

function callUnary(address, service, methodName, request) {
  const method = service.methods[methodName].resolve();
  const Request = method.resolvedRequestType;
  const Response = method.resolvedResponseType;
  const Generic = grpc.makeGenericClientConstructor({
    [methodName]: {
      path: `/${service.fullName.replace(/^\./, '')}/${methodName}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (value) => Buffer.from(Request.encode(Request.fromObject(value)).finish()),
      responseDeserialize: (bytes) => Response.toObject(Response.decode(bytes), { longs: String, defaults: true }),
    },
  });
  const client = new Generic(address, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    client[methodName](request, { deadline: new Date(Date.now() + CALL_MS) }, (err, reply) => {
      client.close();
      return err ? reject(err) : resolve(reply);
    });
  });
}

async function main() {
  const address = process.argv[2];
  const reflection = new ReflectionClient(address, grpc.credentials.createInsecure());
  const services = (await reflection.listServices()).sort();
  const root = await reflection.fileContainingSymbol('p2pe.v1.Ledger');
  const ledger = root.lookupService('p2pe.v1.Ledger');
  const status = await callUnary(address, ledger, 'GetNodeStatus', {});
  process.stdout.write(JSON.stringify({
    services,
    ledgerMethods: Object.keys(ledger.methods).sort(),
    // The reflected descriptor keeps the .proto field names (chain_id); a loader may camel-case them.
    nodeStatus: { chainId: status.chain_id ?? status.chainId, height: status.height },
  }));
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
