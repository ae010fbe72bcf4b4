/** Tokens the admin tests configure: two during a rotation, one with a label. */
export const ADMIN_TOKEN = 'tok_admin_e2e_primary_0123456789';
export const ADMIN_TOKEN_2 = 'tok_admin_e2e_rotated_9876543210';
export const ADMIN_ENV = { ADMIN_API_TOKEN: `ops:${ADMIN_TOKEN}, ${ADMIN_TOKEN_2}` };

export interface AdminAnswer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** The admin API over HTTP, as curl or a deployment script calls it. */
export function adminClient(baseUrl: string, token: string | null = ADMIN_TOKEN) {
  const call = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<AdminAnswer<T>> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined
        ? { body: typeof body === 'string' ? body : JSON.stringify(body) }
        : {}),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: (text ? JSON.parse(text) : null) as T,
      headers: res.headers,
    };
  };
  return {
    call,
    get: <T = Record<string, unknown>>(path: string) => call<T>('GET', path),
    post: <T = Record<string, unknown>>(
      path: string,
      body?: unknown,
      headers?: Record<string, string>,
    ) => call<T>('POST', path, body, headers),
    patch: <T = Record<string, unknown>>(
      path: string,
      body?: unknown,
      headers?: Record<string, string>,
    ) => call<T>('PATCH', path, body, headers),
    delete: <T = Record<string, unknown>>(path: string, headers?: Record<string, string>) =>
      call<T>('DELETE', path, undefined, headers),
  };
}
