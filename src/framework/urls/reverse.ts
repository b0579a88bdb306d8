// Building a URL back from a name or view (the reversing half of Django's URLResolver): the possibilities
// tried in turn, the arguments as URL text, the quoting, and the NoReverseMatch message.
import { pyRepr } from '../../gateway/py-repr.js';
import { quote } from '../utils/encoding.js';
import type { NormalForm } from '../utils/regex-helper.js';
import type { View } from '../views/generic.js';
import { isNoMatch, type Converter } from './converters.js';
import { NoReverseMatch } from './exceptions.js';
import { compile, pyEscape, toJsSource } from './patterns.js';
import { viewFunctionName } from './resolver-match.js';

/** One way reverse() can build a URL: its templates, the regex to check against, defaults and converters. */
export interface Possibility {
  forms: NormalForm[];
  pattern: string;
  defaults: Record<string, unknown>;
  converters: Record<string, Converter>;
}

/**
 * The first URL one of the possibilities builds from `args` or `kwargs`, after `prefix` (the loop of
 * Django's URLResolver._reverse_with_prefix); NoReverseMatch when none does.
 */
export function reverseFromPossibilities(
  possibilities: readonly Possibility[],
  lookup: string | View,
  prefix: string,
  args: readonly unknown[],
  kwargs: Record<string, unknown>,
): string {
  const kwargNames = Object.keys(kwargs);
  for (const { forms, pattern, defaults, converters } of possibilities) {
    for (const { tokens, params } of forms) {
      let subs: Record<string, unknown>;
      if (args.length > 0) {
        if (args.length !== params.length) continue;
        subs = Object.fromEntries(params.map((param, i) => [param, args[i]]));
      } else {
        // The kwargs must be the parameters exactly, give or take the pattern's default kwargs, and
        // a default kwarg given must have the default's value.
        const mismatch = [...kwargNames.filter((k) => !params.includes(k)), ...params.filter((p) => !kwargNames.includes(p))];
        if (mismatch.some((name) => !Object.hasOwn(defaults, name))) continue;
        const sameDefaults = Object.entries(defaults).every(
          ([k, v]) => params.includes(k) || (Object.hasOwn(kwargs, k) ? kwargs[k] : v) === v,
        );
        if (!sameDefaults) continue;
        subs = kwargs;
      }
      const text = textSubstitutions(subs, converters);
      if (text === null) continue;
      let candidate = prefix;
      for (const token of tokens) candidate += typeof token === 'string' ? token : text[token.param] ?? '';
      // The URL is built decoded, checked against the pattern, and only then quoted.
      if (candidateRegex(`^${pyEscape(prefix)}${pattern}`).test(candidate)) return escapeLeadingSlashes(quoteUrl(candidate));
    }
  }
  throw new NoReverseMatch(noReverseMatchMessage(lookup, args, kwargs, possibilities.map((p) => p.pattern)));
}

const candidateRegexes = new Map<string, RegExp>();

/** The regex reverse() checks a built URL against, compiled once per pattern. */
function candidateRegex(source: string): RegExp {
  let regex = candidateRegexes.get(source);
  if (!regex) {
    regex = compile(source, toJsSource(source));
    candidateRegexes.set(source, regex);
  }
  return regex;
}

/** The reverse() arguments as URL text, or null when a converter refuses one. */
function textSubstitutions(subs: Record<string, unknown>, converters: Record<string, Converter>): Record<string, string> | null {
  const text: Record<string, string> = {};
  for (const [key, value] of Object.entries(subs)) {
    const converter = Object.hasOwn(converters, key) ? converters[key] : undefined;
    if (!converter) {
      text[key] = String(value);
      continue;
    }
    try {
      text[key] = converter.toUrl(value);
    } catch (error) {
      if (isNoMatch(error)) return null;
      throw error;
    }
  }
  return text;
}

/** Python's quote(url, safe=RFC3986_SUBDELIMS + "/~:@"), as Django's reverse() quotes. */
function quoteUrl(text: string): string {
  return quote(text, "!$&'()*+,;=/:@~");
}

/** '//evil.example' would be read as another host: Django keeps it a path. */
function escapeLeadingSlashes(url: string): string {
  return url.startsWith('//') ? `/%2F${url.slice(2)}` : url;
}

/** A value as Python's repr() prints it, for Django's NoReverseMatch messages. */
function pyValue(value: unknown): string {
  if (typeof value === 'string') return pyRepr(value);
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (Array.isArray(value)) return `[${value.map(pyValue).join(', ')}]`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return `{${Object.entries(value).map(([k, v]) => `${pyRepr(k)}: ${pyValue(v)}`).join(', ')}}`;
  }
  return String(value);
}

function noReverseMatchMessage(lookup: string | View, args: readonly unknown[], kwargs: Record<string, unknown>, patterns: string[]): string {
  const view = typeof lookup === 'string' ? lookup : viewFunctionName(lookup);
  if (patterns.length === 0) return `Reverse for '${view}' not found. '${view}' is not a valid view function or pattern name.`;
  const tuple = args.length === 1 ? `(${pyValue(args[0])},)` : `(${args.map(pyValue).join(', ')})`;
  const argMsg = args.length > 0 ? `arguments '${tuple}'` : Object.keys(kwargs).length > 0 ? `keyword arguments '${pyValue(kwargs)}'` : 'no arguments';
  return `Reverse for '${view}' with ${argMsg} not found. ${patterns.length} pattern(s) tried: ${pyValue(patterns)}`;
}
