/** Table rendering of a status result: a cluster line, one row per member, member errors, then findings. */
import { formatBytes, renderFindings, renderTable } from '../core/output.js';
import type { StatusResult } from './model.js';

const dash = (v: string | number | null | undefined): string => (v === null || v === undefined || v === '' ? '-' : String(v));

function downgrade(r: StatusResult): string {
  const d = r.members.find((m) => m.downgradeInfo?.enabled)?.downgradeInfo;
  return d ? `  DOWNGRADE to ${d.targetVersion} enabled` : '';
}

export function renderStatus(r: StatusResult): string {
  const leader = r.members.find((m) => m.isLeader);
  const lines: string[] = [];
  lines.push(
    `cluster ${dash(r.clusterId)}  version ${dash(r.clusterVersion)}${downgrade(r)}  leader ${leader ? `${leader.name || leader.id} (${leader.id})` : r.leader ?? 'none'}  ${r.healthy ? 'healthy' : 'NOT HEALTHY'}`,
  );
  const table = renderTable({
    head: ['NAME', 'ID', 'ENDPOINT', 'VERSION', 'STORAGE', 'DB SIZE / IN USE', 'LEADER', 'LEARNER', 'TERM', 'INDEX', 'APPLIED', 'HEALTH'],
    rows: r.members.map((m) => [
      m.name || '(unstarted)',
      m.id,
      dash(m.endpoint),
      dash(m.version),
      dash(m.storageVersion),
      m.dbSize === null ? '-' : `${formatBytes(m.dbSize)} / ${m.dbSizeInUse === null ? '-' : formatBytes(m.dbSizeInUse)}`,
      m.isLeader ? 'yes' : '',
      m.isLearner ? 'yes' : '',
      dash(m.raftTerm),
      dash(m.raftIndex),
      dash(m.raftAppliedIndex),
      m.healthy ? 'ok' : 'UNHEALTHY',
    ]),
  });
  let out = lines.join('\n') + '\n' + table;
  const errs = r.members.filter((m) => m.errors.length > 0);
  if (errs.length > 0) out += errs.map((m) => `${m.name || m.id}: ${m.errors.join('; ')}`).join('\n') + '\n';
  if (r.alarms.length > 0) out += `alarms: ${r.alarms.map((a) => `${a.alarm} on ${a.memberName ?? a.memberId}`).join(', ')}\n`;
  if (r.findings.length > 0) out += '\n' + renderFindings(r.findings);
  return out;
}
