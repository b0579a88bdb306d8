// The frames of a thrown error for the debug pages: V8's stack parsed, positions taken back to the
// original (TypeScript) source through source maps, and ±7 lines of source context read from disk.
import { Buffer } from 'node:buffer';
import { readFileSync, statSync } from 'node:fs';
import { findSourceMap, SourceMap, type SourceMapPayload } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isLibraryFile, locationPath } from '../utils/module-loading.js';

/** One call site, in Django's terms (filename, function, lineno and the context around it). */
export interface Frame {
  /** The function as V8 names it ('Module.boom', 'async handler', 'new Foo'), or '<anonymous>'. */
  functionName: string;
  /** An absolute path, a `node:` module id, or null (native code, eval, `index 0`). */
  file: string | null;
  line: number | null;
  column: number | null;
  /** In gwi, node_modules, a node: internal, or without a file: shown collapsed. */
  library: boolean;
  /** Where the stack pointed before a source map took it to `file:line`, when one did. */
  generated: { file: string; line: number; column: number } | null;
  /** Source lines around `line`: `preContext`, `contextLine`, `postContext` (Django's names). */
  context: SourceContext | null;
}

export interface SourceContext {
  /** The line number of `preContext[0]` (or of `contextLine` when there is no pre-context). */
  preContextLineno: number;
  preContext: string[];
  contextLine: string;
  postContext: string[];
}

/** A parsed stack line, before any source is read. */
export interface StackEntry {
  functionName: string;
  file: string | null;
  line: number | null;
  column: number | null;
}

/** Lines of context on each side of the frame's line. */
export const CONTEXT_LINES = 7;
// Minified bundles have lines of megabytes; a page shows the start of each line only.
const MAX_LINE_LENGTH = 500;
// Files larger than this are not read for context or a source map (generated bundles).
const MAX_FILE_SIZE = 8 * 1024 * 1024;

/** The location part of a stack line: everything inside its last balanced parentheses. */
function splitCallSite(text: string): [fn: string, location: string] {
  if (!text.endsWith(')')) return ['', text];
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const ch = text[i];
    if (ch === ')') depth++;
    else if (ch === '(' && --depth === 0) {
      // `eval at fn (file:1:2), <anonymous>:1:1)` nests parentheses: the outer pair is the location.
      return [text.slice(0, i).trim(), text.slice(i + 1, -1)];
    }
  }
  return ['', text];
}

/** Parses V8's `    at fn (file:line:col)` lines; the message above them (even multi-line) is skipped. */
export function parseStack(stack: string): StackEntry[] {
  const lines = stack.split('\n');
  let first = lines.length;
  // The frames are the trailing run of `at` lines: a message may contain anything, even "at".
  while (first > 0 && /^\s*at /.test(lines[first - 1] as string)) first--;
  const entries: StackEntry[] = [];
  for (const raw of lines.slice(first)) {
    const [fn, location] = splitCallSite(raw.trim().slice(3));
    const match = /^(.*):(\d+):(\d+)$/.exec(location);
    if (match && !location.startsWith('eval at ')) {
      entries.push({
        functionName: fn || '<anonymous>',
        file: locationPath(match[1] as string),
        line: Number(match[2]),
        column: Number(match[3]),
      });
    } else {
      entries.push({ functionName: fn || location || '<anonymous>', file: null, line: null, column: null });
    }
  }
  return entries;
}

interface LoadedMap {
  map: SourceMap;
  /** Relative `sources` resolve against the map's folder (plus its sourceRoot). */
  base: string;
}

/** Reads files and source maps once per page. */
class SourceReader {
  readonly #texts = new Map<string, string | null>();
  readonly #maps = new Map<string, LoadedMap | null>();

  text(file: string): string | null {
    if (!this.#texts.has(file)) this.#texts.set(file, readSmallFile(file));
    return this.#texts.get(file) ?? null;
  }

  /**
   * The map that takes stack positions in `file` back to the original source, or null when the
   * positions already are original: Node maps them itself when source maps are enabled (tsx turns
   * them on), and so does vitest, whose frames name the .ts file on disk.
   */
  mapFor(file: string): LoadedMap | null {
    if (!this.#maps.has(file)) this.#maps.set(file, this.#loadMap(file));
    return this.#maps.get(file) ?? null;
  }

  #loadMap(file: string): LoadedMap | null {
    let cached: SourceMap | undefined;
    try {
      cached = findSourceMap(file);
    } catch {
      cached = undefined;
    }
    if (cached) return process.sourceMapsEnabled ? null : { map: cached, base: path.dirname(file) };
    const text = this.text(file);
    if (text === null) return null;
    const url = sourceMappingUrl(text);
    if (url === null) return null;
    try {
      let payload: string;
      let base = path.dirname(file);
      if (url.startsWith('data:')) {
        const comma = url.indexOf(',');
        const data = url.slice(comma + 1);
        payload = url.slice(0, comma).endsWith(';base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data);
      } else {
        const mapFile = url.startsWith('file://') ? fileURLToPath(url) : path.resolve(base, decodeURIComponent(url));
        const mapText = readSmallFile(mapFile);
        if (mapText === null) return null;
        payload = mapText;
        base = path.dirname(mapFile);
      }
      const parsed = JSON.parse(payload) as SourceMapPayload;
      return { map: new SourceMap(parsed), base: path.resolve(base, parsed.sourceRoot ?? '') };
    } catch {
      // A broken map must not break the error page: the generated position is still shown.
      return null;
    }
  }
}

/** The URL of the `//# sourceMappingURL=` comment that ends a generated file, if any. */
function sourceMappingUrl(text: string): string | null {
  const at = text.lastIndexOf('sourceMappingURL=');
  if (at < 4 || !/^\/\/[#@] $/.test(text.slice(at - 4, at))) return null;
  // Only a comment that ends the file counts: the same words inside a string in the code do not.
  const url = text.slice(at + 'sourceMappingURL='.length).trim();
  return url === '' || /\s/.test(url) ? null : url;
}

function readSmallFile(file: string): string | null {
  try {
    if (!path.isAbsolute(file) || statSync(file).size > MAX_FILE_SIZE) return null;
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function resolveSource(source: string, base: string): string {
  if (source.startsWith('file://')) return locationPath(source);
  return path.resolve(base, source);
}

/** Lines `line - radius` to `line + radius` of `text` (1-based `line`), or null when out of range. */
export function contextFromText(text: string, line: number, radius = CONTEXT_LINES): SourceContext | null {
  const lines = text.split(/\r\n|\r|\n/);
  const index = line - 1;
  if (index < 0 || index >= lines.length) return null;
  const clip = (s: string) => (s.length > MAX_LINE_LENGTH ? `${s.slice(0, MAX_LINE_LENGTH)}…` : s);
  const start = Math.max(0, index - radius);
  return {
    preContextLineno: start + 1,
    preContext: lines.slice(start, index).map(clip),
    contextLine: clip(lines[index] as string),
    postContext: lines.slice(index + 1, index + 1 + radius).map(clip),
  };
}

/** The source context around `file:line`, read from disk (the load-failure page uses it too). */
export function sourceContext(file: string, line: number, radius = CONTEXT_LINES): SourceContext | null {
  const text = readSmallFile(file);
  return text === null ? null : contextFromText(text, line, radius);
}

function resolveFrame(entry: StackEntry, reader: SourceReader): Frame {
  const frame: Frame = { ...entry, library: isLibraryFile(entry.file), generated: null, context: null };
  const { file, line, column } = entry;
  if (file === null || line === null || column === null || file.startsWith('node:')) return frame;
  const loaded = reader.mapFor(file);
  if (loaded) {
    const origin = loaded.map.findOrigin(line, column);
    if ('fileName' in origin && origin.fileName) {
      const source = resolveSource(origin.fileName, loaded.base);
      frame.generated = { file, line, column };
      frame.file = source;
      frame.line = origin.lineNumber;
      frame.column = origin.columnNumber;
      frame.library = isLibraryFile(source);
      // The source on disk is what the user edits; the map's copy is for sources that are gone.
      let text = reader.text(source);
      if (text === null) {
        const index = loaded.map.payload.sources.indexOf(origin.fileName);
        text = loaded.map.payload.sourcesContent?.[index] ?? null;
      }
      frame.context = text === null ? null : contextFromText(text, origin.lineNumber);
      return frame;
    }
  }
  const text = reader.text(file);
  frame.context = text === null ? null : contextFromText(text, line);
  return frame;
}

/** The stack of `error` as frames, most recent call first; none for a value without a stack. */
export function extractFrames(error: unknown): Frame[] {
  const stack = error instanceof Error ? error.stack : (error as { stack?: unknown } | null)?.stack;
  if (typeof stack !== 'string') return [];
  const reader = new SourceReader();
  return parseStack(stack).map((entry) => resolveFrame(entry, reader));
}
