// Seeds `count` pending deliveries of one subscription with set-based SQL (the
// same body for each): publishing a million events one by one would take
// longer than the run. Shared by dispatch.mjs and profile.mjs.
export async function seedPending(db, subscriptionId, count, body, now = Date.now()) {
  await db.transaction(async (tx) => {
    await tx.execute(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
       INSERT INTO webhook_events (key, tenant_id, id, type, body, created_at) SELECT 'evk_' || i, 'bench', 'e' || i, 'customer.enrolled', $2, $3 FROM n`,
      [count, body, now],
    );
    await tx.execute(
      `INSERT INTO webhook_deliveries (id, tenant_id, subscription_id, event_key, event_id, event_type, event_created_at, status, held, attempts, next_attempt_at, created_at)
       SELECT 'msg_' || substr(key, 5), 'bench', $1, key, id, type, created_at, 'pending', 0, 0, created_at, created_at FROM webhook_events`,
      [subscriptionId],
    );
  });
}
