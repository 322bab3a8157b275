export { AuthErrorCode, forbidden, introspectionUnavailable, invalidCredentials, missingCredentials } from './auth.errors';
export { AuthGuard, CurrentCaller, Public, Roles } from './auth.guard';
export { CredentialsService, credentialCacheMs, credentialCacheSize } from './credentials.service';
export { Role, introspectionSchema, type Caller, type Introspection, type Introspector } from './introspection';
export { AdapterRegistry, adapterRegistryMaxAgeMs, adapterRegistryMissReloadMs, type AdapterSource, type RegisteredAdapterOrganisations } from './adapter-registry.service';
