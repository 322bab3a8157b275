import type { BookingAnswer, BookingMessage, EncodedMessage } from './booking-message.mapper';
import { PatientIdentification } from './patient.service';

const oid = '1.2.643.5.1.13.13.12.2.923.1037';
const person = { organisationOid: oid, surname: 'Тестов', firstName: 'Иван', birthDate: '1985-03-15' };

/** A vendor answering each message from a table, and remembering which messages it was sent. */
function vendor(answers: Partial<{ [M in BookingMessage]: BookingAnswer<M> }>) {
  const sent: BookingMessage[] = [];
  const mis = {
    send: async <M extends BookingMessage>(request: EncodedMessage<M>): Promise<BookingAnswer<M>> => {
      sent.push(request.message);
      const answer = answers[request.message];
      if (!answer) throw new Error(`no answer to ${request.message}`);
      return answer as BookingAnswer<M>;
    },
  };
  return { identification: new PatientIdentification(mis, () => '1', { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 }), sent };
}

describe('identifying a patient at the XMLDump MIS', () => {
  it('answers the one patient found, without registering', async () => {
    const { identification, sent } = vendor({ FindPatient: { status: 'ok', patients: ['P1-41'] } });
    expect(await identification.identify({ ...person, register: true })).toEqual({ misPatientId: 'P1-41', registered: false, attached: null });
    expect(sent).toEqual(['FindPatient']);
  });

  it('refuses to choose among several patients found', async () => {
    const { identification } = vendor({ FindPatient: { status: 'ok', patients: ['P1-41', 'P1-42'] } });
    await expect(identification.identify(person)).rejects.toMatchObject({ code: 'PATIENT.AMBIGUOUS' });
  });

  it('registers a patient not found only when asked to', async () => {
    const { identification, sent } = vendor({ FindPatient: { status: 'ok', patients: [] }, RegisterPatient: { status: 'ok', patient: 'P1-43' } });
    await expect(identification.identify(person)).rejects.toMatchObject({ code: 'PATIENT.NOT_FOUND' });
    expect(await identification.identify({ ...person, register: true })).toEqual({ misPatientId: 'P1-43', registered: true, attached: null });
    expect(sent).toEqual(['FindPatient', 'FindPatient', 'RegisterPatient']);
  });

  it('words the vendor’s refusals in the contract’s codes, and one it has no code for as the MIS refusing', async () => {
    const refusal = (code: string) => ({ status: 'error' as const, code, text: '' });
    await expect(vendor({ FindPatient: refusal('CLINIC_NOT_FOUND') }).identification.identify(person)).rejects.toMatchObject({ code: 'ORGANISATION.NOT_SERVED' });
    await expect(
      vendor({ FindPatient: { status: 'ok', patients: [] }, RegisterPatient: refusal('PATIENT_AMBIGUOUS') }).identification.identify({ ...person, register: true }),
    ).rejects.toMatchObject({ code: 'PATIENT.AMBIGUOUS' });
    await expect(vendor({ FindPatient: refusal('BAD_REQUEST') }).identification.identify(person)).rejects.toMatchObject({
      code: 'MIS.UNAVAILABLE',
      details: { misRefused: true, misCode: 'BAD_REQUEST' },
    });
  });
});
