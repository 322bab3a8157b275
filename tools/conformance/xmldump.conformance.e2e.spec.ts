import { describeAdapterConformance } from './adapter-conformance';
import { xmldumpVendor } from './vendors/xmldump.vendor';

describeAdapterConformance(xmldumpVendor);
