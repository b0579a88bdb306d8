// A value now or a promise of it: the request path stays synchronous while every step is, so a plain
// request costs no promise, no microtask turn and no `then` lookup on its response (V8 makes that
// lookup along the prototype chain whenever a promise is resolved with an object).

export type MaybePromise<T> = T | Promise<T>;

/** Whether `value` must be waited for (any thenable, as `await` sees it). */
export function isPromiseLike<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/** `onValue(value)`, now when `value` is there, else once its promise settles. */
export function whenReady<T, U>(value: MaybePromise<T>, onValue: (value: T) => MaybePromise<U>): MaybePromise<U> {
  // Promise.resolve: a foreign thenable is adopted as `await` would.
  return isPromiseLike(value) ? Promise.resolve(value).then(onValue) : onValue(value);
}
