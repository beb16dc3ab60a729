/**
 * A release's API as a structure: RPCs (with streaming, gateway mapping and `etcd_version` annotation),
 * messages with their fields by number, enums with their values. Parsed from the shipped protos with
 * protobufjs (`keepCase`, so names stay as etcd writes them; imports are not resolved and need not be:
 * types are kept as written). The `etcd_version_*` options (api/versionpb/version.proto, 3.6+) say in
 * which minor an element appeared; etcd's own scripts/etcd_version_annotations.txt is their golden list.
 */
import protobuf from 'protobufjs';

export interface RpcInfo {
  path: string;
  request: string;
  response: string;
  clientStreaming: boolean;
  serverStreaming: boolean;
  since?: string | undefined;
}

export interface FieldInfo {
  name: string;
  number: number;
  type: string;
  repeated: boolean;
  jsonName?: string | undefined;
  since?: string | undefined;
}

export interface MessageInfo {
  name: string;
  since?: string | undefined;
  fields: Map<number, FieldInfo>;
  reservedNumbers: number[];
  reservedNames: string[];
}

export interface EnumInfo {
  name: string;
  since?: string | undefined;
  values: Map<number, { name: string; since?: string | undefined }>;
}

export interface ApiModel {
  rpcs: Map<string, RpcInfo>;
  messages: Map<string, MessageInfo>;
  enums: Map<string, EnumInfo>;
}

type Opts = Record<string, unknown> | undefined;
const opt = (o: Opts, key: string): string | undefined => (o && typeof o[key] === 'string' ? (o[key] as string) : undefined);

function fullName(o: protobuf.ReflectionObject): string {
  return o.fullName.replace(/^\./, '');
}

export function parseApi(files: Record<string, string>): ApiModel {
  const root = new protobuf.Root();
  for (const [path, text] of Object.entries(files)) {
    try {
      protobuf.parse(text, root, { keepCase: true, alternateCommentMode: false });
    } catch (e) {
      throw new Error(`${path}: ${(e as Error).message}`);
    }
  }
  const model: ApiModel = { rpcs: new Map(), messages: new Map(), enums: new Map() };
  const walk = (ns: protobuf.NamespaceBase): void => {
    for (const o of ns.nestedArray) {
      if (o instanceof protobuf.Service) {
        for (const m of o.methodsArray) {
          const path = `/${fullName(o)}/${m.name}`;
          model.rpcs.set(path, {
            path,
            request: m.requestType,
            response: m.responseType,
            clientStreaming: Boolean(m.requestStream),
            serverStreaming: Boolean(m.responseStream),
            since: opt(m.options as Opts, '(versionpb.etcd_version_method)') ?? opt(o.options as Opts, '(versionpb.etcd_version_service)'),
          });
        }
      } else if (o instanceof protobuf.Type) {
        const fields = new Map<number, FieldInfo>();
        for (const f of o.fieldsArray) {
          fields.set(f.id, { name: f.name, number: f.id, type: f.type, repeated: f.repeated, jsonName: opt(f.options as Opts, 'json_name'), since: opt(f.options as Opts, '(versionpb.etcd_version_field)') });
        }
        const reserved = (o.reserved ?? []) as (number[] | string)[];
        const reservedNumbers: number[] = [];
        for (const r of reserved) if (Array.isArray(r)) for (let n = r[0]!; n <= Math.min(r[1]!, r[0]! + 1000); n++) reservedNumbers.push(n);
        model.messages.set(fullName(o), { name: fullName(o), since: opt(o.options as Opts, '(versionpb.etcd_version_msg)'), fields, reservedNumbers, reservedNames: reserved.filter((r): r is string => typeof r === 'string') });
        walk(o);
      } else if (o instanceof protobuf.Enum) {
        const values = new Map<number, { name: string; since?: string | undefined }>();
        const vo = (o.valuesOptions ?? {}) as Record<string, Opts>;
        for (const [name, n] of Object.entries(o.values)) if (!values.has(n)) values.set(n, { name, since: opt(vo[name], '(versionpb.etcd_version_enum_value)') });
        model.enums.set(fullName(o), { name: fullName(o), since: opt(o.options as Opts, '(versionpb.etcd_version_enum)'), values });
      } else if (o instanceof protobuf.Namespace) {
        walk(o);
      }
    }
  };
  walk(root);
  // RPCs carry no annotation of their own: an RPC is as new as the newest of its request and response.
  for (const r of model.rpcs.values()) {
    if (r.since) continue;
    const pkg = r.path.slice(1, r.path.indexOf('.'));
    const since = [r.request, r.response].map((t) => model.messages.get(t.includes('.') ? t : `${pkg}.${t}`)?.since).filter((x): x is string => !!x);
    r.since = since.sort(compareMinor).pop();
  }
  return model;
}

/** Order `X.Y` strings numerically. */
export function compareMinor(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return (am ?? 0) - (bm ?? 0) || (an ?? 0) - (bn ?? 0);
}
