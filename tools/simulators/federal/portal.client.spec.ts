import { cancelAppointmentRequest, createAppointmentRequest, patientInfoRequest, portalPatientSchema } from './portal.client';

describe("the portal's requests to the region", () => {
  it('identifies a patient with the fields given, in the contract order, SNILS as 11 digits', () => {
    const request = patientInfoRequest('fer-portal-1', '1.2.3', { birthDate: '1985-03-15', snils: '112-233-445 95', lastName: 'Тестов' });
    expect(request).toEqual({ Session_ID: 'fer-portal-1', MO_OID: '1.2.3', Patient: { SNILS: '11223344595', Last_Name: 'Тестов', Birth_Date: '1985-03-15' } });
    expect(Object.keys(request['Patient'] as object)).toEqual(['SNILS', 'Last_Name', 'Birth_Date']);
  });

  it('books by Slot_Id and Patient_Id, and cancels by Book_Id_Mis', () => {
    expect(createAppointmentRequest('s', '1.2.3', 'slot-1', 'P-1')).toEqual({ Session_ID: 's', MO_OID: '1.2.3', Slot_Id: 'slot-1', Patient_Id: 'P-1' });
    expect(cancelAppointmentRequest('s', '1.2.3', 'BK-1')).toEqual({ Session_ID: 's', MO_OID: '1.2.3', Book_Id_Mis: 'BK-1' });
  });

  it('takes a patient identified by policy or SNILS and refuses unknown fields', () => {
    expect(portalPatientSchema.safeParse({ omsNumber: '2300000000000042' }).success).toBe(true);
    expect(portalPatientSchema.safeParse({ omsNumber: '23' }).success).toBe(false);
    expect(portalPatientSchema.safeParse({ phone: '+7900' }).success).toBe(false);
  });
});
