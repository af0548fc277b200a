// The vendor interface lives in the core (`src/core/vendor.ts`), which sits below the vendors;
// re-exported here so each vendor module keeps importing it from beside itself.
export type { Created, LaunchContext, Vendor, VendorScope, ZodMiniType } from '../core/vendor.js';
