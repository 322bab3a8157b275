export { AuthErrorCode, forbidden, introspectionUnavailable, invalidCredentials, missingCredentials } from './auth.errors';
export { AuthGuard, CurrentCaller, Public, Roles } from './auth.guard';
export { CredentialsService, credentialCacheMs, credentialCacheSize } from './credentials.service';
export { Role, introspectionSchema, type Caller, type Introspection, type Introspector } from './introspection';
