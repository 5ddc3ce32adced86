/**
 * researchAgent's tables: the notes its `saveNote` tool writes and the pages `publish` puts out, keyed by the
 * call's idempotency key — and how many times the tool's code reached them (`writes`), which is what the
 * tests look at to tell "ran once" from "ran twice and deduplicated".
 */
import type { Db } from '../../store/db';

/** Saves a note under its idempotency key; counts every write that reached the table. */
export async function saveNote(db: Db, n: { key: string; workflowId: string; title: string; body: string; source: string }): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO research_notes (idempotency_key, workflow_id, title, body, source) VALUES ($1,$2,$3,$4,$5)
     ON CONFLICT (idempotency_key) DO UPDATE SET writes = research_notes.writes + 1 RETURNING id`,
    [n.key, n.workflowId, n.title, n.body, n.source],
  );
  return `note-${rows[0]!.id}`;
}

export async function publishPage(db: Db, p: { key: string; workflowId: string; title: string; summary: string }): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO research_publications (idempotency_key, workflow_id, title, summary) VALUES ($1,$2,$3,$4)
     ON CONFLICT (idempotency_key) DO UPDATE SET writes = research_publications.writes + 1 RETURNING id`,
    [p.key, p.workflowId, p.title, p.summary],
  );
  return `https://team.example/research/${rows[0]!.id}`;
}

export async function notesOf(db: Db, workflowId: string): Promise<{ title: string; writes: number }[]> {
  return (await db.query<{ title: string; writes: number }>('SELECT title, writes FROM research_notes WHERE workflow_id = $1 ORDER BY id', [workflowId])).rows;
}

export async function publicationsOf(db: Db, workflowId: string): Promise<{ title: string; writes: number }[]> {
  return (await db.query<{ title: string; writes: number }>('SELECT title, writes FROM research_publications WHERE workflow_id = $1 ORDER BY id', [workflowId])).rows;
}
