/**
 * The data converter every Temporal client and worker Breakwater builds uses: Temporal's default payload
 * converter, a failure converter that encodes failure messages and stack traces (src/codec/failureConverter.ts),
 * and Breakwater's encryption codec over the configured key ring. Without keys there is no converter:
 * Breakwater does not silently write plaintext histories, it refuses to start (ConfigError).
 */
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import type { BreakwaterConfig } from '../config';
import { ConfigError } from '../errors';
import { createEncryptionCodec } from './payloadCodec';
import { createSealer, type Sealer } from './sealed';

const codecs = new WeakMap<BreakwaterConfig['codec'], PayloadCodec>();

function requireKeys(config: BreakwaterConfig): void {
  if (config.codec.keys.length === 0) {
    throw new ConfigError(
        'No payload encryption key: run `npx breakwater init` in your project (it makes the dev key .breakwater/codec-keys). ' +
          'Breakwater encrypts every payload it hands Temporal and will not write them in clear; a deployment sets BREAKWATER_CODEC_KEYS (or BREAKWATER_CODEC_KEYS_FILE), see docs/security.md',
      ['BREAKWATER_CODEC_KEYS'],
    );
  }
}

/** The encryption codec of this configuration (one per config: its key ring). */
export function payloadCodecFor(config: BreakwaterConfig): PayloadCodec {
  let codec = codecs.get(config.codec);
  if (!codec) {
    requireKeys(config);
    codec = createEncryptionCodec(config.codec.keys);
    codecs.set(config.codec, codec);
  }
  return codec;
}

/** The module exporting Breakwater's `failureConverter` (for `failureConverterPath` and workflow bundles). */
export const breakwaterFailureConverterPath = (): string => require.resolve('./failureConverter');

/**
 * `dataConverter` for Worker.create / new Client: the caller's converter (if any) with Breakwater's codec
 * applied last. Failures are encoded by Breakwater's failure converter unless the caller names their own
 * `failureConverterPath`: theirs is kept as given (it decides what a failure shows; set
 * `encodeCommonAttributes` in it, or its messages are stored in clear).
 */
export function breakwaterDataConverter(config: BreakwaterConfig, own?: DataConverter): DataConverter {
  const codec = payloadCodecFor(config);
  return {
    ...own,
    failureConverterPath: own?.failureConverterPath ?? breakwaterFailureConverterPath(),
    // Once: a plugin on both a connection and its client, or given twice, must not encrypt twice.
    payloadCodecs: own?.payloadCodecs?.includes(codec) ? own.payloadCodecs : [...(own?.payloadCodecs ?? []), codec],
  };
}

/** The sealer of this configuration's key ring, for Postgres columns that keep exact sensitive copies (src/codec/sealed.ts). */
export function sealerFor(config: BreakwaterConfig): Sealer {
  requireKeys(config);
  return createSealer(config.codec.keys);
}

/** The sealer when keys are configured, else none (the store then keeps new originals in clear and refuses sealed ones). */
export const optionalSealerFor = (config: BreakwaterConfig): Sealer | undefined => (config.codec.keys.length > 0 ? sealerFor(config) : undefined);
