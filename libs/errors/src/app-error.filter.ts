import { STATUS_CODES } from 'node:http';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppError, ErrorKind, httpStatusOf, type ErrorDetails } from './app.errors';

/** The one error body every medbus HTTP API answers with. */
export interface ErrorResponseBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details?: ErrorDetails;
  };
}

const internalCode = 'COMMON.INTERNAL';
const internalMessage = 'Internal error';

/**
 * Maps whatever a request handler throws to `{ error: { code, message, details? } }`:
 * an AppError by its kind; Nest's own HttpException (unknown route, validation pipe) and
 * body-parser's errors (413, malformed JSON) with their status and code `HTTP.<status>`;
 * anything else to a 500 `COMMON.INTERNAL` that reveals nothing, logged with its stack.
 *
 * Register once per app: `{ provide: APP_FILTER, useClass: AppErrorFilter }`, or
 * `app.useGlobalFilters(new AppErrorFilter(app.get(HttpAdapterHost)))`.
 */
@Catch()
@Injectable()
export class AppErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(AppErrorFilter.name);

  // An explicit token: esbuild-based runners (tsx) emit no constructor type metadata.
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    // Kafka consumers classify errors themselves (libs/kafka); only HTTP is answered here.
    if (host.getType() !== 'http') throw exception;

    const { status, body } = this.toResponse(exception);
    const { httpAdapter } = this.adapterHost;
    const response: unknown = host.switchToHttp().getResponse();
    if (httpAdapter.isHeadersSent(response)) {
      httpAdapter.end(response);
      return;
    }
    httpAdapter.reply(response, body, status);
  }

  private toResponse(exception: unknown): { status: number; body: ErrorResponseBody } {
    if (exception instanceof AppError) {
      const status = httpStatusOf(exception);
      if (status >= 500) this.logger.error(`${exception.code}: ${exception.message}`, exception.stack);
      // An internal AppError describes our own broken invariant; its wording is not for clients.
      const message = exception.kind === ErrorKind.internal ? internalMessage : exception.message;
      return { status, body: errorBody(exception.code, message, exception.details) };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status >= 500) this.logger.error(exception.message, exception.stack);
      return { status, body: errorBody(`HTTP.${status}`, exception.message, pipeMessages(exception)) };
    }
    const httpError = asHttpError(exception);
    if (httpError) {
      // http-errors (body-parser) marks messages unsafe for clients with expose: false.
      const message = httpError.expose ? httpError.message : (STATUS_CODES[httpError.statusCode] ?? internalMessage);
      return { status: httpError.statusCode, body: errorBody(`HTTP.${httpError.statusCode}`, message) };
    }
    this.logger.error(
      exception instanceof Error ? exception.message : 'non-Error value thrown',
      exception instanceof Error ? exception.stack : undefined,
    );
    return { status: 500, body: errorBody(internalCode, internalMessage) };
  }
}

function errorBody(code: string, message: string, details?: ErrorDetails): ErrorResponseBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

// ValidationPipe puts one message per broken rule in `response.message`.
function pipeMessages(exception: HttpException): ErrorDetails | undefined {
  const response = exception.getResponse();
  if (typeof response !== 'object' || response === null || !('message' in response)) return undefined;
  return Array.isArray(response.message) ? { messages: response.message } : undefined;
}

interface HttpErrorLike {
  readonly statusCode: number;
  readonly message: string;
  readonly expose: boolean;
}

// Errors of the `http-errors` package (body-parser's 413, 415) reach filters unmapped by Nest.
function asHttpError(exception: unknown): HttpErrorLike | undefined {
  if (!(exception instanceof Error) || !('statusCode' in exception) || !('expose' in exception)) return undefined;
  const { statusCode, expose } = exception;
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode > 599) return undefined;
  return { statusCode, message: exception.message, expose: expose === true && statusCode < 500 };
}
