import type { VendorName } from '../core/types.js';
import { speaknosis } from './speaknosis.js';
import type { Vendor } from './vendor.js';

export const vendors: Record<VendorName, Vendor> = { speaknosis, prescrypto: speaknosis };
