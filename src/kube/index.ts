/** The live source: kubeconfig loading, the API request layer and the paged collector. */
export {
  hasKubeConfig,
  impersonationHeaders,
  loadKubeConfig,
  resolveKubeConfigSource,
  type KubeConfigOptions,
  type KubeConfigSource,
} from "./config.js";
export {
  DEFAULT_REQUEST_TIMEOUT_MS,
  staticConnection,
  type HeaderMap,
  type KubeConnection,
  type RequestMaterial,
  type StaticConnectionOptions,
} from "./connection.js";
export {
  collectLive,
  type CollectOptions,
  type CollectProgress,
  type CollectResult,
  type LiveKindCoverage,
  type ServerVersion,
} from "./collect.js";
export {
  isAbortError,
  KubeApiError,
  KubeConfigError,
  KubeConnectionError,
  KubeError,
  KubeUnauthorizedError,
} from "./errors.js";
export {
  KubeClient,
  type ApiStatus,
  type GetOptions,
  type KubeClientOptions,
  type KubeResult,
  type RetryEvent,
} from "./http.js";
export { DEFAULT_PAGE_SIZE, LABEL_SELECTED_KINDS } from "./paging.js";
export {
  kindPermissions,
  PERMISSIONS,
  permissionText,
  resourceName,
  type KindPermission,
} from "./permissions.js";
export {
  missingPermissions,
  preflight,
  skippedKinds,
  type PermissionCheck,
  type PreflightOptions,
  type PreflightResult,
  type SkippedKind,
} from "./preflight.js";
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry.js";
