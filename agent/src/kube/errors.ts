/** An API server's answer other than 2xx: its HTTP code, body (a Status, usually) and headers. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly body: string,
    readonly headers: Record<string, string>,
  ) {
    super(message);
    this.name = "KubeApiError";
  }
}

/** HTTP status of an API server answer, or undefined for network failures and client-side errors. */
export function statusCode(err: unknown): number | undefined {
  return err instanceof KubeApiError ? err.code : undefined;
}

export function isNotFound(err: unknown): boolean {
  return statusCode(err) === 404;
}

/** The API server's own wording (Status.message) when there is one. */
export function apiMessage(err: unknown): string {
  if (err instanceof KubeApiError) {
    try {
      const status = JSON.parse(err.body) as { message?: string };
      if (status?.message) return status.message;
    } catch {
      // not JSON: fall through to the code
    }
    return `HTTP ${err.code}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** 429, 5xx and failures without an answer (connection refused, reset, timeout, an HTTP/2 stream or connection ended) may pass on retry. */
export function isTransient(err: unknown): boolean {
  const code = statusCode(err);
  if (code === undefined) return !(err instanceof TypeError) && isNetworkError(err);
  return code === 429 || code >= 500;
}

function isNetworkError(err: unknown): boolean {
  const text = `${(err as { code?: string }).code ?? ""} ${(err as Error).message ?? ""} ${String((err as { cause?: unknown }).cause ?? "")}`;
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|socket hang up|fetch failed|ERR_HTTP2_(STREAM|SESSION)_ERROR|ERR_HTTP2_(GOAWAY|INVALID)_SESSION|ERR_HTTP2_STREAM_CANCEL/i.test(text);
}
