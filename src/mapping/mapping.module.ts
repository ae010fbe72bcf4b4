import { Module } from '@nestjs/common';
import { MappingService } from './mapping.service.js';

@Module({ providers: [MappingService], exports: [MappingService] })
export class MappingModule {}
