/** The backup catalogue ($UPSHIFT_HOME/backups, from the manifests) and the state of each file. */
import { useJson } from '../api.js';
import { bytes, time } from '../format.js';
import type { BackupsResult } from '../../api-types.js';

export function BackupsPage() {
  const { data, error } = useJson<BackupsResult>('/api/backups', 10_000);
  if (error && !data) return <p class="error">{error}</p>;
  if (!data) return <p class="muted">Reading the catalogue…</p>;
  return (
    <div id="backups">
      {data.backups.length === 0 ? <p>No backups yet (<code>upshift backup save</code>; every upgrade takes one first).</p> : null}
      {data.backups.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th>created</th>
              <th>cluster</th>
              <th>revision</th>
              <th>keys</th>
              <th>size</th>
              <th>etcd</th>
              <th>from</th>
              <th>state</th>
              <th>file</th>
            </tr>
          </thead>
          <tbody>
            {data.backups.map((b) => (
              <tr key={b.file} class={b.present ? '' : 'fail'}>
                <td>{time(b.createdAt)}</td>
                <td class="mono">{b.clusterId}</td>
                <td class="num">{b.revision}</td>
                <td class="num">{b.totalKeys}</td>
                <td class="num">{bytes(b.size)}</td>
                <td>{b.etcdVersion}</td>
                <td>{b.memberName}</td>
                <td title="checked at save: etcd's sha256 trailer and the bbolt meta pages; now: the file is there with the size its manifest records (a full re-check is `upshift backup verify FILE`)">
                  {b.present ? 'verified at save · present' : 'MISSING or truncated'}
                </td>
                <td class="mono small">{b.file}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {data.unreadable.map((u) => (
        <p key={u.path} class="error">
          unreadable manifest {u.path}: {u.error}
        </p>
      ))}
      {data.partials.map((p) => (
        <p key={p} class="warn">
          leftover of an interrupted save (safe to delete): {p}
        </p>
      ))}
    </div>
  );
}
