/**
 * A uPlot time chart: one x axis in epoch seconds, any number of series, run events drawn as labelled
 * vertical lines. Charts of one page share the cursor (uPlot sync). The container carries `data-points`
 * (how many non-empty values it draws) so tests and people can tell an empty chart from a flat one.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { EventMark } from '../../../runview/model.js';

export interface SeriesSpec {
  label: string;
  color: string;
  dash?: number[];
  width?: number;
}

export interface TimeChartProps {
  id: string;
  title: string;
  unit: string;
  /** x (epoch seconds), then one column per series. */
  data: (number | null | undefined)[][];
  series: SeriesSpec[];
  events?: EventMark[];
  /** [min, max] epoch seconds, shared by the page's charts. */
  range?: [number, number];
  height?: number;
  /** y axis value formatter. */
  fmt?: (v: number) => string;
}

const EVENT_COLORS: Record<string, string> = {
  stop: '#c0392b',
  start: '#27ae60',
  ready: '#16a085',
  leader: '#8e44ad',
  decision: '#d35400',
  rollback: '#e67e22',
  resume: '#2980b9',
  failed: '#c0392b',
  end: '#555',
  fault: '#b7950b',
};

function eventsPlugin(getEvents: () => EventMark[]): uPlot.Plugin {
  return {
    hooks: {
      draw: (u: uPlot) => {
        const ctx = u.ctx;
        const { top, height } = u.bbox;
        ctx.save();
        ctx.font = `${10 * devicePixelRatio}px system-ui, sans-serif`;
        ctx.textBaseline = 'top';
        let lastX = -1e9;
        let row = 0;
        for (const e of getEvents()) {
          const x = Math.round(u.valToPos(e.t / 1000, 'x', true));
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.strokeStyle = EVENT_COLORS[e.kind] ?? '#888';
          ctx.fillStyle = ctx.strokeStyle;
          ctx.setLineDash([4, 3]);
          ctx.lineWidth = 1;
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
          // Labels of close events are stacked rather than drawn over each other.
          row = x - lastX < 70 * devicePixelRatio ? (row + 1) % 4 : 0;
          lastX = x;
          ctx.fillText(e.label, x + 3, top + 2 + row * 12 * devicePixelRatio);
        }
        ctx.restore();
      },
    },
  };
}

function countPoints(data: TimeChartProps['data']): number {
  let n = 0;
  for (let i = 1; i < data.length; i++) for (const v of data[i]!) if (v !== null && v !== undefined) n++;
  return n;
}

export function TimeChart(p: TimeChartProps) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const events = useRef<EventMark[]>(p.events ?? []);
  events.current = p.events ?? [];
  const range = useRef(p.range);
  range.current = p.range;
  const points = countPoints(p.data);

  useEffect(() => {
    if (!el.current) return;
    const width = Math.max(300, el.current.clientWidth || 800);
    const opts: uPlot.Options = {
      width,
      height: p.height ?? 200,
      cursor: { sync: { key: 'run' } },
      scales: { x: { time: true, range: (_u, min, max) => range.current ?? [min, max] } },
      series: [{}, ...p.series.map((s) => ({ label: s.label, stroke: s.color, width: s.width ?? 1.5, ...(s.dash ? { dash: s.dash } : {}), spanGaps: false, points: { show: false } }))],
      axes: [{}, { label: p.unit, size: 60, ...(p.fmt ? { values: (_u: uPlot, vals: number[]) => vals.map((v) => p.fmt!(v)) } : {}) }],
      plugins: [eventsPlugin(() => events.current)],
      legend: { live: true },
    };
    plot.current = new uPlot(opts, p.data as uPlot.AlignedData, el.current);
    const ro = new ResizeObserver(() => {
      if (el.current && plot.current) plot.current.setSize({ width: Math.max(300, el.current.clientWidth), height: p.height ?? 200 });
    });
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [p.series.map((s) => s.label).join('|')]);

  useEffect(() => {
    plot.current?.setData(p.data as uPlot.AlignedData);
  });

  return (
    <section class="chart" id={p.id} data-points={points}>
      <h3>
        {p.title} {points === 0 ? <span class="muted">(no data yet)</span> : null}
      </h3>
      <div ref={el} />
    </section>
  );
}
