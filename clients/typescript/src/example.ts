// Stores a memory through the memgrid gateway and finds it again with a search, printing
// what it did; exits 1 on any failure. Reads MEMGRID_ADDRESS (default 127.0.0.1:50051) and
// MEMGRID_API_KEY (default the key `make run` configures).
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";

import { MemoryKind } from "./gen/memgrid/common/v1/memory_pb.js";
import { GatewayService } from "./gen/memgrid/gateway/v1/service_pb.js";

const CONTENT = "The example user drinks green tea every morning.";
const QUERY = "what does the user drink in the morning";
// A memory is searchable when AddMemories returns unless its propagation says PENDING;
// then the outbox indexes it shortly, so the search is retried for this long.
const INDEXING_GRACE_MS = 5_000;
const CALL_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  const address = process.env.MEMGRID_ADDRESS || "127.0.0.1:50051";
  const apiKey = process.env.MEMGRID_API_KEY || "memgrid-dev-key";

  // The API key travels in the x-api-key metadata of every call; it decides the tenant.
  const authenticate: Interceptor = (next) => (request) => {
    request.header.set("x-api-key", apiKey);
    return next(request);
  };
  const transport = createGrpcTransport({
    baseUrl: `http://${address}`,
    interceptors: [authenticate],
  });
  const gateway = createClient(GatewayService, transport);

  const suffix = randomBytes(6).toString("hex");
  const user = `example-typescript-${suffix}`;
  const added = await gateway.addMemories(
    {
      memories: [{ scope: { userId: user }, kind: MemoryKind.FACT, content: CONTENT }],
      // Makes a retry of this exact call safe: the server stores the memory once.
      idempotencyKey: `example-typescript-${suffix}`,
    },
    { timeoutMs: CALL_TIMEOUT_MS },
  );
  const memory = added.memories[0];
  console.log(`added memory ${memory.id} for user ${user}: ${JSON.stringify(memory.content)}`);

  const deadline = Date.now() + INDEXING_GRACE_MS;
  for (;;) {
    const found = await gateway.search(
      { query: QUERY, filter: { userId: user }, k: 5 },
      { timeoutMs: CALL_TIMEOUT_MS },
    );
    for (const [rank, hit] of found.hits.entries()) {
      const hitMemory = hit.memory;
      console.log(
        `hit ${rank + 1}: ${hitMemory?.id} score=${hit.score.toFixed(4)} ` +
          JSON.stringify(hitMemory?.content),
      );
      if (hitMemory?.id === memory.id) {
        console.log("ok: search found the memory just added");
        return;
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`search for ${JSON.stringify(QUERY)} did not return memory ${memory.id}`);
    }
    await sleep(200);
  }
}

function describe(error: unknown): string {
  if (error instanceof ConnectError) {
    return `${Code[error.code]}: ${error.rawMessage}`;
  }
  return error instanceof Error ? error.message : String(error);
}

main().catch((error: unknown) => {
  console.error(`memgrid-example (typescript): ${describe(error)}`);
  process.exitCode = 1;
});
