import { describeAdapterConformance } from './adapter-conformance';
import { hubserviceVendor } from './vendors/hubservice.vendor';

describeAdapterConformance(hubserviceVendor);
