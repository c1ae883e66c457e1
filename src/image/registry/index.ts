export { RegistryError, isRegistryError, type RegistryErrorCode } from './errors.js';
export {
  type ImageReference,
  DOCKER_HUB,
  parseReference,
  formatReference,
  manifestReference,
  registryBaseUrl,
  isLoopbackRegistry,
} from './reference.js';
export {
  MEDIA_TYPES,
  MANIFEST_ACCEPT,
  MAX_MANIFEST_BYTES,
  DEFAULT_PLATFORM,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  type ParsedManifest,
  type Platform,
  parseManifest,
  parsePlatform,
  selectPlatform,
} from './manifest.js';
export {
  type Credentials,
  type Challenge,
  parseChallenges,
  dockerConfigCredentials,
  credentialsFromDockerConfig,
  defaultDockerConfigPath,
} from './auth.js';
export { BlobCache, defaultCacheDir } from './cache.js';
export {
  RegistryClient,
  type RegistryClientOptions,
  type FetchedManifest,
  type ManifestHead,
} from './client.js';
export {
  pullImage,
  pushImage,
  pushArtifact,
  fetchArtifact,
  writeOciLayout,
  type PullOptions,
  type PulledImage,
  type PulledLayer,
  type PushImageInput,
  type PushResult,
  type BlobToPush,
  type ArtifactLike,
} from './pull.js';
