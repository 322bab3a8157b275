import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbound adapter's own table: booking orders waiting for the MIS to take them (it polls) and
 * the outcomes it answered, which are also the patient's appointments the adapter knows of.
 */
export class CreateInboundBookingOrders1797000000000 implements MigrationInterface {
  name = 'CreateInboundBookingOrders1797000000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE IF NOT EXISTS inbound_booking_order (
        command_id uuid PRIMARY KEY,
        adapter_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('BookSlot', 'CancelAppointment')),
        organisation_oid text NOT NULL,
        local_resource_id text,
        local_slot_id text,
        mis_patient_id text NOT NULL,
        mis_appointment_id text,
        replaces_mis_appointment_id text,
        deadline timestamptz NOT NULL,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'refused', 'expired')),
        refusal_code text,
        refusal_message text,
        deliveries integer NOT NULL DEFAULT 0,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL,
        answered_at timestamptz,
        CHECK ((state = 'refused') = (refusal_code IS NOT NULL))
      )`);
    await runner.query(`CREATE INDEX IF NOT EXISTS inbound_booking_order_pending ON inbound_booking_order (adapter_id, organisation_oid, created_at) WHERE state = 'pending'`);
    await runner.query(`CREATE INDEX IF NOT EXISTS inbound_booking_order_patient ON inbound_booking_order (adapter_id, organisation_oid, mis_patient_id) WHERE state = 'done'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE IF EXISTS inbound_booking_order`);
  }
}
