package io.flotilla.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The deployment files agree with each other and with the service: {@code k8s/*.yaml} (every document),
 * {@code docker/Dockerfile.jvm}, {@code .dockerignore} and the environment variables the service reads. Plain
 * JUnit, no cluster, no network. Each check is a method over a freshly parsed {@link Deployables}, so that
 * {@link CatchesBrokenManifests} can break a copy in memory and show that the check notices.
 */
class KubernetesManifestsTest {

    static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    static final String SECRET_EXAMPLE = "secret.example.yaml";
    static final String SECRET_NAME = "flotilla-secrets";
    static final String TENANT_SECRET_EXAMPLE = "tenant-servers-secret.example.yaml";
    static final String TENANT_SECRET_NAME = "flotilla-tenant-servers";
    /** Where the Deployment mounts the tenant servers' passwords, one file per server (docs/servers.md). */
    static final String SERVERS_DIR = "/etc/flotilla/servers";
    /** The manual's page that registers servers and creates their Secret. */
    static final String SERVERS_PAGE = "docs/servers.md";
    /** Example files that document a Secret and are never applied. */
    static final Map<String, String> SECRET_EXAMPLES = Map.of(SECRET_NAME, SECRET_EXAMPLE,
            TENANT_SECRET_NAME, TENANT_SECRET_EXAMPLE);
    static final String PUBLIC_KEY = "jwt-public.pem";
    static final String PRIVATE_KEY = "jwt-private.pem";
    static final String LIVE = "/q/health/live";
    static final String READY = "/q/health/ready";
    /** Where the Dockerfile installs bin/flotilla, the command line the rollout Job runs. */
    static final String FLOTILLA_COMMAND = "/usr/local/bin/flotilla";

    /** The Grafana dashboard's one copy, relative to k8s/ (GrafanaDashboardTest runs its queries). */
    static final String DASHBOARD = "grafana/flotilla-dashboard.json";
    static final String DASHBOARD_CONFIGMAP = "flotilla-grafana-dashboard";

    /** What the service needs from its environment in a cluster (its defaults are for a laptop). */
    static final List<String> REQUIRED_ENV = List.of("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD",
            "DB_SSL", "DB_POOL_MIN", "DB_POOL_MAX", "DB_POOL_IDLE_TIMEOUT", "DB_POOL_CONNECTION_TIMEOUT", "LOG_LEVEL",
            "LOG_MIGRATIONS", "MIGRATIONS_DIR", "FLOTILLA_EMBEDDED_DB", "MP_JWT_VERIFY_PUBLICKEY_LOCATION",
            "SMALLRYE_JWT_SIGN_KEY_LOCATION", "MP_JWT_VERIFY_ISSUER", "QUARKUS_SHUTDOWN_TIMEOUT");

    /** Key file settings and the Secret key each must point at. */
    static final Map<String, String> KEY_LOCATIONS = Map.of(
            "MP_JWT_VERIFY_PUBLICKEY_LOCATION", PUBLIC_KEY,
            "SMALLRYE_JWT_SIGN_KEY_LOCATION", PRIVATE_KEY);

    @Test
    void kustomizationListsExactlyTheManifests() {
        checkKustomization(Deployables.load());
    }

    @Test
    void selectorsPickTheServerPodsAndNothingElse() {
        checkSelectors(Deployables.load());
    }

    @Test
    void serviceAndProbesUseDeclaredContainerPorts() {
        checkPortsAndProbes(Deployables.load());
    }

    @Test
    void configMapsAndSecretsAreReferencedByTheirRealNamesAndKeys() {
        checkReferences(Deployables.load());
    }

    @Test
    void serverGetsEverySettingItNeedsAndOnlySettingsItReads() {
        checkEnvironment(Deployables.load());
    }

    @Test
    void keyFileSettingsPointAtMountedSecretKeys() {
        checkKeyMounts(Deployables.load());
    }

    @Test
    void tenantServerPasswordsAreMountedWhereTheReadmeRegistersServers() {
        checkTenantServerPasswords(Deployables.load());
    }

    @Test
    void replicasResourcesSecurityAndShutdown() {
        checkRuntime(Deployables.load());
    }

    @Test
    void rolloutJobRunsTheImagesFlotillaMigrateAgainstTheService() {
        checkRolloutJob(Deployables.load());
    }

    @Test
    void dockerfileMatchesTheDeployment() {
        checkDockerfile(Deployables.load());
    }

    @Test
    void grafanaDashboardConfigMapIsGeneratedFromTheDashboardFile() {
        checkGrafanaDashboard(Deployables.load());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Checks

    static void checkKustomization(Deployables d) {
        List<String> resources = strings(d.kustomization().get("resources"));
        assertFalse(resources.isEmpty(), "kustomization.yaml lists no resources");
        assertEquals(new LinkedHashSet<>(resources).size(), resources.size(), "kustomization lists a file twice: " + resources);
        Set<String> expected = new TreeSet<>(d.files().keySet());
        expected.remove("kustomization.yaml");
        for (String example : SECRET_EXAMPLES.values()) {
            assertFalse(resources.contains(example), example + " must stay out of the kustomization");
            expected.remove(example);
        }
        assertEquals(expected, new TreeSet<>(resources),
                "kustomization.yaml must list every k8s/*.yaml except itself and " + SECRET_EXAMPLES.values());
        for (String resource : resources) {
            assertTrue(Files.isRegularFile(ROOT.resolve("k8s").resolve(resource)), "listed but missing: k8s/" + resource);
            assertFalse(d.files().getOrDefault(resource, List.of()).isEmpty(), "k8s/" + resource + " has no document");
        }
        for (Map<String, Object> object : d.objects()) {
            assertNotNull(object.get("apiVersion"), "an object without apiVersion: " + object);
            assertNotNull(str(object, "metadata", "name"), "an object without metadata.name: " + object);
            assertNotEquals("Secret", object.get("kind"), "secret values never go into the kustomization");
        }
        assertFalse(d.kustomization().containsKey("secretGenerator"), "secret values never go into the kustomization");
        assertFalse(d.kustomization().containsKey("commonLabels"),
                "commonLabels rewrites selectors, which are immutable once applied: use labels with includeSelectors: false");
        for (Object label : list(d.kustomization(), "labels")) {
            assertNotEquals(Boolean.TRUE, get(label, "includeSelectors"), "common labels must not touch selectors");
        }
    }

    static void checkSelectors(Deployables d) {
        Map<String, Object> deployment = d.one("Deployment");
        Map<String, Object> selector = map(deployment, "spec", "selector", "matchLabels");
        assertFalse(selector.isEmpty(), "the Deployment has no selector");
        assertTrue(d.podLabels(deployment).entrySet().containsAll(selector.entrySet()),
                "the Deployment's selector " + selector + " does not match its pod labels " + d.podLabels(deployment));
        assertEquals(selector, map(d.one("Service"), "spec", "selector"), "the Service must select the Deployment's pods");
        assertEquals(selector, map(d.one("PodDisruptionBudget"), "spec", "selector", "matchLabels"),
                "the PodDisruptionBudget must select the Deployment's pods");
        for (Object constraint : list(deployment, "spec", "template", "spec", "topologySpreadConstraints")) {
            assertEquals(selector, map(constraint, "labelSelector", "matchLabels"), "a spread constraint selects other pods");
        }
        // The Service and the budget must not count the rollout Job's pods (which have no HTTP port).
        Map<String, Object> jobLabels = d.podLabels(d.one("Job"));
        assertFalse(jobLabels.entrySet().containsAll(selector.entrySet()),
                "the rollout Job's pods " + jobLabels + " match the server selector " + selector);
    }

    static void checkPortsAndProbes(Deployables d) {
        Map<String, Object> container = d.serverContainer();
        Map<Object, Integer> ports = containerPorts(container);
        for (Object port : list(d.one("Service"), "spec", "ports")) {
            Object target = get(port, "targetPort");
            assertTrue(ports.containsKey(target), "Service targetPort " + target + " is no container port of the Deployment: "
                    + ports.keySet());
        }
        assertEquals(8080, ports.get("http"), "the container port named http");
        Map<String, String> paths = Map.of("livenessProbe", LIVE, "readinessProbe", READY, "startupProbe", LIVE);
        for (Map.Entry<String, String> probe : paths.entrySet()) {
            Object definition = get(container, probe.getKey());
            if (definition == null && probe.getKey().equals("startupProbe")) {
                continue;
            }
            assertNotNull(definition, "the Deployment has no " + probe.getKey());
            Object port = get(definition, "httpGet", "port");
            assertTrue(ports.containsKey(port), probe.getKey() + " port " + port + " is no container port: " + ports.keySet());
            assertEquals(probe.getValue(), str(definition, "httpGet", "path"), probe.getKey() + " path");
        }
    }

    static void checkReferences(Deployables d) {
        Set<String> configMaps = d.all("ConfigMap").stream().map(c -> str(c, "metadata", "name")).collect(Collectors.toSet());
        Set<String> secretKeys = d.secretExampleKeys();
        assertEquals(SECRET_NAME, str(d.secretExample(), "metadata", "name"), SECRET_EXAMPLE + " documents another Secret");
        for (Map<String, Object> configMap : d.all("ConfigMap")) {
            map(configMap, "data").forEach((key, value) -> assertTrue(value instanceof String,
                    "ConfigMap value " + key + ": " + value + " must be a string (quote it)"));
        }
        for (Map<String, Object> workload : d.workloads()) {
            String where = workload.get("kind") + " " + str(workload, "metadata", "name");
            for (Map<String, Object> container : d.containers(workload)) {
                for (Object from : list(container, "envFrom")) {
                    String configMap = str(from, "configMapRef", "name");
                    if (configMap != null) {
                        assertTrue(configMaps.contains(configMap), where + " envFrom unknown ConfigMap " + configMap);
                    }
                    assertNull(get(from, "secretRef"), where + ": take secret keys one by one (secretKeyRef), not envFrom");
                }
                for (Object env : list(container, "env")) {
                    String name = str(env, "name");
                    Object value = get(env, "value");
                    assertTrue(value == null || value instanceof String, where + " env " + name + " must be a string");
                    Object secretRef = get(env, "valueFrom", "secretKeyRef");
                    if (secretRef != null) {
                        assertEquals(SECRET_NAME, str(secretRef, "name"), where + " env " + name + " secret");
                        assertTrue(secretKeys.contains(str(secretRef, "key")), where + " env " + name + ": key "
                                + str(secretRef, "key") + " is not documented in " + SECRET_EXAMPLE + " " + secretKeys);
                    }
                    Object configMapRef = get(env, "valueFrom", "configMapKeyRef");
                    if (configMapRef != null) {
                        String configMap = str(configMapRef, "name");
                        assertTrue(configMaps.contains(configMap), where + " env " + name + ": unknown ConfigMap " + configMap);
                        assertTrue(d.configMapData(configMap).containsKey(str(configMapRef, "key")),
                                where + " env " + name + ": ConfigMap " + configMap + " has no key " + str(configMapRef, "key"));
                    }
                }
            }
            for (Object volume : list(workload, "spec", "template", "spec", "volumes")) {
                Object secret = get(volume, "secret");
                if (secret != null) {
                    String example = SECRET_EXAMPLES.get(str(secret, "secretName"));
                    assertNotNull(example, where + " volume " + str(volume, "name") + ": Secret " + str(secret, "secretName")
                            + " is none of " + SECRET_EXAMPLES.keySet());
                    for (Object item : list(secret, "items")) {
                        assertTrue(d.exampleKeys(example).contains(str(item, "key")), where + " volume " + str(volume, "name")
                                + ": key " + str(item, "key") + " is not documented in " + example);
                    }
                }
                Object configMap = get(volume, "configMap");
                if (configMap != null) {
                    assertTrue(configMaps.contains(str(configMap, "name")), where + " volume: unknown ConfigMap");
                }
            }
        }
        assertEquals(Set.of("db-password", PUBLIC_KEY, PRIVATE_KEY), secretKeys, SECRET_EXAMPLE + " keys");
    }

    static void checkEnvironment(Deployables d) {
        Map<String, Object> container = d.serverContainer();
        Map<String, Object> env = d.environment(container);
        for (String name : REQUIRED_ENV) {
            assertTrue(env.containsKey(name), "the server gets no " + name + " (neither env nor envFrom)");
        }
        Set<String> read = d.settingsTheServiceReads();
        for (String name : env.keySet()) {
            boolean mapped = Stream.of("QUARKUS_", "MP_", "SMALLRYE_", "FLOTILLA_").anyMatch(name::startsWith);
            assertTrue(read.contains(name) || mapped, "the service reads no " + name + " (a typo?)");
        }
        assertEquals("false", env.get("FLOTILLA_EMBEDDED_DB"), "never start the embedded PostgreSQL in a cluster");
        assertTrue(env.get("DB_PASSWORD") instanceof Map, "DB_PASSWORD must come from the Secret, not a literal");
        assertNotNull(get(env.get("DB_PASSWORD"), "secretKeyRef"), "DB_PASSWORD must come from the Secret");
        for (Map<String, Object> configMap : d.all("ConfigMap")) {
            for (String key : map(configMap, "data").keySet()) {
                assertFalse(key.contains("PASSWORD") || key.contains("SECRET"), "ConfigMap holds a secret: " + key);
            }
        }
        Object port = env.get("PORT");
        assertEquals(containerPorts(container).get("http"), port == null ? 8080 : Integer.parseInt((String) port),
                "the service listens on PORT (default 8080): the container port http must be it");
    }

    static void checkKeyMounts(Deployables d) {
        checkKeyMounts(d, d.one("Deployment"), d.serverContainer(), KEY_LOCATIONS.keySet());
        Map<String, Object> job = d.one("Job");
        checkKeyMounts(d, job, d.rolloutContainer(), Set.of("SMALLRYE_JWT_SIGN_KEY_LOCATION"));
    }

    static void checkKeyMounts(Deployables d, Map<String, Object> workload, Map<String, Object> container,
                               Set<String> settings) {
        Map<String, Object> env = d.environment(container);
        for (String setting : settings) {
            Object location = env.get(setting);
            assertTrue(location instanceof String, str(container, "name") + ": " + setting + " must be a plain path");
            String path = ((String) location).replaceFirst("^file:", "");
            assertEquals(KEY_LOCATIONS.get(setting), mountedSecretKey(workload, container, path),
                    str(container, "name") + ": " + setting + "=" + path + " is not the mounted Secret key");
        }
    }

    /**
     * The tenant servers' passwords: the example Secret documents one placeholder per server, the Deployment mounts
     * every key read-only at {@link #SERVERS_DIR}, and docs/servers.md registers exactly those servers with
     * {@code "passwordFrom": {"file": ...}} paths that resolve through that mount to those keys.
     */
    static void checkTenantServerPasswords(Deployables d) {
        Map<String, Object> secret = d.example(TENANT_SECRET_EXAMPLE);
        assertEquals(TENANT_SECRET_NAME, str(secret, "metadata", "name"), TENANT_SECRET_EXAMPLE + " documents another Secret");
        assertNull(secret.get("data"), TENANT_SECRET_EXAMPLE + ": placeholders go in stringData, readable as such");
        Set<String> keys = d.exampleKeys(TENANT_SECRET_EXAMPLE);
        assertFalse(keys.isEmpty(), TENANT_SECRET_EXAMPLE + " documents no server");
        for (String key : keys) {
            assertTrue(key.matches("[a-z][a-z0-9_-]{0,62}"), TENANT_SECRET_EXAMPLE + ": key " + key
                    + " is no server name (one key per server, named like it)");
            assertTrue(str(secret, "stringData", key).contains("REPLACE"), TENANT_SECRET_EXAMPLE + ": the value of " + key
                    + " must be a placeholder marked REPLACE");
        }

        Map<String, Object> deployment = d.one("Deployment");
        List<Object> volumes = list(deployment, "spec", "template", "spec", "volumes").stream()
                .filter(v -> TENANT_SECRET_NAME.equals(str(v, "secret", "secretName"))).toList();
        assertEquals(1, volumes.size(), "the Deployment must mount " + TENANT_SECRET_NAME + " once");
        Object volume = volumes.get(0);
        assertTrue(list(volume, "secret", "items").isEmpty(), "mount every key: a new server must need no Deployment change");
        assertEquals(Boolean.TRUE, get(volume, "secret", "optional"),
                "the volume must be optional: a control plane with no other server has no " + TENANT_SECRET_NAME);
        Object mode = get(volume, "secret", "defaultMode");
        assertTrue(mode instanceof Integer m && (m & ~0440) == 0 && (m & 0040) != 0, "defaultMode "
                + (mode instanceof Integer m ? "0" + Integer.toOctalString(m) : mode)
                + ": read-only, for root and the pod's group only, readable by the group (the files belong to root)");
        assertNotNull(get(deployment, "spec", "template", "spec", "securityContext", "fsGroup"),
                "the service reads root's files through fsGroup");

        Map<String, Object> container = d.serverContainer();
        List<Object> mounts = list(container, "volumeMounts").stream()
                .filter(m -> Objects.equals(str(volume, "name"), str(m, "name"))).toList();
        assertEquals(1, mounts.size(), "the server container must mount " + str(volume, "name") + " once");
        Object mount = mounts.get(0);
        assertEquals(SERVERS_DIR, str(mount, "mountPath").replaceFirst("/$", ""), "where the passwords are mounted");
        assertEquals(Boolean.TRUE, get(mount, "readOnly"), "the passwords' mount must be read-only");
        assertNull(get(mount, "subPath"), "a subPath mount never sees a new or rotated password");

        List<String> files = d.readmePasswordFiles();
        assertFalse(files.isEmpty(), "docs/servers.md registers no server with a password file");
        Set<String> registered = new TreeSet<>();
        for (String file : files) {
            Map.Entry<String, String> mounted = mountedSecret(deployment, container, file);
            assertNotNull(mounted, "docs/servers.md registers a server with the password file " + file + ", which no Secret"
                    + " volume of the Deployment mounts");
            assertEquals(TENANT_SECRET_NAME, mounted.getKey(), "docs/servers.md password file " + file);
            registered.add(mounted.getValue());
        }
        assertEquals(keys, registered, "the servers docs/servers.md registers and the keys " + TENANT_SECRET_EXAMPLE + " documents");
        Matcher create = Pattern.compile("kubectl create secret generic " + Pattern.quote(TENANT_SECRET_NAME) + "((?:\\s+--from-[a-z]+=[^=\\s]+=\\S+)+)")
                .matcher(d.readmeTenantServers());
        assertTrue(create.find(), "docs/servers.md shows no `kubectl create secret generic "
                + TENANT_SECRET_NAME + "`");
        Set<String> created = new TreeSet<>();
        Matcher key = Pattern.compile("--from-[a-z]+=([^=\\s]+)=").matcher(create.group(1));
        while (key.find()) {
            created.add(key.group(1));
        }
        assertEquals(keys, created, "the keys the kubectl command of docs/servers.md creates");
    }

    static void checkRuntime(Deployables d) {
        Map<String, Object> deployment = d.one("Deployment");
        assertEquals(2, get(deployment, "spec", "replicas"), "replicas");
        assertEquals("RollingUpdate", str(deployment, "spec", "strategy", "type"), "update strategy");
        assertEquals(0, get(deployment, "spec", "strategy", "rollingUpdate", "maxUnavailable"), "maxUnavailable");
        for (Map<String, Object> workload : d.workloads()) {
            Map<String, Object> pod = map(workload, "spec", "template", "spec");
            String where = workload.get("kind") + " " + str(workload, "metadata", "name");
            assertEquals(Boolean.TRUE, get(pod, "securityContext", "runAsNonRoot"), where + ": runAsNonRoot");
            Object user = get(pod, "securityContext", "runAsUser");
            assertTrue(user == null || ((Integer) user) > 0, where + ": runAsUser must not be root");
            List<String> emptyDirs = list(pod, "volumes").stream().filter(v -> get(v, "emptyDir") != null)
                    .map(v -> str(v, "name")).toList();
            for (Map<String, Object> container : d.containers(workload)) {
                String name = where + " container " + str(container, "name");
                for (String bound : List.of("requests", "limits")) {
                    for (String resource : List.of("cpu", "memory")) {
                        assertNotNull(get(container, "resources", bound, resource), name + ": no " + bound + "." + resource);
                    }
                }
                assertTrue(quantity(get(container, "resources", "requests", "cpu"))
                        <= quantity(get(container, "resources", "limits", "cpu")), name + ": cpu request over limit");
                assertTrue(quantity(get(container, "resources", "requests", "memory"))
                        <= quantity(get(container, "resources", "limits", "memory")), name + ": memory request over limit");
                assertEquals(Boolean.TRUE, get(container, "securityContext", "readOnlyRootFilesystem"),
                        name + ": readOnlyRootFilesystem");
                assertEquals(Boolean.FALSE, get(container, "securityContext", "allowPrivilegeEscalation"),
                        name + ": allowPrivilegeEscalation");
                assertTrue(list(container, "volumeMounts").stream().anyMatch(m -> "/tmp".equals(str(m, "mountPath"))
                        && emptyDirs.contains(str(m, "name"))), name + ": a read-only root needs an emptyDir on /tmp");
            }
        }
        // SIGTERM: preStop, then Quarkus waits QUARKUS_SHUTDOWN_TIMEOUT for in-flight steps; all before SIGKILL.
        Map<String, Object> server = d.serverContainer();
        long shutdown = duration((String) d.environment(server).get("QUARKUS_SHUTDOWN_TIMEOUT")).toSeconds();
        List<String> preStop = strings(get(server, "lifecycle", "preStop", "exec", "command"));
        long preStopSeconds = preStop.size() == 2 && preStop.get(0).equals("sleep") ? Long.parseLong(preStop.get(1)) : 0;
        Object grace = get(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds");
        assertTrue(grace instanceof Integer && (Integer) grace > preStopSeconds + shutdown,
                "terminationGracePeriodSeconds " + grace + " must cover preStop " + preStopSeconds
                        + " s + QUARKUS_SHUTDOWN_TIMEOUT " + shutdown + " s");
    }

    static void checkRolloutJob(Deployables d) {
        Map<String, Object> job = d.one("Job");
        Map<String, Object> service = d.one("Service");
        assertEquals(0, get(job, "spec", "backoffLimit"), "a failed rollout is not retried by the Job");
        Object deadline = get(job, "spec", "activeDeadlineSeconds");
        assertTrue(deadline instanceof Integer && (Integer) deadline > 0, "the Job needs activeDeadlineSeconds");
        assertEquals("Never", str(job, "spec", "template", "spec", "restartPolicy"), "restartPolicy");
        assertTrue(list(job, "spec", "template", "spec", "initContainers").isEmpty(),
                "no init container: the command signs its own token");

        // The image's own command line, `flotilla migrate`, from the server's image: the catalog it rolls out to
        // is the one that image ships, and the command is the one the Dockerfile installs.
        Map<String, Object> rollout = d.rolloutContainer();
        assertEquals(str(d.serverContainer(), "image"), str(rollout, "image"), "the Job runs the Flotilla image");
        List<String> command = strings(get(rollout, "command"));
        assertEquals(List.of(FLOTILLA_COMMAND), command, "the Job runs the image's flotilla command");
        List<String> args = strings(get(rollout, "args"));
        assertFalse(args.isEmpty(), "the Job's flotilla command has no verb");
        assertEquals("migrate", args.get(0), "the Job runs `flotilla migrate`: " + args);
        assertEquals(java.util.Optional.empty(), io.flotilla.cli.FlotillaCli.usageError(args.toArray(String[]::new)),
                "the Job's arguments must parse as the command line parses them: " + args);
        assertFalse(args.contains("--dry-run"), "a dry run rolls nothing out");
        assertFalse(args.stream().anyMatch(a -> a.startsWith("--token")), "no token in the manifest: the command signs its own");
        assertNotEquals(Boolean.TRUE, get(rollout, "tty"), "no terminal: the log gets one line per wave, not a progress bar");

        // It gives up following (exit 4) just before the deadline kills it, so the log ends with why.
        String timeout = optionValue(args, "--timeout");
        assertNotNull(timeout, "the Job must follow with a --timeout below activeDeadlineSeconds: " + args);
        long margin = (Integer) deadline - duration(timeout).toSeconds();
        assertTrue(margin > 0 && margin <= 120, "--timeout " + timeout + " must end just before activeDeadlineSeconds "
                + deadline + " (within 2 minutes): the command needs a moment to start, and no longer to say why it stops");

        // With no token, the mounted private key: the command signs itself operator tokens for the whole rollout.
        Map<String, Object> env = d.environment(rollout);
        assertFalse(env.containsKey("FLOTILLA_TOKEN"), "a token written into the manifest expires and leaks: mount the key");
        assertTrue(env.get("SMALLRYE_JWT_SIGN_KEY_LOCATION") instanceof String, "the command needs the signing key");
        assertEquals(d.value(d.environment(d.serverContainer()).get("MP_JWT_VERIFY_ISSUER")),
                d.value(env.get("MP_JWT_VERIFY_ISSUER")), "the command must sign with the issuer the service verifies");

        URI url = URI.create((String) env.get("FLOTILLA_URL"));
        String host = url.getHost();
        assertTrue(host.equals(str(service, "metadata", "name")) || host.startsWith(str(service, "metadata", "name") + "."),
                "the Job calls " + host + ", not the Service " + str(service, "metadata", "name"));
        int port = url.getPort() == -1 ? 80 : url.getPort();
        assertTrue(list(service, "spec", "ports").stream().anyMatch(p -> Objects.equals(port, get(p, "port"))),
                "the Job calls port " + port + ", which the Service does not offer");
    }

    /** The value of {@code --name V} or {@code --name=V} in {@code args}, or null. */
    static String optionValue(List<String> args, String name) {
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals(name) && i + 1 < args.size()) {
                return args.get(i + 1);
            }
            if (args.get(i).startsWith(name + "=")) {
                return args.get(i).substring(name.length() + 1);
            }
        }
        return null;
    }

    static void checkDockerfile(Deployables d) {
        List<String> lines = d.dockerfile().lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        String user = lastArgument(lines, "USER");
        assertNotNull(user, "the Dockerfile sets no USER");
        assertTrue(user.matches("\\d+(:\\d+)?") && Integer.parseInt(user.split(":")[0]) > 0,
                "USER must be a numeric non-root id (Kubernetes checks runAsNonRoot against it): " + user);
        Object runAsUser = get(d.one("Deployment"), "spec", "template", "spec", "securityContext", "runAsUser");
        assertTrue(runAsUser == null || runAsUser.toString().equals(user.split(":")[0]),
                "the pod runs as " + runAsUser + ", the image as " + user);
        String expose = lastArgument(lines, "EXPOSE");
        assertNotNull(expose, "the Dockerfile exposes no port");
        assertEquals(String.valueOf(containerPorts(d.serverContainer()).get("http")), expose.replace("/tcp", ""),
                "EXPOSE and the container port http");
        assertTrue(lines.stream().anyMatch(l -> l.matches("FROM\\s+eclipse-temurin:17-jre.*")), "Temurin 17 JRE base");
        Map<String, String> copies = new LinkedHashMap<>();
        for (String line : lines) {
            String[] words = line.split("\\s+");
            if (words[0].equalsIgnoreCase("COPY")) {
                List<String> args = Stream.of(words).skip(1).filter(w -> !w.startsWith("--")).toList();
                copies.put(args.get(0), args.get(args.size() - 1));
            }
        }
        assertEquals("/app/migrations/", copies.get("migrations/"), "the sample catalog goes to /app/migrations");
        assertEquals(d.environment(d.serverContainer()).get("MIGRATIONS_DIR") + "/", copies.get("migrations/"),
                "MIGRATIONS_DIR must be where the image ships the catalog");
        assertEquals("/app/", copies.get("target/quarkus-app/quarkus-run.jar"),
                "the Job and the entrypoint run /app/quarkus-run.jar");
        // The command line: bin/flotilla where the Job calls it, running the jar the entrypoint runs.
        assertEquals(FLOTILLA_COMMAND, copies.get("bin/flotilla"), "the image ships bin/flotilla as " + FLOTILLA_COMMAND);
        assertTrue(Files.isExecutable(ROOT.resolve("bin/flotilla")), "bin/flotilla must be executable (COPY keeps the mode)");
        String entrypoint = lastArgument(lines, "ENTRYPOINT");
        assertNotNull(entrypoint, "the Dockerfile has no ENTRYPOINT");
        Matcher entryJar = Pattern.compile("-jar (\\S+?)[\\s\"\\\\]").matcher(entrypoint);
        assertTrue(entryJar.find(), "the ENTRYPOINT runs no jar: " + entrypoint);
        Matcher flotillaJar = Pattern.compile("(?:^|\\s)FLOTILLA_JAR=(\\S+)").matcher(String.join("\n", lines));
        assertTrue(flotillaJar.find(), "the image sets no FLOTILLA_JAR for bin/flotilla");
        assertEquals(entryJar.group(1), flotillaJar.group(1), "bin/flotilla (FLOTILLA_JAR) and the ENTRYPOINT run the same jar");
        assertEquals("/app/quarkus-run.jar", flotillaJar.group(1), "the jar is /app/quarkus-run.jar");
        for (String layer : List.of("lib/", "app/", "quarkus/")) {
            assertEquals("/app/" + layer, copies.get("target/quarkus-app/" + layer), "fast-jar layout: " + layer);
        }
        // An allow-list .dockerignore must let in everything the Dockerfile copies.
        List<String> ignore = d.dockerignore().lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        if (ignore.contains("*")) {
            for (String source : copies.keySet()) {
                assertTrue(ignore.stream().filter(l -> l.startsWith("!")).map(l -> l.substring(1))
                        .anyMatch(source::startsWith), ".dockerignore keeps " + source + " out of the build context");
            }
        }
    }

    /**
     * The dashboard's ConfigMap comes from kustomize's configMapGenerator reading the dashboard file, so the ConfigMap
     * holds exactly that file and there is no second copy to drift; it carries the label the Grafana sidecar watches
     * and no name hash (a hashed name leaves the old ConfigMap, and so a second copy of the dashboard, behind).
     */
    static void checkGrafanaDashboard(Deployables d) {
        List<Map<String, Object>> generators = maps(d.kustomization().get("configMapGenerator")).stream()
                .filter(g -> DASHBOARD_CONFIGMAP.equals(str(g, "name"))).toList();
        assertEquals(1, generators.size(), "kustomization.yaml must generate the ConfigMap " + DASHBOARD_CONFIGMAP + " once");
        Map<String, Object> generator = generators.get(0);
        assertEquals("1", get(generator, "options", "labels", "grafana_dashboard"),
                DASHBOARD_CONFIGMAP + " needs the label grafana_dashboard: \"1\" (a string) for the Grafana sidecar");
        assertEquals(Boolean.TRUE, get(generator, "options", "disableNameSuffixHash"),
                DASHBOARD_CONFIGMAP + ": a hashed name leaves the previous dashboard behind on every change");
        assertTrue(list(generator, "literals").isEmpty() && list(generator, "envs").isEmpty(),
                DASHBOARD_CONFIGMAP + " holds the dashboard file only");
        List<String> files = strings(get(generator, "files"));
        assertEquals(1, files.size(), DASHBOARD_CONFIGMAP + " holds one file: " + files);
        String[] keyAndPath = files.get(0).split("=", 2);
        String path = keyAndPath[keyAndPath.length - 1];
        String key = keyAndPath.length == 2 ? keyAndPath[0] : Path.of(path).getFileName().toString();
        assertEquals(DASHBOARD, path, DASHBOARD_CONFIGMAP + " must be generated from the dashboard file");
        assertTrue(key.endsWith(".json"), "the sidecar loads *.json keys as dashboards: " + key);
        try {
            JsonNode dashboard = new ObjectMapper().readTree(ROOT.resolve("k8s").resolve(path).toFile());
            assertFalse(dashboard.path("uid").asText().isEmpty(), "k8s/" + path + " is no dashboard with a uid");
            assertTrue(dashboard.path("panels").size() > 0, "k8s/" + path + " has no panels");
        } catch (IOException e) {
            fail("k8s/" + path + " is not readable JSON: " + e.getMessage());
        }
        for (Map<String, Object> configMap : d.all("ConfigMap")) {
            assertNull(get(configMap, "metadata", "labels", "grafana_dashboard"), "a second dashboard ConfigMap: "
                    + str(configMap, "metadata", "name"));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The checks notice broken manifests (each breaks a fresh in-memory copy in one place).

    @Nested
    class CatchesBrokenManifests {

        @Test
        void aFileMissingFromTheKustomization() {
            breaks(d -> strings(d.kustomization().get("resources")).remove("pdb.yaml"),
                    KubernetesManifestsTest::checkKustomization);
            breaks(d -> list(d.kustomization(), "resources").add(SECRET_EXAMPLE), KubernetesManifestsTest::checkKustomization);
        }

        @Test
        void aServiceSelectingOtherPods() {
            breaks(d -> map(d.one("Service"), "spec", "selector").put("app.kubernetes.io/component", "api"),
                    KubernetesManifestsTest::checkSelectors);
            breaks(d -> map(d.one("PodDisruptionBudget"), "spec", "selector", "matchLabels").put("app", "other"),
                    KubernetesManifestsTest::checkSelectors);
        }

        @Test
        void aTargetPortOrProbeOnAnUndeclaredPort() {
            breaks(d -> map(list(d.one("Service"), "spec", "ports").get(0)).put("targetPort", "web"),
                    KubernetesManifestsTest::checkPortsAndProbes);
            breaks(d -> map(d.serverContainer(), "readinessProbe", "httpGet").put("port", "health"),
                    KubernetesManifestsTest::checkPortsAndProbes);
            breaks(d -> map(d.serverContainer(), "readinessProbe", "httpGet").put("path", "/q/health"),
                    KubernetesManifestsTest::checkPortsAndProbes);
        }

        @Test
        void aMisnamedConfigMapOrSecretKey() {
            breaks(d -> map(list(d.serverContainer(), "envFrom").get(0), "configMapRef").put("name", "flotilla-conf"),
                    KubernetesManifestsTest::checkReferences);
            breaks(d -> map(envEntry(d.serverContainer(), "DB_PASSWORD"), "valueFrom", "secretKeyRef").put("key", "password"),
                    KubernetesManifestsTest::checkReferences);
            breaks(d -> map(d.one("ConfigMap"), "data").put("DB_PORT", 5432), KubernetesManifestsTest::checkReferences);
        }

        @Test
        void aMissingOrMistypedSetting() {
            breaks(d -> map(d.one("ConfigMap"), "data").remove("DB_HOST"), KubernetesManifestsTest::checkEnvironment);
            breaks(d -> map(d.one("ConfigMap"), "data").put("DB_POOL_MAXIMUM", "20"), KubernetesManifestsTest::checkEnvironment);
            breaks(d -> map(d.one("ConfigMap"), "data").put("FLOTILLA_EMBEDDED_DB", "true"),
                    KubernetesManifestsTest::checkEnvironment);
        }

        @Test
        void aKeyLocationThatIsNotTheMountedFile() {
            breaks(d -> envEntry(d.serverContainer(), "MP_JWT_VERIFY_PUBLICKEY_LOCATION").put("value", "/etc/flotilla/public.pem"),
                    KubernetesManifestsTest::checkKeyMounts);
            breaks(d -> envEntry(d.rolloutContainer(), "SMALLRYE_JWT_SIGN_KEY_LOCATION").put("value", "/keys/jwt-private.pem"),
                    KubernetesManifestsTest::checkKeyMounts);
        }

        @Test
        void tenantServerPasswordsMountedElsewhereWritableOrUnlikeTheReadme() {
            Consumer<Deployables> check = KubernetesManifestsTest::checkTenantServerPasswords;
            breaks(d -> tenantMount(d).put("mountPath", "/etc/flotilla/tenants"), check);
            breaks(d -> tenantMount(d).put("readOnly", false), check);
            breaks(d -> tenantMount(d).put("subPath", "eu-1"), check);
            breaks(d -> map(tenantVolume(d), "secret").put("defaultMode", 0644), check);
            breaks(d -> map(tenantVolume(d), "secret").remove("optional"), check);
            breaks(d -> map(tenantVolume(d), "secret").put("secretName", SECRET_NAME), check);
            breaks(d -> {
                Map<String, Object> data = map(d.example(TENANT_SECRET_EXAMPLE), "stringData");
                data.put("us-1", data.remove("eu-1"));
            }, check);
            breaks(d -> map(d.example(TENANT_SECRET_EXAMPLE), "stringData").put("eu-1", "hunter2"), check);
            breaks(d -> d.replaceReadme("\"/etc/flotilla/servers/eu-1\"", "\"/etc/flotilla/servers/eu_1\""), check);
            breaks(d -> d.replaceReadme("generic flotilla-tenant-servers --from-literal=eu-1=",
                    "generic flotilla-tenant-servers --from-literal=eu1="), check);
            breaks(d -> map(tenantVolume(d), "secret").put("secretName", "flotilla-tenants"),
                    KubernetesManifestsTest::checkReferences);
        }

        private static Map<String, Object> tenantVolume(Deployables d) {
            return maps(get(d.one("Deployment"), "spec", "template", "spec", "volumes")).stream()
                    .filter(v -> TENANT_SECRET_NAME.equals(str(v, "secret", "secretName"))).findFirst()
                    .orElseGet(() -> fail("no volume of " + TENANT_SECRET_NAME));
        }

        private static Map<String, Object> tenantMount(Deployables d) {
            String name = str(tenantVolume(d), "name");
            return maps(get(d.serverContainer(), "volumeMounts")).stream().filter(m -> name.equals(str(m, "name")))
                    .findFirst().orElseGet(() -> fail("no mount of " + name));
        }

        @Test
        void oneReplicaMissingLimitsOrRunningAsRoot() {
            breaks(d -> map(d.one("Deployment"), "spec").put("replicas", 1), KubernetesManifestsTest::checkRuntime);
            breaks(d -> map(d.serverContainer(), "resources").remove("limits"), KubernetesManifestsTest::checkRuntime);
            breaks(d -> map(d.one("Job"), "spec", "template", "spec", "securityContext").put("runAsNonRoot", false),
                    KubernetesManifestsTest::checkRuntime);
            breaks(d -> map(d.one("Deployment"), "spec", "template", "spec").put("terminationGracePeriodSeconds", 30),
                    KubernetesManifestsTest::checkRuntime);
        }

        @Test
        void aJobCallingAnotherServiceOrPort() {
            breaks(d -> envEntry(maps(get(d.one("Job"), "spec", "template", "spec", "containers")).get(0), "FLOTILLA_URL")
                    .put("value", "http://flotilla-api"), KubernetesManifestsTest::checkRolloutJob);
            breaks(d -> envEntry(maps(get(d.one("Job"), "spec", "template", "spec", "containers")).get(0), "FLOTILLA_URL")
                    .put("value", "http://flotilla:8080"), KubernetesManifestsTest::checkRolloutJob);
            breaks(d -> map(d.one("Job"), "spec").put("activeDeadlineSeconds", 3600), KubernetesManifestsTest::checkRolloutJob);
            breaks(d -> map(d.one("Job"), "spec").put("activeDeadlineSeconds", 600), KubernetesManifestsTest::checkRolloutJob);
        }

        @Test
        void aJobThatIsNotTheImagesCommandLineOrCarriesAToken() {
            breaks(d -> d.rolloutContainer().put("image", "curlimages/curl:8.11.1"), KubernetesManifestsTest::checkRolloutJob);
            breaks(d -> d.rolloutContainer().put("command", List.of("flotilla-cli")), KubernetesManifestsTest::checkRolloutJob);
            breaks(d -> strings(d.rolloutContainer().get("args")).set(0, "status"), KubernetesManifestsTest::checkRolloutJob);
            breaks(d -> strings(d.rolloutContainer().get("args")).add("--canary-size"), KubernetesManifestsTest::checkRolloutJob);
            breaks(d -> strings(d.rolloutContainer().get("args")).add("--dry-run"), KubernetesManifestsTest::checkRolloutJob);
            breaks(d -> {
                List<String> args = strings(d.rolloutContainer().get("args"));
                int at = args.indexOf("--timeout");
                args.remove(at + 1);
                args.remove(at);
            }, KubernetesManifestsTest::checkRolloutJob);
            breaks(d -> list(d.rolloutContainer(), "env").add(new LinkedHashMap<>(Map.of("name", "FLOTILLA_TOKEN",
                    "value", "eyJ.x.y"))), KubernetesManifestsTest::checkRolloutJob);
            breaks(d -> d.rolloutContainer().put("tty", true), KubernetesManifestsTest::checkRolloutJob);
            breaks(d -> envEntry(d.rolloutContainer(), "MP_JWT_VERIFY_ISSUER").remove("valueFrom"),
                    KubernetesManifestsTest::checkRolloutJob);
        }

        @Test
        void aDockerfileExposingAnotherPortOrRunningAsRoot() {
            breaks(d -> d.replaceDockerfile("EXPOSE 8080", "EXPOSE 9090"), KubernetesManifestsTest::checkDockerfile);
            breaks(d -> d.replaceDockerfile("USER 185", "USER root"), KubernetesManifestsTest::checkDockerfile);
            breaks(d -> d.replaceDockerfile("FLOTILLA_JAR=/app/quarkus-run.jar", "FLOTILLA_JAR=/opt/flotilla.jar"),
                    KubernetesManifestsTest::checkDockerfile);
            breaks(d -> d.replaceDockerfile("COPY bin/flotilla /usr/local/bin/flotilla", "COPY bin/flotilla /app/bin/flotilla"),
                    KubernetesManifestsTest::checkDockerfile);
        }

        @Test
        void aDashboardConfigMapWithoutTheSidecarLabelOrFromAnotherFile() {
            Consumer<Deployables> check = KubernetesManifestsTest::checkGrafanaDashboard;
            breaks(d -> map(dashboardGenerator(d), "options", "labels").remove("grafana_dashboard"), check);
            breaks(d -> map(dashboardGenerator(d), "options", "labels").put("grafana_dashboard", 1), check);
            breaks(d -> map(dashboardGenerator(d), "options").remove("disableNameSuffixHash"), check);
            breaks(d -> dashboardGenerator(d).put("files", new ArrayList<>(List.of("dashboard.json=grafana/copy.json"))), check);
            breaks(d -> list(d.kustomization(), "configMapGenerator").clear(), check);
        }

        private static Map<String, Object> dashboardGenerator(Deployables d) {
            return maps(d.kustomization().get("configMapGenerator")).stream()
                    .filter(g -> DASHBOARD_CONFIGMAP.equals(str(g, "name"))).findFirst()
                    .orElseGet(() -> fail("no generator of " + DASHBOARD_CONFIGMAP));
        }

        private static void breaks(Consumer<Deployables> damage, Consumer<Deployables> check) {
            Deployables d = Deployables.load();
            check.accept(d);
            damage.accept(d);
            assertThrows(AssertionError.class, () -> check.accept(d), "the check missed the damage");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The files, parsed

    /** k8s/*.yaml (every document of each), the Dockerfile, .dockerignore; mutable, so tests can break a copy. */
    record Deployables(Map<String, List<Map<String, Object>>> files, StringBuilder dockerfileText, String dockerignore,
                       StringBuilder readmeText) {

        static Deployables load() {
            Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
            Map<String, List<Map<String, Object>>> files = new LinkedHashMap<>();
            try (Stream<Path> paths = Files.list(ROOT.resolve("k8s"))) {
                for (Path path : paths.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().toList()) {
                    List<Map<String, Object>> documents = new ArrayList<>();
                    try (Reader reader = Files.newBufferedReader(path)) {
                        for (Object document : yaml.loadAll(reader)) {
                            if (document != null) {
                                documents.add(map(document));
                            }
                        }
                    }
                    files.put(path.getFileName().toString(), documents);
                }
                return new Deployables(files, new StringBuilder(Files.readString(ROOT.resolve("docker/Dockerfile.jvm"))),
                        Files.readString(ROOT.resolve(".dockerignore")),
                        new StringBuilder(Files.readString(ROOT.resolve(SERVERS_PAGE))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String dockerfile() {
            return dockerfileText.toString();
        }

        void replaceDockerfile(String from, String to) {
            int at = dockerfileText.indexOf(from);
            assertTrue(at >= 0, "no " + from + " in the Dockerfile");
            dockerfileText.replace(at, at + from.length(), to);
        }

        /** The manual's page on tenant servers (it was the README's "Tenant servers" section). */
        String readmeTenantServers() {
            return readmeText.toString();
        }

        /** Every {@code "passwordFrom": {"file": "..."}} path in that section. */
        List<String> readmePasswordFiles() {
            Matcher m = Pattern.compile("\"passwordFrom\"\\s*:\\s*\\{\\s*\"file\"\\s*:\\s*\"([^\"]+)\"")
                    .matcher(readmeTenantServers());
            List<String> paths = new ArrayList<>();
            while (m.find()) {
                paths.add(m.group(1));
            }
            return paths;
        }

        void replaceReadme(String from, String to) {
            int at = readmeText.indexOf(from);
            assertTrue(at >= 0, "no " + from + " in " + SERVERS_PAGE);
            readmeText.replace(at, at + from.length(), to);
        }

        Map<String, Object> kustomization() {
            List<Map<String, Object>> documents = files.get("kustomization.yaml");
            assertNotNull(documents, "no k8s/kustomization.yaml");
            assertEquals(1, documents.size(), "kustomization.yaml is one document");
            return documents.get(0);
        }

        Map<String, Object> secretExample() {
            return example(SECRET_EXAMPLE);
        }

        Map<String, Object> example(String file) {
            List<Map<String, Object>> documents = files.getOrDefault(file, List.of());
            assertEquals(1, documents.size(), "k8s/" + file + " documents one Secret");
            assertEquals("Secret", documents.get(0).get("kind"), file);
            return documents.get(0);
        }

        Set<String> secretExampleKeys() {
            return exampleKeys(SECRET_EXAMPLE);
        }

        Set<String> exampleKeys(String file) {
            Set<String> keys = new TreeSet<>();
            Map<String, Object> secret = example(file);
            for (String field : List.of("data", "stringData")) {
                if (secret.get(field) != null) {
                    keys.addAll(map(secret, field).keySet());
                }
            }
            return keys;
        }

        /** The objects that `kubectl apply -k k8s/` creates. */
        List<Map<String, Object>> objects() {
            return strings(kustomization().get("resources")).stream()
                    .flatMap(file -> files.getOrDefault(file, List.of()).stream()).toList();
        }

        List<Map<String, Object>> all(String kind) {
            return objects().stream().filter(o -> kind.equals(o.get("kind"))).toList();
        }

        Map<String, Object> one(String kind) {
            List<Map<String, Object>> found = all(kind);
            assertEquals(1, found.size(), "the kustomization must have exactly one " + kind);
            return found.get(0);
        }

        List<Map<String, Object>> workloads() {
            return List.of(one("Deployment"), one("Job"));
        }

        List<Map<String, Object>> containers(Map<String, Object> workload) {
            List<Map<String, Object>> containers = new ArrayList<>(maps(get(workload, "spec", "template", "spec", "initContainers")));
            containers.addAll(maps(get(workload, "spec", "template", "spec", "containers")));
            return containers;
        }

        Map<String, Object> serverContainer() {
            List<Map<String, Object>> containers = maps(get(one("Deployment"), "spec", "template", "spec", "containers"));
            assertEquals(1, containers.size(), "the Deployment runs one container");
            return containers.get(0);
        }

        Map<String, Object> rolloutContainer() {
            List<Map<String, Object>> main = maps(get(one("Job"), "spec", "template", "spec", "containers"));
            assertEquals(1, main.size(), "the rollout Job runs one container");
            return main.get(0);
        }

        Map<String, Object> configMapData(String name) {
            return all("ConfigMap").stream().filter(c -> name.equals(str(c, "metadata", "name"))).findFirst()
                    .map(c -> map(c, "data")).orElseGet(() -> fail("no ConfigMap " + name));
        }

        /** The pod's labels once applied: its own and the kustomization's labels that reach templates. */
        Map<String, Object> podLabels(Map<String, Object> workload) {
            Map<String, Object> labels = new HashMap<>(map(workload, "spec", "template", "metadata", "labels"));
            for (Object label : list(kustomization(), "labels")) {
                if (Boolean.TRUE.equals(get(label, "includeTemplates")) || Boolean.TRUE.equals(get(label, "includeSelectors"))) {
                    labels.putAll(map(label, "pairs"));
                }
            }
            return labels;
        }

        /** Name → value (a String) or valueFrom (a Map), envFrom ConfigMaps first, env over them as Kubernetes does. */
        Map<String, Object> environment(Map<String, Object> container) {
            Map<String, Object> env = new LinkedHashMap<>();
            for (Object from : list(container, "envFrom")) {
                String configMap = str(from, "configMapRef", "name");
                if (configMap != null) {
                    env.putAll(configMapData(configMap));
                }
            }
            for (Object entry : list(container, "env")) {
                env.put(str(entry, "name"), entry instanceof Map<?, ?> m && m.containsKey("value") ? m.get("value") : get(entry, "valueFrom"));
            }
            return env;
        }

        /** An environment value as the container sees it: a literal, or what its configMapKeyRef names; else null. */
        Object value(Object envValue) {
            Object ref = get(envValue, "configMapKeyRef");
            return ref == null ? envValue : configMapData(str(ref, "name")).get(str(ref, "key"));
        }

        /** Environment variables named in application.properties and in the service's own code. */
        Set<String> settingsTheServiceReads() {
            Set<String> names = new TreeSet<>();
            Pattern reference = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)");
            Pattern literal = Pattern.compile("\"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\"");
            try (Stream<Path> sources = Files.walk(ROOT.resolve("src/main"))) {
                for (Path source : sources.filter(Files::isRegularFile).toList()) {
                    String text = Files.readString(source);
                    Matcher m = (source.toString().endsWith(".properties") ? reference : literal).matcher(text);
                    while (m.find()) {
                        names.add(m.group(1));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            assertTrue(names.contains("DB_HOST"), "found none of the settings the service reads: " + names);
            return names;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers

    static Map<Object, Integer> containerPorts(Map<String, Object> container) {
        Map<Object, Integer> ports = new HashMap<>();
        for (Object port : list(container, "ports")) {
            Integer number = (Integer) get(port, "containerPort");
            ports.put(number, number);
            if (str(port, "name") != null) {
                ports.put(str(port, "name"), number);
            }
        }
        return ports;
    }

    /** The Secret key a file path resolves to through the container's mounts, or null. */
    static String mountedSecretKey(Map<String, Object> workload, Map<String, Object> container, String path) {
        Map.Entry<String, String> mounted = mountedSecret(workload, container, path);
        return mounted == null ? null : mounted.getValue();
    }

    /** The Secret (name) and key a file path resolves to through the container's mounts, or null. */
    static Map.Entry<String, String> mountedSecret(Map<String, Object> workload, Map<String, Object> container, String path) {
        for (Object mount : list(container, "volumeMounts")) {
            String dir = str(mount, "mountPath").replaceFirst("/$", "");
            if (!path.startsWith(dir + "/")) {
                continue;
            }
            String relative = path.substring(dir.length() + 1);
            for (Object volume : list(workload, "spec", "template", "spec", "volumes")) {
                Object secret = get(volume, "secret");
                if (!Objects.equals(str(volume, "name"), str(mount, "name")) || secret == null) {
                    continue;
                }
                String secretName = str(secret, "secretName");
                List<Object> items = list(secret, "items");
                if (items.isEmpty()) {
                    return Map.entry(secretName, relative);
                }
                for (Object item : items) {
                    if (relative.equals(str(item, "path"))) {
                        return Map.entry(secretName, str(item, "key"));
                    }
                }
            }
        }
        return null;
    }

    static Map<String, Object> envEntry(Map<String, Object> container, String name) {
        return list(container, "env").stream().filter(e -> name.equals(str(e, "name"))).map(KubernetesManifestsTest::map)
                .findFirst().orElseGet(() -> fail("no env " + name));
    }

    static String lastArgument(List<String> dockerfileLines, String instruction) {
        String found = null;
        for (String line : dockerfileLines) {
            String[] words = line.split("\\s+", 2);
            if (words[0].equalsIgnoreCase(instruction) && words.length == 2) {
                found = words[1].strip();
            }
        }
        return found;
    }

    /** A Kubernetes quantity: cpu ("250m", "1", 0.5) or memory ("512Mi", "1G"). */
    static double quantity(Object value) {
        String text = String.valueOf(value);
        Matcher m = Pattern.compile("([0-9.]+)([a-zA-Z]*)").matcher(text);
        assertTrue(m.matches(), "not a quantity: " + text);
        double number = Double.parseDouble(m.group(1));
        return number * switch (m.group(2)) {
            case "" -> 1d;
            case "m" -> 1e-3;
            case "k" -> 1e3;
            case "M" -> 1e6;
            case "G" -> 1e9;
            case "Ki" -> 1024d;
            case "Mi" -> 1024d * 1024;
            case "Gi" -> 1024d * 1024 * 1024;
            default -> throw new AssertionError("unknown quantity suffix: " + text);
        };
    }

    /** "45s", "15m", "1h", "2d" or ISO-8601 ("PT45S"). */
    static Duration duration(String text) {
        assertNotNull(text, "no duration");
        if (text.startsWith("P") || text.startsWith("p")) {
            return Duration.parse(text);
        }
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)").matcher(text);
        assertTrue(m.matches(), "not a duration: " + text);
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    static Object get(Object node, String... path) {
        Object current = node;
        for (String key : path) {
            if (!(current instanceof Map<?, ?> m)) {
                return null;
            }
            current = m.get(key);
        }
        return current;
    }

    static String str(Object node, String... path) {
        Object value = get(node, path);
        return value == null ? null : value.toString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node, String... path) {
        Object value = get(node, path);
        if (!(value instanceof Map)) {
            fail("expected a mapping at " + String.join(".", path) + ", found " + value);
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node, String... path) {
        Object value = get(node, path);
        if (value == null) {
            return new ArrayList<>();
        }
        if (!(value instanceof List)) {
            fail("expected a list at " + String.join(".", path) + ", found " + value);
        }
        return (List<Object>) value;
    }

    static List<Map<String, Object>> maps(Object value) {
        return value == null ? List.of() : list(value).stream().map(KubernetesManifestsTest::map).toList();
    }

    @SuppressWarnings("unchecked")
    static List<String> strings(Object value) {
        if (value == null) {
            return new ArrayList<>();
        }
        if (!(value instanceof List<?> l) || !l.stream().allMatch(String.class::isInstance)) {
            return fail("expected a list of strings, found " + value);
        }
        return (List<String>) value;
    }
}
