// The request-target's forms (RFC 9112 §3.2): which targets the server takes, and the path, query and
// host each one gives the environ.

/** A request-target taken apart; `path` and `query` are still percent-encoded. */
export interface RequestTarget {
  path: string;
  /** What follows the first `?` ('' when there is none). */
  query: string;
  /** absolute-form's `host[:port]` (userinfo dropped): it stands for the request's Host (RFC 9112 §3.2.2). */
  authority: string | null;
}

// absolute-form with an http(s) URI: `scheme://[userinfo@]host[:port]`, host a reg-name or an IP literal
// (RFC 3986 §3.2), then the path; an empty host is invalid for http (RFC 9110 §4.2.1).
const ABSOLUTE_FORM =
  /^https?:\/\/(?:[\w.~%!$&'()*+,;=:-]*@)?((?:\[[0-9a-f:.]+\]|[\w.~%!$&'()*+,;=-]+)(?::[0-9]*)?)(?=[/?#]|$)/i;

/**
 * Whether the server takes `url` as the target of `method`: origin-form, http(s) absolute-form, or `*`
 * for OPTIONS only (RFC 9112 §3.2.4). llhttp already refuses authority-form outside CONNECT.
 */
export function isValidTarget(method: string, url: string): boolean {
  if (url.startsWith('/')) return true;
  if (url === '*') return method === 'OPTIONS';
  return ABSOLUTE_FORM.test(url);
}

/** The parts of a target the server took; a `#…` stays in the path or query, as wsgiref's split keeps it. */
export function parseRequestTarget(url: string): RequestTarget {
  let authority: string | null = null;
  let rest = url;
  if (!url.startsWith('/')) {
    const absolute = ABSOLUTE_FORM.exec(url);
    if (absolute) {
      authority = absolute[1] as string;
      rest = url.slice(absolute[0].length);
      // An empty path is `/` (RFC 9112 §3.2.1): http://host?q asks for /?q.
      if (!rest.startsWith('/')) rest = `/${rest}`;
    }
  }
  const mark = rest.indexOf('?');
  return { path: mark < 0 ? rest : rest.slice(0, mark), query: mark < 0 ? '' : rest.slice(mark + 1), authority };
}
