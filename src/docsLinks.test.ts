/**
 * The README and docs/ link only to files that exist: a picture of the run viewer, a doc, a source file.
 * A renamed file or a screenshot never copied shows up here, not as a broken image on the project page.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { packageRoot } from './devstack/paths';

const root = packageRoot();
const documents = ['README.md', ...readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f))];

/** Markdown links and images `[text](target)` whose target is a relative path (no scheme, no bare anchor). */
function relativeTargets(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1] ?? '')
    .filter((t) => t && !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith('#'))
    .map((t) => decodeURIComponent(t.split('#')[0] ?? ''));
}

test('every relative link and image in README.md and docs/*.md names a file of the repo', () => {
  const missing: string[] = [];
  let checked = 0;
  for (const doc of documents) {
    for (const target of relativeTargets(readFileSync(path.join(root, doc), 'utf8'))) {
      checked += 1;
      if (!existsSync(path.join(root, path.dirname(doc), target))) missing.push(`${doc} → ${target}`);
    }
  }
  assert.deepEqual(missing, []);
  assert.ok(checked > 10, `only ${checked} links found: the pattern no longer matches the docs`);
});

test("the README shows the run viewer's pictures inline: a waterfall, a sequence diagram and the inbox", () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  for (const picture of ['run-breaker-waterfall.png', 'run-breaker-sequence.png', 'inbox.png']) {
    assert.match(readme, new RegExp(`!\\[[^\\]]+\\]\\(docs/screenshots/${picture.replace('.', '\\.')}\\)`), `README.md shows ${picture} as an image`);
  }
});
