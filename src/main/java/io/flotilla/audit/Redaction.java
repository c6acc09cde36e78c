package io.flotilla.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A request body made fit for the audit table: what was asked, never a secret. Fields whose name says secret,
 * password, token, credential, key or authorization are dropped whole (a webhook's {@code secret}, a server's
 * {@code passwordFrom}); a URL keeps its scheme and host only (a Slack incoming-webhook URL is a secret in its path,
 * a database URL may carry a password); a body that is not a JSON object is not kept at all (only its size). Long
 * strings and lists are cut, so a rollout of 10,000 companies does not make a 400 KB audit row.
 */
final class Redaction {

    static final Pattern SECRET = Pattern.compile(
            "(?i).*(secret|passw|token|credential|authori[sz]ation|private|apikey|api_key|api-key|^key$|signature).*");
    private static final Pattern URL_FIELD = Pattern.compile("(?i).*(url|uri|endpoint|dsn|href)$");
    static final int MAX_STRING = 200;
    static final int MAX_LIST = 20;
    private static final int MAX_DEPTH = 6;

    private Redaction() {
    }

    /**
     * The summary of {@code body} (a deserialized request object or the raw text a resource read itself); null when
     * there was no body.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> summary(ObjectMapper json, Object body) {
        if (body == null) {
            return null;
        }
        JsonNode tree;
        try {
            if (body instanceof String text) {
                if (text.isBlank()) {
                    return null;
                }
                tree = json.readTree(text);
            } else {
                tree = json.valueToTree(body);
            }
        } catch (Exception notJson) {
            return Map.of("unreadable", body instanceof String s ? s.length() + " characters, not JSON" : "not JSON");
        }
        if (tree == null || tree.isNull() || tree.isMissingNode()) {
            return null;
        }
        if (!tree.isObject()) {
            return Map.of("body", json.convertValue(clean(null, tree, 0), Object.class));
        }
        return json.convertValue(clean(null, tree, 0), LinkedHashMap.class);
    }

    private static JsonNode clean(String field, JsonNode node, int depth) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        if (depth > MAX_DEPTH) {
            return nodes.textNode("(nested too deep)");
        }
        if (node.isObject()) {
            ObjectNode out = nodes.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!SECRET.matcher(e.getKey()).matches()) {
                    out.set(e.getKey(), clean(e.getKey(), e.getValue(), depth + 1));
                }
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = nodes.arrayNode();
            for (int i = 0; i < node.size() && i < MAX_LIST; i++) {
                out.add(clean(field, node.get(i), depth + 1));
            }
            if (node.size() > MAX_LIST) {
                out.add("(" + (node.size() - MAX_LIST) + " more)");
            }
            return out;
        }
        if (node.isTextual()) {
            String text = node.asText();
            if (field != null && URL_FIELD.matcher(field).matches() || text.matches("(?i)^[a-z][a-z0-9+.-]*://.*")) {
                return nodes.textNode(origin(text));
            }
            return text.length() <= MAX_STRING ? node : nodes.textNode(text.substring(0, MAX_STRING) + "...");
        }
        return node;
    }

    /** scheme://host[:port] of a URL, never its user, path or query; "(not a URL)" otherwise. */
    static String origin(String url) {
        try {
            URI uri = URI.create(url.trim());
            if (uri.getScheme() == null || uri.getHost() == null) {
                return "(not a URL)";
            }
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        } catch (IllegalArgumentException e) {
            return "(not a URL)";
        }
    }
}
