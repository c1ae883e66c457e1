/**
 * The one way a secret may appear in any output or log: a short prefix, an ellipsis and its length,
 * e.g. `ghp_…(40)`. Short secrets reveal proportionally less (never more than a quarter).
 */
export function maskSecret(secret: string): string {
  const visible = Math.min(4, Math.floor(secret.length / 4));
  return `${secret.slice(0, visible)}…(${secret.length})`;
}
