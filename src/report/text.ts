import type { Finding } from '../core/finding.js';

/**
 * Paths, messages and rule metadata come from scanned (possibly hostile) repositories: a file name
 * may hold ANSI escapes, newlines or bidirectional overrides. Everything a reporter prints to a
 * terminal goes through this: C0/C1 controls, DEL and bidi controls become visible `\uXXXX` escapes.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** `path:line:col` for a file location; the package or resource otherwise. */
export function locationLabel(f: Finding): string {
  const loc = f.location;
  if (loc) {
    const col = loc.startColumn !== undefined ? `:${loc.startColumn}` : '';
    return `${loc.path}:${loc.startLine}${col}`;
  }
  if (f.package) {
    const where = f.package.path ? ` (${f.package.path}${f.package.line ? `:${f.package.line}` : ''})` : '';
    return `${f.package.ecosystem}:${f.package.name}@${f.package.version}${where}`;
  }
  if (f.resource) {
    const ns = f.resource.namespace ? `${f.resource.namespace}/` : '';
    return `${f.resource.kind} ${ns}${f.resource.name}`;
  }
  return '-';
}

/** What a finding is grouped under in the table and JUnit reports: its file, package file or resource. */
export function groupLabel(f: Finding): string {
  if (f.location) return f.location.path;
  if (f.package) return f.package.path ?? `${f.package.ecosystem}:${f.package.name}@${f.package.version}`;
  if (f.resource)
    return (
      f.resource.path ??
      `${f.resource.kind} ${f.resource.namespace ? `${f.resource.namespace}/` : ''}${f.resource.name}`
    );
  return '(no location)';
}

/** The file a finding points at, when there is one (SARIF artifactLocation). */
export function findingPath(f: Finding): string | undefined {
  return f.location?.path ?? f.package?.path ?? f.resource?.path;
}

/** The line a finding points at, when there is one. */
export function findingLine(f: Finding): number | undefined {
  return f.location?.startLine ?? f.package?.line ?? f.resource?.line;
}
