/**
 * What the resource gate may touch. A plan is written by an LLM, and a prompt-injected plan can name any URL
 * or path: without a limit, the gate's HEAD/GET and stat would probe internal hosts and the worker's file
 * system for whoever wrote the prompt. So the gate checks a locator against this allowlist first, by text
 * alone, and only an allowed one is fetched or stat'ed; everything else is "missing" with nothing sent.
 *
 * - URL prefixes (BREAKWATER_RESOURCE_URLS): scheme, host and port must be equal, and the path must start
 *   with the prefix's path on a segment boundary. URLs are compared after WHATWG normalisation (`..`,
 *   `%2e%2e`, default ports, case of the host), and a URL with user:password@ is never allowed.
 * - File roots (BREAKWATER_RESOURCE_FILE_ROOTS): absolute directories; a path is normalised lexically and
 *   must lie inside one before anything reads the file system, and again after symlinks are resolved.
 * Pure (no I/O).
 */
import path from 'node:path';

export interface ResourceAllowlist {
  /** Allowed URL prefixes, e.g. `https://erp.example.com/api/`. Empty: no http resource is checked. */
  urls: readonly string[];
  /** Allowed absolute directories for `file` resources. Empty: no file resource is checked. */
  fileRoots: readonly string[];
}

export const emptyAllowlist: ResourceAllowlist = Object.freeze({ urls: [], fileRoots: [] });

/** Why a URL is refused, or undefined when it is allowed. */
export function urlRefusal(allow: ResourceAllowlist, locator: string): string | undefined {
  let url: URL;
  try {
    url = new URL(locator);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `protocol ${url.protocol} is not http(s)`;
  if (url.username || url.password) return 'URLs with credentials are not allowed';
  return allow.urls.some((prefix) => urlUnder(url, prefix)) ? undefined : 'not in the allowed URLs (BREAKWATER_RESOURCE_URLS): not requested';
}

function urlUnder(url: URL, prefix: string): boolean {
  let p: URL;
  try {
    p = new URL(prefix);
  } catch {
    return false;
  }
  if (p.protocol !== url.protocol || p.host !== url.host) return false;
  const base = p.pathname.endsWith('/') ? p.pathname : `${p.pathname}/`;
  return url.pathname === p.pathname || url.pathname.startsWith(base);
}

/** Why a file path is refused by text alone (before any file-system call), or undefined when it may be checked. */
export function fileRefusal(allow: ResourceAllowlist, locator: string): string | undefined {
  if (!path.isAbsolute(locator)) return 'not an absolute path';
  if (locator.includes('\0')) return 'not a path';
  return insideRoots(allow.fileRoots, path.resolve(locator)) ? undefined : 'outside the allowed file roots (BREAKWATER_RESOURCE_FILE_ROOTS): not read';
}

/** Whether an absolute, normalised path lies inside one of `roots` (the roots normalised the same way). */
export function insideRoots(roots: readonly string[], normalised: string): boolean {
  return roots.some((root) => {
    const rel = path.relative(path.resolve(root), normalised);
    return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
  });
}
