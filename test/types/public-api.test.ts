// The public API's types, as a project sees them through the package's index: checked by `tsc --noEmit`
// (vitest runs these assertions as no-ops). request.resolverMatch is declared apart from GwiRequest.
import { describe, expectTypeOf, it } from 'vitest';
import type { GwiRequest, ResolverMatch } from '../../src/index.js';

describe('public types', () => {
  it('request.resolverMatch is a ResolverMatch or null', () => {
    expectTypeOf<GwiRequest['resolverMatch']>().toEqualTypeOf<ResolverMatch | null>();
  });
});
