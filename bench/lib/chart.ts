/**
 * A hand-written SVG chart of one scenario, two panels side by side: delivered vs offered deliveries/s
 * (with the line where they are equal), and p99 latency vs offered (with the 100 ms limit), one line per
 * server, the overload region (offered above our saturation) shaded. Rates span from a fraction of a
 * million to 4× the fastest baseline, so rate axes double at each tick (log 2) and latency is log 10.
 * Points where something was lost or someone was cut off are drawn as crosses. Light background, readable
 * as a file in a browser.
 *
 * @example
 * ```ts
 * const svg = chartSvg({
 *   title: "tcp-100",
 *   series: [{ label: "ours", color: "#1f5fbf", points: [{ offered: 1e6, delivered: 1e6, p99Ms: 3, failed: false }] }],
 * });
 * ```
 */

export interface ChartPoint {
  offered: number;
  delivered: number;
  p99Ms: number;
  /** Something was lost or someone was cut off. */
  failed: boolean;
}

export interface ChartSeries {
  label: string;
  color: string;
  points: ChartPoint[];
}

export interface ChartSpec {
  title: string;
  subtitle?: string;
  /** Our saturation (deliveries/s): everything offered beyond is shaded as overload. */
  overloadFrom?: number;
  series: ChartSeries[];
}

const WIDTH = 960, HEIGHT = 470;
const PANEL = { top: 78, height: 290, width: 370 };
const LEFTS = [80, 570];
const M = 1e6;
const FONT = `font-family="system-ui, -apple-system, 'Segoe UI', sans-serif"`;

/** Powers of two covering [min, max] (at least two). */
export function doublingTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log2(min)), hi = Math.max(Math.ceil(Math.log2(max)), lo + 1);
  return Array.from({ length: hi - lo + 1 }, (_, i) => 2 ** (lo + i));
}

/** Powers of ten covering [min, max] (at least two). */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(Math.max(min, 0.1))), hi = Math.max(Math.ceil(Math.log10(Math.max(max, 1))), lo + 1);
  return Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i));
}

function escape(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function msLabel(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

function megaLabel(v: number): string {
  return String(Number((v / M).toPrecision(3)));
}

interface Axis {
  toX(v: number): number;
  toY(v: number): number;
}

function marker(x: number, y: number, color: string, failed: boolean): string {
  if (!failed) return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="4" fill="${color}"/>`;
  const d = 5;
  return `<path d="M${x - d},${y - d}L${x + d},${y + d}M${x - d},${y + d}L${x + d},${y - d}" stroke="${color}" ` +
    `stroke-width="2.5"/>`;
}

function panel(
  left: number,
  spec: ChartSpec,
  xTicks: number[],
  yTicks: number[],
  axis: Axis,
  pick: (p: ChartPoint) => number,
  labels: { title: string; y: string; yTick: (v: number) => string },
  extra: string,
): string {
  const { top, height, width } = PANEL;
  const out: string[] = [];
  out.push(
    `<text x="${left + width / 2}" y="${top - 12}" text-anchor="middle" font-size="15" font-weight="600" ${FONT}>${
      escape(labels.title)
    }</text>`,
  );
  if (spec.overloadFrom !== undefined && spec.overloadFrom < xTicks.at(-1)!) {
    const x0 = axis.toX(spec.overloadFrom);
    out.push(
      `<rect x="${x0.toFixed(1)}" y="${top}" width="${
        (left + width - x0).toFixed(1)
      }" height="${height}" fill="#fbe3e0"/>`,
      `<text x="${(x0 + 6).toFixed(1)}" y="${top + 16}" font-size="12" fill="#a33a2c" ${FONT}>overload</text>`,
      `<text x="${(x0 + 6).toFixed(1)}" y="${
        top + 30
      }" font-size="11" fill="#a33a2c" ${FONT}>(above our saturation)</text>`,
    );
  }
  for (const v of yTicks) {
    const y = axis.toY(v).toFixed(1);
    out.push(
      `<line x1="${left}" x2="${left + width}" y1="${y}" y2="${y}" stroke="#e3e3e3"/>`,
      `<text x="${left - 8}" y="${y}" dy="4" text-anchor="end" font-size="12" fill="#333" ${FONT}>${
        labels.yTick(v)
      }</text>`,
    );
  }
  for (const v of xTicks) {
    const x = axis.toX(v).toFixed(1);
    out.push(
      `<line x1="${x}" x2="${x}" y1="${top + height}" y2="${top + height + 5}" stroke="#333"/>`,
      `<text x="${x}" y="${top + height + 19}" text-anchor="middle" font-size="12" fill="#333" ${FONT}>${
        megaLabel(v)
      }</text>`,
    );
  }
  out.push(
    `<rect x="${left}" y="${top}" width="${width}" height="${height}" fill="none" stroke="#333"/>`,
    extra,
    `<text x="${left + width / 2}" y="${top + height + 40}" text-anchor="middle" font-size="13" ${FONT}>` +
      `offered (M deliveries/s, log scale)</text>`,
    `<text transform="translate(${left - 60},${
      top + height / 2
    }) rotate(-90)" text-anchor="middle" font-size="13" ${FONT}>${escape(labels.y)}</text>`,
  );
  for (const s of spec.series) {
    const points = [...s.points].sort((a, b) => a.offered - b.offered);
    if (points.length === 0) continue;
    const path = points.map((p, i) =>
      `${i ? "L" : "M"}${axis.toX(p.offered).toFixed(1)},${axis.toY(pick(p)).toFixed(1)}`
    );
    out.push(`<path d="${path.join("")}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const p of points) out.push(marker(axis.toX(p.offered), axis.toY(pick(p)), s.color, p.failed));
  }
  return out.join("\n");
}

/** Maps `v` onto [from, from + size] for a log scale whose ends are the first and last tick. */
function logScale(ticks: number[], from: number, size: number, log: (v: number) => number) {
  const [lo, hi] = [log(ticks[0]), log(ticks.at(-1)!)];
  return (v: number) => from + ((log(Math.max(v, ticks[0])) - lo) / (hi - lo)) * size;
}

export function chartSvg(spec: ChartSpec): string {
  const all = spec.series.flatMap((s) => s.points).filter((p) => p.offered > 0);
  const { top, height, width } = PANEL;
  // Same scale on both axes of the first panel, so the line where delivered equals offered runs at 45°.
  const rates = all.flatMap((p) => [p.offered, p.delivered]).filter((v) => v > 0);
  const ticks = doublingTicks(Math.min(...rates, M) / M, Math.max(...rates, 2 * M) / M).map((t) => t * M);
  const xAxis = (left: number) => logScale(ticks, left, width, Math.log2);
  const deliveredAxis = { toX: xAxis(LEFTS[0]), toY: logScale(ticks, top + height, -height, Math.log2) };
  const [first, last] = [ticks[0], ticks.at(-1)!];
  const diagonal =
    `<path d="M${deliveredAxis.toX(first)},${deliveredAxis.toY(first)}L${deliveredAxis.toX(last).toFixed(1)},${
      deliveredAxis.toY(last).toFixed(1)
    }" stroke="#888" stroke-dasharray="5,4"/>` +
    `<text transform="translate(${deliveredAxis.toX(last) - 40},${deliveredAxis.toY(last) + 52}) rotate(-38.1)" ` +
    `text-anchor="middle" font-size="11" fill="#666" ${FONT}>delivered = offered</text>`;

  const latencies = all.map((p) => p.p99Ms).filter((v) => v > 0);
  const lTicks = logTicks(Math.min(...latencies, 100), Math.max(...latencies, 100));
  const latencyAxis = { toX: xAxis(LEFTS[1]), toY: logScale(lTicks, top + height, -height, Math.log10) };
  const limitY = latencyAxis.toY(100).toFixed(1);
  const limit = `<line x1="${LEFTS[1]}" x2="${LEFTS[1] + width}" y1="${limitY}" y2="${limitY}" stroke="#a33a2c" ` +
    `stroke-dasharray="5,4"/><text x="${LEFTS[1] + 6}" y="${limitY}" dy="-5" font-size="11" fill="#a33a2c" ${FONT}>` +
    `100 ms: the saturation limit</text>`;

  const legendY = HEIGHT - 28;
  const legend: string[] = [];
  let x = LEFTS[0];
  for (const s of spec.series) {
    legend.push(
      `<line x1="${x}" x2="${x + 26}" y1="${legendY}" y2="${legendY}" stroke="${s.color}" stroke-width="2"/>`,
      marker(x + 13, legendY, s.color, false),
      `<text x="${x + 34}" y="${legendY + 4}" font-size="13" ${FONT}>${escape(s.label)}</text>`,
    );
    x += 48 + s.label.length * 7.5;
  }
  legend.push(
    marker(x + 6, legendY, "#555", true),
    `<text x="${x + 18}" y="${legendY + 4}" font-size="13" ${FONT}>lost or cut off</text>`,
  );

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${LEFTS[0] - 50}" y="28" font-size="18" font-weight="700" ${FONT}>${escape(spec.title)}</text>`,
    spec.subtitle
      ? `<text x="${LEFTS[0] - 50}" y="48" font-size="12.5" fill="#555" ${FONT}>${escape(spec.subtitle)}</text>`
      : "",
    panel(LEFTS[0], spec, ticks, ticks, deliveredAxis, (p) => p.delivered, {
      title: "Delivered vs offered",
      y: "delivered (M deliveries/s, log scale)",
      yTick: megaLabel,
    }, diagonal),
    panel(LEFTS[1], spec, ticks, lTicks, latencyAxis, (p) => p.p99Ms, {
      title: "p99 latency vs offered",
      y: "p99 latency (log scale)",
      yTick: msLabel,
    }, limit),
    ...legend,
    "</svg>",
    "",
  ].join("\n");
}
