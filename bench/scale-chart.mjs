// Draws bench/results/scale.svg from bench/results/scale.json (bench/scale.mjs): the cost against the
// project's size, in small multiples — a row of panels per cost (reload p50, launch, tree PSS at rest), a
// column per dimension grown from the base tree (modules, data files, dependency), a line per tool.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib.mjs';
import { COLORS, escapeXml, svgDocument } from './svg.mjs';

const RESULTS = join(ROOT, 'bench', 'results', 'scale.json');
const OUTPUT = join(ROOT, 'bench', 'results', 'scale.svg');

/** The columns: each varies one dimension from the base tree (bench/scale-trees.mjs TREES). */
const DIMENSIONS = [
  { title: 'modules', points: [['base', '10'], ['modules-100', '100'], ['modules-1000', '1,000']] },
  { title: 'data files', points: [['base', '0'], ['files', '20,000']] },
  { title: 'dependency', points: [['base', 'none'], ['vite', 'vite']] },
];
/** The rows: a figure of bench/scale.mjs's JSON rows each. */
const COSTS = [
  { key: 'reloadP50', title: 'Reload p50', unit: 'ms' },
  { key: 'launchMs', title: 'Launch → first 200', unit: 'ms' },
  { key: 'pss', title: 'Tree PSS at rest', unit: 'MiB' },
];
/** Peers in grey, told apart by their dashes. */
const PEER_DASHES = ['6 3', '2 3', '9 3 2 3', '1 2'];

const WIDTH = 760;
const MARGIN = 16;
const LEGEND_HEIGHT = 28;
const COLUMN_GAP = 28;
const PANEL_HEIGHT = 150;
const ROW_GAP = 14;
const TITLE_HEIGHT = 20;
const AXIS_WIDTH = 40;
const AXIS_HEIGHT = 18;

/** The smallest of 1, 2, 2.5, 5 × 10^k at or above `value`: the top of a panel's axis. */
function niceCeiling(value) {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((step) => step * power).find((top) => top >= value);
}

const formatTick = (value) => value.toLocaleString('en-US', { maximumFractionDigits: 1 });

/** The tools, gwi first, then its peers in the order the bench ran them (each with a dash of its own). */
function toolsOf(rows) {
  const tools = new Map();
  for (const row of rows) if (row.tool && !tools.has(row.tool)) tools.set(row.tool, { tool: row.tool, label: row.label, gwi: row.gwi });
  let dash = 0;
  return [...tools.values()]
    .sort((a, b) => Number(b.gwi) - Number(a.gwi))
    .map((tool) => ({ ...tool, color: tool.gwi ? COLORS.gwi : COLORS.muted, width: tool.gwi ? 2.5 : 1.5, dash: tool.gwi ? null : PEER_DASHES[dash++ % PEER_DASHES.length] }));
}

const stroke = (tool) => `stroke="${tool.color}" stroke-width="${tool.width}"${tool.dash ? ` stroke-dasharray="${tool.dash}"` : ''}`;

function drawLegend(tools) {
  const parts = [];
  let x = MARGIN;
  for (const tool of tools) {
    const y = MARGIN + 10;
    parts.push(
      `<line x1="${x}" y1="${y}" x2="${x + 26}" y2="${y}" ${stroke(tool)} fill="none"/>`,
      `<text x="${x + 32}" y="${y + 4}" fill="${COLORS.text}"${tool.gwi ? ' font-weight="600"' : ''}>${escapeXml(tool.label)}</text>`,
    );
    x += 44 + tool.label.length * 7;
  }
  parts.push(`<text x="${WIDTH - MARGIN}" y="${MARGIN + 14}" text-anchor="end" fill="${COLORS.muted}">lower is better</text>`);
  return parts;
}

/** One panel: `cost` against `dimension`, a line per tool (a gap where a tool has no figure). */
function drawPanel(rows, tools, cost, dimension, left, top, width) {
  const value = (tool, tree) => rows.find((row) => row.tool === tool.tool && row.tree === tree)?.[cost.key] ?? null;
  const values = tools.flatMap((tool) => dimension.points.map(([tree]) => value(tool, tree))).filter((v) => v !== null);
  const ceiling = niceCeiling(Math.max(0, ...values));
  const plot = { left: left + AXIS_WIDTH, top: top + TITLE_HEIGHT, width: width - AXIS_WIDTH - 8, height: PANEL_HEIGHT - TITLE_HEIGHT - AXIS_HEIGHT };
  const x = (i) => plot.left + (dimension.points.length === 1 ? plot.width / 2 : (i * plot.width) / (dimension.points.length - 1));
  const y = (v) => plot.top + plot.height - (v / ceiling) * plot.height;
  const parts = [
    `<text x="${left}" y="${top + 12}" font-weight="600" fill="${COLORS.text}">${escapeXml(cost.title)} <tspan font-weight="400" ` +
      `fill="${COLORS.muted}">(${cost.unit}) vs ${escapeXml(dimension.title)}</tspan></text>`,
  ];
  for (const tick of [0, ceiling / 2, ceiling]) {
    parts.push(
      `<line x1="${plot.left}" y1="${y(tick)}" x2="${plot.left + plot.width}" y2="${y(tick)}" stroke="${COLORS.grid}"/>`,
      `<text x="${plot.left - 5}" y="${y(tick) + 4}" text-anchor="end" fill="${COLORS.muted}" font-size="10">${formatTick(tick)}</text>`,
    );
  }
  dimension.points.forEach(([, label], i) => {
    parts.push(`<text x="${x(i)}" y="${plot.top + plot.height + 14}" text-anchor="middle" fill="${COLORS.muted}" font-size="10">${escapeXml(label)}</text>`);
  });
  // gwi's line last, on top of its peers'.
  for (const tool of [...tools].reverse()) {
    const points = dimension.points.map(([tree], i) => ({ i, v: value(tool, tree) }));
    for (let i = 1; i < points.length; i++) {
      const [a, b] = [points[i - 1], points[i]];
      if (a.v === null || b.v === null) continue;
      parts.push(`<line x1="${x(a.i)}" y1="${y(a.v)}" x2="${x(b.i)}" y2="${y(b.v)}" ${stroke(tool)}/>`);
    }
    for (const { i, v } of points.filter((p) => p.v !== null)) {
      parts.push(`<circle cx="${x(i)}" cy="${y(v)}" r="${tool.gwi ? 3 : 2.5}" fill="${tool.color}"><title>${escapeXml(`${tool.label}: ${v} ${cost.unit}`)}</title></circle>`);
    }
  }
  return parts;
}

/** The SVG of scale.json's `rows`, or null when they hold no tree's figures. */
export function renderScaleChart(rows) {
  const tools = toolsOf(rows);
  if (tools.length === 0) return null;
  const width = (WIDTH - 2 * MARGIN - (DIMENSIONS.length - 1) * COLUMN_GAP) / DIMENSIONS.length;
  const parts = drawLegend(tools);
  COSTS.forEach((cost, r) => {
    const top = MARGIN + LEGEND_HEIGHT + r * (PANEL_HEIGHT + ROW_GAP);
    DIMENSIONS.forEach((dimension, c) => parts.push(...drawPanel(rows, tools, cost, dimension, MARGIN + c * (width + COLUMN_GAP), top, width)));
  });
  const height = MARGIN + LEGEND_HEIGHT + COSTS.length * (PANEL_HEIGHT + ROW_GAP) - ROW_GAP + MARGIN;
  return svgDocument(WIDTH, height, parts);
}

/** Writes scale.svg from scale.json; returns what it did, in words. */
export function writeScaleChart() {
  if (!existsSync(RESULTS)) return `no ${RESULTS}: scale.svg not drawn (run npm run bench:scale first)`;
  const svg = renderScaleChart(JSON.parse(readFileSync(RESULTS, 'utf8')).rows);
  if (svg === null) return `no figures in ${RESULTS}: scale.svg not drawn`;
  writeFileSync(OUTPUT, svg);
  return `written to ${OUTPUT}`;
}
