import { getConfig } from '@/config/env';
import { getToken } from '@/lib/token-storage';

/** Which service a request goes to: identity (Backend) or business data (ETL). */
export type Service = 'backend' | 'etl';

export type QueryParams = Record<string, string | number | boolean | null | undefined>;

/** An error answer of either service, normalised from `{"error": {code, message, request_id}}`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  readonly retryAfter: number | null;
  readonly service: Service;
  /** The request field a 4xx names (`"field"` of the error body), so a form can show it there. */
  readonly field: string | null;

  constructor(args: {
    status: number;
    code: string;
    message: string;
    requestId?: string | null;
    retryAfter?: number | null;
    service: Service;
    field?: string | null;
  }) {
    super(args.message);
    this.name = 'ApiError';
    this.status = args.status;
    this.code = args.code;
    this.requestId = args.requestId ?? null;
    this.retryAfter = args.retryAfter ?? null;
    this.service = args.service;
    this.field = args.field ?? null;
  }

  get isUnauthorized(): boolean {
    return this.status === 401;
  }

  get isForbidden(): boolean {
    return this.status === 403;
  }

  get isServerError(): boolean {
    return this.status >= 500 || this.status === 0;
  }
}

/** Global reactions to error answers; the app registers them once (see `app/provider.tsx`). */
export type ApiInterceptors = {
  onUnauthorized?: (error: ApiError) => void;
  onForbidden?: (error: ApiError) => void;
  onServerError?: (error: ApiError) => void;
};

let interceptors: ApiInterceptors = {};

/** Installs the interceptors; returns a function that removes them. */
export function setApiInterceptors(next: ApiInterceptors): () => void {
  interceptors = next;
  return () => {
    if (interceptors === next) interceptors = {};
  };
}

export type RequestOptions = {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  params?: QueryParams;
  body?: unknown;
  signal?: AbortSignal;
  /** Overrides the stored token (logout sends the token it read before clearing storage). */
  token?: string | null;
  /** Login and logout handle their own errors: no global redirect. */
  skipInterceptors?: boolean;
  responseType?: 'json' | 'text';
};

/** Base URL of a service, without a trailing slash. */
export function serviceBaseUrl(service: Service): string {
  const config = getConfig();
  return service === 'backend' ? config.backendUrl : config.etlUrl;
}

/** Serialises query parameters, leaving out empty values. */
export function toQueryString(params?: QueryParams): string {
  if (!params) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Full URL of an API path (`/auth/me` → `http://host:3001/api/v1/auth/me`). */
export function apiUrl(service: Service, path: string, params?: QueryParams): string {
  return `${serviceBaseUrl(service)}/api/v1${path}${toQueryString(params)}`;
}

/** WebSocket URL of an API path on a service (http → ws, https → wss). */
export function wsUrl(service: Service, path: string, params?: QueryParams): string {
  return apiUrl(service, path, params).replace(/^http/, 'ws');
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - Date.now()) / 1000));
}

async function readErrorBody(
  response: Response,
): Promise<{ code?: string; message?: string; request_id?: string; field?: string }> {
  try {
    const data = (await response.json()) as unknown;
    if (data && typeof data === 'object') {
      const record = data as Record<string, unknown>;
      if (record.error && typeof record.error === 'object') return record.error as Record<string, string>;
      // FastAPI's default shape, in case a route answers before the error handler is installed.
      if (typeof record.detail === 'string') return { message: record.detail };
    }
  } catch {
    // not JSON
  }
  return {};
}

const GENERIC_SERVER_MESSAGE = 'Something went wrong on our side. Please try again.';

function dispatch(error: ApiError): void {
  if (error.isUnauthorized) interceptors.onUnauthorized?.(error);
  else if (error.isForbidden) interceptors.onForbidden?.(error);
  else if (error.isServerError) interceptors.onServerError?.(error);
}

/** The one HTTP client of the web app: adds the bearer token, parses JSON, normalises and dispatches errors. */
export async function request<T>(service: Service, path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', params, body, signal, skipInterceptors = false, responseType = 'json' } = options;
  const token = options.token !== undefined ? options.token : getToken();
  const headers: Record<string, string> = { Accept: responseType === 'json' ? 'application/json' : '*/*' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(apiUrl(service, path, params), {
      method,
      headers,
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal,
      credentials: 'include',
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    const error = new ApiError({
      status: 0,
      code: 'network_error',
      message: `Could not reach the ${service === 'backend' ? 'Backend' : 'ETL'} service.`,
      service,
    });
    if (!skipInterceptors) dispatch(error);
    throw error;
  }

  if (!response.ok) {
    const payload = await readErrorBody(response);
    const requestId = payload.request_id ?? response.headers.get('X-Request-ID');
    const error = new ApiError({
      status: response.status,
      code: payload.code ?? `http_${response.status}`,
      message:
        response.status >= 500 ? GENERIC_SERVER_MESSAGE : payload.message || response.statusText || 'Request failed.',
      requestId,
      retryAfter: parseRetryAfter(response.headers.get('Retry-After')),
      service,
      field: response.status < 500 && typeof payload.field === 'string' ? payload.field : null,
    });
    if (!skipInterceptors) dispatch(error);
    throw error;
  }

  if (response.status === 204) return undefined as T;
  if (responseType === 'text') return (await response.text()) as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

type Verb = <T>(path: string, options?: Omit<RequestOptions, 'method'>) => Promise<T>;
type BodyVerb = <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'method' | 'body'>) => Promise<T>;

export type ServiceClient = {
  get: Verb;
  delete: Verb;
  post: BodyVerb;
  put: BodyVerb;
  patch: BodyVerb;
};

function serviceClient(service: Service): ServiceClient {
  return {
    get: (path, options) => request(service, path, { ...options, method: 'GET' }),
    delete: (path, options) => request(service, path, { ...options, method: 'DELETE' }),
    post: (path, body, options) => request(service, path, { ...options, method: 'POST', body }),
    put: (path, body, options) => request(service, path, { ...options, method: 'PUT', body }),
    patch: (path, body, options) => request(service, path, { ...options, method: 'PATCH', body }),
  };
}

/** Identity: auth, users, sessions, permissions, audit. */
export const backendApi = serviceClient('backend');
/** Business data: integrations, jobs, metrics, settings. */
export const etlApi = serviceClient('etl');
