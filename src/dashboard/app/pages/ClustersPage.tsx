/** Local clusters (`upshift cluster up`) and the clusters of past runs, with their live status. */
import { useJson } from '../api.js';
import { bytes } from '../format.js';
import type { ClusterRow } from '../../api-types.js';

export function ClustersPage() {
  const { data, error } = useJson<{ clusters: ClusterRow[] }>('/api/clusters', 5000);
  if (error && !data) return <p class="error">{error}</p>;
  if (!data) return <p class="muted">Asking the clusters…</p>;
  if (data.clusters.length === 0) return <p>No local clusters and no runs yet.</p>;
  return (
    <div id="clusters">
      {data.clusters.map((c) => (
        <section key={`${c.source}:${c.name}`} class="cluster">
          <h2>
            {c.name} <span class="muted">({c.source === 'local' ? 'local cluster' : 'cluster of past runs'}{c.clusterId ? `, id ${c.clusterId}` : ''}{c.clusterVersion ? `, cluster version ${c.clusterVersion}` : ''})</span>
          </h2>
          {c.error ? <p class="error">{c.error}</p> : null}
          <table>
            <thead>
              <tr>
                <th>member</th>
                <th>endpoint</th>
                <th>version</th>
                <th>state</th>
                <th>DB size</th>
              </tr>
            </thead>
            <tbody>
              {c.members.map((m) => (
                <tr key={m.name + m.endpoint} class={m.reachable && m.healthy !== false ? 'pass' : 'fail'}>
                  <td class="mono">
                    {m.name}
                    {m.leader ? ' ★' : ''}
                  </td>
                  <td class="mono">{m.endpoint}</td>
                  <td>{m.version ?? ''}</td>
                  <td>{m.reachable ? (m.healthy === false ? 'unhealthy' : 'healthy') : `down${m.error ? `: ${m.error}` : ''}`}</td>
                  <td class="num">{bytes(m.dbSize)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {c.runs.length > 0 ? (
            <p class="muted">
              runs:{' '}
              {c.runs.map((r) => (
                <a key={r} class="mono" href={`/runs/${encodeURIComponent(r)}`}>
                  {r}{' '}
                </a>
              ))}
            </p>
          ) : null}
        </section>
      ))}
    </div>
  );
}
