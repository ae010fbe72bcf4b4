import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AppError } from '../common/app-error.js';

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `next_cursor` of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** A cursor is the sort key of the last row served, opaque to clients. */
export const encodeCursor = (key: string): string => Buffer.from(key, 'utf8').toString('base64url');

export const invalidCursor = (): AppError =>
  new AppError(
    'invalid',
    'invalid_cursor',
    'cursor: not a cursor this API gave out; pass the next_cursor of the previous page, or none for the first.',
  );

/** The sort key a cursor carries; `shape` is what a key of this list looks like. */
export function decodeCursor(cursor: string | undefined, shape = /^.+$/s): string | null {
  if (cursor === undefined) return null;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (key === '' || encodeCursor(key) !== cursor || !shape.test(key)) throw invalidCursor();
  return key;
}

/** One page from rows fetched with limit + 1, sorted by `key`. */
export function pageOf<T>(rows: T[], limit: number, key: (row: T) => string): Page<T> {
  const data = rows.slice(0, limit);
  const last = data.at(-1);
  return {
    data,
    next_cursor: rows.length > limit && last !== undefined ? encodeCursor(key(last)) : null,
  };
}
