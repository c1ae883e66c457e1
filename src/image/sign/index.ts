export * from './oci.js';
export * from './keys.js';
export { decryptCosignPrivateKey, encryptCosignPrivateKey, CosignKeyError } from './cosign-key.js';
export * from './simple-signing.js';
export * from './dsse.js';
export * from './attest.js';
export * from './verify.js';
