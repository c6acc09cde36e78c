package io.flotilla.it;

import io.flotilla.security.Role;
import io.flotilla.testsupport.TestTokens;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard served at {@code /}, driven in the system's headless Chromium: token form, a company onboarded
 * through the API showing up in the list, a dry run and a rollout started from the page's form, followed live until
 * it succeeds, a maintenance job run from its button; then a screenshot ({@code target/dashboard.png}). A second
 * test covers the company view (versions, ledger history, verify, migrate for operators only), the ledger view's
 * filters and paging, and the progress bar of a rollout stopped by its failure threshold. A third holds a lock on a
 * company's table during a rollout and checks that the page names the company as blocked, with the session holding it.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver} ({@code /usr/bin/chromium}, {@code
 * /usr/bin/chromedriver}; {@code .ci/run} installs them). Nothing is downloaded: the driver is given to Selenium, so
 * Selenium Manager never runs, and Chromium's background networking is off. With {@code
 * -Dflotilla.docs.screenshot=true} the screenshot is also copied to {@code docs/dashboard.png} (the README's picture).
 * Without them the test is skipped, saying so, so that {@code mvn verify} passes on a machine with only Java and
 * Maven; with {@code CI=true} a missing browser fails instead, as CI must run it.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DashboardIT extends ProcessTestSupport {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOT = Path.of("target", "dashboard.png").toAbsolutePath();
    private static final Path DOCS_SCREENSHOT = Path.of("docs", "dashboard.png").toAbsolutePath();
    private static final String COMPANY_NAME = "Acme <b>Rockets</b> & Sons";
    private static final int FLEET = 5;

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private ChromeDriverService driverService;
    private WebDriver browser;
    private Path profile;

    /** The API token typed into the page: signed with the test key pair the service process trusts. */
    private static final String TOKEN = TestTokens.admin();

    static String token() {
        return TOKEN;
    }

    /** The browser is checked before the test's database is made, so that a skip costs nothing. */
    @Override
    protected ItDatabase database() {
        needsTheSystemsChromium();
        return super.database();
    }

    private static void needsTheSystemsChromium() {
        List<String> absent = Stream.of(CHROMIUM, CHROMEDRIVER).filter(p -> !Files.isExecutable(p)).map(Path::toString).toList();
        if (absent.isEmpty()) {
            return;
        }
        String missing = "no " + String.join(" and no ", absent) + " (apt-get install -y chromium chromium-driver;"
                + " .ci/run does)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("DashboardIT cannot run: " + missing + ", and CI=true, where it must run");
        }
        System.out.println("DashboardIT skipped: " + missing);
        assumeTrue(false, missing);
    }

    @Test
    void followsARolloutStartedFromThePageUntilItSucceeds() throws Exception {
        ServiceProcess service = started("it-dash", Map.of());
        WebDriver page = openBrowser();
        page.get("http://127.0.0.1:" + service.port() + "/");

        // 1. The token form: a password field; the token is kept in the tab's session storage.
        WebElement input = waitUpTo(Duration.ofSeconds(15), "the token form",
                ExpectedConditions.visibilityOfElementLocated(testId("token-input")));
        assertEquals("password", input.getAttribute("type"));
        snapshot(page, "dashboard-token.png");
        input.sendKeys(token());
        page.findElement(testId("token-use")).click();
        waitUpTo(Duration.ofSeconds(15), "the dashboard to load the fleet",
                ExpectedConditions.textToBe(testId("fleet-total"), "0"));
        assertEquals(token(), ((JavascriptExecutor) page).executeScript(
                "return sessionStorage.getItem('flotilla.token')"));
        assertFalse(page.findElement(testId("login")).isDisplayed(), "the token form should be hidden");

        // 2. A company onboarded through the API shows up in the list (next poll), its name as text, not HTML.
        HttpResponse<String> onboarded = post(service, "/api/v1/companies",
                "{\"companyName\": " + ServiceProcess.JSON.writeValueAsString(COMPANY_NAME) + ", \"schemaName\": \"acme\"}");
        assertEquals(201, onboarded.statusCode(), onboarded.body() + logs().get());
        WebElement acme = waitUpTo(Duration.ofSeconds(30), "acme in the companies list",
                ExpectedConditions.visibilityOfElementLocated(companyRow("acme")));
        WebElement nameCell = acme.findElement(By.cssSelector("td"));
        assertEquals(COMPANY_NAME, nameCell.getText(), "the company name must be inserted as text");
        assertTrue(nameCell.findElements(By.tagName("b")).isEmpty(), "API strings must never become markup");

        // 3. Five more companies with empty schemas, straight into the database: everything is pending for them.
        db.createFleet("dash_", 1, FLEET);

        // 4. A dry run from the form shows the plan: the five new companies (acme is up to date), nothing started.
        page.findElement(By.id("rollout-canary")).sendKeys("1");
        page.findElement(By.id("rollout-batch-size")).sendKeys("2");
        page.findElement(By.id("rollout-max-parallel")).sendKeys("2");
        page.findElement(By.id("rollout-max-failures")).sendKeys("0");
        page.findElement(testId("rollout-dry-run")).click();
        page.findElement(testId("rollout-submit")).click();
        waitUpTo(Duration.ofSeconds(30), "the dry-run plan",
                ExpectedConditions.attributeToBe(testId("plan"), "data-companies", Integer.toString(FLEET)));
        List<String> planned = page.findElements(testId("plan-row")).stream()
                .map(row -> row.getAttribute("data-schema")).sorted().toList();
        assertEquals(List.of("dash_1", "dash_2", "dash_3", "dash_4", "dash_5"), planned);
        assertTrue(page.findElements(testId("rollout-row")).isEmpty(), "a dry run must not start a rollout");
        snapshot(page, "dashboard-plan.png");

        // 5. The real thing: the same form without dry run; the page follows it live until it succeeds.
        page.findElement(testId("rollout-dry-run")).click();
        page.findElement(testId("rollout-submit")).click();
        WebElement row = waitUpTo(Duration.ofSeconds(30), "the new rollout in the list",
                ExpectedConditions.visibilityOfElementLocated(testId("rollout-row")));
        String id = row.getAttribute("data-rollout-id");
        By thisRollout = By.cssSelector("[data-testid='rollout-row'][data-rollout-id='" + id + "']");
        waitUpTo(Duration.ofSeconds(120), "rollout " + id + " to show as succeeded",
                ExpectedConditions.attributeToBe(thisRollout, "data-state", "succeeded"));
        JsonNode done = service.rollout(id);
        assertEquals("succeeded", RolloutJson.state(done), RolloutJson.summary(done) + logs().get());
        assertEquals(FLEET, RolloutJson.targets(done, "succeeded"), RolloutJson.summary(done));
        // acme was up to date, so skipped: done all the same, and the bar is full.
        assertEquals(FLEET + 1 + " / " + (FLEET + 1) + " done (1 skipped)", page.findElement(thisRollout)
                .findElement(testId("rollout-progress")).getText(), "progress counts skipped companies as done");
        assertEquals("100%", segmentWidth(page.findElement(thisRollout), "done"), "skipped companies fill the bar");

        // The detail panel shows the selected rollout; the fleet and the list catch up with the end state.
        waitUpTo(Duration.ofSeconds(15), "the detail panel to show the rollout as succeeded",
                ExpectedConditions.attributeToBe(testId("rollout-detail"), "data-state", "succeeded"));
        assertEquals("None.", page.findElement(By.id("detail-failures-empty")).getText());
        waitUpTo(Duration.ofSeconds(30), "every company up to date",
                ExpectedConditions.textToBe(testId("fleet-up-to-date"), Integer.toString(FLEET + 1)));
        assertEquals(Integer.toString(FLEET + 1), page.findElement(testId("fleet-total")).getText());
        waitUpTo(Duration.ofSeconds(30), "the whole fleet in the companies list",
                d -> d.findElements(testId("company-row")).size() == FLEET + 1);
        assertEquals("home", page.findElement(companyRow("acme")).findElement(testId("company-server")).getText(),
                "the companies table names each company's server");

        // The servers panel: home, active, with every company and none pending or failed after the rollout.
        By home = By.cssSelector("[data-testid='server-row'][data-server='home']");
        waitUpTo(Duration.ofSeconds(30), "home in the servers panel with the whole fleet",
                d -> !d.findElements(home).isEmpty() && Integer.toString(FLEET + 1)
                        .equals(d.findElement(home).findElement(testId("server-companies")).getText()));
        WebElement homeRow = page.findElement(home);
        assertEquals("home", homeRow.findElement(testId("server-name")).getText());
        assertEquals("active", homeRow.findElement(testId("server-state")).getText());
        assertEquals("0", homeRow.findElement(testId("server-pending")).getText());
        assertEquals("0", homeRow.findElement(testId("server-failed")).getText());
        assertTrue(List.of("reachable", "unchecked").contains(homeRow.findElement(testId("server-reachable")).getText()),
                homeRow.getText());
        assertEquals("", homeRow.findElement(testId("server-error")).getText());

        // 6. "Run now" on a maintenance job: its last run shows up and succeeds on every company.
        By vacuum = By.cssSelector("[data-testid='job-row'][data-job='vacuum-analyze']");
        waitUpTo(Duration.ofSeconds(15), "the maintenance jobs", ExpectedConditions.visibilityOfElementLocated(vacuum));
        page.findElement(vacuum).findElement(testId("job-run")).click();
        waitUpTo(Duration.ofSeconds(60), "the vacuum-analyze run to succeed",
                ExpectedConditions.attributeToBe(vacuum, "data-last-state", "succeeded"));

        // acme's company view, open for the screenshot: its versions, ledger steps and a clean verify.
        page.findElement(companyRow("acme")).click();
        waitUpTo(Duration.ofSeconds(60), "acme's company view with a clean verify",
                ExpectedConditions.attributeToBe(testId("company-verify"), "data-ok", "true"));

        assertEquals(List.of(), severeConsoleEntries(page), "the browser console should have no errors");
        screenshot(page);
    }

    @Test
    void companyViewLedgerViewAndTheProgressOfAStoppedRollout() throws Exception {
        ServiceProcess service = started("it-dash-views", Map.of());
        // acme onboarded through the API (7 applied steps); pending_1 with an empty schema (all 7 versions pending);
        // broken_1 whose schema already has a conversations table, so that its first migration fails.
        HttpResponse<String> onboarded = post(service, "/api/v1/companies",
                "{\"companyName\": \"Acme\", \"schemaName\": \"acme\"}");
        assertEquals(201, onboarded.statusCode(), onboarded.body() + logs().get());
        String acmeId = ServiceProcess.JSON.readTree(onboarded.body()).get("id").asText();
        db.createFleet("pending_", 1, 1);
        UUID broken = db.createFleet("broken_", 1, 1).get(0);
        db.execute("CREATE TABLE broken_1.conversations (id int)");
        HttpResponse<String> failed = post(service, "/api/v1/companies/" + broken + "/migrate", "");
        assertEquals(500, failed.statusCode(), failed.body());
        UUID stopped = insertThresholdStoppedRollout();

        WebDriver page = openBrowser();
        page.get("http://127.0.0.1:" + service.port() + "/");
        signIn(page, TestTokens.token(Role.OPERATOR));
        assertEquals("operator", page.findElement(testId("dashboard")).getAttribute("data-role"));

        // 1. The stopped rollout: nothing done, failed and cancelled drawn apart and named in the label.
        By stoppedRow = By.cssSelector("[data-testid='rollout-row'][data-rollout-id='" + stopped + "']");
        waitUpTo(Duration.ofSeconds(30), "the stopped rollout in the list",
                ExpectedConditions.visibilityOfElementLocated(stoppedRow));
        WebElement row = page.findElement(stoppedRow);
        assertEquals("0 / 12 done · 4 failed · 8 cancelled", row.findElement(testId("rollout-progress")).getText());
        assertEquals("0%", segmentWidth(row, "done"));
        assertEquals("33.33%", segmentWidth(row, "failed"));
        assertEquals("66.67%", segmentWidth(row, "cancelled"));
        // The same arithmetic on a rollout under way, straight from the page's function.
        assertEquals("2 / 6 done (1 skipped) · 1 running", ((JavascriptExecutor) page).executeScript(
                "return window.Flotilla.rolloutProgress({succeeded: 1, skipped: 1, running: 1, pending: 3}, 6).label"));

        // 2. acme's company view: 7 applied versions, 7 ledger steps, verify ok; nothing to migrate.
        waitUpTo(Duration.ofSeconds(30), "acme in the companies list",
                ExpectedConditions.visibilityOfElementLocated(companyRow("acme")));
        page.findElement(companyRow("acme")).click();
        waitUpTo(Duration.ofSeconds(30), "acme's 7 applied versions", d -> states(d, "company-version").equals(
                List.of("applied", "applied", "applied", "applied", "applied", "applied", "applied")));
        assertEquals("acme", page.findElement(testId("company-view")).getAttribute("data-schema"));
        assertEquals("Acme", page.findElement(testId("company-name")).getText());
        waitUpTo(Duration.ofSeconds(30), "acme's 7 ledger steps",
                d -> d.findElements(testId("company-ledger-row")).size() == 7);
        assertEquals("7", page.findElements(testId("company-ledger-row")).get(0).getAttribute("data-version"),
                "newest step first");
        waitUpTo(Duration.ofSeconds(60), "acme's verify result",
                ExpectedConditions.attributeToBe(testId("company-verify"), "data-ok", "true"));
        assertEquals("ok", page.findElement(testId("company-verify-badge")).getText());
        WebElement migrate = page.findElement(testId("company-migrate"));
        assertTrue(migrate.isDisplayed(), "an operator gets the migrate button");
        assertFalse(migrate.isEnabled(), "nothing is pending for acme");

        // 3. pending_1: everything pending; the migrate button applies it and the view follows.
        page.findElement(companyRow("pending_1")).click();
        waitUpTo(Duration.ofSeconds(30), "pending_1's 7 pending versions", d -> states(d, "company-version").equals(
                List.of("pending", "pending", "pending", "pending", "pending", "pending", "pending")));
        assertTrue(page.findElements(testId("company-ledger-row")).isEmpty(), "no steps yet");
        waitUpTo(Duration.ofSeconds(15), "the migrate button to be enabled",
                ExpectedConditions.elementToBeClickable(testId("company-migrate")));
        page.findElement(testId("company-migrate")).click();
        waitUpTo(Duration.ofSeconds(60), "the page to say what the migration applied", ExpectedConditions
                .textToBePresentInElementLocated(testId("message-text"), "Migrated pending_1: applied v1, v2"));
        waitUpTo(Duration.ofSeconds(60), "pending_1's versions applied", d -> states(d, "company-version").equals(
                List.of("applied", "applied", "applied", "applied", "applied", "applied", "applied")));
        waitUpTo(Duration.ofSeconds(30), "pending_1's 7 ledger steps",
                d -> d.findElements(testId("company-ledger-row")).size() == 7);
        waitUpTo(Duration.ofSeconds(60), "pending_1's verify after the migration",
                ExpectedConditions.attributeToBe(testId("company-verify"), "data-ok", "true"));
        assertEquals(7L, db.queryLong("SELECT count(*) FROM public.migration_ledger l JOIN public.companies c"
                + " ON c.id = l.company_id WHERE c.schema_name = 'pending_1' AND l.status = 'applied'"));

        // 4. The ledger view: 15 steps in all (acme 7, pending_1 7, broken_1's failed one).
        new Select(page.findElement(testId("ledger-status"))).selectByValue("failed");
        waitUpTo(Duration.ofSeconds(15), "only broken_1's failed step", d -> ledgerRows(d).equals(List.of("broken_1:failed")));
        assertTrue(page.findElement(testId("ledger-rows")).getText().contains("42P07"), "the failed step shows its error");
        new Select(page.findElement(testId("ledger-status"))).selectByValue("");
        new Select(page.findElement(testId("ledger-company"))).selectByValue(acmeId);
        waitUpTo(Duration.ofSeconds(15), "acme's 7 steps only", d -> ledgerRows(d).equals(
                List.of("acme:applied", "acme:applied", "acme:applied", "acme:applied", "acme:applied", "acme:applied",
                        "acme:applied")));
        // A time range that holds nothing, then one whose end is before its start (refused on the page).
        setField(page, "ledger-since", "2099-01-01T00:00:00");
        waitUpTo(Duration.ofSeconds(15), "no step started after 2099", d -> ledgerRows(d).isEmpty()
                && d.findElement(By.id("ledger-empty")).isDisplayed());
        setField(page, "ledger-until", "2098-01-01T00:00:00");
        waitUpTo(Duration.ofSeconds(15), "the empty range refused", ExpectedConditions.textToBePresentInElementLocated(
                testId("ledger-error"), "must be after"));
        page.findElement(testId("ledger-reset")).click();
        new Select(page.findElement(testId("ledger-size"))).selectByValue("10");
        waitUpTo(Duration.ofSeconds(15), "page 1: the 10 newest of 15 steps", d -> ledgerRows(d).size() == 10
                && "1".equals(d.findElement(testId("ledger")).getAttribute("data-page")));
        List<Long> first = ledgerIds(page);
        assertTrue(page.findElement(testId("ledger-older")).isEnabled());
        assertFalse(page.findElement(testId("ledger-newer")).isEnabled());
        page.findElement(testId("ledger-older")).click();
        waitUpTo(Duration.ofSeconds(15), "page 2: the 5 oldest steps", d -> ledgerRows(d).size() == 5
                && "2".equals(d.findElement(testId("ledger")).getAttribute("data-page")));
        List<Long> second = ledgerIds(page);
        assertTrue(second.stream().allMatch(id -> id < first.get(first.size() - 1)), first + " then " + second);
        assertFalse(page.findElement(testId("ledger-older")).isEnabled(), "no page after the last");
        page.findElement(testId("ledger-newer")).click();
        waitUpTo(Duration.ofSeconds(15), "back on page 1", d -> ledgerIds(d).equals(first));

        // 5. A viewer sees the company, but no migrate button.
        page.findElement(testId("token-forget")).click();
        signIn(page, TestTokens.token(Role.VIEWER));
        assertEquals("viewer", page.findElement(testId("dashboard")).getAttribute("data-role"));
        assertFalse(page.findElement(testId("company-view")).isDisplayed(), "a new token starts without a company open");
        waitUpTo(Duration.ofSeconds(30), "pending_1 in the companies list",
                ExpectedConditions.visibilityOfElementLocated(companyRow("pending_1")));
        page.findElement(companyRow("pending_1")).click();
        waitUpTo(Duration.ofSeconds(30), "pending_1's versions for the viewer",
                d -> states(d, "company-version").size() == 7);
        assertFalse(page.findElement(testId("company-migrate")).isDisplayed(), "a viewer gets no migrate button");

        assertEquals(List.of(), severeConsoleEntries(page), "the browser console should have no errors");
        snapshot(page, "dashboard-views.png");
    }

    @Test
    void showsACompanyBlockedByALockWithItsBlocker() throws Exception {
        ServiceProcess service = started("it-dash-blocked", Map.of());
        UUID blocked = db.createFleet("locked_", 1, 1).get(0);
        db.createFleet("free_", 1, 1);
        String first = startRollout(service, "{\"targetVersion\": \"6\"}");
        Poll.until("version 6 on both companies", Duration.ofSeconds(90), () -> service.rollout(first),
                r -> "succeeded".equals(RolloutJson.state(r)), r -> RolloutJson.summary(r) + logs().get());

        WebDriver page = openBrowser();
        page.get("http://127.0.0.1:" + service.port() + "/");
        signIn(page, TestTokens.token(Role.VIEWER));
        waitUpTo(Duration.ofSeconds(30), "the empty blocked section",
                ExpectedConditions.visibilityOfElementLocated(testId("blocked-empty")));

        By lockedRow = By.cssSelector("[data-testid='blocked-row'][data-schema='locked_1']");
        String rollout;
        try (Connection holder = db.connect(); Statement s = holder.createStatement()) {
            // A writer on locked_1.messages, left idle in its transaction: version 7's index build waits for it.
            s.execute("SET application_name = 'dash-lock-holder'");
            holder.setAutoCommit(false);
            long holderPid;
            try (ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                holderPid = rs.getLong(1);
            }
            s.execute("LOCK TABLE locked_1.messages IN ROW EXCLUSIVE MODE");
            rollout = startRollout(service, "{\"strategy\": {\"onLockTimeout\": \"wait\","
                    + " \"lockTimeouts\": [\"50ms\", \"100ms\"], \"lockBudget\": \"1s\"}}");

            // locked_1 shows up waiting (its rollout tries it again), with the session that holds the lock.
            WebElement row = waitUpTo(Duration.ofSeconds(60), "locked_1 in the blocked section",
                    ExpectedConditions.visibilityOfElementLocated(lockedRow));
            waitUpTo(Duration.ofSeconds(15), "locked_1 shown as waiting",
                    ExpectedConditions.attributeToBe(lockedRow, "data-state", "waiting"));
            row = page.findElement(lockedRow);
            assertEquals(Long.toString(holderPid), row.findElement(testId("blocked-pid")).getText());
            assertEquals("dash-lock-holder", row.findElement(testId("blocked-application")).getText());
            assertEquals("idle in transaction", row.findElement(testId("blocked-blocker-state")).getText());
            assertTrue(row.findElement(testId("blocked-age")).getText().matches("\\d+ s"),
                    row.findElement(testId("blocked-age")).getText());
            assertTrue(row.findElement(testId("blocked-query")).getText().equals("LOCK TABLE locked_1.messages IN ROW EXCLUSIVE MODE"),
                    "the blocker's last query: " + row.findElement(testId("blocked-query")).getText());
            assertTrue(Integer.parseInt(row.findElement(testId("blocked-attempts")).getText()) >= 2,
                    "a 1 s budget of 50-100 ms attempts: " + row.findElement(testId("blocked-attempts")).getText());
            assertTrue(row.findElement(testId("blocked-step")).getText().startsWith("v7 "),
                    row.findElement(testId("blocked-step")).getText());
            assertEquals("waiting", row.findElement(testId("blocked-state")).getText());
            // The page shows what the ledger holds for that company's newest failed step.
            long ledgerId = Long.parseLong(row.getAttribute("data-ledger-id"));
            assertEquals(1L, db.queryLong("SELECT count(*) FROM public.migration_ledger WHERE id = ? AND company_id = ?"
                    + " AND status = 'failed' AND error LIKE 'lock-timeout%' AND lock_blocker LIKE ?", ledgerId, blocked,
                    "pid " + holderPid + " (application 'dash-lock-holder'%"));
            assertTrue(page.findElements(By.cssSelector("[data-testid='blocked-row'][data-schema='free_1']")).isEmpty(),
                    "free_1 got its locks");
            assertEquals("running", RolloutJson.state(service.rollout(rollout)), "the rollout waits for locked_1");
            snapshot(page, "dashboard-blocked.png");
            holder.rollback();
        }

        // The lock gone, locked_1 gets version 7 and leaves the section.
        Poll.until("the rollout to succeed once the lock is gone", Duration.ofSeconds(90), () -> service.rollout(rollout),
                r -> "succeeded".equals(RolloutJson.state(r)), r -> RolloutJson.summary(r) + logs().get());
        waitUpTo(Duration.ofSeconds(30), "locked_1 out of the blocked section",
                ExpectedConditions.invisibilityOfElementLocated(lockedRow));
        assertTrue(page.findElement(testId("blocked-empty")).isDisplayed());
        assertEquals(List.of(), severeConsoleEntries(page), "the browser console should have no errors");
    }

    /** POST /api/v1/rollouts; the new rollout's id. */
    private String startRollout(ServiceProcess service, String json) throws IOException, InterruptedException {
        HttpResponse<String> started = post(service, "/api/v1/rollouts", json);
        assertEquals(202, started.statusCode(), started.body() + logs().get());
        return ServiceProcess.JSON.readTree(started.body()).get("id").asText();
    }

    /**
     * A rollout its failure threshold stopped: 12 companies, the first wave's 4 failed, the other 8 cancelled. Written
     * straight into the tables: through the API, how many companies fail before the stop depends on timing.
     */
    private UUID insertThresholdStoppedRollout() {
        UUID id = db.column("INSERT INTO public.rollouts (direction, state, canary_count, batch_size, max_parallel,"
                + " max_failures, total_targets, waves, current_wave, error, request, created_at, started_at, finished_at)"
                + " VALUES ('up', 'failed', 0, 4, 4, 3, 12, 3, 0, 'stopped: 4 companies failed, more than max failures 3',"
                + " '{}'::jsonb, now() - interval '1 hour', now() - interval '1 hour', now() - interval '59 minutes')"
                + " RETURNING id", UUID.class).get(0);
        db.execute("INSERT INTO public.rollout_targets (rollout_id, company_id, schema_name, wave, position, status,"
                + " active, failed_version, error, error_sqlstate, finished_at)"
                + " SELECT ?, gen_random_uuid(), 'stopped_' || g, (g - 1) / 4, g,"
                + " CASE WHEN g <= 4 THEN 'failed' ELSE 'cancelled' END, false, CASE WHEN g <= 4 THEN '1' END,"
                + " CASE WHEN g <= 4 THEN 'relation \"conversations\" already exists' END,"
                + " CASE WHEN g <= 4 THEN '42P07' END, now() - interval '59 minutes' FROM generate_series(1, 12) g", id);
        return id;
    }

    private void signIn(WebDriver page, String token) {
        WebElement input = waitUpTo(Duration.ofSeconds(15), "the token form",
                ExpectedConditions.visibilityOfElementLocated(testId("token-input")));
        input.sendKeys(token);
        page.findElement(testId("token-use")).click();
        waitUpTo(Duration.ofSeconds(15), "the dashboard", ExpectedConditions.visibilityOfElementLocated(testId("dashboard")));
    }

    /** The data-state of each row with this test id, in order: read in one script, as a poll may replace rows. */
    private static List<String> states(WebDriver page, String rowTestId) {
        return rowValues(page, rowTestId, "r.dataset.state");
    }

    /** The ledger view's rows as schema:status, in order. */
    private static List<String> ledgerRows(WebDriver page) {
        return rowValues(page, "ledger-row", "r.dataset.schema + ':' + r.dataset.status");
    }

    private static List<Long> ledgerIds(WebDriver page) {
        return rowValues(page, "ledger-row", "r.dataset.ledgerId").stream().map(Long::parseLong).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<String> rowValues(WebDriver page, String rowTestId, String expression) {
        return (List<String>) ((JavascriptExecutor) page).executeScript("return Array.from(document.querySelectorAll("
                + "'[data-testid=\"' + arguments[0] + '\"]')).map(r => String(" + expression + "))", rowTestId);
    }

    /** The width a progress segment was given (as set, not as drawn: drawing animates). */
    private String segmentWidth(WebElement rolloutRow, String segment) {
        return (String) ((JavascriptExecutor) browser).executeScript("return arguments[0].style.width",
                rolloutRow.findElement(testId("seg-" + segment)));
    }

    /** Sets an input the way a user's edit ends: value, then a change event (datetime-local typing is locale-bound). */
    private static void setField(WebDriver page, String testId, String value) {
        ((JavascriptExecutor) page).executeScript("arguments[0].value = arguments[1];"
                + " arguments[0].dispatchEvent(new Event('change', {bubbles: true}))", page.findElement(testId(testId)), value);
    }

    // ------------------------------------------------------------------ browser

    private WebDriver openBrowser() throws IOException {
        // The driver is named explicitly, so Selenium Manager (which could download one) is never started; should
        // anything start it all the same, SE_* properties reach it as environment variables: offline.
        System.setProperty(ChromeDriverService.CHROME_DRIVER_EXE_PROPERTY, CHROMEDRIVER.toString());
        System.setProperty("SE_OFFLINE", "true");
        Files.createDirectories(ServiceProcess.LOGS);
        profile = Files.createTempDirectory("flotilla-it-chromium");
        driverService = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(ServiceProcess.LOGS.resolve("DashboardIT-chromedriver.log").toFile())
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-default-apps",
                "--metrics-recording-only", "--window-size=1440,1000", "--user-data-dir=" + profile);
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        browser = new ChromeDriver(driverService, options);
        return browser;
    }

    @AfterEach
    void closeBrowser() {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (driverService != null) {
                driverService.stop();
            }
            deleteQuietly(profile);
        }
    }

    private <T> T waitUpTo(Duration timeout, String what, Function<WebDriver, T> condition) {
        WebDriverWait wait = new WebDriverWait(browser, timeout, Duration.ofMillis(200));
        wait.withMessage(() -> "waiting for " + what + "\n" + pageState() + logs().get());
        wait.ignoring(StaleElementReferenceException.class); // a poll may replace a row between find and read
        return wait.until(condition);
    }

    /** What the page showed when a wait timed out: its message, refresh status and section errors. */
    private String pageState() {
        try {
            Object state = ((JavascriptExecutor) browser).executeScript(
                    "return Array.from(document.querySelectorAll('#message:not([hidden]), #refresh-status,"
                            + " .section-error:not([hidden]), #login-reason:not([hidden])'))"
                            + ".map(e => e.id + (e.dataset.testid ? '[' + e.dataset.testid + ']' : '') + ': '"
                            + " + e.textContent.trim()).join('\\n')");
            return "page: " + state + "\nconsole: " + severeConsoleEntries(browser);
        } catch (RuntimeException e) {
            return "(page state unavailable: " + e.getMessage() + ")";
        }
    }

    private static List<String> severeConsoleEntries(WebDriver page) {
        return page.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .toList();
    }

    /** The whole page, at its full height, to target/dashboard.png (and docs/ when asked). */
    private void screenshot(WebDriver page) throws IOException {
        ((JavascriptExecutor) page).executeScript("document.getElementById('message').hidden = true; window.scrollTo(0, 0)");
        // Headless Chromium clamps the window to its virtual screen, so a taller window would not show more: ask
        // DevTools for the page's size and capture beyond the viewport (what Puppeteer's fullPage does).
        ChromeDriver chrome = (ChromeDriver) page;
        @SuppressWarnings("unchecked")
        Map<String, Object> size = (Map<String, Object>) chrome.executeCdpCommand("Page.getLayoutMetrics", Map.of())
                .get("cssContentSize");
        double width = ((Number) size.get("width")).doubleValue();
        double height = Math.min(((Number) size.get("height")).doubleValue(), 5000);
        Map<String, Object> shot = chrome.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
                "captureBeyondViewport", true,
                "clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
        byte[] png = Base64.getDecoder().decode((String) shot.get("data"));
        Files.write(SCREENSHOT, png);
        System.out.printf("[it] DashboardIT: screenshot %s (%.0fx%.0f, %d bytes)%n", SCREENSHOT, width, height, png.length);
        if (Boolean.getBoolean("flotilla.docs.screenshot")) {
            Files.createDirectories(DOCS_SCREENSHOT.getParent());
            Files.copy(SCREENSHOT, DOCS_SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
            System.out.printf("[it] DashboardIT: copied to %s%n", DOCS_SCREENSHOT);
        }
    }

    /** The viewport as it is, to target/NAME: what the page looked like at a step, for whoever reads the run. */
    private static void snapshot(WebDriver page, String name) throws IOException {
        Files.write(SCREENSHOT.resolveSibling(name), ((TakesScreenshot) page).getScreenshotAs(OutputType.BYTES));
    }

    private static By testId(String id) {
        return By.cssSelector("[data-testid='" + id + "']");
    }

    private static By companyRow(String schema) {
        return By.cssSelector("[data-testid='company-row'][data-schema='" + schema + "']");
    }

    // ------------------------------------------------------------------ API

    /** POST with the same bearer token the page uses. */
    private static HttpResponse<String> post(ServiceProcess service, String path, String json)
            throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
                        .timeout(Duration.ofSeconds(120))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + token())
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("[it] could not delete " + dir + ": " + e.getMessage());
        }
    }
}
