// The Date header of every response (and of the server's own error answers), formatted once per wall-clock
// second instead of once per response.
import { formatDateTime } from '../gateway/util.js';
import { wallSecond } from '../log/wall-second.js';

let dateSecond = -1;
let dateText = '';

/** The Date header, formatted once per second. */
export function httpDate(): string {
  const second = wallSecond();
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = formatDateTime(second * 1000);
  }
  return dateText;
}
