import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureSettings, resetSettings } from '../../../src/framework/conf/settings.js';
import { badRequest, errorPageBody, pageNotFound, permissionDenied, serverError } from '../../../src/framework/views/defaults.js';
import { GwiRequest } from '../../../src/framework/http/request.js';
import { setupTestingDefaults } from '../../../src/gateway/util.js';

beforeEach(() => configureSettings({ ALLOWED_HOSTS: ['testserver'] }));
afterEach(() => resetSettings());

const request = () => new GwiRequest(setupTestingDefaults({ SERVER_NAME: 'testserver', PATH_INFO: '/<script>alert(1)</script>' }));

describe('default error views (DEBUG off)', () => {
  it.each([
    [
      'pageNotFound',
      pageNotFound,
      404,
      'Not Found',
      179,
      '\n<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n',
    ],
    [
      'serverError',
      serverError,
      500,
      'Internal Server Error',
      145,
      '\n<!doctype html>\n<html lang="en">\n<head>\n  <title>Server Error (500)</title>\n</head>\n<body>\n  <h1>Server Error (500)</h1><p></p>\n</body>\n</html>\n',
    ],
    [
      'permissionDenied',
      permissionDenied,
      403,
      'Forbidden',
      135,
      '\n<!doctype html>\n<html lang="en">\n<head>\n  <title>403 Forbidden</title>\n</head>\n<body>\n  <h1>403 Forbidden</h1><p></p>\n</body>\n</html>\n',
    ],
    [
      'badRequest',
      badRequest,
      400,
      'Bad Request',
      143,
      '\n<!doctype html>\n<html lang="en">\n<head>\n  <title>Bad Request (400)</title>\n</head>\n<body>\n  <h1>Bad Request (400)</h1><p></p>\n</body>\n</html>\n',
    ],
  ] as const)('%s: Django’s exact body', (_name, view, status, reason, length, body) => {
    const response = view(request(), { exception: new Error('<b>secret detail</b>') });
    expect(response.statusCode).toBe(status);
    expect(response.reasonPhrase).toBe(reason);
    expect(response.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(response.content.toString('utf8')).toBe(body);
    expect(response.content.length).toBe(length);
  });

  it('never shows the path or the exception', () => {
    const response = pageNotFound(request(), { exception: new Error('<b>secret detail</b>') });
    expect(response.text).not.toMatch(/script|secret/);
  });

  it('accepts being called without kwargs', () => {
    expect(serverError(request()).statusCode).toBe(500);
    expect(errorPageBody('T', 'D')).toContain('<h1>T</h1><p>D</p>');
  });
});
