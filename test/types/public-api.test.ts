// The public API's types, as a project sees them through the package's index: checked by `tsc --noEmit`
// (vitest runs these assertions as no-ops). request.resolverMatch and request.session are declared apart
// from GwiRequest.
import { describe, expectTypeOf, it } from 'vitest';
import type { GwiRequest, ResolverMatch, SessionBase, signing } from '../../src/index.js';

describe('public types', () => {
  it('request.resolverMatch is a ResolverMatch or null', () => {
    expectTypeOf<GwiRequest['resolverMatch']>().toEqualTypeOf<ResolverMatch | null>();
  });

  it('request.session is a SessionBase', () => {
    expectTypeOf<GwiRequest['session']>().toEqualTypeOf<SessionBase>();
  });

  it("signing is a namespace with Django's signing API", () => {
    expectTypeOf<typeof signing.dumps>().parameter(1).toEqualTypeOf<signing.DumpsOptions | undefined>();
    expectTypeOf<InstanceType<typeof signing.TimestampSigner>>().toHaveProperty('unsign');
  });
});
