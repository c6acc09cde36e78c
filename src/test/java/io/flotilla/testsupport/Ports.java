package io.flotilla.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A port for a process a test starts. {@code new ServerSocket(0)} hands out a port of the kernel's ephemeral range,
 * the same range every outgoing connection (JDBC, HTTP) takes its local port from: in the seconds between the probe
 * and the child's bind, one of them can take it (CI saw "Port 34023 seems to be in use"). So the port is drawn
 * below that range, where only listeners go, and probed.
 */
public final class Ports {

    private Ports() {
    }

    public static int free() {
        int below = ephemeralLow();
        int low = Math.max(1024, below - 12_000);
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(low, below);
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                socket.setReuseAddress(true);
                return port;
            } catch (IOException taken) {
                // another listener has it: draw again
            }
        }
        throw new UncheckedIOException(new IOException("no free port in [" + low + ", " + below + ")"));
    }

    /** The first port of the ephemeral range (Linux), 32768 where it cannot be read. */
    private static int ephemeralLow() {
        try {
            // readAllLines, not readString: /proc files report size 0 and readString returns a truncated read
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
            return Math.max(2048, Integer.parseInt(range.split("\\s+")[0]));
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }
}
