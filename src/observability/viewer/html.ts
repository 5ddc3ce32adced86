/** The viewer's page frame and escaping: every value that reaches a page goes through `esc` (LLM output included). */
import { redactText } from '../../redact';
import { esc } from '../inbox/page';

export { esc };

/** Escaped and redacted: text that may carry what a model or a system echoed (a key in an error message). */
export const safe = (s: unknown): string => esc(redactText(typeof s === 'string' ? s : JSON.stringify(s ?? null)));

export const nav = `<nav><a href="/">Inbox</a> · <a href="/runs">Runs</a> · <a href="/incidents">Incidents</a> · <a href="/cost">Cost</a></nav>`;

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;max-width:80rem;margin:1.5rem auto;padding:0 1rem;color:#222}
nav{margin-bottom:1rem}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
.problem{color:#a00}.info{color:#555}code,pre{white-space:pre-wrap;word-break:break-word}pre{background:#f6f6f6;padding:.5rem;max-height:24rem;overflow:auto}
svg text{font:11px system-ui,sans-serif}section{margin:1.2rem 0}.muted{color:#777}form.filters label{margin-right:.8rem}
</style></head><body>${nav}
${body}
</body></html>`;
}
