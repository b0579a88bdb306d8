// HTTP helpers of Django's utils/http.py: the dates of RFC 9110's headers, and host patterns.

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const TIME = '(?<hour>[0-9]{2}):(?<min>[0-9]{2}):(?<sec>[0-9]{2})';
const HTTP_DATES = [
  new RegExp(`^\\w{3}, (?<day>[0-9]{2}) (?<mon>\\w{3}) (?<year>[0-9]{4}) ${TIME} GMT$`), // RFC 1123
  new RegExp(`^\\w{6,9}, (?<day>[0-9]{2})-(?<mon>\\w{3})-(?<year>[0-9]{2}) ${TIME} GMT$`), // RFC 850
  new RegExp(`^\\w{3} (?<mon>\\w{3}) (?<day>[ 0-9][0-9]) ${TIME} (?<year>[0-9]{4})$`), // asctime
];

/** Django's parse_http_date: the three formats of RFC 9110, as seconds since the epoch; null if invalid. */
export function parseHttpDate(text: string, now: Date = new Date()): number | null {
  let groups: Record<string, string> | undefined;
  for (const format of HTTP_DATES) {
    groups = format.exec(text)?.groups;
    if (groups) break;
  }
  if (!groups) return null;
  const { day = '', mon = '', year = '', hour = '', min = '', sec = '' } = groups;
  let fullYear = Number(year);
  if (year.length === 2) {
    // RFC 850's two-digit years: more than 50 years ahead means the previous century (RFC 9110 §5.6.7).
    const current = now.getUTCFullYear();
    const century = current - (current % 100);
    fullYear += fullYear - (current % 100) > 50 ? century - 100 : century;
  }
  const month = MONTHS.indexOf(mon.toLowerCase());
  const [d, h, m, s] = [Number(day), Number(hour), Number(min), Number(sec)];
  // setUTCFullYear, not Date.UTC: that one reads years below 100 as 19xx.
  const date = new Date(0);
  date.setUTCFullYear(fullYear, month, d);
  date.setUTCHours(h, m, s);
  // Feb 30 rolls over into March here; Python's datetime refuses it, and so does this.
  if (month < 0 || date.getUTCDate() !== d || date.getUTCMonth() !== month || h > 23 || m > 59 || s > 59) return null;
  return date.getTime() / 1000;
}

/**
 * Django's is_same_domain: `pattern` is the host itself, or (starting with a dot) the domain and its
 * subdomains (`.example.com` matches `example.com` and `a.example.com`); `host` is compared as given.
 */
export function isSameDomain(host: string, pattern: string): boolean {
  if (!pattern) return false;
  const lower = pattern.toLowerCase();
  return lower === host || (lower.startsWith('.') && (host.endsWith(lower) || host === lower.slice(1)));
}

