import type { VendorName } from '../core/types.js';
import { prescrypto } from './prescrypto.js';
import { speaknosis } from './speaknosis.js';
import type { Vendor } from '../core/vendor.js';

export const vendors: Record<VendorName, Vendor> = { speaknosis, prescrypto };
