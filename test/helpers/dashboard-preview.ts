/**
 * Draws herald's Grafana dashboard as a static HTML page from Prometheus query results, for the screenshot in
 * docs/observability.md (Grafana itself is not packaged for Debian). Each panel keeps its grid position, title
 * and queries; stat panels show the last value, bar gauges the last value per series, time series an SVG line
 * per series. Pure: the caller fetches the data.
 */
export interface PreviewPanel {
  title: string;
  type: string;
  gridPos: { x: number; y: number; w: number; h: number };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: { expr: string; legendFormat?: string }[];
}

export interface RangeSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

/** A panel's series, one list per target, in the order of its targets. */
export type PanelData = RangeSeries[][];

const COLOURS = [
  '#73bf69',
  '#f2cc0c',
  '#5794f2',
  '#ff780a',
  '#f2495c',
  '#b877d9',
  '#8ab8ff',
  '#96d98d',
  '#c4162a',
  '#ffb357',
  '#1f60c4',
  '#ca95e5',
  '#fff899',
  '#8f3bb8',
];
const ROW_PX = 34;
const WIDTH_PX = 1560;

function legend(format: string | undefined, metric: Record<string, string>): string {
  return (format ?? '').replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => metric[name] ?? '');
}

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
}

function format(value: number, unit: string | undefined): string {
  if (!Number.isFinite(value)) return '–';
  if (unit === 'percentunit') return `${(value * 100).toFixed(1)}%`;
  if (unit === 's') return value < 1 ? `${(value * 1000).toFixed(0)} ms` : `${value.toFixed(2)} s`;
  if (unit === 'reqps') return `${value.toFixed(1)}/s`;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function lastValue(series: RangeSeries): number {
  return Number(series.values.at(-1)?.[1] ?? NaN);
}

function drawStat(panel: PreviewPanel, data: PanelData, colour: string): string {
  const value = data[0]?.[0] === undefined ? NaN : lastValue(data[0][0]);
  return `<div class="stat" style="color:${colour}">${format(value, panel.fieldConfig?.defaults?.unit)}</div>`;
}

function drawBars(panel: PreviewPanel, data: PanelData, colour: string): string {
  const rows = data.flatMap((series, i) =>
    series.map((s) => ({ label: legend(panel.targets?.[i]?.legendFormat, s.metric), value: lastValue(s) })),
  );
  const max = Math.max(1, ...rows.map((row) => row.value));
  return rows
    .sort((a, b) => b.value - a.value)
    .map(
      (row) =>
        `<div class="bar"><span>${escape(row.label)}</span><div style="width:${(row.value / max) * 60}%;background:${colour}"></div><b>${format(row.value, undefined)}</b></div>`,
    )
    .join('');
}

function drawLines(
  panel: PreviewPanel,
  data: PanelData,
  width: number,
  height: number,
  range: [number, number],
): string {
  const lines = data.flatMap((series, i) =>
    series.map((s) => ({ label: legend(panel.targets?.[i]?.legendFormat, s.metric), values: s.values })),
  );
  const numbers = lines.flatMap((line) => line.values.map(([, v]) => Number(v)).filter(Number.isFinite));
  const top = Math.max(1e-9, ...numbers) * 1.1;
  const [from, to] = range;
  const x = (t: number) => 40 + ((t - from) / Math.max(1, to - from)) * (width - 50);
  const y = (v: number) => 8 + (1 - v / top) * (height - 24);
  const unit = panel.fieldConfig?.defaults?.unit;
  const axis = [0, 0.5, 1]
    .map((f) => `<text x="2" y="${y(top * f) + 4}" class="axis">${format(top * f, unit)}</text>`)
    .join('');
  const paths = lines
    .map((line, i) => {
      const points = line.values
        .filter(([, v]) => Number.isFinite(Number(v)))
        .map(([t, v]) => `${x(t).toFixed(1)},${y(Number(v)).toFixed(1)}`);
      return `<polyline fill="none" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="2" points="${points.join(' ')}"/>`;
    })
    .join('');
  const keys = lines
    .map((line, i) => `<span><i style="background:${COLOURS[i % COLOURS.length]}"></i>${escape(line.label)}</span>`)
    .join('');
  return `<svg width="${width}" height="${height}">${axis}${paths}</svg><div class="legend">${keys}</div>`;
}

/** The whole page; `range` is the [from, to] of the data in seconds since the epoch. */
export function renderDashboardPreview(
  title: string,
  panels: readonly { panel: PreviewPanel; data: PanelData }[],
  range: [number, number],
): string {
  const column = WIDTH_PX / 24;
  const drawn = panels.map(({ panel, data }, index) => {
    const { x, y, w, h } = panel.gridPos;
    const width = w * column - 12;
    const height = h * ROW_PX - 12;
    const colour = COLOURS[index % COLOURS.length]!;
    const body =
      panel.type === 'stat'
        ? drawStat(panel, data, colour)
        : panel.type === 'bargauge'
          ? drawBars(panel, data, colour)
          : drawLines(panel, data, width - 16, height - 64, range);
    return `<section style="left:${x * column}px;top:${y * ROW_PX + 48}px;width:${width}px;height:${height}px"><h2>${escape(panel.title)}</h2>${body}</section>`;
  });
  const bottom = Math.max(...panels.map(({ panel }) => panel.gridPos.y + panel.gridPos.h)) * ROW_PX + 60;
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;background:#111217;font:12px sans-serif;color:#ccccdc;width:${WIDTH_PX + 12}px;height:${bottom}px;position:relative}
h1{font-size:16px;margin:0;padding:14px 12px;font-weight:500}
section{position:absolute;background:#181b1f;border:1px solid #2c3235;border-radius:3px;padding:6px 8px;box-sizing:border-box;overflow:hidden}
h2{font-size:13px;margin:0 0 6px;font-weight:500;color:#d8d9da}
.stat{font-size:34px;font-weight:500;margin-top:10px}
.axis{fill:#8e8e8e;font-size:10px}
.legend span{margin-right:10px;white-space:nowrap;display:inline-block}
.legend i{display:inline-block;width:12px;height:3px;margin-right:4px;vertical-align:middle}
.bar{display:flex;align-items:center;margin:5px 0}.bar span{width:35%;overflow:hidden}.bar div{height:14px;margin:0 6px}
</style></head><body><h1>${escape(title)}</h1>${drawn.join('')}</body></html>`;
}
