package io.flotilla.api;

import io.flotilla.security.Role;
import io.flotilla.testsupport.PostgresResource;
import io.flotilla.testsupport.Sql;
import io.flotilla.testsupport.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A body over the configured limit is refused by its Content-Length with a problem+json 413, before a byte of it is
 * read (the request below sends none), and nothing changes.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class BodyLimitTest {

    @TestHTTPResource("/")
    URL base;

    @Inject
    DataSource ds;

    @Test
    void anOversizedBodyIsA413ProblemAndChangesNothing() throws Exception {
        long companies = Sql.count(ds, "SELECT count(*) FROM public.companies");
        String answer;
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/companies HTTP/1.1\r\nHost: " + base.getHost() + "\r\n"
                    + "Authorization: Bearer " + TestTokens.token(Role.ADMIN) + "\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 50000000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            // Up to the end of the answer's body (its Content-Length), without waiting for the connection to close.
            for (int n; !complete(read.toString(StandardCharsets.UTF_8)) && (n = in.read(buffer)) > 0; ) {
                read.write(buffer, 0, n);
            }
            answer = read.toString(StandardCharsets.UTF_8);
        }
        assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        assertTrue(answer.toLowerCase().contains("content-type: application/problem+json"), answer);
        JsonObject problem = new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4));
        assertEquals("urn:flotilla:problem:payload-too-large", problem.getString("type"));
        assertEquals(413, problem.getInteger("status"));
        assertEquals("/api/v1/companies", problem.getString("instance"));
        assertTrue(problem.getString("detail").contains("50000000 bytes"), problem.encode());
        assertEquals(companies, Sql.count(ds, "SELECT count(*) FROM public.companies"));
    }

    private static boolean complete(String answer) {
        int end = answer.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)")
                .matcher(answer.substring(0, end));
        return length.find() && answer.length() - end - 4 >= Integer.parseInt(length.group(1));
    }
}
