import { describeAdapterConformance } from './adapter-conformance';
import { medrestVendor } from './vendors/medrest.vendor';

describeAdapterConformance(medrestVendor);
