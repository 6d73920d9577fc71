package kg.testserver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.kernel.internal.Version;

/**
 * Neo4j 5 community, embedded, serving Bolt on 127.0.0.1 for kg's tests and CI.
 *
 * <p>Usage: {@code java -jar neo4j-test-server.jar PORT HOME_DIR}. The password of the
 * {@code neo4j} user comes from the NEO4J_PASSWORD environment variable (default
 * {@value #DEFAULT_PASSWORD}). Prints {@value #READY} followed by the Bolt URI once the
 * server accepts connections, and shuts the database down cleanly on SIGTERM or SIGINT.
 * There is no HTTP connector: embedded Neo4j has none, which is what the tests want.
 */
public final class Neo4jTestServer {
    static final String DEFAULT_PASSWORD = "kg-test-password";
    static final String READY = "NEO4J_TEST_SERVER_READY ";
    private static final String HOST = "127.0.0.1";

    private Neo4jTestServer() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: neo4j-test-server PORT HOME_DIR");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        Path home = Path.of(args[1]).toAbsolutePath();
        Files.createDirectories(home);
        String password = System.getenv().getOrDefault("NEO4J_PASSWORD", DEFAULT_PASSWORD);

        DatabaseManagementService dbms = start(home, port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(dbms, stopped), "shutdown"));
        setPassword(dbms, password);

        System.out.println(READY + "bolt://" + HOST + ":" + port + " neo4j=" + Version.getNeo4jVersion());
        System.out.flush();
        stopped.await();
    }

    private static DatabaseManagementService start(Path home, int port) {
        SocketAddress bolt = new SocketAddress(HOST, port);
        return new DatabaseManagementServiceBuilder(home)
                .setConfig(Map.of(
                        BoltConnector.enabled, true,
                        BoltConnector.listen_address, bolt,
                        BoltConnector.advertised_address, bolt,
                        BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED,
                        GraphDatabaseSettings.default_advertised_address, new SocketAddress(HOST),
                        GraphDatabaseSettings.auth_enabled, true,
                        GraphDatabaseSettings.pagecache_memory, 256L * 1024 * 1024,
                        GraphDatabaseSettings.preallocate_logical_logs, false,
                        GraphDatabaseSettings.udc_enabled, false))
                // Netty's default 5 s quiet period would make every stop wait 5 s.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .build();
    }

    /** The stock initial password "neo4j" must be changed before use; tests need a known one. */
    private static void setPassword(DatabaseManagementService dbms, String password) {
        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        try {
            system.executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        } catch (RuntimeException e) {
            // A reused home already has this password; anything else (say, one too short) is fatal.
            if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
                System.err.println("neo4j-test-server: cannot set the password: " + e.getMessage());
                System.exit(1);
            }
        }
    }

    private static void stop(DatabaseManagementService dbms, CountDownLatch stopped) {
        try {
            dbms.shutdown();
            System.out.println("neo4j-test-server: stopped");
            System.out.flush();
        } finally {
            stopped.countDown();
        }
    }
}
