/**
 * The Kubernetes CEL URL library (`url()`, `isURL()`, `getScheme()` …). Accepts absolute URIs and
 * absolute paths, like Kubernetes (which builds on Go's url.ParseRequestURI). Host and port are
 * read from the authority as written (a WHATWG parser would drop default ports).
 */

const AUTHORITY = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]/?#]*\]|[^:/?#]*)(?::([0-9]*))?/;

export class CelUrl {
  constructor(
    readonly scheme: string,
    readonly host: string,
    readonly hostname: string,
    readonly port: string,
    readonly escapedPath: string,
    readonly query: Record<string, string[]>,
  ) {}

  static parse(text: string): CelUrl | undefined {
    if (text.length === 0 || text.length > 8192 || /\s/.test(text)) return undefined;
    const isPath = text.startsWith('/');
    if (!isPath && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(text)) return undefined;
    let parsed: URL;
    try {
      parsed = isPath ? new URL(text, 'http://placeholder.invalid') : new URL(text);
    } catch {
      return undefined;
    }
    const query: Record<string, string[]> = {};
    for (const [key, value] of parsed.searchParams) (query[key] ??= []).push(value);
    const path = /^[^?#]*/.exec(text.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/, ''))?.[0] ?? '';
    if (isPath) return new CelUrl('', '', '', '', path, query);
    const authority = AUTHORITY.exec(text);
    const rawHost = authority?.[1] ?? '';
    const port = authority?.[2] ?? '';
    const host = port === '' ? rawHost : `${rawHost}:${port}`;
    const hostname = rawHost.replace(/^\[(.*)\]$/, '$1');
    return new CelUrl(parsed.protocol.replace(/:$/, ''), host, hostname, port, path, query);
  }
}
