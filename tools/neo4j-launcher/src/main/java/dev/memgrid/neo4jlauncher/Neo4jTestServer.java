package dev.memgrid.neo4jlauncher;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Runs Neo4j Community in-process with Bolt on a loopback port and no authentication, for
 * tests only. Prints "ready bolt://HOST:PORT" once Bolt accepts connections and runs until
 * the process is terminated; a shutdown hook closes the store cleanly.
 *
 * <p>Usage: Neo4jTestServer HOME_DIR [PORT]
 */
public final class Neo4jTestServer {
  private static final String HOST = "127.0.0.1";
  private static final int DEFAULT_PORT = 57687;

  private Neo4jTestServer() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length < 1) {
      System.err.println("usage: Neo4jTestServer HOME_DIR [PORT]");
      System.exit(2);
    }
    Path home = Path.of(args[0]).toAbsolutePath();
    int port = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_PORT;

    DatabaseManagementService dbms =
        new DatabaseManagementServiceBuilder(home)
            .setConfig(BoltConnector.enabled, true)
            .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
            .setConfig(HttpConnector.enabled, false)
            .setConfig(GraphDatabaseSettings.auth_enabled, false)
            // The test machine is small and shared: keep the page cache modest.
            .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(128))
            .build();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  dbms.shutdown();
                  stopped.countDown();
                }));
    dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
    System.out.println("ready bolt://" + HOST + ":" + port);
    System.out.flush();
    stopped.await();
  }
}
