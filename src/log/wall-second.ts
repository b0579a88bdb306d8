// The wall clock to the second, as the Date header and the request log show it. Date.now() is a call
// into V8's runtime (~250 instructions); a server answering thousands of requests a second reads the
// clock once per second instead, and a timer ends each reading when its second is over (node:http
// keeps its own Date header the same way). So a reading lasts until the event loop next runs its timers:
// a handler that blocks the loop for seconds still sees the second it started in.

let current = -1;

function expire(): void {
  current = -1;
}

/** Seconds since the epoch. */
export function wallSecond(): number {
  if (current < 0) {
    const now = Date.now();
    current = Math.floor(now / 1000);
    // A timer that fires a little early only costs one more reading of the same second.
    setTimeout(expire, 1000 - (now % 1000)).unref();
  }
  return current;
}
