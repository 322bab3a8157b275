import { Inject, Injectable, Logger, SetMetadata, createParamDecorator, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { forbidden, missingCredentials } from './auth.errors';
import { CredentialsService } from './credentials.service';
import type { Caller, Role } from './introspection';

const publicRoute = 'service-auth:public';
const allowedRoles = 'service-auth:roles';

/** Marks a route that answers without credentials (health probes, a WSDL). */
export const Public = () => SetMetadata(publicRoute, true);

/** The roles a route (or every route of a controller) admits; a route that declares none is refused to everyone. */
export const Roles = (...roles: [Role, ...Role[]]) => SetMetadata(allowedRoles, roles);

interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  method?: string;
  route?: { path?: string };
  caller?: Caller;
}

/** The authenticated caller, set by {@link AuthGuard}. */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.caller) throw missingCredentials();
  return request.caller;
});

/**
 * Every HTTP route needs `Authorization: Bearer <API key>` of a live credential of the region (checked
 * at booking, answers cached 5 s) whose role the route admits, unless marked @Public(). When booking
 * cannot be asked the answer is 503, never "allowed".
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(CredentialsService) private readonly credentials: CredentialsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(publicRoute, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers['authorization'];
    const match = typeof header === 'string' ? /^Bearer +(\S{1,200})$/i.exec(header.trim()) : null;
    if (!match) throw missingCredentials();
    const caller = await this.credentials.authenticate(match[1]);
    request.caller = caller;
    const roles = this.reflector.getAllAndOverride<readonly Role[] | undefined>(allowedRoles, targets);
    if (roles === undefined) {
      this.logger.error(`${request.method ?? ''} ${request.route?.path ?? ''} declares no roles: refused to everyone`);
      throw forbidden(caller.role);
    }
    if (!(roles as readonly string[]).includes(caller.role)) throw forbidden(caller.role);
    return true;
  }
}
