// What counts as a plain object (an object literal, or one made with Object.create(null)): the environ the
// validator accepts, the settings the debug page cleanses key by key, the data JsonResponse takes by default.

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
