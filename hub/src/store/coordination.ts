// Several hubs on one PostgreSQL database: LISTEN/NOTIFY carries changes between them (ChangeFeed)
// and a row of the Lease table says which hub runs the singleton work (Leadership). Both use their
// own pg connections, apart from Prisma's pool, so a busy pool never delays a lease renewal.
import pg from "pg";
import { createBackoff } from "@gitfleet/shared";
import { splitChange, type Change, type Coordination, type Envelope } from "../ha/index.js";
import type { StoreLogger } from "./migrate.js";

export interface PgCoordinationOptions {
  connectionString: string;
  schema?: string;
  hubId: string;
  log: StoreLogger;
  leaseTtlMs: number;
  leaseRenewMs: number;
}

/** The one lease: its holder polls Sources, advances rollouts and prunes. */
export const SINGLETON_LEASE = "singleton";
/** NOTIFY payloads must stay under 8000 bytes. */
const MAX_PAYLOAD = 7_000;

export async function startPgCoordination(opts: PgCoordinationOptions): Promise<Coordination> {
  const { log, hubId } = opts;
  // Lease times are the database's clock (UTC), not the hubs': hubs with skewed clocks still agree.
  const config: pg.ClientConfig = {
    connectionString: opts.connectionString,
    options: `-c TimeZone=UTC${opts.schema ? ` -c search_path=${opts.schema}` : ""}`,
    connectionTimeoutMillis: 5_000,
    statement_timeout: 5_000,
    query_timeout: 6_000,
  };
  const pool = new pg.Pool({ ...config, max: 3 });
  pool.on("error", (err) => log.warn({ err: err.message }, "coordination: idle PostgreSQL connection failed"));
  const channel = `gitfleet_${opts.schema ?? "public"}`;
  const subscribers = new Set<(c: Change) => void>();
  const deliver = (c: Change) => subscribers.forEach((fn) => fn(c));
  let closing = false;

  // The listening connection; when it drops, notifications sent meanwhile are lost, so after
  // reconnecting the hub is told to resync from the database.
  let listener: pg.Client | undefined;
  const backoff = createBackoff(250, 5_000);
  async function listen(first: boolean): Promise<void> {
    const client = new pg.Client(config);
    client.on("error", (err) => log.warn({ err: err.message }, "coordination: LISTEN connection failed"));
    client.on("notification", (n) => {
      if (n.channel !== channel || !n.payload) return;
      let env: Envelope;
      try {
        env = JSON.parse(n.payload) as Envelope;
      } catch {
        return log.warn({ channel }, "coordination: ignored a notification that is not JSON");
      }
      if (env.from !== hubId) deliver(env.change);
    });
    client.on("end", () => {
      if (closing || listener !== client) return;
      listener = undefined;
      log.warn({ channel }, "coordination: LISTEN connection lost; reconnecting");
      void relisten();
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${channel}"`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    listener = client;
    backoff.reset();
    if (!first) deliver({ kind: "resync", names: [] });
  }
  async function relisten(): Promise<void> {
    while (!closing && !listener) {
      await new Promise((r) => setTimeout(r, backoff.next()));
      if (closing) return;
      await listen(false).catch((err: unknown) => log.warn({ err: (err as Error).message }, "coordination: LISTEN reconnect failed"));
    }
  }
  await listen(true);

  // The lease. epoch is set while this hub holds it.
  const leaseSecs = opts.leaseTtlMs / 1000;
  let epoch: number | undefined;
  let renewedAt = 0;
  const watchers: ((leader: boolean) => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  const setLeader = (next: number | undefined, why: string) => {
    const was = epoch !== undefined;
    epoch = next;
    if (was === (next !== undefined)) return;
    log.info({ hub: hubId, lease: SINGLETON_LEASE, epoch: next, leader: next !== undefined }, why);
    for (const fn of watchers) fn(next !== undefined);
  };
  async function step(): Promise<void> {
    const sent = Date.now();
    try {
      if (epoch !== undefined) {
        const r = await pool.query(
          `UPDATE "Lease" SET "expiresAt" = LOCALTIMESTAMP + make_interval(secs => $3::float8) WHERE name = $1 AND holder = $2 AND epoch = $4 RETURNING epoch`,
          [SINGLETON_LEASE, hubId, leaseSecs, epoch],
        );
        if (r.rowCount === 1) renewedAt = sent;
        else setLeader(undefined, "lease: taken over by another hub; singleton work stopped here");
      } else {
        const r = await pool.query<{ epoch: number }>(
          `INSERT INTO "Lease" (name, holder, epoch, "expiresAt") VALUES ($1, $2, 1, LOCALTIMESTAMP + make_interval(secs => $3::float8))
           ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, epoch = "Lease".epoch + 1, "expiresAt" = EXCLUDED."expiresAt"
           WHERE "Lease"."expiresAt" < LOCALTIMESTAMP RETURNING epoch`,
          [SINGLETON_LEASE, hubId, leaseSecs],
        );
        if (r.rowCount === 1) {
          renewedAt = sent;
          setLeader(r.rows[0]!.epoch, "lease: acquired; this hub runs the singleton work");
        }
      }
    } catch (err) {
      log.warn({ hub: hubId, err: (err as Error).message }, "lease: database unreachable");
    }
    // Step down before the lease can expire for the others: they may take it right after.
    if (epoch !== undefined && Date.now() - renewedAt > opts.leaseTtlMs - opts.leaseRenewMs) setLeader(undefined, "lease: not renewed in time; singleton work stopped here");
  }
  const loop = () => {
    if (closing) return;
    void step().finally(() => {
      if (!closing) timer = setTimeout(loop, opts.leaseRenewMs);
    });
  };
  await step();
  timer = setTimeout(loop, opts.leaseRenewMs);

  return {
    hubId,
    shared: true,
    feed: {
      publish(change) {
        for (const part of splitChange(change, MAX_PAYLOAD)) {
          pool.query("SELECT pg_notify($1, $2)", [channel, JSON.stringify({ from: hubId, change: part } satisfies Envelope)]).catch((err: unknown) =>
            log.warn({ kind: part.kind, err: (err as Error).message }, "coordination: NOTIFY failed; other hubs catch up from the database"),
          );
        }
      },
      subscribe(fn) {
        subscribers.add(fn);
        return () => void subscribers.delete(fn);
      },
      close: async () => undefined,
    },
    leadership: {
      isLeader: () => epoch !== undefined,
      lease: () => (epoch === undefined ? undefined : { holder: hubId, epoch }),
      onChange: (fn) => void watchers.push(fn),
      close: async () => undefined,
    },
    async close() {
      closing = true;
      clearTimeout(timer);
      if (epoch !== undefined) {
        // Hand over at once rather than after the TTL: the next hub to try takes it.
        await pool.query(`UPDATE "Lease" SET "expiresAt" = LOCALTIMESTAMP - interval '1 second' WHERE name = $1 AND holder = $2 AND epoch = $3`, [SINGLETON_LEASE, hubId, epoch])
          .catch((err: unknown) => log.warn({ err: (err as Error).message }, "lease: could not release; it expires on its own"));
        setLeader(undefined, "lease: released");
      }
      subscribers.clear();
      await listener?.end().catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}
