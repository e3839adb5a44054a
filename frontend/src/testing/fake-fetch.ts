import { vi } from 'vitest';

/** One request seen by the fake `fetch`. */
export type RecordedRequest = {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
};

type Reply = Response | { status?: number; body?: unknown; headers?: Record<string, string> };
type Handler = (request: RecordedRequest) => Reply | Promise<Reply>;

/** A JSON response. */
export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

/** The error shape both services answer with. */
export function errorResponse(status: number, code: string, message: string, requestId = 'req-123', headers = {}) {
  return jsonResponse({ error: { code, message, request_id: requestId } }, status, headers);
}

/**
 * Replaces global `fetch` (the outside world of browser code) with a route table keyed
 * `"METHOD /api/v1/path"`; the host is ignored. Unknown routes answer 404. Returns the recorded calls.
 */
export function installFakeFetch(routes: Record<string, Handler | Reply>) {
  const calls: RecordedRequest[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = new Headers(init.headers);
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    const request: RecordedRequest = { method, url, headers, body };
    calls.push(request);
    const handler = routes[`${method} ${url.pathname}`];
    if (!handler) return errorResponse(404, 'not_found', `No fake for ${method} ${url.pathname}`);
    const reply = typeof handler === 'function' ? await handler(request) : handler;
    if (reply instanceof Response) return reply;
    return jsonResponse(reply.body ?? {}, reply.status ?? 200, reply.headers);
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock };
}
