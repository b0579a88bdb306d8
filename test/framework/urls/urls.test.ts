// URL routing as Django does it: route → regex, converters, resolve() with its `tried` list, reverse() with
// namespaces, defaults and quoting, lazily imported URLconfs, APPEND_SLASH's isValidPath and urls.W002.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureSettings, resetSettings } from '../../../src/framework/conf/settings.js';
import { Http404, ImproperlyConfigured } from '../../../src/framework/exceptions.js';
import { checkUrlConfig } from '../../../src/framework/checks/urls.js';
import { clearUrlCaches, getScriptPrefix, isValidPath, resolve, reverse, setScriptPrefix } from '../../../src/framework/urls/base.js';
import { include, path as route, rePath } from '../../../src/framework/urls/conf.js';
import { registerConverter } from '../../../src/framework/urls/converters.js';
import { NoReverseMatch, Resolver404 } from '../../../src/framework/urls/exceptions.js';
import { RegexPattern, RoutePattern } from '../../../src/framework/urls/patterns.js';
import { ResolverMatch } from '../../../src/framework/urls/resolver-match.js';
import { getResolver, URLPattern, URLResolver, type UrlConf } from '../../../src/framework/urls/resolvers.js';
import { home as fixtureHome, notFound, postDetail } from '../fixtures/urlconf/views.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'urlconf');

/** A view that only needs a name and an identity. */
function makeView(name: string): () => never {
  const view = (): never => {
    throw new Error(`${name} is not called by the routing tests`);
  };
  return Object.defineProperty(view, 'name', { value: name });
}

const home = makeView('home');
const yearArchive = makeView('yearArchive');
const article = makeView('article');
const postView = makeView('postView');
const commentView = makeView('commentView');
const pollsIndex = makeView('pollsIndex');
const wikiPage = makeView('wikiPage');
const anyPath = makeView('anyPath');
const unrouted = makeView('unrouted');

/** Resolves against a URLconf given inline (no loading involved). */
function resolveIn(urlconf: UrlConf, url: string): ResolverMatch {
  return resolve(url, urlconf);
}

/** The Resolver404 thrown for a path. */
function miss(url: string, urlconf: UrlConf): Resolver404 {
  try {
    resolve(url, urlconf);
  } catch (error) {
    if (error instanceof Resolver404) return error;
    throw error;
  }
  throw new Error(`${url} resolved`);
}

function reverseError(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('reverse() did not throw');
}

beforeEach(() => {
  configureSettings({ BASE_DIR: FIXTURES });
});

afterEach(() => {
  clearUrlCaches();
  setScriptPrefix('/');
  resetSettings();
});

describe('route → regex (Django’s _route_to_regex)', () => {
  it.each([
    ['articles/<int:year>/', true, '^articles/(?P<year>[0-9]+)/\\Z'],
    ['articles/<int:year>/<slug:slug>/', true, '^articles/(?P<year>[0-9]+)/(?P<slug>[-a-zA-Z0-9_]+)/\\Z'],
    ['<title>/', true, '^(?P<title>[^/]+)/\\Z'],
    ['files/<path:p>', true, '^files/(?P<p>.+)\\Z'],
    ['item/<uuid:id>', true, '^item/(?P<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\Z'],
    ['my-page.html', true, '^my\\-page\\.html\\Z'],
    ['a+b (1)/', true, '^a\\+b\\ \\(1\\)/\\Z'],
    ['', true, '^\\Z'],
    ['blog/', false, '^blog/'],
    ['', false, '^'],
  ])('%s (endpoint %s) → %s', (text, isEndpoint, regex) => {
    const pattern = new RoutePattern(text, { isEndpoint });
    expect(pattern.regexSource).toBe(regex);
    expect(String(pattern)).toBe(text);
  });

  it.each([
    ['x/<int:1a>/', "URL route 'x/<int:1a>/' uses parameter name '1a' which isn't a valid identifier."],
    ['x/<int:a-b>/', "URL route 'x/<int:a-b>/' uses parameter name 'a-b' which isn't a valid identifier."],
    ['<foo:x>/', "URL route '<foo:x>/' uses invalid converter 'foo'."],
    ['<int: x>/', "URL route '<int: x>/' cannot contain whitespace in angle brackets <…>."],
  ])('rejects %s', (text, message) => {
    expect(() => route(text, home)).toThrow(new ImproperlyConfigured(message));
  });
});

describe('converters', () => {
  const urlconf = [
    route('int/<int:v>/', home),
    route('str/<str:v>/', home),
    route('default/<v>/', home),
    route('slug/<slug:v>/', home),
    route('uuid/<uuid:v>/', home),
    route('path/<path:v>', home),
  ];

  it.each([
    ['/int/42/', 42],
    ['/int/007/', 7],
    ['/int/9007199254740991/', 9007199254740991],
    ['/str/a b.c/', 'a b.c'],
    ['/default/x~y/', 'x~y'],
    ['/slug/my-post_1/', 'my-post_1'],
    ['/uuid/1b4e28ba-2fa1-11d2-883f-0016d3cca427/', '1b4e28ba-2fa1-11d2-883f-0016d3cca427'],
    ['/path/a/b/c.txt', 'a/b/c.txt'],
  ])('%s gives %j', (url, value) => {
    expect(resolveIn(urlconf, url).kwargs).toStrictEqual({ v: value });
  });

  it.each([
    '/int/-1/',
    '/int/4a/',
    // Beyond Number.MAX_SAFE_INTEGER: the converter says no match rather than give a wrong number.
    '/int/9007199254740993/',
    '/str/a/b/',
    '/str//',
    '/slug/my.post/',
    '/uuid/1B4E28BA-2FA1-11D2-883F-0016D3CCA427/',
    '/uuid/1b4e28ba2fa111d2883f0016d3cca427/',
    '/path/',
  ])('%s matches nothing', (url) => {
    expect(() => resolveIn(urlconf, url)).toThrow(Resolver404);
  });

  it('uses a registered converter both ways', () => {
    registerConverter({ regex: '[0-9]{4}', toValue: (s) => Number(s), toUrl: (v) => String(v).padStart(4, '0') }, 'yyyy');
    const conf = [route('archive/<yyyy:year>/', home, { name: 'archive' })];
    expect(resolveIn(conf, '/archive/0999/').kwargs).toStrictEqual({ year: 999 });
    expect(reverse('archive', { kwargs: { year: 999 }, urlconf: conf })).toBe('/archive/0999/');
  });

  it('tries the next pattern when toValue throws RangeError or TypeError, and propagates other errors', () => {
    registerConverter(
      {
        regex: '[a-z]+',
        toValue(s) {
          if (s === 'range') throw new RangeError('not a colour');
          if (s === 'type') throw new TypeError('not a colour');
          if (s === 'boom') throw new Error('broken converter');
          return s.toUpperCase();
        },
        toUrl: String,
      },
      'colour',
    );
    const fallback = makeView('fallback');
    const conf = [route('c/<colour:c>/', home, { name: 'c' }), route('c/<str:c>/', fallback, { name: 'c' })];
    expect(resolveIn(conf, '/c/red/').kwargs).toStrictEqual({ c: 'RED' });
    expect(resolveIn(conf, '/c/range/').func).toBe(fallback);
    expect(resolveIn(conf, '/c/type/').func).toBe(fallback);
    expect(() => resolveIn(conf, '/c/boom/')).toThrow(new Error('broken converter'));
  });

  it('refuses to register a name twice', () => {
    expect(() => registerConverter({ regex: 'x', toValue: (s) => s, toUrl: String }, 'int')).toThrow(
      new TypeError("Converter 'int' is already registered."),
    );
    registerConverter({ regex: 'x', toValue: (s) => s, toUrl: String }, 'twice');
    expect(() => registerConverter({ regex: 'x', toValue: (s) => s, toUrl: String }, 'twice')).toThrow(
      new TypeError("Converter 'twice' is already registered."),
    );
  });
});

describe('resolve()', () => {
  const posts = [route('<int:pk>/', postView, { name: 'post' }), route('<int:pk>/comments/<int:cid>/', commentView, { name: 'comment' })];
  const urlconf = [
    route('', home, { name: 'home' }),
    route('articles/', include([route('<int:year>/', yearArchive, { name: 'year' }), rePath('^(?P<slug>[-\\w]+)/$', article)])),
    route('shop/', include([], 'shop')),
    route('blog/', include(posts, 'blog'), { kwargs: { site: 'main', pk: 'from-include' } }),
    rePath('^legacy/', include([rePath('^item/(\\d+)/(\\d+)/$', article, { name: 'legacy-item' })])),
  ];

  it('matches the root and returns Django’s ResolverMatch fields', () => {
    const match = resolveIn(urlconf, '/');
    expect(match).toMatchObject({
      func: home,
      args: [],
      kwargs: {},
      urlName: 'home',
      route: '',
      namespaces: [],
      namespace: '',
      appNames: [],
      appName: '',
      viewName: 'home',
    });
    expect(match.tried).toStrictEqual([['']]);
  });

  it.each([
    ['/articles/2024/', yearArchive, [], { year: 2024 }, 'year', 'articles/<int:year>/', [], 'year'],
    ['/articles/hello-world/', article, [], { slug: 'hello-world' }, null, 'articles/(?P<slug>[-\\w]+)/$', [], 'article'],
    ['/blog/7/', postView, [], { site: 'main', pk: 7 }, 'post', 'blog/<int:pk>/', ['blog'], 'blog:post'],
    ['/blog/7/comments/9/', commentView, [], { site: 'main', pk: 7, cid: 9 }, 'comment', 'blog/<int:pk>/comments/<int:cid>/', ['blog'], 'blog:comment'],
    ['/legacy/item/3/4/', article, ['3', '4'], {}, 'legacy-item', '^legacy/item/(\\d+)/(\\d+)/$', [], 'legacy-item'],
  ])('%s', (url, func, args, kwargs, urlName, joined, namespaces, viewName) => {
    const match = resolveIn(urlconf, url);
    expect(match.func).toBe(func);
    expect(match.args).toStrictEqual(args);
    expect(match.kwargs).toStrictEqual(kwargs);
    expect(match.urlName).toBe(urlName);
    expect(match.route).toBe(joined);
    expect(match.namespaces).toStrictEqual(namespaces);
    expect(match.viewName).toBe(viewName);
  });

  it('merges kwargs: captured, then the include’s, then the pattern’s own', () => {
    const conf = [
      route('x/<int:id>/', home, { kwargs: { id: 'fixed', extra: 1 } }),
      route('y/', include([route('<int:id>/', home, { kwargs: { b: 2 } })]), { kwargs: { a: 1, b: 1 } }),
    ];
    expect(resolveIn(conf, '/x/5/')).toMatchObject({ kwargs: { id: 'fixed', extra: 1 }, capturedKwargs: { id: 5 }, extraKwargs: { id: 'fixed', extra: 1 } });
    expect(resolveIn(conf, '/y/5/')).toMatchObject({ kwargs: { a: 1, b: 2, id: 5 }, capturedKwargs: { id: 5 }, extraKwargs: { a: 1, b: 2 } });
  });

  it('lists every pattern tried, root to leaf, as Django’s Resolver404 does', () => {
    const error = miss('/articles/x/y', urlconf);
    expect(error).toBeInstanceOf(Http404);
    expect(error.name).toBe('Resolver404');
    expect(error.message).toBe("No URL pattern matches 'articles/x/y'.");
    expect(error.path).toBe('articles/x/y');
    expect(error.tried).toStrictEqual([
      [''],
      ['articles/', '<int:year>/'],
      ['articles/', '^(?P<slug>[-\\w]+)/$'],
      ['shop/'],
      ['blog/'],
      ['^legacy/'],
    ]);
    expect(error.triedPatterns[1]?.[0]).toBeInstanceOf(URLResolver);
    expect(error.triedPatterns[1]?.[1]).toBeInstanceOf(URLPattern);
  });

  it('adds nothing for a matching include that has no patterns, and the include’s patterns when it matched', () => {
    expect(miss('/shop/x/', urlconf).tried).toStrictEqual([[''], ['articles/'], ['blog/'], ['^legacy/']]);
    expect(miss('/blog/x/', urlconf).tried).toStrictEqual([
      [''],
      ['articles/'],
      ['shop/'],
      ['blog/', '<int:pk>/'],
      ['blog/', '<int:pk>/comments/<int:cid>/'],
      ['^legacy/'],
    ]);
  });

  it('keeps the patterns tried before a match', () => {
    expect(resolveIn(urlconf, '/blog/7/').tried).toStrictEqual([[''], ['articles/'], ['shop/'], ['blog/', '<int:pk>/']]);
  });

  it('gives the whole path and no tried list when it does not start with /', () => {
    const error = miss('articles/2024/', urlconf);
    expect(error.path).toBe('articles/2024/');
    expect(error.tried).toStrictEqual([]);
  });

  it('answers an empty URLconf (null) with an empty tried list', () => {
    expect(miss('/', null).tried).toStrictEqual([]);
  });

  it('gives every match its own objects: what a view changes is not seen by the next request', () => {
    const conf = [route('', home), route('k/', home, { kwargs: { q: 1 } }), route('y/', include([route('', home)]), { kwargs: { a: 1 } })];
    for (const url of ['/', '/k/', '/y/']) {
      const first = resolveIn(conf, url);
      const expected = { ...first, kwargs: { ...first.kwargs }, extraKwargs: { ...first.extraKwargs }, tried: first.tried };
      for (const object of [first.kwargs, first.capturedKwargs, first.extraKwargs]) Object.assign(object, { changed: true });
      for (const list of [first.args, first.appNames, first.namespaces, first.triedPatterns ?? [], ...(first.triedPatterns ?? [])]) list.push(home as never);
      const second = resolveIn(conf, url);
      expect([second.args, second.kwargs, second.capturedKwargs, second.extraKwargs]).toStrictEqual([[], expected.kwargs, {}, expected.extraKwargs]);
      expect([second.appNames, second.namespaces, second.tried]).toStrictEqual([[], [], expected.tried]);
      // Within a match too, each field is an object of its own.
      expect(new Set([second.kwargs, second.capturedKwargs, second.extraKwargs]).size).toBe(3);
    }
  });

  it('leaves the patterns’ own default kwargs alone', () => {
    const defaults = { q: 1 };
    const includeDefaults = { a: 1 };
    const conf = [route('k/', home, { kwargs: defaults }), route('y/', include([route('', home)]), { kwargs: includeDefaults })];
    for (const url of ['/k/', '/y/']) {
      const match = resolveIn(conf, url);
      expect(match.kwargs).not.toBe(defaults);
      expect(match.extraKwargs).not.toBe(defaults);
      expect(match.extraKwargs).not.toBe(includeDefaults);
      Object.assign(match.kwargs, { changed: true });
      Object.assign(match.extraKwargs, { changed: true });
    }
    expect(defaults).toStrictEqual({ q: 1 });
    expect(includeDefaults).toStrictEqual({ a: 1 });
  });

  it('takes kwargs and args captured by an include: its positional ones join the pattern’s only without kwargs', () => {
    const conf = [
      rePath('^(\\d+)/', include([rePath('^(\\d+)/$', article), rePath('^s/(?P<w>\\w+)/$', home)])),
      rePath('^n/(?P<k>\\w+)/', include([rePath('^(\\d+)/$', article), route('i/<int:id>/', home, { kwargs: { x: 1 } })]), { kwargs: { d: 0 } }),
    ];
    expect(resolveIn(conf, '/12/34/')).toMatchObject({ args: ['12', '34'], kwargs: {}, capturedKwargs: {}, route: '^(\\d+)/(\\d+)/$' });
    expect(resolveIn(conf, '/12/s/q/')).toMatchObject({ args: [], kwargs: { w: 'q' }, capturedKwargs: { w: 'q' } });
    // With keyword arguments the include's positional ones are dropped, the pattern's kept (as Django).
    expect(resolveIn(conf, '/n/a/7/')).toMatchObject({ args: ['7'], kwargs: { k: 'a', d: 0 }, capturedKwargs: {}, extraKwargs: { d: 0 } });
    const match = resolveIn(conf, '/n/a/i/8/');
    expect(match).toMatchObject({ args: [], capturedKwargs: { id: 8 }, extraKwargs: { d: 0, x: 1 }, route: '^n/(?P<k>\\w+)/i/<int:id>/' });
    // Captured first, then the include's defaults, then the pattern's own: the key order is Django's too.
    expect(Object.entries(match.kwargs)).toStrictEqual([['k', 'a'], ['d', 0], ['id', 8], ['x', 1]]);
  });

  it('keeps the names of nested includes, root to leaf', () => {
    const conf = [route('ns/', include([route('deep/', include([route('leaf/', home, { name: 'leaf' })], 'inner')), route('', home)], 'outer'))];
    expect(resolveIn(conf, '/ns/deep/leaf/')).toMatchObject({ appNames: ['outer', 'inner'], namespaces: ['outer', 'inner'], viewName: 'outer:inner:leaf' });
    expect(resolveIn(conf, '/ns/')).toMatchObject({ appNames: ['outer'], namespaces: ['outer'], route: 'ns/' });
    expect(resolveIn(conf, '/ns/').tried).toStrictEqual([['ns/', 'deep/'], ['ns/', '']]);
  });
});

describe('patterns and URLPattern on their own', () => {
  it('match() gives new args and kwargs each time, also when nothing is captured', () => {
    for (const [pattern, path, rest] of [
      [new RoutePattern('a/'), 'a/b', 'b'],
      [new RegexPattern('^/'), '/q', 'q'],
      [new RegexPattern('^z'), 'zz', 'z'],
    ] as const) {
      const first = pattern.match(path);
      const second = pattern.match(path);
      expect(first).toStrictEqual({ rest, args: [], kwargs: {} });
      expect(first?.args).not.toBe(second?.args);
      expect(first?.kwargs).not.toBe(second?.kwargs);
    }
    expect(new RegexPattern('b/(c)').match('xb/cd')).toStrictEqual({ rest: 'd', args: ['c'], kwargs: {} });
    expect(new RoutePattern('a/').match('b/')).toBeNull();
  });

  it('URLPattern.resolve() gives a match of its own, the pattern’s default kwargs as extraKwargs', () => {
    const defaults = { x: 1 };
    const pattern = route('<int:id>/', home, { name: 'p', kwargs: defaults }) as URLPattern;
    const match = pattern.resolve('5/');
    expect(match).toMatchObject({ func: home, args: [], kwargs: { id: 5, x: 1 }, capturedKwargs: { id: 5 }, urlName: 'p', route: '<int:id>/', appNames: [], namespaces: [] });
    expect(match?.extraKwargs).toBe(defaults);
    expect(match?.triedPatterns).toBeNull();
    expect(pattern.resolve('x/')).toBeNull();
  });
});

describe('subclasses, as Django calls them while resolving', () => {
  /** Answers any path under it that ends in '.json', the part before as kwarg `name`. */
  class JsonPattern extends URLPattern {
    override resolve(path: string): ResolverMatch | null {
      if (!path.endsWith('.json')) return null;
      return new ResolverMatch(this.callback, [], { name: path.slice(0, -5) }, { route: '<name>.json', capturedKwargs: { name: path.slice(0, -5) } });
    }
  }

  /** Matches its route in any case. */
  class CaselessRoute extends RoutePattern {
    override match(path: string): ReturnType<RoutePattern['match']> {
      return super.match(path.toLowerCase());
    }
  }

  /** Serves every path under it with one view (a catch-all include). */
  class CatchAllResolver extends URLResolver {
    override resolve(path: string): ResolverMatch {
      if (!path.startsWith('files/')) throw new Resolver404(path);
      return new ResolverMatch(anyPath, [path.slice(6)], {}, { route: 'files/' });
    }
  }

  it("a URLPattern subclass's resolve() answers for its pattern, below an include too", () => {
    const json = new JsonPattern(new RoutePattern('unused/', { isEndpoint: true }), article);
    expect(resolveIn([route('', home), json], '/reports/2026.json')).toMatchObject({ func: article, kwargs: { name: 'reports/2026' } });
    const nested = resolveIn([route('api/', include([json], 'api'))], '/api/x.json');
    expect(nested).toMatchObject({ func: article, kwargs: { name: 'x' }, namespaces: ['api'], route: 'api/<name>.json' });
    expect(miss('/api/x.xml', [route('api/', include([json]))]).tried).toEqual([['api/', 'unused/']]);
  });

  it("a pattern subclass's match() decides, for an endpoint and for an include's prefix", () => {
    const caseless = new URLPattern(new CaselessRoute('about/', { isEndpoint: true }), home);
    expect(resolveIn([caseless], '/ABOUT/').func).toBe(home);
    const prefix = new URLResolver(new CaselessRoute('blog/'), [route('<int:pk>/', postView)]);
    expect(resolveIn([prefix], '/Blog/7/')).toMatchObject({ func: postView, kwargs: { pk: 7 } });
  });

  it("a URLResolver subclass's resolve() answers for everything below it; its Resolver404 is a miss", () => {
    const files = new CatchAllResolver(new RegexPattern('^'), []);
    const urlconf = [route('', home), files, route('x/', unrouted)];
    expect(resolveIn(urlconf, '/files/a/b.txt')).toMatchObject({ func: anyPath, args: ['a/b.txt'] });
    expect(resolveIn(urlconf, '/x/').func).toBe(unrouted);
    expect(miss('/y/', urlconf).tried).toEqual([[''], ['^'], ['x/']]);
  });
});

describe('rePath()', () => {
  it.each([
    // Positional groups are args when there is no named group.
    ['^page/(\\d+)/(\\d+)/$', '/page/1/2/', ['1', '2'], {}],
    // With a named group, unnamed ones are dropped.
    ['^(?P<year>[0-9]{4})/(\\d+)/$', '/2024/5/', [], { year: '2024' }],
    // JavaScript's named-group syntax and \Z work as well.
    ['^(?<year>[0-9]{4})/\\Z', '/2024/', [], { year: '2024' }],
    // A named group that did not take part is left out.
    ['^blog/(?:page-(?P<page>[0-9]+)/)?$', '/blog/', [], {}],
    ['^blog/(?:page-(?P<page>[0-9]+)/)?$', '/blog/page-3/', [], { page: '3' }],
  ])('%s on %s', (regex, url, args, kwargs) => {
    const match = resolveIn([rePath(regex, home)], url);
    expect(match.args).toStrictEqual(args);
    expect(match.kwargs).toStrictEqual(kwargs);
  });

  it('takes a RegExp, shown by its source', () => {
    const conf = [rePath(/^about\/(?<section>[a-z]+)\/$/i, home, { name: 'about' })];
    expect(resolveIn(conf, '/ABOUT/Team/').kwargs).toStrictEqual({ section: 'Team' });
    expect(miss('/x/', conf).tried).toStrictEqual([['^about\\/(?<section>[a-z]+)\\/$']]);
    expect(reverse('about', { kwargs: { section: 'team' }, urlconf: conf })).toBe('/about/team/');
  });

  it('searches like Python’s re.search, but full-matches an endpoint ending in $', () => {
    expect(resolveIn([rePath('about', home)], '/whatabout-us').func).toBe(home);
    expect(() => resolveIn([rePath('about/$', home)], '/whatabout/')).toThrow(Resolver404);
    expect(resolveIn([rePath('about/$', home)], '/about/').func).toBe(home);
  });

  it('reports an invalid regex as ImproperlyConfigured', () => {
    expect(() => rePath('^(unclosed/$', home)).toThrow(ImproperlyConfigured);
    expect(() => rePath('^(unclosed/$', home)).toThrow(/^"\^\(unclosed\/\$" is not a valid regular expression: /);
  });
});

describe('path() arguments', () => {
  it('refuses what is not a view', () => {
    class ArticleView {}
    expect(() => route('x/', 'home' as never)).toThrow(new TypeError('view must be a function or the result of include().'));
    expect(() => route('x/', ArticleView as never)).toThrow(new TypeError('view must be a function, pass ArticleView.asView(), not ArticleView.'));
    expect(() => route('x/', home, { kwargs: [] as never })).toThrow(new TypeError('kwargs argument must be an object, but got an array.'));
  });

  it('builds URLPattern for a view and URLResolver for include()', () => {
    const leaf = route('x/', home, { name: 'x' });
    expect(leaf).toBeInstanceOf(URLPattern);
    expect(String(leaf)).toBe("<URLPattern 'x/' [name='x']>");
    const branch = route('y/', include([leaf], 'ns'));
    expect(branch).toBeInstanceOf(URLResolver);
    expect(branch).toMatchObject({ appName: 'ns', namespace: 'ns' });
    expect(route('z/', include({ urlpatterns: [leaf], app_name: 'app' }))).toMatchObject({ appName: 'app', namespace: 'app' });
    expect(route('z/', include({ urlpatterns: [leaf], app_name: 'app' }, 'inst'))).toMatchObject({ appName: 'app', namespace: 'inst' });
    expect(route('z/', include([leaf]))).toMatchObject({ appName: null, namespace: null });
  });
});

describe('reverse()', () => {
  const polls = { app_name: 'polls', urlpatterns: [route('', pollsIndex, { name: 'index' })] };
  const comments = [route('<int:cid>/', commentView, { name: 'detail' })];
  const urlconf = [
    route('', home, { name: 'home' }),
    route('articles/', include([route('<int:year>/', yearArchive, { name: 'year' })])),
    route('blog/', include([route('<int:pk>/', postView, { name: 'post' }), route('<int:pk>/comments/', include(comments, 'comments'))], 'blog')),
    route('wiki/<str:title>/', wikiPage, { name: 'wiki' }),
    route('raw/<path:p>', anyPath, { name: 'raw' }),
    route('author-polls/', include(polls, 'author-polls')),
    route('publisher-polls/', include(polls, 'publisher-polls')),
    route('<slug:lang>/', include([route('page/<slug:page>/', home, { name: 'page' })], 'loc')),
    route('archive/', yearArchive, { name: 'arch', kwargs: { year: 2000 } }),
    route('archive/<int:year>/', yearArchive, { name: 'arch' }),
    route('fixed/', home, { name: 'fixed', kwargs: { year: 2000 } }),
    route('twice/<int:a>/', home, { name: 'twice' }),
    route('twice/<int:a>/<int:b>/', home, { name: 'twice' }),
    rePath('^list/(?:page-(?P<page>[0-9]+)/)?$', home, { name: 'list' }),
    rePath('^pair/(\\d+)/(\\d+)/$', home, { name: 'pair' }),
    rePath('^v\\d/x{2}/[ab]\\.html$', home, { name: 'shapes' }),
    rePath('^(?:a|b)/$', home, { name: 'either' }),
    rePath('^x|y/$', home, { name: 'x-or-y' }),
  ];
  const rev = (name: string | (() => never), options: Parameters<typeof reverse>[1] = {}): string => reverse(name, { urlconf, ...options });

  it.each([
    ['home', {}, '/'],
    ['year', { kwargs: { year: 2020 } }, '/articles/2020/'],
    ['year', { args: [2020] }, '/articles/2020/'],
    ['year', { args: ['2020'] }, '/articles/2020/'],
    ['blog:post', { kwargs: { pk: 1 } }, '/blog/1/'],
    ['blog:comments:detail', { args: [1, 2] }, '/blog/1/comments/2/'],
    ['loc:page', { kwargs: { lang: 'en', page: 'about' } }, '/en/page/about/'],
    ['arch', {}, '/archive/'],
    ['arch', { kwargs: { year: 2000 } }, '/archive/2000/'],
    ['arch', { kwargs: { year: 1999 } }, '/archive/1999/'],
    ['fixed', { kwargs: { year: 2000 } }, '/fixed/'],
    ['twice', { args: [1] }, '/twice/1/'],
    ['twice', { args: [1, 2] }, '/twice/1/2/'],
    ['list', {}, '/list/'],
    ['list', { kwargs: { page: 3 } }, '/list/page-3/'],
    ['pair', { args: [10, 20] }, '/pair/10/20/'],
    ['shapes', {}, '/v0/xx/a.html'],
  ] as const)('%s %j → %s', (name, options, url) => {
    expect(rev(name, options)).toBe(url);
  });

  it('reverses a view function', () => {
    // yearArchive serves three patterns; as in Django the last one defined that fits wins.
    expect(rev(yearArchive, { args: [1999] })).toBe('/archive/1999/');
    expect(rev(yearArchive)).toBe('/archive/');
    expect(rev(wikiPage, { kwargs: { title: 'Main' } })).toBe('/wiki/Main/');
  });

  it.each([
    ['a b', '/wiki/a%20b/'],
    ['café', '/wiki/caf%C3%A9/'],
    ["!$&'()*+,;=:@~-._", "/wiki/!$&'()*+,;=:@~-._/"],
    ['100%', '/wiki/100%25/'],
    ['?#[]', '/wiki/%3F%23%5B%5D/'],
    ['"<>\\^`{|}', '/wiki/%22%3C%3E%5C%5E%60%7B%7C%7D/'],
    ['😀', '/wiki/%F0%9F%98%80/'],
  ])('quotes %j as Django does', (title, url) => {
    expect(rev('wiki', { kwargs: { title } })).toBe(url);
    // …and the decoded URL resolves back to the same argument.
    expect(resolveIn(urlconf, decodeURIComponent(url)).kwargs).toStrictEqual({ title });
  });

  it.each([
    ['a/b c.txt', '/raw/a/b%20c.txt'],
    ['x/', '/raw/x/'],
  ])('keeps the slashes of a path parameter: %j', (p, url) => {
    expect(rev('raw', { kwargs: { p } })).toBe(url);
    expect(resolveIn(urlconf, decodeURIComponent(url)).kwargs).toStrictEqual({ p });
  });

  it('never builds a scheme-relative URL', () => {
    expect(reverse('any', { kwargs: { p: '/evil.example' }, urlconf: [route('<path:p>', anyPath, { name: 'any' })] })).toBe('/%2Fevil.example');
  });

  it.each([
    ['polls:index', undefined, '/publisher-polls/'],
    ['polls:index', 'author-polls', '/author-polls/'],
    ['polls:index', 'publisher-polls', '/publisher-polls/'],
    ['author-polls:index', undefined, '/author-polls/'],
  ])('resolves the application namespace %s (current app %s) to %s', (name, currentApp, url) => {
    expect(rev(name, currentApp ? { currentApp } : {})).toBe(url);
  });

  it('prefers the instance named like the application', () => {
    const conf = [route('one/', include(polls, 'one')), route('two/', include(polls, 'polls')), route('three/', include(polls, 'three'))];
    expect(reverse('polls:index', { urlconf: conf })).toBe('/two/');
  });

  it('puts the script prefix in front', () => {
    setScriptPrefix('/mount');
    expect(getScriptPrefix()).toBe('/mount/');
    expect(rev('year', { args: [2020] })).toBe('/mount/articles/2020/');
    setScriptPrefix('/my app/');
    expect(rev('home')).toBe('/my%20app/');
  });

  it.each([
    ['nope', {}, "Reverse for 'nope' not found. 'nope' is not a valid view function or pattern name."],
    ['year', { args: ['abc'] }, "Reverse for 'year' with arguments '('abc',)' not found. 1 pattern(s) tried: ['articles/(?P<year>[0-9]+)/\\\\Z']"],
    ['year', { args: [1, 2] }, "Reverse for 'year' with arguments '(1, 2)' not found. 1 pattern(s) tried: ['articles/(?P<year>[0-9]+)/\\\\Z']"],
    ['year', { kwargs: { year: 'abc' } }, "Reverse for 'year' with keyword arguments '{'year': 'abc'}' not found. 1 pattern(s) tried: ['articles/(?P<year>[0-9]+)/\\\\Z']"],
    ['year', {}, "Reverse for 'year' with no arguments not found. 1 pattern(s) tried: ['articles/(?P<year>[0-9]+)/\\\\Z']"],
    ['fixed', { kwargs: { year: 2001 } }, "Reverse for 'fixed' with keyword arguments '{'year': 2001}' not found. 1 pattern(s) tried: ['fixed/\\\\Z']"],
    ['twice', { args: [1, 2, 3] }, "Reverse for 'twice' with arguments '(1, 2, 3)' not found. 2 pattern(s) tried: ['twice/(?P<a>[0-9]+)/(?P<b>[0-9]+)/\\\\Z', 'twice/(?P<a>[0-9]+)/\\\\Z']"],
    ['blog:post', { kwargs: { pk: null, draft: true } }, "Reverse for 'post' with keyword arguments '{'pk': None, 'draft': True}' not found. 1 pattern(s) tried: ['blog/(?P<pk>[0-9]+)/\\\\Z']"],
    // Alternation cannot be reversed: Django builds '' and checks it, which fails here.
    ['either', {}, "Reverse for 'either' with no arguments not found. 1 pattern(s) tried: ['(?:a|b)/$']"],
    ['x-or-y', {}, "Reverse for 'x-or-y' with no arguments not found. 1 pattern(s) tried: ['x|y/$']"],
    ['nope:x', {}, "'nope' is not a registered namespace"],
    ['blog:nope:x', {}, "'nope' is not a registered namespace inside 'blog'"],
  ] as const)('NoReverseMatch for %s %j', (name, options, message) => {
    const error = reverseError(() => rev(name, options));
    expect(error).toBeInstanceOf(NoReverseMatch);
    expect(error.message).toBe(message);
  });

  it('names an unknown view function by its name', () => {
    expect(reverseError(() => rev(unrouted)).message).toBe(
      "Reverse for 'unrouted' not found. 'unrouted' is not a valid view function or pattern name.",
    );
  });

  it('refuses args and kwargs together', () => {
    expect(() => rev('year', { args: [1], kwargs: { year: 1 } })).toThrow(new TypeError("Don't mix *args and **kwargs in call to reverse()!"));
  });

  it('skips a pattern whose converter refuses the value', () => {
    registerConverter(
      {
        regex: '[a-z]+',
        toValue: (s) => s,
        toUrl(v) {
          if (v === 'grey') throw new RangeError('no grey');
          return String(v);
        },
      },
      'hue',
    );
    const conf = [route('plain/<str:c>/', home, { name: 'c' }), route('hue/<hue:c>/', home, { name: 'c' })];
    expect(reverse('c', { kwargs: { c: 'red' }, urlconf: conf })).toBe('/hue/red/');
    expect(reverse('c', { kwargs: { c: 'grey' }, urlconf: conf })).toBe('/plain/grey/');
  });
});

describe('URLconf modules loaded by name', () => {
  beforeEach(() => {
    configureSettings({ BASE_DIR: FIXTURES, ROOT_URLCONF: 'mysite/urls' });
  });

  it('needs getResolver() once before the synchronous resolve()', async () => {
    expect(() => resolve('/')).toThrow(
      new ImproperlyConfigured("The URLconf 'mysite/urls' is not loaded yet: await getResolver() (or resolver.load()) before resolving or reversing."),
    );
    const resolver = await getResolver();
    expect(await getResolver('mysite/urls')).toBe(resolver);
    expect(resolve('/').func).toBe(fixtureHome);
    const match = resolve('/blog/3/');
    expect(match).toMatchObject({ func: postDetail, kwargs: { pk: 3 }, namespaces: ['blog'], appNames: ['blog'], viewName: 'blog:post' });
    expect(reverse('blog:post', { args: [3] })).toBe('/blog/3/');
  });

  it('gives the URLconf’s error handlers', async () => {
    const resolver = await getResolver();
    expect(resolver.resolveErrorHandler(404)).toBe(notFound);
    expect(resolver.resolveErrorHandler(500)).toBeNull();
    const inline = await getResolver({ urlpatterns: [], handler500: 'views.oops' as never });
    expect(() => inline.resolveErrorHandler(500)).toThrow(new ImproperlyConfigured("The custom handler500 view in '<module>' is not a function."));
  });

  it('loads includes of an inline URLconf too', async () => {
    const conf = [route('b/', include('blog/urls'))];
    expect(() => resolve('/b/1/', conf)).toThrow(/The URLconf 'blog\/urls' is not loaded yet/);
    await getResolver(conf);
    expect(resolve('/b/1/', conf).viewName).toBe('blog:post');
  });

  it.each([
    ['nope/urls', `No module named 'nope/urls' (looked for ${path.join(FIXTURES, 'nope/urls')}.ts and friends).`],
    [
      'bad/urls',
      "The included URLconf 'bad/urls' does not appear to have any patterns in it. If you see the 'urlpatterns' variable " +
        'with valid patterns in the file then the issue is probably caused by a circular import.',
    ],
    ['broken/urls', "Your URL pattern 'about/' is invalid. Ensure that urlpatterns is a list of path() and/or rePath() instances."],
  ])('reports a broken URLconf %s', async (name, message) => {
    await expect(getResolver(name)).rejects.toThrow(new ImproperlyConfigured(message));
  });

  it('retries a load that failed', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gwi-urls-'));
    try {
      configureSettings({ BASE_DIR: dir });
      const resolver = new URLResolver(new RegexPattern('^/'), 'late/urls');
      await expect(resolver.load()).rejects.toThrow(/^No module named 'late\/urls'/);
      await mkdir(path.join(dir, 'late'));
      await writeFile(path.join(dir, 'late', 'urls.ts'), 'export const urlpatterns = [];\n');
      expect(await resolver.load()).toBe(resolver);
      expect(resolver.urlPatterns).toStrictEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('isValidPath() (APPEND_SLASH)', () => {
  const urlconf = [route('about/', home), route('blog/', include([route('<int:pk>/', postView)]))];

  it.each([
    ['/about/', true],
    ['/about', false],
    ['/blog/1/', true],
    ['/blog/1', false],
    ['/nowhere/', false],
  ])('%s → %s', async (url, valid) => {
    const result = await isValidPath(url, urlconf);
    expect(result instanceof ResolverMatch).toBe(valid);
    if (!valid) expect(result).toBe(false);
  });

  it('loads a named URLconf first', async () => {
    configureSettings({ BASE_DIR: FIXTURES, ROOT_URLCONF: 'mysite/urls' });
    expect(await isValidPath('/blog/1/')).toBeInstanceOf(ResolverMatch);
    expect(await isValidPath('/blog/1')).toBe(false);
  });
});

describe('checkUrlConfig() (urls.W002)', () => {
  const w002 = (described: string): string =>
    `?: (urls.W002) Your URL pattern ${described} has a route beginning with a '/'. Remove this slash as it is unnecessary. ` +
    "If this pattern is targeted in an include(), ensure the include() pattern has a trailing '/'.";

  async function check(urlpatterns: unknown[], extra: { APPEND_SLASH?: boolean } = {}): Promise<string[]> {
    configureSettings({ BASE_DIR: FIXTURES, ROOT_URLCONF: { urlpatterns }, ...extra });
    return (await checkUrlConfig()).map(String);
  }

  it.each([
    ['an endpoint with a leading slash', [route('/about', home)], [w002("'/about'")]],
    ['a named one', [route('/about', home, { name: 'about' })], [w002("'/about' [name='about']")]],
    ['an endpoint ending in a slash', [route('/about/', home)], [w002("'/about/'")]],
    ['a regex', [rePath('^/about/$', home)], [w002("'^/about/$'")]],
    ['an escaped regex', [rePath('^\\/about$', home)], [w002("'^\\/about$'")]],
    ['an include with a trailing slash', [route('/blog/', include([route('x/', home)]))], []],
    ['an include without it', [route('/blog', include([route('x/', home)]))], [w002("'/blog'")]],
    // Django reports an include's own pattern only when nothing below it is wrong.
    ['an include and its pattern', [route('/blog', include([route('/x', home)]))], [w002("'/x'")]],
    ['nothing wrong', [route('', home), route('about/', home), rePath('^x/$', home)], []],
  ])('%s', async (_label, urlpatterns, expected) => {
    expect(await check(urlpatterns)).toStrictEqual(expected);
  });

  it('is quiet with APPEND_SLASH off or without ROOT_URLCONF', async () => {
    expect(await check([route('/about', home)], { APPEND_SLASH: false })).toStrictEqual([]);
    configureSettings({ BASE_DIR: FIXTURES });
    expect(await checkUrlConfig()).toStrictEqual([]);
  });

  it('loads a named ROOT_URLCONF', async () => {
    configureSettings({ BASE_DIR: FIXTURES, ROOT_URLCONF: 'mysite/urls' });
    expect(await checkUrlConfig()).toStrictEqual([]);
  });
});
