import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard } from './api-key.guard';

@Module({ providers: [{ provide: APP_GUARD, useClass: ApiKeyGuard }] })
export class AuthModule {}
