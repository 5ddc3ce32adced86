/**
 * The README's settings table, generated from the settings table (src/configSettings.ts) so the two never
 * drift: `node dist/configTable.js --write` rewrites it between the README's markers, and
 * configTable.test.ts fails when the README holds anything else.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SETTINGS, settingDefault, settingNames, type Setting, type SettingGroup } from './configSettings';

export const TABLE_START = '<!-- settings-table:start (generated from src/configSettings.ts: node dist/configTable.js --write) -->';
export const TABLE_END = '<!-- settings-table:end -->';

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** Markdown: one row per setting, grouped, with its config-file key, default and purpose (secrets marked). */
export function settingsTable(): string {
  const rows = ['| setting | in `breakwater.config.json` | default | what it is |', '|---|---|---|---|'];
  let group: SettingGroup | undefined;
  for (const name of settingNames) {
    const s: Setting = SETTINGS[name];
    if (s.group !== group) {
      group = s.group;
      rows.push(`| **${group}** | | | |`);
    }
    const fallback = settingDefault(name);
    const file = s.file ? `\`${s.file}\`${s.secret ? ' (reference only)' : ''}` : '';
    rows.push(`| \`${name}\` | ${file} | ${fallback === undefined ? '' : `\`${cell(fallback)}\``} | ${cell(s.doc)}${s.secret ? ' — *secret: masked by `config check`*' : ''} |`);
  }
  return rows.join('\n');
}

/** The document with its table section replaced by the generated one; throws when the markers are missing. */
export function withSettingsTable(markdown: string): string {
  const start = markdown.indexOf(TABLE_START);
  const end = markdown.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`the settings table's markers are missing (${TABLE_START} … ${TABLE_END})`);
  return `${markdown.slice(0, start + TABLE_START.length)}\n${settingsTable()}\n${markdown.slice(end)}`;
}

if (require.main === module) {
  const readme = path.resolve(__dirname, '..', 'README.md');
  const before = readFileSync(readme, 'utf8');
  const after = withSettingsTable(before);
  if (process.argv.includes('--write')) writeFileSync(readme, after);
  else process.stdout.write(`${settingsTable()}\n`);
  if (!process.argv.includes('--write') && before !== after) process.exitCode = 1;
}
