// QueryDict and MultiValueDict (Django's tests/httpwrappers QueryDictTests, utils_tests MultiValueDictTests).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureSettings, resetSettings } from '../../../src/framework/conf/settings.js';
import { TooManyFieldsSent } from '../../../src/framework/exceptions.js';
import { MultiValueDict, parseQueryString, QueryDict } from '../../../src/framework/http/query-dict.js';

beforeEach(() => configureSettings({}));
afterEach(() => resetSettings());

describe('parseQueryString (parse_qsl with keep_blank_values)', () => {
  const rows: [query: string, pairs: [string, string][]][] = [
    ['', []],
    ['a=1', [['a', '1']]],
    ['a=1&b=2', [['a', '1'], ['b', '2']]],
    ['a=1&a=2', [['a', '1'], ['a', '2']]],
    ['a', [['a', '']]],
    ['a=', [['a', '']]],
    ['=x', [['', 'x']]],
    ['&&a=1&', [['a', '1']]],
    ['a=b=c', [['a', 'b=c']]],
    ['a+b=c+d', [['a b', 'c d']]],
    ['a=%20%2B%26', [['a', ' +&']]],
    ['a=1;b=2', [['a', '1;b=2']]],
    ['want=caf%C3%A9', [['want', 'café']]],
    ['want=caf%E9', [['want', 'caf\ufffd']]],
    ['a=%zz%4', [['a', '%zz%4']]],
    ['a=café%21', [['a', 'café!']]],
  ];
  it.each(rows)('%j', (query, pairs) => {
    expect(parseQueryString(query)).toEqual(pairs);
  });

  it('counts fields before parsing, as Python does (a trailing & counts)', () => {
    expect(parseQueryString('a=1&b=2', 'utf-8', 2)).toEqual([['a', '1'], ['b', '2']]);
    expect(() => parseQueryString('a=1&b=2&', 'utf-8', 2)).toThrow(
      new TooManyFieldsSent('The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.'),
    );
  });
});

describe('QueryDict', () => {
  it.each([
    ['want=caf%C3%A9', 'café'],
    ['want=caf\xc3\xa9', 'café'],
    ['want=caf%E9', 'caf\ufffd'],
    ['want=caf\xe9', 'café'],
  ])('decodes the raw query string bytes %j as Django does', (raw, want) => {
    expect(new QueryDict(Buffer.from(raw, 'latin1')).get('want')).toBe(want);
  });

  it('gives the last value with get() and all of them with getList()', () => {
    const q = new QueryDict('a=1&b=2&a=3');
    expect(q.get('a')).toBe('3');
    expect(q.getList('a')).toEqual(['1', '3']);
    expect(q.get('missing')).toBeUndefined();
    expect(q.get('missing', 'x')).toBe('x');
    expect(q.getList('missing')).toEqual([]);
    expect(q.has('b')).toBe(true);
    expect(q.has('c')).toBe(false);
    expect(q.keys()).toEqual(['a', 'b']);
    expect(q.values()).toEqual(['3', '2']);
    expect(q.items()).toEqual([['a', '3'], ['b', '2']]);
    expect(q.lists()).toEqual([['a', ['1', '3']], ['b', ['2']]]);
    expect([...q]).toEqual([['a', '3'], ['b', '2']]);
    expect(q.dict()).toEqual({ a: '3', b: '2' });
    expect(q.size).toBe(2);
  });

  it('returns copies of the lists', () => {
    const q = new QueryDict('a=1');
    q.getList('a').push('2');
    (q.lists()[0] as [string, string[]])[1].push('3');
    expect(q.getList('a')).toEqual(['1']);
  });

  it('is immutable unless built mutable; copy() is mutable and independent', () => {
    const q = new QueryDict('a=1');
    expect(q.mutable).toBe(false);
    const mutations: ((d: QueryDict) => unknown)[] = [
      (d) => d.set('a', '2'),
      (d) => d.setList('a', ['2']),
      (d) => d.appendList('a', '2'),
      (d) => d.setDefault('b', '2'),
      (d) => d.setListDefault('b', ['2']),
      (d) => d.delete('a'),
      (d) => d.clear(),
      (d) => d.update({ b: '2' }),
    ];
    for (const mutate of mutations) expect(() => mutate(q)).toThrow(new TypeError('This QueryDict instance is immutable'));
    expect(q.lists()).toEqual([['a', ['1']]]);

    const copy = q.copy();
    expect(copy.mutable).toBe(true);
    copy.appendList('a', '2');
    copy.set('b', 'x');
    expect(copy.lists()).toEqual([['a', ['1', '2']], ['b', ['x']]]);
    expect(q.lists()).toEqual([['a', ['1']]]);
  });

  it('can be built mutable, from keys and from lists', () => {
    const q = new QueryDict('', { mutable: true });
    q.appendList('x', '1');
    expect(q.getList('x')).toEqual(['1']);
    const fromKeys = QueryDict.fromKeys(['a', 'b', 'a'], 'v');
    expect(fromKeys.lists()).toEqual([['a', ['v', 'v']], ['b', ['v']]]);
    expect(fromKeys.mutable).toBe(false);
    const fromLists = QueryDict.fromLists([['a', ['1', '2']]], { mutable: true });
    expect(fromLists.getList('a')).toEqual(['1', '2']);
    expect(fromLists.mutable).toBe(true);
  });

  it.each([
    ['a=1&a=2&b=x', '', 'a=1&a=2&b=x'],
    ['a=b c&d=%26%3D', '', 'a=b+c&d=%26%3D'],
    ['next=/a&b/', '', 'next=%2Fa&b%2F='],
    ['next=/a b/', '/', 'next=/a%20b/'],
    ['q=café', '', 'q=caf%C3%A9'],
    ['k=~._-', '', 'k=~._-'],
  ])('urlencode(%j, safe=%j) is %j', (query, safe, expected) => {
    expect(new QueryDict(query).urlencode(safe)).toBe(expected);
  });

  it('refuses more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS, and has no limit with null', () => {
    configureSettings({ DATA_UPLOAD_MAX_NUMBER_FIELDS: 2 });
    expect(new QueryDict('a=1&b=2').size).toBe(2);
    expect(() => new QueryDict('a=1&b=2&c=3')).toThrow(TooManyFieldsSent);
    configureSettings({ DATA_UPLOAD_MAX_NUMBER_FIELDS: null });
    expect(new QueryDict(Array.from({ length: 5000 }, (_, i) => `k${i}=v`).join('&')).size).toBe(5000);
  });

  it('uses the default limit when settings are not configured', () => {
    resetSettings();
    expect(new QueryDict('a=1').get('a')).toBe('1');
    expect(() => new QueryDict('a&'.repeat(1000))).toThrow(TooManyFieldsSent);
  });

  it('decodes escapes with its encoding', () => {
    expect(new QueryDict('a=caf%E9', { encoding: 'latin-1' }).get('a')).toBe('café');
    expect(new QueryDict('a=%A4', { encoding: 'iso-8859-15' }).get('a')).toBe('€');
  });
});

describe('MultiValueDict', () => {
  it('builds from pairs or an object and behaves as Django', () => {
    const d = new MultiValueDict<number>([['a', 1], ['a', 2], ['b', 3]]);
    expect(d.lists()).toEqual([['a', [1, 2]], ['b', [3]]]);
    expect(new MultiValueDict({ x: 'y' }).lists()).toEqual([['x', ['y']]]);
    d.setList('empty', []);
    expect(d.get('empty', 0)).toBe(0);
    expect(d.has('empty')).toBe(true);
    expect(d.items()).toEqual([['a', 2], ['b', 3]]);
    expect(d.setDefault('c', 9)).toBe(9);
    expect(d.setDefault('c', 10)).toBe(9);
    expect(d.setListDefault('e', [1, 1])).toEqual([1, 1]);
    d.update({ a: 4 });
    d.update(new MultiValueDict([['b', 5]]));
    expect(d.getList('a')).toEqual([1, 2, 4]);
    expect(d.getList('b')).toEqual([3, 5]);
    d.set('a', 7);
    expect(d.getList('a')).toEqual([7]);
    expect(d.delete('a')).toBe(true);
    expect(d.delete('a')).toBe(false);
    const copy = d.copy();
    d.clear();
    expect(d.size).toBe(0);
    expect(copy.getList('b')).toEqual([3, 5]);
  });

  it('keeps __proto__ as an ordinary key', () => {
    const d = new MultiValueDict<string>([['__proto__', 'x']]);
    expect(d.get('__proto__')).toBe('x');
    expect(d.dict()['__proto__']).toBe('x');
  });
});
