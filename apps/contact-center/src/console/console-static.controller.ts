import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AppConfig } from '@medbus/config';
import { Public } from '@medbus/service-auth';
import type { ContactCenterConfig } from '../contact-center.config';
import type { ConsoleRequest } from './console-auth.middleware';
import { ConsoleNotBuiltError, ConsolePageNotFoundError } from './console.errors';

/** The console's only sources are its own files: no inline script, no other origin (the API is this origin too). */
export const consoleContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/** Hashed file names under assets/ never change: cached for a year. index.html is asked again every time. */
const immutable = 'public, max-age=31536000, immutable';
const revalidate = 'no-cache';

/**
 * The built operator console (CC_CONSOLE_DIR) at /console/: its files, and index.html for any other
 * path (the application's own routes). Not built: 404 CONSOLE.NOT_BUILT, nothing else changes.
 * Registered last: /console/api/* that no controller answered is a 404 here, never the page.
 */
@ApiExcludeController()
@Public()
@Controller('console')
export class ConsoleStaticController {
  private readonly root: string;

  constructor(@Inject(AppConfig) config: Pick<ContactCenterConfig, 'CC_CONSOLE_DIR'>) {
    this.root = resolve(config.CC_CONSOLE_DIR);
  }

  @Get()
  async index(@Req() req: ConsoleRequest, @Res() res: ServerResponse): Promise<void> {
    const path = (req.originalUrl ?? '').split('?', 1)[0];
    if (!path.endsWith('/')) {
      res.writeHead(308, { location: '/console/' });
      return void res.end();
    }
    await this.send(res, resolve(this.root, 'index.html'), revalidate);
  }

  @Get('*path')
  async file(@Req() req: ConsoleRequest, @Res() res: ServerResponse): Promise<void> {
    let relative: string;
    try {
      relative = decodeURIComponent((req.originalUrl ?? '').split('?', 1)[0].slice('/console/'.length));
    } catch {
      throw notFound();
    }
    if (relative === 'api' || relative.startsWith('api/')) throw notFound();
    const file = resolve(this.root, relative);
    if (!file.startsWith(this.root + sep)) throw notFound();
    if (relative.startsWith('assets/')) return this.send(res, file, immutable);
    // A path with an extension names a file (favicon.ico); any other is one of the application's routes.
    if (extname(relative) !== '') return this.send(res, file, revalidate);
    await this.send(res, resolve(this.root, 'index.html'), revalidate);
  }

  private async send(res: ServerResponse, file: string, cacheControl: string): Promise<void> {
    const found = await stat(file).catch(() => undefined);
    if (!found?.isFile()) {
      const built = await stat(resolve(this.root, 'index.html')).catch(() => undefined);
      throw built?.isFile() ? notFound() : new ConsoleNotBuiltError();
    }
    res.writeHead(200, {
      'content-type': contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': String(found.size),
      'cache-control': cacheControl,
      'content-security-policy': consoleContentSecurityPolicy,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    await new Promise<void>((done, fail) => {
      createReadStream(file).on('error', fail).pipe(res).on('finish', done).on('error', fail);
    });
  }
}

const notFound = (): ConsolePageNotFoundError => new ConsolePageNotFoundError();
