import { ApiError, apiUrl, backendApi, etlApi, setApiInterceptors, wsUrl } from '@/lib/api-client';
import { setToken } from '@/lib/token-storage';
import { errorResponse, installFakeFetch, jsonResponse } from '@/testing/fake-fetch';

describe('api client', () => {
  afterEach(() => {
    delete window.__PULSE_CONFIG__;
  });

  it('uses the injected base URLs, falls back to the defaults and drops empty params', () => {
    expect(apiUrl('backend', '/auth/me')).toBe('http://127.0.0.1:3001/api/v1/auth/me');
    expect(apiUrl('etl', '/jobs', { limit: 10, integration_id: undefined, q: '' })).toBe(
      'http://127.0.0.1:8000/api/v1/jobs?limit=10',
    );
    window.__PULSE_CONFIG__ = { backendUrl: 'https://pulse.example/backend/', etlUrl: 'https://pulse.example/etl' };
    expect(apiUrl('backend', '/auth/me')).toBe('https://pulse.example/backend/api/v1/auth/me');
    expect(wsUrl('etl', '/jobs/7/events', { token: 't' })).toBe('wss://pulse.example/etl/api/v1/jobs/7/events?token=t');
  });

  it('sends the stored token as a bearer and parses JSON', async () => {
    setToken('tok-1');
    const { calls } = installFakeFetch({ 'GET /api/v1/integrations': { body: { items: [], total: 0 } } });
    await expect(etlApi.get('/integrations')).resolves.toEqual({ items: [], total: 0 });
    expect(calls[0].headers.get('Authorization')).toBe('Bearer tok-1');
    expect(calls[0].url.origin).toBe('http://127.0.0.1:8000');
  });

  it('turns a 401 into ApiError and calls the unauthorized interceptor', async () => {
    const onUnauthorized = vi.fn();
    const onForbidden = vi.fn();
    const remove = setApiInterceptors({ onUnauthorized, onForbidden });
    installFakeFetch({ 'GET /api/v1/auth/me': errorResponse(401, 'not_authenticated', 'Not authenticated') });
    const error = await backendApi.get('/auth/me').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(onForbidden).not.toHaveBeenCalled();
    remove();
  });

  it('does not call interceptors when asked not to (login handles its own 401)', async () => {
    const onUnauthorized = vi.fn();
    const remove = setApiInterceptors({ onUnauthorized });
    installFakeFetch({ 'POST /api/v1/auth/login': errorResponse(401, 'invalid_credentials', 'Invalid credentials') });
    await expect(backendApi.post('/auth/login', {}, { skipInterceptors: true })).rejects.toMatchObject({
      status: 401,
      message: 'Invalid credentials',
    });
    expect(onUnauthorized).not.toHaveBeenCalled();
    remove();
  });

  it('turns a 403 into a forbidden ApiError and calls the forbidden interceptor', async () => {
    const onForbidden = vi.fn();
    const remove = setApiInterceptors({ onForbidden });
    installFakeFetch({ 'GET /api/v1/admin/users': errorResponse(403, 'forbidden', 'Missing users:read') });
    const error = (await backendApi.get('/admin/users').catch((e: unknown) => e)) as ApiError;
    expect(error.isForbidden).toBe(true);
    expect(error.code).toBe('forbidden');
    expect(onForbidden).toHaveBeenCalledWith(error);
    remove();
  });

  it('keeps the field a 422 names, so a form can show the message on it', async () => {
    installFakeFetch({
      'POST /api/v1/auth/change-password': jsonResponse(
        { error: { code: 'invalid_input', message: 'current password is wrong', request_id: 'r-9', field: 'current_password' } },
        422,
      ),
      'GET /api/v1/auth/me': errorResponse(403, 'permission_denied', 'no'),
    });
    const error = (await backendApi.post('/auth/change-password', {}, { skipInterceptors: true }).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(422);
    expect(error.field).toBe('current_password');
    expect(error.message).toBe('current password is wrong');
    const other = (await backendApi.get('/auth/me', { skipInterceptors: true }).catch((e: unknown) => e)) as ApiError;
    expect(other.field).toBeNull();
  });

  it('gives a generic message and the request id for a 5xx', async () => {
    const onServerError = vi.fn();
    const remove = setApiInterceptors({ onServerError });
    installFakeFetch({
      'GET /api/v1/metrics/dora': errorResponse(500, 'internal_error', 'KeyError: secret stack detail', 'req-abc-42'),
    });
    const error = (await etlApi.get('/metrics/dora').catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(500);
    expect(error.requestId).toBe('req-abc-42');
    expect(error.message).not.toContain('KeyError');
    expect(error.message).toMatch(/went wrong/i);
    expect(onServerError).toHaveBeenCalledTimes(1);
    remove();
  });

  it('falls back to the X-Request-ID header and reads Retry-After', async () => {
    installFakeFetch({
      'GET /api/v1/a': new Response('oops', { status: 503, headers: { 'X-Request-ID': 'hdr-1' } }),
      'POST /api/v1/auth/login': errorResponse(429, 'throttled', 'Too many attempts', 'r', { 'Retry-After': '30' }),
    });
    await expect(etlApi.get('/a')).rejects.toMatchObject({ status: 503, requestId: 'hdr-1' });
    await expect(backendApi.post('/auth/login', {}, { skipInterceptors: true })).rejects.toMatchObject({
      status: 429,
      retryAfter: 30,
    });
  });

  it('reports an unreachable service as a status-0 error', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );
    await expect(etlApi.get('/integrations')).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('answers undefined for 204', async () => {
    installFakeFetch({ 'DELETE /api/v1/admin/sessions/5': jsonResponse(null, 204) });
    await expect(backendApi.delete('/admin/sessions/5')).resolves.toBeUndefined();
  });
});
