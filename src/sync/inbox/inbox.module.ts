import { Module } from '@nestjs/common';
import { InboxService } from './inbox.service.js';
import { WorkSignal } from './work-signal.js';

@Module({ providers: [InboxService, WorkSignal], exports: [InboxService, WorkSignal] })
export class InboxModule {}
