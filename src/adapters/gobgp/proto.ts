// Loads GoBGP 3.x's API protos (Debian golang-github-osrg-gobgp-dev ships them) for gRPC stubs and for
// google.protobuf.Any payloads. A message meant for an Any field is written as a plain object with an
// "@type" key naming the apipb message ({ '@type': 'OriginAttribute', origin: 0 }); pack/unpack convert
// recursively, so rendered paths, audit payloads and ListPath answers all share one JSON shape.
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';

export const PROTO_FILES = ['gobgp.proto', 'attribute.proto', 'capability.proto'] as const;

export interface AnyMessage {
  readonly '@type': string;
  readonly [field: string]: unknown;
}

interface WireAny {
  type_url: string;
  value?: Uint8Array | Buffer;
}

export interface GobgpProtos {
  /** gRPC service constructor apipb.GobgpApi. */
  readonly GobgpApi: grpc.ServiceClientConstructor;
  pack(msg: AnyMessage): WireAny;
  unpack(any: WireAny): AnyMessage;
}

const TYPE_PREFIX = 'type.googleapis.com/apipb.';

function isAnyMessage(v: unknown): v is AnyMessage {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as AnyMessage)['@type'] === 'string'
  );
}

function isWireAny(v: unknown): v is WireAny {
  return typeof v === 'object' && v !== null && typeof (v as WireAny).type_url === 'string';
}

const cache = new Map<string, GobgpProtos>();

export function loadGobgpProtos(protoDir: string): GobgpProtos {
  const hit = cache.get(protoDir);
  if (hit) return hit;
  for (const f of PROTO_FILES) {
    if (!existsSync(join(protoDir, f))) {
      throw new Error(
        `${join(protoDir, f)} not found: install Debian package golang-github-osrg-gobgp-dev or set protoDir`,
      );
    }
  }
  // keepCase: the protos use snake_case; camelCase would silently drop fields (RIG.md §2 gotcha)
  const def = protoLoader.loadSync([...PROTO_FILES], {
    includeDirs: [protoDir],
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
  });
  const apipb = (
    grpc.loadPackageDefinition(def) as unknown as { apipb: { GobgpApi: grpc.ServiceClientConstructor } }
  ).apipb;
  const root = new protobuf.Root();
  // attribute.proto imports "gobgp.proto" by bare name; google/protobuf/* are protobufjs built-ins
  root.resolvePath = (_origin, target) =>
    target.startsWith('google/protobuf/') ? target : join(protoDir, basename(target));
  root.loadSync(
    PROTO_FILES.map((f) => join(protoDir, f)),
    { keepCase: true },
  );
  root.resolveAll();
  const type = (name: string): protobuf.Type => root.lookupType(`apipb.${name}`);

  const packValue = (v: unknown): unknown => {
    if (isAnyMessage(v)) return pack(v);
    if (Array.isArray(v)) return v.map(packValue);
    return v;
  };
  const pack = (msg: AnyMessage): WireAny => {
    const { '@type': name, ...fields } = msg;
    const t = type(name);
    const obj: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) obj[k] = packValue(v);
    const err = t.verify(obj);
    if (err) throw new Error(`apipb.${name}: ${err}`);
    return { type_url: TYPE_PREFIX + name, value: t.encode(t.fromObject(obj)).finish() };
  };
  const unpackValue = (v: unknown): unknown => {
    if (isWireAny(v)) return unpack(v);
    if (Array.isArray(v)) return v.map(unpackValue);
    return v;
  };
  const unpack = (any: WireAny): AnyMessage => {
    const name = any.type_url.slice(any.type_url.lastIndexOf('/') + 1).replace(/^apipb\./, '');
    const t = type(name);
    // proto3 omits an all-default payload (e.g. TrafficRateExtended rate 0): decode empty bytes
    const o = t.toObject(t.decode(any.value ?? new Uint8Array(0)), {
      longs: Number,
      enums: String,
      defaults: true,
    });
    const out: Record<string, unknown> = { '@type': name };
    for (const [k, v] of Object.entries(o)) out[k] = unpackValue(v);
    return out as AnyMessage;
  };
  const protos: GobgpProtos = { GobgpApi: apipb.GobgpApi, pack, unpack };
  cache.set(protoDir, protos);
  return protos;
}
