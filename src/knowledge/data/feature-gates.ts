/**
 * etcd server feature gates per minor line (3.6 introduced `--feature-gates`). Needed where a gate crosses
 * versions: a downgrade from 3.7 must drop the gates 3.6 does not know (etcd refuses an unknown gate at
 * start), and `status` reports the gates a member runs with away from their defaults.
 * Sources: etcd@v3.6.0 and etcd@v3.6.17 server/features/etcd_features.go (DefaultEtcdServerFeatureGates, the
 * same seven gates), etcd@v3.7.0 and etcd@v3.7.4 (plus FastLeaseKeepAlive, PriorityRequest). `AllAlpha` and
 * `AllBeta` are the featuregate package's own switches (go.etcd.io/etcd/pkg/v3/featuregate).
 */

export type GateStage = 'ALPHA' | 'BETA' | 'GA' | 'DEPRECATED';

export interface FeatureGateSpec {
  name: string;
  stage: GateStage;
  default: boolean;
  /** First minor that knows the gate. */
  since: string;
}

const G = (name: string, stage: GateStage, def: boolean, since: string): FeatureGateSpec => ({ name, stage, default: def, since });

export const featureGates: readonly FeatureGateSpec[] = [
  G('StopGRPCServiceOnDefrag', 'ALPHA', false, '3.6'),
  G('InitialCorruptCheck', 'ALPHA', false, '3.6'),
  G('CompactHashCheck', 'ALPHA', false, '3.6'),
  G('TxnModeWriteWithSharedBuffer', 'BETA', true, '3.6'),
  G('LeaseCheckpoint', 'ALPHA', false, '3.6'),
  G('LeaseCheckpointPersist', 'ALPHA', false, '3.6'),
  G('SetMemberLocalAddr', 'ALPHA', false, '3.6'),
  G('FastLeaseKeepAlive', 'BETA', true, '3.7'),
  G('PriorityRequest', 'ALPHA', false, '3.7'),
];

export const FEATURE_GATES_SOURCE = 'etcd@v3.6.17 server/features/etcd_features.go; etcd@v3.7.4 server/features/etcd_features.go';

/** Gates of the featuregate package itself, known wherever --feature-gates is. */
const SWITCHES = new Set(['AllAlpha', 'AllBeta']);

/** Does etcd of `minor` ("3.6") know the gate? undefined for a gate upshift has no data on. */
export function gateKnown(name: string, minor: string): boolean | undefined {
  if (SWITCHES.has(name)) return true;
  const g = featureGates.find((x) => x.name === name);
  if (!g) return undefined;
  const [a, b] = minor.split('.').map(Number);
  const [c, d] = g.since.split('.').map(Number);
  return a! > c! || (a === c && b! >= d!);
}

export function gateSpec(name: string): FeatureGateSpec | undefined {
  return featureGates.find((x) => x.name === name);
}
