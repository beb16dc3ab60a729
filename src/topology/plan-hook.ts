/**
 * The hook `upshift plan --topology FILE...` calls: the impact of the plan's target on the services the
 * traces show, added to the plan as findings (code `topology-<impact code>`, naming the services), so the
 * plan says which services to check first. A blocker (e.g. v2 API callers before 3.6) blocks the plan.
 */
import type { Plan } from '../plan/types.js';
import type { ConnectionFlags } from '../cli/common.js';
import { analyzeGraph } from './analyze.js';
import { impactOf } from './impact.js';
import { buildFromFiles, peerOptionsFrom } from './pipeline.js';

export interface PlanTopology {
  sources: string[];
  servicesToCheck: string[];
  etcdCallers: string[];
}

export async function addTopologyImpact(p: Plan, files: string[], flags: ConnectionFlags, env: NodeJS.ProcessEnv, home: string): Promise<Plan & { topology: PlanTopology }> {
  const peer = peerOptionsFrom(flags, env, home);
  const built = await buildFromFiles({ files, peer });
  const report = analyzeGraph(built.graph, { etcdService: peer.etcdService });
  const impact = impactOf(report, p.to, p.from || undefined);
  const findings = [
    ...p.findings,
    ...impact.findings.map((f) => ({ severity: f.severity, code: `topology-${f.code}`, message: `${f.message} (services: ${f.services.join(', ')})`, ...(f.source ? { source: f.source } : {}) })),
  ];
  return {
    ...p,
    findings,
    blocked: p.blocked || impact.findings.some((f) => f.severity === 'blocker'),
    topology: { sources: built.sources, servicesToCheck: impact.servicesToCheck, etcdCallers: report.etcdCallers.map((c) => c.service) },
  };
}
