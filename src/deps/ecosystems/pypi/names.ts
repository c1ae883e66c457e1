/** Python package names (PEP 503 / PEP 508). */

/** PEP 503 normalised name, used to compare names across files (`Django_Filter` ≡ `django-filter`). */
export function normalisePypiName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The distribution name at the start of a PEP 508 requirement string (`requests[socks]>=2; …` → `requests`). */
export function requirementName(requirement: string): string | undefined {
  const m = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(requirement);
  return m?.[1];
}
