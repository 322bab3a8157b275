import { Inject, Injectable, SetMetadata, UseInterceptors, applyDecorators, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { tap, type Observable } from 'rxjs';
import { AppError, ErrorKind } from '@medbus/errors';
import { uuidPattern } from '../booking-request.mapper';
import type { Caller } from '../clients/access.mapper';
import { AuditLog } from './audit.service';

interface AuditedRoute {
  readonly action: string;
  readonly resourceType: string;
  /** The route parameter or query parameter naming the resource, else the response field that does. */
  readonly idParam?: string;
  readonly idQuery?: string;
  readonly idField?: string;
}

const auditedRoute = 'booking:audited';

/**
 * Writes an audit entry for every call of the route: ALLOWED with the resource, or REFUSED/FAILED with the
 * error's code. The interceptor is bound to audited routes only: a global one would put every search
 * through an observable pipeline for nothing (docs/profiles/2026-11-29-trust.md).
 */
export const Audited = (route: AuditedRoute) => applyDecorators(SetMetadata(auditedRoute, route), UseInterceptors(AuditInterceptor));

interface AuditedRequest {
  caller?: Caller;
  params?: Record<string, string>;
  query?: Record<string, unknown>;
}

@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AuditLog) private readonly audit: AuditLog,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const route = this.reflector.get<AuditedRoute | undefined>(auditedRoute, context.getHandler());
    if (!route || context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<AuditedRequest>();
    const who = { clientId: request.caller?.clientId ?? null, role: request.caller?.role ?? null };
    const paramId = route.idParam ? request.params?.[route.idParam] : route.idQuery ? request.query?.[route.idQuery] : undefined;
    return next.handle().pipe(
      tap({
        next: (body: unknown) => {
          const fromBody = route.idField && body && typeof body === 'object' ? (body as Record<string, unknown>)[route.idField] : undefined;
          this.audit.recordLater({
            ...who,
            action: route.action,
            outcome: 'ALLOWED',
            resourceType: route.resourceType,
            resourceId: boundedId(paramId ?? fromBody),
          });
        },
        error: (error: unknown) => {
          const refused = error instanceof AppError && error.kind !== ErrorKind.internal && error.kind !== ErrorKind.unavailable && error.kind !== ErrorKind.timeout;
          this.audit.recordLater({
            ...who,
            action: route.action,
            outcome: refused ? 'REFUSED' : 'FAILED',
            resourceType: route.resourceType,
            resourceId: boundedId(paramId),
            details: { code: error instanceof AppError ? error.code : 'COMMON.INTERNAL' },
          });
        },
      }),
    );
  }
}

/** Ids only: whatever else a path or query carries (a name typed where an id belongs) is never written down. */
function boundedId(value: unknown): string | null {
  return typeof value === 'string' && uuidPattern.test(value) ? value.toLowerCase() : null;
}
