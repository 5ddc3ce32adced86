/** parallelIngest's own failure types. Pure: usable in workflows and activities. */
import { defineFailures } from '../../failures';

export const IngestFailure = defineFailures({
  SourceInvalid: {
    type: 'BW_SOURCE_INVALID',
    retryable: false,
    meaning: "A source answered 4xx or a body that breaks the record contract: retrying would not change it; the run escalates (retry / merge without it / reject).",
  },
});
