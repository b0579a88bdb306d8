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

/**
 * whenReady() for a step that needs more than the value (the request, say): `onValue(value, a, b)`. A
 * closure over them would be made, with its context, on every request; here one is made only to wait.
 */
export function whenReadyWith<T, A, B, U>(
  value: MaybePromise<T>,
  onValue: (value: T, a: A, b: B) => MaybePromise<U>,
  a: A,
  b?: B,
): MaybePromise<U> {
  return isPromiseLike(value) ? thenWith(value, onValue, a, b as B) : onValue(value, a, b as B);
}

// Apart from whenReadyWith(): the variables a closure captures are allocated when its function is entered.
function thenWith<T, A, B, U>(value: Promise<T>, onValue: (value: T, a: A, b: B) => MaybePromise<U>, a: A, b: B): Promise<U> {
  return Promise.resolve(value).then((ready) => onValue(ready, a, b));
}
