import { Inject, Injectable, Logger, SetMetadata, createParamDecorator, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError, ForbiddenError } from '@medbus/errors';
import { AuditLog } from '../audit/audit.service';
import { mayDo, type Caller, type Permission } from '../clients/access.mapper';
import { AuthErrorCode, ClientsService, credentialIdOf, missingCredentials } from '../clients/clients.service';

const publicRoute = 'booking:public';
const requiredPermission = 'booking:permission';

/** Marks a route that answers without credentials (health probes; the SOAP facade, which authenticates by its guid). */
export const Public = () => SetMetadata(publicRoute, true);

/** The permission a route (or every route of a controller) needs; a route without one is refused to everyone. */
export const Requires = (permission: Permission) => SetMetadata(requiredPermission, permission);

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

export const forbidden = (permission: string): AppError =>
  new ForbiddenError(AuthErrorCode.forbidden, `this client's role may not ${permission}`, { details: { permission } });

/**
 * Every HTTP route needs `Authorization: Bearer <API key>` of a live credential and the permission the
 * route declares, unless marked @Public(). Refusals are audited (the presented key never is).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ClientsService) private readonly clients: ClientsService,
    @Inject(AuditLog) private readonly audit: AuditLog,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(publicRoute, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const route = `${request.method ?? ''} ${request.route?.path ?? ''}`;
    const header = request.headers['authorization'];
    const match = typeof header === 'string' ? /^Bearer +(\S{1,200})$/i.exec(header.trim()) : null;
    let caller: Caller;
    try {
      if (!match) throw missingCredentials();
      caller = await this.clients.authenticate(match[1]);
    } catch (error) {
      const code = error instanceof AppError ? error.code : 'AUTH.FAILED';
      this.audit.recordLater({ action: 'auth.authenticate', outcome: 'REFUSED', details: { route, code, credentialId: credentialIdOf(match?.[1]) } });
      throw error;
    }
    request.caller = caller;
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(requiredPermission, targets);
    if (permission === undefined) {
      this.logger.error(`${route} declares no permission: refused to everyone`);
      throw forbidden('call this route');
    }
    if (!mayDo(caller, permission)) {
      this.audit.recordLater({ action: 'auth.authorise', outcome: 'REFUSED', clientId: caller.clientId, role: caller.role, details: { route, permission } });
      throw forbidden(permission);
    }
    return true;
  }
}

