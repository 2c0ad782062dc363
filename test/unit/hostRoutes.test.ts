import { describe, expect, it } from 'vitest';
import { compileRoute, comparePrecedence, matchRoute } from '../../local/host/http/routes';

const match = (template: string, p: string) => matchRoute(compileRoute(template), p);

describe('route templates', () => {
  it('matches literals case-insensitively and extracts parameters', () => {
    expect(match('api/items/{id}', '/api/Items/42')).toEqual({ id: '42' });
    expect(match('api/items/{id}', '/api/items/42/')).toEqual({ id: '42' });
    expect(match('api/items/{id}', '/api/items')).toBeUndefined();
    expect(match('api/items/{id}', '/api/items/1/2')).toBeUndefined();
    expect(match('api/a/{x}/b/{y}', '/api/a/1/b/two%20words')).toEqual({ x: '1', y: 'two words' });
  });

  it('supports optional segments, defaults and catch-all', () => {
    expect(match('api/hello/{name?}', '/api/hello')).toEqual({});
    expect(match('api/hello/{name?}', '/api/hello/ada')).toEqual({ name: 'ada' });
    expect(match('api/page/{n=1}', '/api/page')).toEqual({ n: '1' });
    expect(match('api/files/{*path}', '/api/files/a/b/c.txt')).toEqual({ path: 'a/b/c.txt' });
    expect(match('api/files/{*path}', '/api/files')).toEqual({});
  });

  it('applies inline constraints', () => {
    expect(match('api/items/{id:int}', '/api/items/12')).toEqual({ id: '12' });
    expect(match('api/items/{id:int}', '/api/items/abc')).toBeUndefined();
    expect(match('api/x/{b:bool}', '/api/x/True')).toEqual({ b: 'True' });
    expect(match('api/x/{g:guid}', '/api/x/0f8fad5b-d9cb-469f-a165-70867728950e')).toBeDefined();
    expect(match('api/x/{n:int:min(5)}', '/api/x/4')).toBeUndefined();
    expect(match('api/x/{n:int:range(1,9)}', '/api/x/9')).toEqual({ n: '9' });
    expect(match('api/x/{s:alpha:maxlength(3)}', '/api/x/abcd')).toBeUndefined();
    expect(match('api/x/{s:regex(^a:b$)}', '/api/x/a:b')).toEqual({ s: 'a:b' });
    expect(match('api/x/{n:int?}', '/api/x')).toEqual({});
  });

  it('matches parameters inside a segment', () => {
    expect(match('api/{name}.{ext}', '/api/report.pdf')).toEqual({ name: 'report', ext: 'pdf' });
  });

  it('matches an empty template at the root', () => {
    expect(match('', '/')).toEqual({});
    expect(match('', '/x')).toBeUndefined();
  });

  it('orders literal routes before parameter routes before optional and catch-all ones', () => {
    const routes = ['api/{*rest}', 'api/items/{id?}', 'api/items/{id}', 'api/items/{id:int}', 'api/items/special'].map(
      compileRoute,
    );
    expect(routes.sort(comparePrecedence).map((r) => r.template)).toEqual([
      'api/items/special',
      'api/items/{id:int}',
      'api/items/{id}',
      'api/items/{id?}',
      'api/{*rest}',
    ]);
  });

  it('rejects malformed templates', () => {
    expect(() => compileRoute('api/{unclosed')).toThrow(/Unclosed/);
    expect(() => compileRoute('api/{1bad}')).toThrow(/Invalid route parameter/);
  });
});
