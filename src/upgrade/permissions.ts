/**
 * What an upgrade needs from the etcd user, checked before anything is touched. With auth on, most of
 * what the run does is an admin (root role) operation in etcd: Snapshot (the backup), HashKV (the
 * consistency check), MoveLeader, MemberRemove/MemberAdd (replacing a member on rollback) — see
 * authMaintenanceServer.isPermitted -> IsAdminPermitted in etcd@v3.5.16:server/etcdserver/api/v3rpc/maintenance.go
 * and the cluster API's admin check in etcd@v3.5.16:server/etcdserver/api/v3rpc/member.go; and newer patches
 * answer Maintenance.Status only to admins (observed: etcd 3.5.30 refuses Status to a non-root user while
 * 3.5.16 serves it), which every readiness check reads. The lock and canary keys live under /upshift/.
 * So the rule is simple and stated up front: the user needs the root role.
 */
import { EtcdClient } from '../client/kv.js';
import { EndpointClient } from '../client/endpoint.js';
import type { ConnectionConfig } from '../client/connection.js';
import { EtcdError } from '../client/errors.js';
import { errorMessage, UsageError } from '../core/errors.js';

export const PERMISSION_NOTE =
  'with auth on, upgrade needs a user with the root role: the backup (Snapshot), the consistency check (HashKV), MoveLeader, member remove/add (rollback by replacement) and Status on newer 3.5 patches are admin operations, and the lock and canary keys live under /upshift/';

/** Exit 2 (the credentials given are the wrong input) when the cluster has auth on and the user is not an admin. */
export async function assertAdminUser(config: ConnectionConfig, authEnabled: boolean | undefined): Promise<void> {
  if (authEnabled === false) return;
  const who = config.auth?.user ? `--user ${config.auth.user}` : config.tls?.cert ? 'the client certificate\'s user' : undefined;
  if (authEnabled === true && !who) {
    throw new UsageError('the cluster has auth enabled and no credentials were given', { code: 'credentials-required', hint: `pass --user NAME (and the password) of a user with the root role, or --cluster NAME for a local cluster; ${PERMISSION_NOTE}` });
  }
  if (!who) return; // no credentials and auth not known to be on: nothing to check
  const denied = (e: unknown): boolean => /permission denied|user name is empty|user name not found/.test(errorMessage(e));
  // Member by member: one that is down (a resumed run may have one) says nothing about permissions.
  for (const endpoint of config.endpoints) {
    const one = { ...config, endpoints: [endpoint] };
    const c = new EtcdClient(one);
    try {
      // A read under /upshift/, then AuthStatus, an admin-only read in 3.5+ (Unimplemented before): cheap, side-effect free.
      await c.range('/upshift/locks/upgrade', { serializable: true, keysOnly: true, timeoutMs: config.commandTimeoutMs });
      try {
        await c.authStatus({ timeoutMs: config.commandTimeoutMs });
      } catch (e) {
        if (!(e instanceof EtcdError && e.grpcCodeName === 'UNIMPLEMENTED')) throw e;
        // 3.4 and older: HashKV, an admin-only read the run does anyway (check-consistency).
        const ep = new EndpointClient(endpoint, one);
        try {
          await ep.hashKV(0, { timeoutMs: Math.max(config.commandTimeoutMs, 10_000) });
        } finally {
          ep.close();
        }
      }
      return;
    } catch (e) {
      if (denied(e)) {
        throw new UsageError(`${who} may not run an upgrade: ${errorMessage(e)}`, {
          code: 'permission-denied',
          hint: `${PERMISSION_NOTE}. Grant it (etcdctl role: root) or use such a user; nothing was touched`,
        });
      }
      if (!(e instanceof EtcdError && ['etcd-unavailable', 'etcd-deadline', 'etcd-no-leader', 'etcd-leader-changed'].includes(e.code))) throw e;
    } finally {
      c.close();
    }
  }
}
