/**
 * The failure converter of every Breakwater client and worker, loaded by path (`failureConverterPath`):
 * Temporal's default one with `encodeCommonAttributes`, which moves a failure's message and stack trace
 * into an encoded attribute — a payload, which the encryption codec then encrypts. A failure message can
 * quote what an outside system answered (an effect's 4xx body, a model endpoint's error), so it is kept out
 * of the history in clear like any payload; the history shows "Encoded failure" in its place.
 *
 * Bundled into the workflow sandbox too (src/workers/bundle.ts), so the failures a workflow writes are
 * encoded as well. Reading needs nothing: every failure converter restores encoded attributes it is given.
 * Keep this module free of anything but the SDK: it runs inside workflows.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
