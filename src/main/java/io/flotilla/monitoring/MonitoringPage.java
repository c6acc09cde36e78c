package io.flotilla.monitoring;

import java.util.List;

/** One page of a monitoring listing and how many rows match in all. */
public record MonitoringPage<T>(List<T> items, int page, int size, long total) {
}
