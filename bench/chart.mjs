// Draws bench/results/chart.svg (shown in README) from the JSON the benchmarks write to bench/results/,
// and bench/results/scale.svg from scale.json, whose figures are lines, not bars (bench/scale-chart.mjs).
//
// Each results file is `{ section, date, node, rows: [{ label, value, unit, chart?, gwi?, lowerIsBetter? }] }`
// (bench/lib.mjs writeResultsJson). Rows with the same `chart` (default: the section and unit) make one
// panel of horizontal bars scaled to the panel's largest value; gwi's own bars are drawn in green, its
// peers' in grey, and a panel whose rows say lowerIsBetter is titled so. No dependencies: the SVG is
// written as text, so the chart changes only when the figures do.
//
//   node bench/chart.mjs        (npm run bench runs it last)
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib.mjs';
import { writeScaleChart } from './scale-chart.mjs';
import { COLORS, escapeXml, svgDocument } from './svg.mjs';

const RESULTS_DIR = join(ROOT, 'bench', 'results');
const OUTPUT = join(RESULTS_DIR, 'chart.svg');
/** The order of the panels: the benchmarks in the order README discusses them; unknown ones after. */
const ORDER = ['throughput', 'instructions', 'streaming', 'reload', 'memory', 'soak'];
/** Results drawn in a chart of their own. */
const OWN_CHART = ['scale'];

const WIDTH = 760;
const LABEL_WIDTH = 230;
const VALUE_WIDTH = 110;
const BAR_HEIGHT = 16;
const BAR_GAP = 6;
const TITLE_HEIGHT = 26;
const PANEL_GAP = 18;
const MARGIN = 16;

function formatValue(value, unit) {
  const number = Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { maximumFractionDigits: 1 });
  return `${number} ${unit}`;
}

/** The panels, in ORDER: [{ title, lowerIsBetter, bars: [{ label, value, unit, gwi }] }]. */
function panels() {
  if (!existsSync(RESULTS_DIR)) return [];
  const files = readdirSync(RESULTS_DIR)
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length))
    .filter((name) => !OWN_CHART.includes(name))
    .sort((a, b) => (ORDER.indexOf(a) + 1 || ORDER.length + 1) - (ORDER.indexOf(b) + 1 || ORDER.length + 1));
  const byTitle = new Map();
  for (const name of files) {
    const { section, rows } = JSON.parse(readFileSync(join(RESULTS_DIR, `${name}.json`), 'utf8'));
    for (const row of rows) {
      if (typeof row.value !== 'number' || !Number.isFinite(row.value)) continue;
      const title = row.chart ?? `${section} (${row.unit})`;
      if (!byTitle.has(title)) byTitle.set(title, { title, lowerIsBetter: false, bars: [] });
      const panel = byTitle.get(title);
      panel.lowerIsBetter ||= Boolean(row.lowerIsBetter);
      panel.bars.push({ label: row.label, value: row.value, unit: row.unit, gwi: Boolean(row.gwi) });
    }
  }
  return [...byTitle.values()];
}

function drawPanel(panel, top) {
  const max = Math.max(...panel.bars.map((bar) => bar.value), 0) || 1;
  const barSpace = WIDTH - 2 * MARGIN - LABEL_WIDTH - VALUE_WIDTH;
  const parts = [
    `<text x="${MARGIN}" y="${top + 17}" font-weight="600" fill="${COLORS.text}">${escapeXml(panel.title)}` +
      (panel.lowerIsBetter ? ` <tspan font-weight="400" fill="${COLORS.muted}">(lower is better)</tspan>` : '') + '</text>',
  ];
  panel.bars.forEach((bar, index) => {
    const y = top + TITLE_HEIGHT + index * (BAR_HEIGHT + BAR_GAP);
    const width = Math.max(1, Math.round((bar.value / max) * barSpace));
    const x = MARGIN + LABEL_WIDTH;
    parts.push(
      `<text x="${x - 8}" y="${y + 12}" text-anchor="end" fill="${COLORS.text}"${bar.gwi ? ' font-weight="600"' : ''}>${escapeXml(bar.label)}</text>`,
      `<rect x="${x}" y="${y}" width="${width}" height="${BAR_HEIGHT}" rx="2" fill="${bar.gwi ? COLORS.gwi : COLORS.peer}"/>`,
      `<text x="${x + width + 6}" y="${y + 12}" fill="${COLORS.muted}">${escapeXml(formatValue(bar.value, bar.unit))}</text>`,
    );
  });
  return { svg: parts.join('\n'), height: TITLE_HEIGHT + panel.bars.length * (BAR_HEIGHT + BAR_GAP) };
}

/** The whole SVG for `list` of panels, or null when there is nothing to draw. */
function renderChart(list) {
  if (list.length === 0) return null;
  let top = MARGIN;
  const drawn = list.map((panel) => {
    const { svg, height } = drawPanel(panel, top);
    top += height + PANEL_GAP;
    return svg;
  });
  return svgDocument(WIDTH, top - PANEL_GAP + MARGIN, drawn);
}

const svg = renderChart(panels());
if (svg === null) {
  console.error(`nothing to draw: no results in ${RESULTS_DIR} (run the benchmarks first)`);
  process.exitCode = 1;
} else {
  writeFileSync(OUTPUT, svg);
  console.error(`written to ${OUTPUT}`);
}
console.error(writeScaleChart());
