// A case's verdict: whether the server's answer is one of the outcomes the corpus allows (the parse it
// expects, or a refusal, or an answer to the first requests followed by a close).
import type { Case, ExpectedRequest, Outcome } from './corpus.js';
import type { Echo } from './echo-app.js';
import type { Answer, Response } from './exchange.js';

/** cases.json's rejectStatuses: a refusal is a 4xx, 501 or 505. */
function isRefusal(status: number): boolean {
  return (status >= 400 && status <= 499) || status === 501 || status === 505;
}

/** The echo application's answer in `response`, or null when the server answered by itself. */
function echoOf(response: Response, marker: string): Echo | null {
  try {
    const echo = JSON.parse(response.body.toString('utf8')) as Echo;
    return echo.echo === marker ? echo : null;
  } catch {
    return null;
  }
}

export interface Judged {
  pass: boolean;
  /** What the server did, for a failing case's line. */
  seen: string;
}

interface Context {
  marker: string;
  /** The Host value the harness added to the HTTP/1.1 requests of a hostless case. */
  addedHost: string | null;
}

const foldWhitespace = (value: string): string => value.replace(/[ \t]+/g, ' ');

/** How `echo` differs from `expected` (null: it does not). */
function difference(echo: Echo, expected: ExpectedRequest, outcome: Outcome, context: Context): string | null {
  const problems: string[] = [];
  const compare = (name: string, got: string | undefined, want: string | null): void => {
    if (want !== null && (got ?? '') !== want) problems.push(`${name} ${JSON.stringify(got)} ≠ ${JSON.stringify(want)}`);
  };
  compare('REQUEST_METHOD', echo.REQUEST_METHOD, expected.REQUEST_METHOD);
  compare('SCRIPT_NAME', echo.SCRIPT_NAME, '');
  compare('PATH_INFO', echo.PATH_INFO, expected.PATH_INFO);
  compare('QUERY_STRING', echo.QUERY_STRING, expected.QUERY_STRING);
  compare('SERVER_PROTOCOL', echo.SERVER_PROTOCOL, expected.SERVER_PROTOCOL);
  compare('body', echo.body, expected.body);
  if (outcome.loose) return problems.length > 0 ? problems.join(', ') : null;

  const fold = outcome.foldWs ? foldWhitespace : (value: string) => value;
  const want: Record<string, string> = {};
  for (const [key, values] of Object.entries(expected.env)) want[key] = fold(values.join(','));
  if (context.addedHost !== null && expected.SERVER_PROTOCOL === 'HTTP/1.1') want.HTTP_HOST = context.addedHost;
  const got: Record<string, string> = {};
  for (const [key, value] of Object.entries(echo.headers)) got[key] = fold(value);
  for (const key of new Set([...Object.keys(want), ...Object.keys(got)])) {
    if (!key.startsWith('HTTP_')) continue;
    if (got[key] === undefined) problems.push(`no ${key}`);
    else if (want[key] === undefined) problems.push(`unexpected ${key}`);
    else compare(key, got[key], want[key] as string);
  }
  compare('CONTENT_LENGTH', echo.CONTENT_LENGTH, want.CONTENT_LENGTH ?? '');
  // Without a Content-Type, PEP 3333 lets CONTENT_TYPE be empty or absent; wsgiref sets text/plain.
  const type = echo.CONTENT_TYPE ?? '';
  if (want.CONTENT_TYPE !== undefined) compare('CONTENT_TYPE', type, want.CONTENT_TYPE);
  else if (type !== '' && type !== 'text/plain') problems.push(`CONTENT_TYPE ${JSON.stringify(type)} with no Content-Type sent`);
  return problems.length > 0 ? problems.join(', ') : null;
}

/** Null when `answer` is `outcome`, else why not. */
function mismatch(answer: Answer, outcome: Outcome, c: Case, context: Context): string | null {
  const { responses } = answer;
  const echoes = responses.map((response) => echoOf(response, context.marker));
  const expected = outcome.requests ?? c.requests ?? [];
  switch (outcome.expect) {
    case 'reject': {
      if (echoes.some((echo) => echo !== null)) return 'the application was called';
      const first = responses[0];
      if (first === undefined) return c.incomplete && answer.closed ? null : 'no answer';
      return isRefusal(first.status) ? null : `status ${first.status}`;
    }
    case 'any2xx': {
      const first = responses[0];
      return first !== undefined && first.status >= 200 && first.status < 300 ? null : 'no 2xx answer';
    }
    case 'accept':
    case 'prefix-close': {
      const count = outcome.expect === 'accept' ? expected.length : echoes.length;
      if (outcome.expect === 'prefix-close' && (count === 0 || count >= expected.length || !answer.closed)) {
        return 'no answer to the first requests followed by a close';
      }
      if (responses.length !== count) return `${responses.length} responses for ${count} requests`;
      for (let i = 0; i < count; i++) {
        const echo = echoes[i];
        if (echo === null || echo === undefined) return `request ${i + 1}: status ${responses[i]?.status} from the server`;
        const problem = difference(echo, expected[i] as ExpectedRequest, outcome, context);
        if (problem !== null) return `request ${i + 1}: ${problem}`;
      }
      if (outcome.closeAfter && !answer.closed) return 'connection kept open';
      return null;
    }
  }
}

/** A short account of the answer: each response's status (and the server's own message), then how it ended. */
function describe(answer: Answer, marker: string): string {
  const parts = answer.responses.map((response) => {
    if (echoOf(response, marker) !== null) return `${response.status} (application)`;
    const message = /<p>Message: (.*)\.<\/p>/.exec(response.body.toString('utf8'))?.[1];
    return message === undefined ? String(response.status) : `${response.status} ${message}`;
  });
  if (answer.rest.length > 0) parts.push(`${answer.rest.length} more bytes`);
  parts.push(answer.closed ? 'closed' : 'kept open');
  return parts.join(', ');
}

/** Passes when the answer is the case's outcome or one of its alternatives. */
export function judge(c: Case, answer: Answer, context: Context): Judged {
  // The harness sent Host: a refusal allowed only for its absence does not count.
  const alternatives = c.alt.filter((alt) => !(c.rejectOnlyForHost && alt.expect === 'reject'));
  const outcomes: Outcome[] = [c, ...alternatives];
  const problems = outcomes.map((outcome) => mismatch(answer, outcome, c, context));
  if (problems.includes(null)) return { pass: true, seen: describe(answer, context.marker) };
  return { pass: false, seen: `${describe(answer, context.marker)} (as ${c.expect}: ${problems[0]})` };
}
