// Bounded memos for the per-request path: header names, header values, hosts and methods repeat from
// request to request, so their checks and parses are done once each. Bounded, so a client sending endless distinct
// values cannot grow them: past the bound, values are simply computed every time.

const MEMO_MAX = 1000;

/** `compute` (a pure function of a string) remembered for up to 1000 keys. */
export function boundedMemo<V>(compute: (key: string) => V): (key: string) => V {
  const memo = new Map<string, V>();
  return (key) => {
    let value = memo.get(key);
    if (value === undefined) {
      value = compute(key);
      if (memo.size < MEMO_MAX) memo.set(key, value);
    }
    return value;
  };
}

/**
 * `text.toUpperCase()`, remembered: V8 upper-cases through a call into C++ (~300 instructions), where a
 * memo lookup of a request method or a setting costs a fraction of that.
 */
export const upperCase = boundedMemo((text) => text.toUpperCase());
