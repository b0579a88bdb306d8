// The error views used when DEBUG is off and the URLconf defines no handler404/500/403/400
// (Django's django.views.defaults): Django's exact default bodies, byte for byte.
import type { GwiRequest } from '../http/request.js';
import {
  HttpResponseBadRequest,
  HttpResponseForbidden,
  HttpResponseNotFound,
  HttpResponseServerError,
  type HttpResponse,
} from '../http/response.js';

/** Django's ERROR_PAGE_TEMPLATE, whitespace included (the 404 body is 179 bytes, as Django's). */
export function errorPageBody(title: string, details: string): string {
  return (
    `\n<!doctype html>\n<html lang="en">\n<head>\n  <title>${title}</title>\n</head>\n` +
    `<body>\n  <h1>${title}</h1><p>${details}</p>\n</body>\n</html>\n`
  );
}

/**
 * The error views. They have the View signature, so a URLconf's handler404 and these are called
 * alike (`handler(request, { exception })`); the default bodies do not show the exception.
 */
export function pageNotFound(_request: GwiRequest, _kwargs?: Record<string, unknown>): HttpResponse {
  return new HttpResponseNotFound(errorPageBody('Not Found', 'The requested resource was not found on this server.'));
}

export function serverError(_request: GwiRequest, _kwargs?: Record<string, unknown>): HttpResponse {
  return new HttpResponseServerError(errorPageBody('Server Error (500)', ''));
}

export function permissionDenied(_request: GwiRequest, _kwargs?: Record<string, unknown>): HttpResponse {
  return new HttpResponseForbidden(errorPageBody('403 Forbidden', ''));
}

export function badRequest(_request: GwiRequest, _kwargs?: Record<string, unknown>): HttpResponse {
  return new HttpResponseBadRequest(errorPageBody('Bad Request (400)', ''));
}
