package dev.memgrid.example;

import dev.memgrid.common.v1.Memory;
import dev.memgrid.common.v1.MemoryFilter;
import dev.memgrid.common.v1.MemoryKind;
import dev.memgrid.common.v1.NewMemory;
import dev.memgrid.common.v1.Scope;
import dev.memgrid.gateway.v1.AddMemoriesRequest;
import dev.memgrid.gateway.v1.GatewayServiceGrpc;
import dev.memgrid.gateway.v1.GatewayServiceGrpc.GatewayServiceBlockingStub;
import dev.memgrid.gateway.v1.SearchHit;
import dev.memgrid.gateway.v1.SearchRequest;
import dev.memgrid.gateway.v1.SearchResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * Stores a memory through the memgrid gateway and finds it again with a search, printing what
 * it did; exits 1 on any failure. Reads MEMGRID_ADDRESS (default 127.0.0.1:50051) and
 * MEMGRID_API_KEY (default the key {@code make run} configures).
 */
public final class MemgridExample {
  private static final String CONTENT = "The example user drinks green tea every morning.";
  private static final String QUERY = "what does the user drink in the morning";
  // A memory is searchable when AddMemories returns unless its propagation says PENDING;
  // then the outbox indexes it shortly, so the search is retried for this long.
  private static final long INDEXING_GRACE_MILLIS = 5_000;
  private static final long CALL_TIMEOUT_SECONDS = 10;
  private static final Metadata.Key<String> API_KEY_HEADER =
      Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);

  private MemgridExample() {}

  public static void main(String[] args) throws InterruptedException {
    String address = envOr("MEMGRID_ADDRESS", "127.0.0.1:50051");
    String apiKey = envOr("MEMGRID_API_KEY", "memgrid-dev-key");
    ManagedChannel channel =
        Grpc.newChannelBuilder(address, InsecureChannelCredentials.create()).build();
    int exitCode = 0;
    try {
      run(channel, apiKey);
    } catch (StatusRuntimeException e) {
      System.err.printf(
          "memgrid-example (java): %s: %s%n",
          e.getStatus().getCode(),
          e.getStatus().getDescription());
      exitCode = 1;
    } catch (IllegalStateException e) {
      System.err.printf("memgrid-example (java): %s%n", e.getMessage());
      exitCode = 1;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    System.exit(exitCode);
  }

  private static void run(ManagedChannel channel, String apiKey) throws InterruptedException {
    // The API key travels in the x-api-key metadata of every call; it decides the tenant.
    Metadata headers = new Metadata();
    headers.put(API_KEY_HEADER, apiKey);
    GatewayServiceBlockingStub gateway =
        GatewayServiceGrpc.newBlockingStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));

    byte[] random = new byte[6];
    new SecureRandom().nextBytes(random);
    String suffix = HexFormat.of().formatHex(random);
    String user = "example-java-" + suffix;

    AddMemoriesRequest add =
        AddMemoriesRequest.newBuilder()
            .addMemories(
                NewMemory.newBuilder()
                    .setScope(Scope.newBuilder().setUserId(user))
                    .setKind(MemoryKind.MEMORY_KIND_FACT)
                    .setContent(CONTENT))
            // Makes a retry of this exact call safe: the server stores the memory once.
            .setIdempotencyKey("example-java-" + suffix)
            .build();
    Memory memory =
        gateway
            .withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS)
            .addMemories(add)
            .getMemories(0);
    System.out.printf(
        "added memory %s for user %s: \"%s\"%n", memory.getId(), user, memory.getContent());

    SearchRequest search =
        SearchRequest.newBuilder()
            .setQuery(QUERY)
            .setFilter(MemoryFilter.newBuilder().setUserId(user))
            .setK(5)
            .build();
    long deadline = System.currentTimeMillis() + INDEXING_GRACE_MILLIS;
    while (true) {
      SearchResponse found =
          gateway.withDeadlineAfter(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS).search(search);
      int rank = 0;
      for (SearchHit hit : found.getHitsList()) {
        rank++;
        System.out.printf(
            "hit %d: %s score=%.4f \"%s\"%n",
            rank, hit.getMemory().getId(), hit.getScore(), hit.getMemory().getContent());
        if (hit.getMemory().getId().equals(memory.getId())) {
          System.out.println("ok: search found the memory just added");
          return;
        }
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException(
            "search for \"" + QUERY + "\" did not return memory " + memory.getId());
      }
      Thread.sleep(200);
    }
  }

  private static String envOr(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isEmpty() ? fallback : value;
  }
}
