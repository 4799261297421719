// Drives the node's gRPC transport with the reference JavaScript client (@grpc/grpc-js), to prove wire
// compatibility with a standard gRPC implementation. Run by tests/Node.Tests (GrpcInteropTests):
//   node grpc-echo-client.js 127.0.0.1:PORT
// Prints one JSON object with the outcome of each call; exits non-zero only if the script itself breaks.
'use strict';

const http2 = require('http2');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const address = process.argv[2];
if (!address) {
  console.error('usage: node grpc-echo-client.js HOST:PORT');
  process.exit(2);
}

const protoPath = path.join(__dirname, '..', 'Node.Tests', 'Protos', 'echo.proto');
const definition = protoLoader.loadSync(protoPath, { keepCase: false, longs: String, defaults: true });
const Echo = grpc.loadPackageDefinition(definition).p2pe.test.Echo;
const client = new Echo(address, grpc.credentials.createInsecure());

const inMs = (ms) => new Date(Date.now() + ms);
const failure = (err) => ({ code: err.code, details: err.details });

function unary(method, request, deadlineMs) {
  return new Promise((resolve) => {
    client[method](request, { deadline: inMs(deadlineMs) }, (err, reply) =>
      resolve(err ? failure(err) : { code: grpc.status.OK, text: reply.text }));
  });
}

function serverStream(request) {
  return new Promise((resolve) => {
    const texts = [];
    const call = client.serverStream(request, { deadline: inMs(5000) });
    call.on('data', (reply) => texts.push(reply.text));
    // 'status' fires once, after the trailers, for success and failure alike.
    call.on('status', (status) => resolve({ code: status.code, details: status.details, texts }));
    call.on('error', () => { /* reported through 'status' */ });
  });
}

function unknownMethod() {
  return new Promise((resolve) => {
    client.makeUnaryRequest('/p2pe.test.Echo/NoSuchMethod', (b) => b, (b) => b, Buffer.alloc(0),
      { deadline: inMs(5000) }, (err) => resolve(err ? failure(err) : { code: grpc.status.OK }));
  });
}

// Looks beneath grpc-js at the raw HTTP/2 frames: an immediate error must be Trailers-Only, a single
// HEADERS frame carrying END_STREAM (PROTOCOL-HTTP2.md "Responses").
function rawTrailersOnly() {
  return new Promise((resolve) => {
    const session = http2.connect(`http://${address}`);
    session.on('error', (err) => resolve({ error: String(err) }));
    const req = session.request({
      ':method': 'POST', ':path': '/p2pe.test.Echo/NoSuchMethod', 'content-type': 'application/grpc', te: 'trailers',
    });
    let trailers = false;
    req.on('trailers', () => { trailers = true; });
    req.on('response', (headers, flags) => {
      const endStream = (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0;
      req.on('close', () => {
        session.close();
        resolve({ status: headers[':status'], grpcStatus: headers['grpc-status'], endStream, separateTrailers: trailers });
      });
      req.resume();
    });
    req.end(Buffer.alloc(5));
  });
}

async function main() {
  const results = {
    unary: await unary('unary', { text: 'flow book' }, 5000),
    stream: await serverStream({ text: 'dmo', repeat: 3 }),
    unknownMethod: await unknownMethod(),
    deadline: await unary('unary', { text: 'slow', delayMs: 10000 }, 200),
    nonAsciiFailure: await unary('fail', { failCode: 9, failMessage: 'Überlast ⚡ 100%' }, 5000),
    handlerException: await unary('fail', {}, 5000),
    afterFailures: await unary('unary', { text: 'still here' }, 5000),
    rawTrailersOnly: await rawTrailersOnly(),
  };
  process.stdout.write(JSON.stringify(results) + '\n');
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => client.close());
