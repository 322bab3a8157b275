import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readDump } from './dump.reader';
import type { DumpRecord } from './dump.types';

const shape = { clinics: 100, doctorsPerClinic: 50, daysPerDoctor: 15, ticketsPerDay: 20 } as const;
const totalTickets = shape.clinics * shape.doctorsPerClinic * shape.daysPerDoctor * shape.ticketsPerDay;
const heapGrowthLimit = 64 * 1024 * 1024;

/** A full dump of `shape`, a Day at a time in chunks of about 64 KiB: never the whole document in memory. */
async function* syntheticDump(written: { bytes: number }): AsyncGenerator<Buffer> {
  let pending = `<?xml version="1.0" encoding="UTF-8"?>\n<ScheduleDump xmlns="urn:xmldump:schedule:1" kind="full" seq="7" generated="2026-11-30T02:00:00+03:00" from="2026-12-01" to="2026-12-31">\n`;
  const flush = (): Buffer => {
    const chunk = Buffer.from(pending);
    written.bytes += chunk.length;
    pending = '';
    return chunk;
  };
  for (let c = 1; c <= shape.clinics; c++) {
    pending += `<Clinic code="${c}" oid="1.2.643.5.1.13.13.12.2.23.${c}" tz="Europe/Moscow" active="true"><Name>ГБУЗ «Городская поликлиника № ${c}»</Name><ShortName>ГП № ${c}</ShortName><District code="3" okato="03401000000">Краснодар</District><Address>ул. Красная, ${c}</Address>\n`;
    for (let d = 1; d <= shape.doctorsPerClinic; d++) {
      pending += `<Doctor code="D${c}-${d}" snils="${String(c * 1000 + d).padStart(11, '0')}"><Name>Иванова А. П.</Name><Specialty code="27" nsi="109">Терапевт</Specialty>\n`;
      for (let day = 1; day <= shape.daysPerDoctor; day++) {
        const date = `2026-12-${String(day).padStart(2, '0')}`;
        pending += `<Day date="${date}">\n`;
        for (let t = 0; t < shape.ticketsPerDay; t++) {
          const minute = 8 * 60 + t * 15;
          const time = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
          pending += `<Ticket id="D${c}-${d}-${date}-${time}" time="${time}" minutes="15" room="${100 + d}" state="${t % 3 === 0 ? 'busy' : 'free'}"/>\n`;
        }
        pending += '</Day>\n';
        if (pending.length >= 64 * 1024) yield flush();
      }
      pending += '</Doctor>\n';
    }
    pending += '</Clinic>\n';
  }
  const days = shape.clinics * shape.doctorsPerClinic * shape.daysPerDoctor;
  pending += `<End clinics="${shape.clinics}" doctors="${shape.clinics * shape.doctorsPerClinic}" days="${days}" tickets="${totalTickets}"/>\n</ScheduleDump>\n`;
  yield flush();
}

/** V8's collector, exposed for this test when node was not started with --expose-gc. */
function collector(): () => void {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  if (typeof gc !== 'function') throw new Error('V8 did not expose its collector');
  return () => gc();
}

describe('readDump on a large dump', () => {
  it(`reads ${totalTickets} tickets with the live heap growing by less than 64 MB, though the caller keeps every 100th record`, async () => {
    const gc = collector();
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let livePeak = baseline;
    let highWater = baseline;
    const written = { bytes: 0 };
    const kept: DumpRecord[] = [];
    let records = 0;
    let last: DumpRecord | undefined;
    const started = process.hrtime.bigint();
    for await (const record of readDump(syntheticDump(written))) {
      records++;
      last = record;
      if (records % 100 === 0) kept.push(record);
      if (records % 200 === 0) highWater = Math.max(highWater, process.memoryUsage().heapUsed);
      if (records % 5000 === 0) {
        gc();
        livePeak = Math.max(livePeak, process.memoryUsage().heapUsed);
      }
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const megabytes = written.bytes / 1e6;
    const growth = livePeak - baseline;
    console.info(
      `read ${megabytes.toFixed(0)} MB (${totalTickets} tickets, ${records} records) in ${seconds.toFixed(1)} s, ${(megabytes / seconds).toFixed(1)} MB/s (with ${Math.floor(records / 5000)} forced collections); ` +
        `live heap growth at most ${(growth / 1e6).toFixed(1)} MB with ${kept.length} records kept, heap high-water before collection ${((highWater - baseline) / 1e6).toFixed(1)} MB`,
    );

    expect(last).toMatchObject({ type: 'end', counts: { tickets: totalTickets } });
    expect(written.bytes).toBeGreaterThan(2 * heapGrowthLimit);
    expect(growth).toBeLessThan(heapGrowthLimit);
  }, 300_000);
});
