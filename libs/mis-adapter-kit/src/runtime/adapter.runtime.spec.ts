import { routeParamsOf } from './adapter.runtime';

describe("the adapter's HTTP routes", () => {
  it.each([
    ['/notifications', '/notifications', true],
    ['/notifications', '/notifications/x', false],
    ['/inbound/v1/organisations/{oid}', '/inbound/v1/organisations/1.2.643.5', true],
    ['/inbound/v1/organisations/{oid}', '/inbound/v1/organisations/', false],
    ['/inbound/v1/organisations/{oid}', '/inbound/v1/organisations/1.2/resources', false],
    ['/inbound/v1/commands/{commandId}/outcome', '/inbound/v1/commands/abc/outcome', true],
    ['/inbound/v1/commands/{commandId}/outcome', '/inbound/v1/commands/abc/other', false],
  ])('matches %s against %s: %s', (template, path, expected) => {
    expect(routeParamsOf(template, path) !== undefined).toBe(expected);
  });
});

describe("a route's path parameters", () => {
  it('are the template’s named segments, percent-decoded', () => {
    expect(routeParamsOf('/inbound/v1/organisations/{organisationOid}/resources/{localResourceId}/slots', '/inbound/v1/organisations/1.2.3/resources/doc%7E117/slots')).toEqual({
      organisationOid: '1.2.3',
      localResourceId: 'doc~117',
    });
  });

  it('are none when the path is another shape or a segment is not valid percent-encoding', () => {
    expect(routeParamsOf('/inbound/v1/commands/{commandId}/outcome', '/inbound/v1/commands//outcome')).toBeUndefined();
    expect(routeParamsOf('/inbound/v1/commands/{commandId}/outcome', '/inbound/v1/commands/a/b/outcome')).toBeUndefined();
    expect(routeParamsOf('/inbound/v1/commands/{commandId}/outcome', '/inbound/v1/commands/%E0%A4%A/outcome')).toBeUndefined();
  });
});
