// What the charts of bench/chart.mjs and bench/scale-chart.mjs share: gwi's colours and the SVG text
// itself (no dependencies: the files change only when the figures do).

/** gwi's own figures in green, its peers' in grey. */
export const COLORS = { gwi: '#0c4b33', peer: '#a3aab0', text: '#1f2328', muted: '#59636e', grid: '#e6e8eb' };

export const escapeXml = (text) => String(text).replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A whole SVG document of `width` × `height` on white, holding the elements `parts` (strings). */
export function svgDocument(width, height, parts) {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      'font-family="-apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
