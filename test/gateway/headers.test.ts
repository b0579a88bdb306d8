// wsgiref.headers.Headers: HeaderTests HD-1 to HD-4 (reference §3.8, §6.3, §8).
import { describe, expect, it } from 'vitest';
import { Headers } from '../../src/gateway/headers.js';
import type { HeaderList } from '../../src/gateway/types.js';

describe('Headers as a mapping (HD-1)', () => {
  it('counts entries, duplicates included', () => {
    expect(new Headers().length).toBe(0);
    expect(new Headers([]).length).toBe(0);
    expect(new Headers([['x', 'y']]).length).toBe(1);
    expect(new Headers([['x', 'y'], ['X', 'z']]).length).toBe(2);
  });

  it('lists keys, values and a copy of the items', () => {
    const list: HeaderList = [['x', 'y']];
    const headers = new Headers(list);
    expect(headers.keys()).toEqual(['x']);
    expect(headers.values()).toEqual(['y']);
    const items = headers.items();
    expect(items).toEqual([['x', 'y']]);
    expect(items).not.toBe(list);
    (items[0] as [string, string])[1] = 'changed';
    items.push(['a', 'b']);
    expect(list).toEqual([['x', 'y']]);
  });

  it('deletes a missing header without an error', () => {
    const headers = new Headers();
    headers.delete('foo');
    expect(headers.length).toBe(0);
  });

  it.each(['foo', 'Foo', 'FOO'])('finds Foo as %s with has, get and getAll', (name) => {
    const headers = new Headers();
    headers.set('Foo', 'bar');
    expect(headers.has(name)).toBe(true);
    expect(headers.get(name)).toBe('bar');
    expect(headers.getAll(name)).toEqual(['bar']);
  });

  it('does not find a name that is only a value', () => {
    const headers = new Headers();
    headers.set('Foo', 'bar');
    expect(headers.has('bar')).toBe(false);
    expect(headers.get('bar')).toBeUndefined();
    expect(headers.getAll('bar')).toEqual([]);
  });

  it('replaces all entries on set, gets with a default, and sets defaults', () => {
    const headers = new Headers();
    headers.set('Foo', 'bar');
    headers.set('foo', 'baz');
    expect(headers.get('FOO')).toBe('baz');
    expect(headers.getAll('foo')).toEqual(['baz']);
    expect(headers.get('foo', 'whee')).toBe('baz');
    expect(headers.get('zoo', 'whee')).toBe('whee');
    expect(headers.setDefault('foo', 'whee')).toBe('baz');
    expect(headers.setDefault('zoo', 'whee')).toBe('whee');
    expect(headers.get('foo')).toBe('baz');
    expect(headers.get('zoo')).toBe('whee');
    expect(headers.items()).toEqual([
      ['foo', 'baz'],
      ['zoo', 'whee'],
    ]);
  });

  it('returns the first of several values, and all of them in order', () => {
    const headers = new Headers([
      ['Set-Cookie', 'a=1'],
      ['X', 'y'],
      ['set-cookie', 'b=2'],
    ]);
    expect(headers.get('SET-COOKIE')).toBe('a=1');
    expect(headers.getAll('Set-Cookie')).toEqual(['a=1', 'b=2']);
  });

  it('set removes every match and appends at the end; delete removes every match', () => {
    const headers = new Headers([
      ['A', '1'],
      ['B', '2'],
      ['a', '3'],
      ['C', '4'],
    ]);
    headers.set('a', '5');
    expect(headers.items()).toEqual([
      ['B', '2'],
      ['C', '4'],
      ['a', '5'],
    ]);
    headers.delete('b');
    expect(headers.items()).toEqual([
      ['C', '4'],
      ['a', '5'],
    ]);
  });

  it('edits the array it was given, not a copy', () => {
    const list: HeaderList = [['A', '1']];
    const headers = new Headers(list);
    headers.set('B', '2');
    headers.addHeader('C', '3');
    headers.setDefault('D', '4');
    headers.delete('a');
    expect(list).toEqual([
      ['B', '2'],
      ['C', '3'],
      ['D', '4'],
    ]);
    list.push(['E', '5']);
    expect(headers.get('e')).toBe('5');
  });
});

describe('Headers requires an array (HD-2)', () => {
  it.each([['foo'], [{ foo: 'bar' }], [null], [[['only-a-name']]], [['not a pair']]])(
    'refuses %o',
    (headers) => {
      expect(() => new Headers(headers as HeaderList)).toThrow(
        new TypeError('Headers must be an array of [name, value] pairs'),
      );
    },
  );

  it.each([
    [[[1, 'v']], 'Header names/values must be of type string (got 1)'],
    [[['n', null]], 'Header names/values must be of type string (got null)'],
    [[['n', Buffer.from('v')]], 'Header names/values must be of type string (got <Buffer 76>)'],
  ])('refuses the pairs %o', (headers, message) => {
    expect(() => new Headers(headers as HeaderList)).toThrow(new TypeError(message));
  });
});

describe('Headers extras (HD-3)', () => {
  it('renders an empty block as the blank line', () => {
    expect(new Headers().toString()).toBe('\r\n');
    expect(new Headers().toBytes()).toEqual(Buffer.from('\r\n'));
  });

  it('adds headers with quoted and bare parameters', () => {
    const headers = new Headers();
    headers.addHeader('foo', 'bar', { baz: 'spam' });
    expect(headers.get('foo')).toBe('bar; baz="spam"');
    expect(headers.toString()).toBe('foo: bar; baz="spam"\r\n\r\n');
    headers.addHeader('Foo', 'bar', { cheese: null });
    expect(headers.getAll('foo')).toEqual(['bar; baz="spam"', 'bar; cheese']);
    expect(headers.toString()).toBe('foo: bar; baz="spam"\r\nFoo: bar; cheese\r\n\r\n');
  });

  it.each([
    ['attachment', { filename: 'bud.gif' }, 'attachment; filename="bud.gif"'],
    ['attachment', { file_name: 'a b' }, 'attachment; file-name="a b"'],
    ['x', { q: 'say "hi"\\' }, 'x; q="say \\"hi\\"\\\\"'],
    ['x', { a: '1', b: null, c: '3' }, 'x; a="1"; b; c="3"'],
    ['x', { empty: '' }, 'x; empty'],
    [null, { max_age: '10', secure: null }, 'max-age="10"; secure'],
    ['', {}, ''],
  ] as const)('addHeader(name, %o, %o) gives %s', (value, params, expected) => {
    const headers = new Headers();
    headers.addHeader('Content-Disposition', value, params);
    expect(headers.items()).toEqual([['Content-Disposition', expected]]);
  });

  it('encodes to latin-1 bytes', () => {
    const headers = new Headers([['X-Latin', '\xe9t\xe9']]);
    expect(headers.toBytes()).toEqual(Buffer.from([...Buffer.from('X-Latin: '), 0xe9, 0x74, 0xe9, 13, 10, 13, 10]));
  });

  it('refuses to encode a code unit above 0xFF', () => {
    const headers = new Headers([['X-Euro', '\u20ac']]);
    expect(() => headers.toBytes()).toThrow(TypeError);
    expect(() => headers.toBytes()).toThrow(/above 0xFF/);
  });
});

describe('Headers refuses control characters (HD-4)', () => {
  const controls = [...Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(code)), '\x7f'];
  const hex = (c: string) => c.charCodeAt(0).toString(16).padStart(2, '0');
  const refused = new TypeError('Control characters not allowed in headers');

  it.each(controls.map((c) => [hex(c), c]))('refuses 0x%s in a name', (_, c) => {
    const headers = new Headers();
    expect(() => headers.set(`key${c}`, 'val')).toThrow(refused);
    expect(() => headers.setDefault(`key${c}`, 'val')).toThrow(refused);
    expect(() => headers.addHeader(`key${c}`, 'val', { param: 'param' })).toThrow(refused);
    expect(() => headers.addHeader('key', 'val', { [`param${c}`]: 'param' })).toThrow(refused);
    expect(() => new Headers([[`key${c}`, 'val']])).toThrow(refused);
    expect(headers.length).toBe(0);
  });

  it.each(controls.filter((c) => c !== '\t').map((c) => [hex(c), c]))('refuses 0x%s in a value', (_, c) => {
    const headers = new Headers();
    expect(() => headers.set('key', `val${c}`)).toThrow(refused);
    expect(() => headers.setDefault('key', `val${c}`)).toThrow(refused);
    expect(() => headers.addHeader('key', `val${c}`, { param: 'param' })).toThrow(refused);
    expect(() => headers.addHeader('key', 'val', { param: `param${c}` })).toThrow(refused);
    expect(() => new Headers([['key', `val${c}`]])).toThrow(refused);
    expect(headers.length).toBe(0);
  });

  it('allows HTAB in values', () => {
    const headers = new Headers([['A', 'x\ty']]);
    headers.set('B', 'x\ty');
    headers.setDefault('C', 'x\ty');
    headers.addHeader('D', 'x\ty', { p: 'a\tb' });
    expect(headers.values()).toEqual(['x\ty', 'x\ty', 'x\ty', 'x\ty; p="a\tb"']);
  });

  it('keeps the old entries when set is given a refused value', () => {
    const headers = new Headers([['Key', 'old']]);
    expect(() => headers.set('key', 'new\r\nSet-Cookie: evil=1')).toThrow(refused);
    expect(headers.items()).toEqual([['Key', 'old']]);
  });
});
