// Local dates in the C locale's words, as Python's strftime writes them for Django's log and banner.

export const MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
] as const;

export const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `04:35:45`: %X, local time. */
export function clockTime(date: Date): string {
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}
