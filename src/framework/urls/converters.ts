// Path converters (Django's django.urls.converters): what a `<type:name>` route parameter matches, and how
// its text becomes the view's argument and back; the built-in ones and registerConverter().
import { pyRepr } from '../../gateway/py-repr.js';

/** Turns one `<type:name>` route parameter into a value and back (Django's path converters). */
export interface Converter {
  /** What the parameter matches (no anchors, no capturing groups needed). */
  readonly regex: string;
  /** URL text → the view's argument; throwing RangeError or TypeError means "no match, try the next pattern". */
  toValue(value: string): unknown;
  /** The argument given to reverse() → URL text; RangeError or TypeError means "this pattern cannot build it". */
  toUrl(value: unknown): string;
}

const stringConverter = (regex: string): Converter => ({ regex, toValue: (value) => value, toUrl: (value) => String(value) });

const DEFAULT_CONVERTERS: Readonly<Record<string, Converter>> = Object.freeze({
  int: {
    regex: '[0-9]+',
    toValue(value: string): number {
      const number = Number(value);
      // Python's int has no limit; a number that would lose digits is no match rather than a wrong id.
      if (!Number.isSafeInteger(number)) throw new RangeError(`${value} is too large for the int converter.`);
      return number;
    },
    toUrl: (value: unknown) => String(value),
  },
  path: stringConverter('.+'),
  slug: stringConverter('[-a-zA-Z0-9_]+'),
  str: stringConverter('[^/]+'),
  uuid: stringConverter('[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'),
});

const registeredConverters = new Map<string, Converter>();

/** Makes `<typeName:param>` available to routes defined from now on. */
export function registerConverter(converter: Converter, typeName: string): void {
  if (registeredConverters.has(typeName) || Object.hasOwn(DEFAULT_CONVERTERS, typeName)) {
    throw new TypeError(`Converter ${pyRepr(typeName)} is already registered.`);
  }
  registeredConverters.set(typeName, converter);
}

export function getConverter(typeName: string): Converter | undefined {
  return Object.hasOwn(DEFAULT_CONVERTERS, typeName) ? DEFAULT_CONVERTERS[typeName] : registeredConverters.get(typeName);
}

/** RangeError/TypeError stand for Python's ValueError: the value does not fit, try the next pattern. */
export function isNoMatch(error: unknown): boolean {
  return error instanceof RangeError || error instanceof TypeError;
}
