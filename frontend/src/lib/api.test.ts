import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ApiError,
  call,
  setFetch,
  toApiError,
  upload,
  type Args,
  type AuditResult,
  type Channel,
  type ChannelInput,
  type DeadLetter,
  type Job,
  type Method,
  type Package,
  type Result,
  type Status,
  type StepState,
  type Video,
} from './api';

function respond(status: number, body: unknown): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    respond.last = { url: String(input), init };
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  }) as typeof fetch;
}
respond.last = null as null | { url: string; init?: RequestInit };

describe('call over HTTP', () => {
  it('posts the arguments as a JSON array and returns the result', async () => {
    setFetch(respond(200, { id: 'c1', name: 'A' }));
    const r = await call('GetChannel', 'c1');
    expect(r.id).toBe('c1');
    expect(respond.last?.url).toBe('/api/call/GetChannel');
    expect(respond.last?.init?.body).toBe('["c1"]');
    expect((respond.last?.init?.headers as Record<string, string>)['Content-Type']).toBe('application/json');
  });
  it('turns an error body into an ApiError naming the field', async () => {
    setFetch(respond(422, { code: 'invalid', message: 'name: is required', fields: { name: 'is required' } }));
    const input = { name: '', niche: 'n', language: 'en', audience: '', format: 'shorts', cadence: 1, youtube_id: '', autopilot: false };
    const err = (await call('CreateChannel', input).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.fields).toEqual({ name: 'is required' });
    expect(err.code).toBe('invalid');
    expect(err.status).toBe(422);
  });
  it('says the server is unreachable when fetch fails', async () => {
    setFetch((async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch);
    const err = (await call('Status').catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('network');
    expect(err.message).toMatch(/not reachable/);
  });
});

describe('upload', () => {
  it('posts the file as it is and answers like the method it stands in for', async () => {
    setFetch(respond(200, { rows: 3, skipped: 0 }));
    const r = await upload('ImportStudioCSV', '/api/insights/import/c1', new Blob(['a,b\n']), 'text/csv');
    expect(r.rows).toBe(3);
    expect(respond.last?.url).toBe('/api/insights/import/c1');
    expect((respond.last?.init?.headers as Record<string, string>)['Content-Type']).toBe('text/csv');
  });
  it('turns an error body into an ApiError', async () => {
    setFetch(respond(422, { code: 'invalid', message: 'csv: is empty', fields: { csv: 'is empty' } }));
    const err = (await upload('ImportStudioCSV', '/x', new Blob([]), 'text/csv').catch((e: unknown) => e)) as ApiError;
    expect(err.fields).toEqual({ csv: 'is empty' });
    expect(err.status).toBe(422);
  });
});

describe('toApiError', () => {
  it('parses a JSON string rejection (desktop)', () => {
    const e = toApiError('{"code":"invalid","message":"niche: is required","fields":{"niche":"is required"}}');
    expect(e.fields).toEqual({ niche: 'is required' });
    expect(e.code).toBe('invalid');
  });
  it('keeps a plain string as the message', () => {
    expect(toApiError('boom').message).toBe('boom');
  });
});

// Checked by svelte-check (`npm run check`), which type-checks the tests:
// the calls below are typed by the generated declarations.
describe('types from the generated bindings', () => {
  it('names methods, arguments and results as the Go API declares them', () => {
    expectTypeOf<Result<'ListChannels'>>().toEqualTypeOf<Channel[]>();
    expectTypeOf<Args<'UpdateChannel'>>().toEqualTypeOf<[string, ChannelInput]>();
    expectTypeOf<Result<'StudioCancel'>>().toEqualTypeOf<boolean>();
    expectTypeOf<Result<'DeleteChannel'>>().toEqualTypeOf<void>();
    expectTypeOf<'ListChannels'>().toMatchTypeOf<Method>();
    expectTypeOf<'NoSuchMethod'>().not.toMatchTypeOf<Method>();
    const typed = () => {
      // @ts-expect-error: no bound method has this name
      call('NoSuchMethod');
      // @ts-expect-error: GetChannel takes one string
      call('GetChannel', 42);
      // @ts-expect-error: a channel has no such field
      call('ListChannels').then((cs) => cs[0].no_such_field);
    };
    expect(typeof typed).toBe('function');
  });
  it("reads Go's time.Time (generated as any) as the RFC 3339 string it arrives as", () => {
    expectTypeOf<Video['published_at']>().toEqualTypeOf<string>();
    expectTypeOf<Result<'ListInsightVideos'>[number]['updated_at']>().toEqualTypeOf<string>();
    expectTypeOf<AuditResult['report']['series'][number]['published_at']>().toEqualTypeOf<string>();
    // the store's records too: no time crosses as unix milliseconds
    expectTypeOf<Channel['created_at']>().toEqualTypeOf<string>();
    expectTypeOf<Package['content']['steps']>().toEqualTypeOf<Record<string, StepState> | undefined>();
    expectTypeOf<StepState['at']>().toEqualTypeOf<string>();
    expectTypeOf<Job['not_before']>().toEqualTypeOf<string>();
  });
  it('has no open-ended DTOs', () => {
    expectTypeOf<'anything' extends keyof Status ? true : false>().toEqualTypeOf<false>();
    expectTypeOf<DeadLetter['payload']>().toEqualTypeOf<Record<string, unknown>>();
  });
});
