// demoApp: wsgiref's demo_app — "Hello world!" and the sorted environ, one `key = value` line each.
import { Buffer } from 'node:buffer';
import type { Application } from '../gateway/types.js';
import { pyRepr } from '../gateway/py-repr.js';

function describe(value: unknown): string {
  if (typeof value === 'string') return pyRepr(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (typeof value === 'function') return `<function ${value.name || 'anonymous'}>`;
  if (value !== null && typeof value === 'object') return `<${value.constructor?.name ?? 'Object'} object>`;
  return String(value);
}

export const demoApp: Application = (environ, startResponse) => {
  let text = 'Hello world!\n\n';
  for (const key of Object.keys(environ).sort()) text += `${key} = ${describe(environ[key])}\n`;
  startResponse('200 OK', [['Content-Type', 'text/plain; charset=utf-8']]);
  return [Buffer.from(text, 'utf8')];
};
