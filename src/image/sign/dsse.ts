/**
 * DSSE v1 envelopes (https://github.com/secure-systems-lab/dsse/blob/master/protocol.md and envelope.md):
 * the signature covers PAE(payloadType, payload) =
 * `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, LEN being the byte length in ASCII decimal.
 */
import type { KeyProvider } from './keys.js';
import { verifyWithKey } from './keys.js';
import type { KeyObject } from 'node:crypto';
import { decodeBase64 } from './simple-signing.js';

export interface DsseSignature {
  keyid: string;
  sig: string;
}

export interface DsseEnvelope {
  payloadType: string;
  payload: string;
  signatures: DsseSignature[];
}

/** Pre-Authentication Encoding. */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = Buffer.from(payloadType, 'utf8');
  const header = Buffer.from(`DSSEv1 ${type.byteLength} ${payloadType} ${payload.byteLength} `, 'utf8');
  return new Uint8Array(Buffer.concat([header, payload]));
}

/** Signs `payload` into an envelope with one signature (keyid empty, as cosign writes it). */
export async function signEnvelope(
  payloadType: string,
  payload: Uint8Array,
  key: KeyProvider,
  keyid = '',
): Promise<DsseEnvelope> {
  const sig = await key.sign(pae(payloadType, payload));
  return {
    payloadType,
    payload: Buffer.from(payload).toString('base64'),
    signatures: [{ keyid, sig: Buffer.from(sig).toString('base64') }],
  };
}

export type EnvelopeResult =
  | { ok: true; payloadType: string; payload: Uint8Array }
  | { ok: false; reason: 'malformed-envelope' | 'bad-signature'; message: string };

/** Parses an envelope (bytes, text or object) and checks that one signature verifies; never throws. */
export function verifyEnvelope(input: Uint8Array | string | unknown, key: KeyObject): EnvelopeResult {
  let doc: unknown = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    try {
      doc = JSON.parse(typeof input === 'string' ? input : Buffer.from(input).toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed-envelope', message: 'the DSSE envelope is not JSON' };
    }
  }
  const env = doc as Partial<DsseEnvelope> | null;
  if (
    typeof env !== 'object' ||
    env === null ||
    typeof env.payloadType !== 'string' ||
    typeof env.payload !== 'string' ||
    !Array.isArray(env.signatures)
  ) {
    return {
      ok: false,
      reason: 'malformed-envelope',
      message: 'not a DSSE envelope (payloadType, payload, signatures)',
    };
  }
  const payload = env.payload === '' ? new Uint8Array() : decodeBase64(env.payload);
  if (!payload) return { ok: false, reason: 'malformed-envelope', message: 'the DSSE payload is not base64' };
  const signed = pae(env.payloadType, payload);
  for (const s of env.signatures.slice(0, 64)) {
    const sig = typeof s?.sig === 'string' ? decodeBase64(s.sig) : undefined;
    if (sig && verifyWithKey(key, signed, sig)) return { ok: true, payloadType: env.payloadType, payload };
  }
  return { ok: false, reason: 'bad-signature', message: 'no DSSE signature verifies with the given key' };
}
