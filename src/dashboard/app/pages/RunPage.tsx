/**
 * One run: header and actions, steps, member timelines, gates, canary charts, the journal, the proof.
 * Live: the first event of the run's stream is the full view, later ones are updates applied with the same
 * reducer the server uses (runview/model.ts). Report: the view is embedded in the file.
 */
import { useEffect, useState } from 'preact/hooks';
import { applyUpdate, runStateLabel as stateLabel, type RunUpdate, type RunView } from '../../../runview/model.js';
import { postAction, useEvents } from '../api.js';
import { StepList } from '../components/StepList.js';
import { MemberTimeline } from '../components/MemberTimeline.js';
import { GateTable } from '../components/GateTable.js';
import { RunCharts } from '../components/RunCharts.js';
import { JournalStream } from '../components/JournalStream.js';
import { Verification } from '../components/Verification.js';
import { duration, time } from '../format.js';

function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

function Actions({ view }: { view: RunView }) {
  const [busy, setBusy] = useState('');
  const [msg, setMsg] = useState('');
  const label = stateLabel(view);
  const act = async (what: 'pause' | 'resume', question: string): Promise<void> => {
    if (!window.confirm(question)) return;
    setBusy(what);
    setMsg('');
    try {
      const r = await postAction<{ message: string }>(`/api/runs/${encodeURIComponent(view.runId)}/${what}`);
      setMsg(r.message);
    } catch (e) {
      setMsg(String(e instanceof Error ? e.message : e));
    } finally {
      setBusy('');
    }
  };
  return (
    <div class="actions">
      {label === 'running' ? (
        <button id="pause" disabled={busy !== ''} onClick={() => act('pause', `Pause run ${view.runId}? It stops safely at its next step boundary (the canary is stopped and checked); resume continues it.`)}>
          {busy === 'pause' ? 'Pausing…' : 'Pause'}
        </button>
      ) : null}
      {label === 'paused' || label === 'interrupted' ? (
        <button id="resume" disabled={busy !== ''} onClick={() => act('resume', `Resume run ${view.runId} (${view.path.join(' → ')}) from where it stopped?`)}>
          {busy === 'resume' ? 'Resuming…' : 'Resume'}
        </button>
      ) : null}
      {msg ? <span class="action-msg">{msg}</span> : null}
    </div>
  );
}

export function RunBody({ view, live }: { view: RunView; live: boolean }) {
  const running = view.state === 'running' && view.alive !== false;
  const now = useNow(live && running);
  const end = view.endedAt ?? (running ? now : Math.max(view.startedAt, ...view.journal.map((l) => l.t), ...view.observations.map((o) => o.t)));
  const range: [number, number] = [view.startedAt / 1000, end / 1000];
  const label = stateLabel(view);
  const done = view.steps.filter((s) => s.status === 'done').length;
  return (
    <div class="run" data-state={label} data-steps-done={done}>
      <header class="run-head">
        <h1>
          {view.kind} {view.path.join(' → ')} <span class={`badge ${label}`} id="run-state">{label}</span>
        </h1>
        <p class="muted">
          run <span class="mono">{view.runId}</span> · {view.cluster ? `cluster ${view.cluster}` : view.endpoints.join(', ')} · driver {view.driver} · started {time(view.startedAt)} · {duration(end - view.startedAt)} ·{' '}
          {done}/{view.steps.length} steps
        </p>
        {view.message ? <p class={view.state === 'succeeded' ? '' : 'warn'}>{view.message}</p> : null}
        {live ? <Actions view={view} /> : null}
      </header>
      <section>
        <h2>Members</h2>
        <MemberTimeline view={view} end={end} />
      </section>
      <section>
        <h2>Gates per member and soak window</h2>
        <GateTable gates={view.gates} />
      </section>
      <section>
        <h2>Over time</h2>
        <RunCharts view={view} range={range} />
      </section>
      <div class="two-col">
        <section>
          <h2>Steps</h2>
          <StepList steps={view.steps} now={now} />
        </section>
        <section>
          <h2>Journal</h2>
          <JournalStream lines={view.journal} />
        </section>
      </div>
      <section>
        <h2>Verification</h2>
        <Verification view={view} />
      </section>
    </div>
  );
}

export function LiveRunPage({ runId, initial }: { runId: string; initial?: { view: RunView; cursor: string } | undefined }) {
  const [state, setState] = useState<{ view?: RunView; n: number; error?: string }>({ n: 0, ...(initial ? { view: initial.view } : {}) });
  const stream = `/api/runs/${encodeURIComponent(runId)}/events${initial ? `?since=${encodeURIComponent(initial.cursor)}` : ''}`;
  const connected = useEvents(stream, {
    snapshot: (v) => setState((s) => ({ view: v as RunView, n: s.n + 1 })),
    update: (u) =>
      setState((s) => {
        if (!s.view) return s;
        applyUpdate(s.view, u as RunUpdate);
        return { view: s.view, n: s.n + 1 };
      }),
    problem: (e) => setState((s) => ({ ...s, error: (e as { message: string }).message })),
  });
  useEffect(() => {
    // First render of the run with its data: what "time to first render" measures (bench/dashboard-page.ts).
    if (state.view && performance.getEntriesByName('upshift-run-rendered').length === 0) performance.mark('upshift-run-rendered');
  }, [state.view !== undefined]);
  if (state.error) return <p class="error">{state.error}</p>;
  if (!state.view) return <p class="muted">Loading run {runId}…</p>;
  return (
    <div data-updates={state.n} data-connected={connected ? 'yes' : 'no'} id="live-run">
      <RunBody view={state.view} live />
    </div>
  );
}
