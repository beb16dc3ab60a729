// A small multi-service program instrumented with the OpenTelemetry SDK, for the topology test: four
// services in one process, each with its own TracerProvider (its own service.name) and exporter:
//   frontend  --HTTP-->  orders    --gRPC-->  etcd (KV.Put, KV.Range, KV.Txn; through an internal span)
//   frontend  --HTTP-->  inventory --gRPC-->  etcd (Lease.LeaseGrant, Watch.Watch)
//   reporting --HTTP-->  etcd gateway POST /v3beta/kv/range (deprecated prefix; etcd traces it not)
// W3C trace context travels in HTTP headers and gRPC metadata, so etcd (--enable-distributed-tracing,
// parent-based sampling) traces the calls as children of the callers' client spans.
// orders and etcd export with OTLP/gRPC, frontend and inventory with OTLP/HTTP (JSON), reporting with OTLP/HTTP.
// Usage: node otel-shop.mjs ETCD_HOST:PORT OTLP_HOST:PORT ROUNDS
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { trace, context, SpanKind, SpanStatusCode, ROOT_CONTEXT, defaultTextMapGetter, defaultTextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as HttpExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';

const [etcdAddr, otlpAddr, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 3);
const [etcdHost, etcdPort] = etcdAddr.split(':');
const propagator = new W3CTraceContextPropagator();

function provider(service, kind) {
  const exporter = kind === 'grpc' ? new GrpcExporter({ url: `http://${otlpAddr}` }) : new HttpExporter({ url: `http://${otlpAddr}/v1/traces` });
  return new NodeTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
}
const providers = { frontend: provider('frontend', 'http'), orders: provider('orders', 'grpc'), inventory: provider('inventory', 'http'), reporting: provider('reporting', 'http') };
const tracer = (s) => providers[s].getTracer('otel-shop');

const protoDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'proto');
const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(join(protoDir, 'rpc.proto'), { keepCase: true, longs: String, includeDirs: [protoDir] }));
const etcdpb = pkg.etcdserverpb;
const creds = grpc.credentials.createInsecure();
const kv = new etcdpb.KV(etcdAddr, creds);
const lease = new etcdpb.Lease(etcdAddr, creds);
const watch = new etcdpb.Watch(etcdAddr, creds);

const rpcAttrs = (service, method) => ({ 'rpc.system': 'grpc', 'rpc.service': `etcdserverpb.${service}`, 'rpc.method': method, 'server.address': etcdHost, 'server.port': Number(etcdPort) });

/** A traced unary etcd call: CLIENT span, traceparent in the metadata. */
function etcdUnary(svc, client, service, method, req, parent) {
  const span = tracer(svc).startSpan(`etcdserverpb.${service}/${method}`, { kind: SpanKind.CLIENT, attributes: rpcAttrs(service, method) }, parent);
  const md = new grpc.Metadata();
  propagator.inject(trace.setSpan(parent, span), md, { set: (c, k, v) => c.set(k, v) });
  return new Promise((resolve, reject) => {
    client[method](req, md, { deadline: Date.now() + 10_000 }, (err, res) => {
      span.setAttribute('rpc.grpc.status_code', err ? err.code : 0);
      if (err) span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
      span.end();
      err ? reject(err) : resolve(res);
    });
  });
}

/** A traced watch: open the stream, create a watcher, wait for the created event, cancel the stream. */
function etcdWatch(svc, key, parent) {
  const span = tracer(svc).startSpan('etcdserverpb.Watch/Watch', { kind: SpanKind.CLIENT, attributes: rpcAttrs('Watch', 'Watch') }, parent);
  const md = new grpc.Metadata();
  propagator.inject(trace.setSpan(parent, span), md, { set: (c, k, v) => c.set(k, v) });
  return new Promise((resolve) => {
    const call = watch.Watch(md);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      span.end();
      resolve();
    };
    // etcd keeps a watch stream open after the client half-closes: cancel it (the server span ends then).
    call.on('data', (r) => {
      if (r.created) call.cancel();
    });
    call.on('error', () => finish());
    call.on('status', () => finish());
    call.on('end', () => finish());
    call.write({ create_request: { key: Buffer.from(key) } });
  });
}

/** An HTTP server for one service: a SERVER span per request, continuing the caller's trace. */
function serve(svc, handler) {
  const server = http.createServer(async (req, res) => {
    const parentCtx = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    const span = tracer(svc).startSpan(`${req.method} ${req.url}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.url, 'http.route': req.url } }, parentCtx);
    const ctx = trace.setSpan(parentCtx, span);
    try {
      const body = await handler(ctx);
      span.setAttribute('http.response.status_code', 200);
      res.writeHead(200).end(JSON.stringify(body));
    } catch (e) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(e) });
      span.setAttribute('http.response.status_code', 500);
      res.writeHead(500).end(String(e));
    } finally {
      span.end();
    }
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

/** A traced HTTP call from `svc`: CLIENT span, traceparent header. */
async function call(svc, url, parent, { method = 'GET', body, peer } = {}) {
  const u = new URL(url);
  const attrs = { 'http.request.method': method, 'url.full': url, 'server.address': u.hostname, 'server.port': Number(u.port) };
  if (peer) attrs['peer.service'] = peer;
  const span = tracer(svc).startSpan(`${method} ${u.pathname}`, { kind: SpanKind.CLIENT, attributes: attrs }, parent);
  const headers = { 'content-type': 'application/json' };
  propagator.inject(trace.setSpan(parent, span), headers, defaultTextMapSetter);
  try {
    const r = await fetch(url, { method, headers, body });
    span.setAttribute('http.response.status_code', r.status);
    if (r.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    return await r.text();
  } finally {
    span.end();
  }
}

const orders = await serve('orders', async (ctx) => {
  // An internal span between the server and its etcd calls: the linker must walk through it.
  const validate = tracer('orders').startSpan('validate order', { kind: SpanKind.INTERNAL }, ctx);
  const vctx = trace.setSpan(ctx, validate);
  const key = Buffer.from(`/shop/orders/${Date.now()}-${Math.random()}`);
  await etcdUnary('orders', kv, 'KV', 'Put', { key, value: Buffer.from('{"qty":1}') }, vctx);
  await etcdUnary('orders', kv, 'KV', 'Range', { key }, vctx);
  await etcdUnary('orders', kv, 'KV', 'Txn', { compare: [{ key, target: 'VERSION', result: 'GREATER', version: '0' }], success: [{ request_put: { key, value: Buffer.from('{"qty":2}') } }] }, vctx);
  validate.end();
  return { ok: true };
});
const inventory = await serve('inventory', async (ctx) => {
  await etcdUnary('inventory', lease, 'Lease', 'LeaseGrant', { TTL: '30' }, ctx);
  await etcdWatch('inventory', '/shop/stock', ctx);
  return { ok: true };
});
const frontend = await serve('frontend', async (ctx) => {
  await call('frontend', `http://127.0.0.1:${orders.address().port}/orders`, ctx, { method: 'POST', body: '{}' });
  await call('frontend', `http://127.0.0.1:${inventory.address().port}/stock`, ctx);
  return { ok: true };
});

for (let i = 0; i < rounds; i++) {
  // An untraced client: frontend's server spans are roots (entry calls).
  const r = await fetch(`http://127.0.0.1:${frontend.address().port}/checkout`);
  if (r.status !== 200) throw new Error(`checkout failed: ${r.status} ${await r.text()}`);
  // reporting reads through etcd's JSON gateway, on the deprecated /v3beta prefix.
  const root = tracer('reporting').startSpan('monthly report', { kind: SpanKind.INTERNAL }, ROOT_CONTEXT);
  await call('reporting', `http://${etcdAddr}/v3beta/kv/range`, trace.setSpan(ROOT_CONTEXT, root), { method: 'POST', body: JSON.stringify({ key: Buffer.from('/shop/orders/').toString('base64') }) });
  root.end();
}
await Promise.all(Object.values(providers).map((p) => p.shutdown()));
for (const s of [orders, inventory, frontend]) s.close();
kv.close();
lease.close();
watch.close();
console.log(JSON.stringify({ ok: true, rounds }));
process.exit(0);
