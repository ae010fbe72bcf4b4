import { Module } from '@nestjs/common';
import { LinkStore } from './link-store.js';

@Module({ providers: [LinkStore], exports: [LinkStore] })
export class LinksModule {}
